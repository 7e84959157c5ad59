"""RFC 9457 problem details: the error types and the handlers that render every error."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, cast

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.schemas import SourceRef

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://druginfo.example/problems/"

log = logging.getLogger("druginfo")
_BODY_NOT_DECODED = "There was an error parsing the body"  # FastAPI's HTTPException detail


class InvalidParam(BaseModel):
    location: str = Field(description="where: 'query.limit', 'body.patient.weight_kg', ...")
    message: str = Field(description="what is wrong with it")
    input: Any | None = Field(default=None, description="the value given (cut to 200 characters)")


class ProblemLimit(BaseModel):
    """The label limit a refused plan would pass."""

    name: str = Field(description="which limit: max_daily_mg, max_dose_mg, a kidney band's ...")
    value_mg: float = Field(description="the limit, in mg (per day or per dose, as `name` says)")
    requested_mg: float = Field(description="what the plan asked for, in mg")


class ProblemMeta(BaseModel):
    disclaimer: str = Field(description="information, not medical advice")


class ProblemDetail(BaseModel):
    """The body of every error response (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="a short summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong with this request, and what to do")
    instance: str | None = Field(default=None, description="the path that was requested")
    errors: list[InvalidParam] | None = Field(
        default=None, description="each invalid value, with its location"
    )
    suggestions: list[str] | None = Field(
        default=None, description="the closest known names (unknown drug, term or regimen)"
    )
    limit: ProblemLimit | None = Field(
        default=None, description="the label limit a refused plan would pass"
    )
    source: SourceRef | None = Field(
        default=None, description="where the limit (or the refused rule) comes from"
    )
    meta: ProblemMeta


class ProblemError(Exception):
    """A failure the client can act on; rendered as problem+json."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **members: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.members = members


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class UnknownDrug(NotFound):
    slug = "unknown-drug"
    title = "Unknown drug"

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No drug is known as '{name}'.{hint}", suggestions=list(suggestions))


class UnknownTerm(NotFound):
    slug = "unknown-term"
    title = "Unknown term"

    def __init__(self, kind: str, name: str, suggestions: Sequence[str]) -> None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"'{name}' is not in the {kind} vocabulary.{hint}", suggestions=list(suggestions)
        )


class UnknownRegimen(NotFound):
    slug = "unknown-regimen"
    title = "Unknown regimen"

    def __init__(self, drug_id: str, regimen: str, known: Sequence[str]) -> None:
        listed = ", ".join(known) if known else "none"
        super().__init__(
            f"Drug '{drug_id}' has no regimen '{regimen}'. Its regimens: {listed}.",
            suggestions=list(known),
        )


class InvalidInput(ProblemError):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"

    def __init__(self, detail: str, errors: Sequence[InvalidParam]) -> None:
        super().__init__(detail, errors=[e.model_dump(exclude_none=True) for e in errors])


class DoseLimitExceeded(ProblemError):
    """A requested plan would exceed a labeled maximum; never clipped silently."""

    status = 422
    slug = "dose-limit-exceeded"
    title = "Dose above the label's limit"

    def __init__(
        self, detail: str, *, limit: dict[str, Any], source: dict[str, Any] | None
    ) -> None:
        super().__init__(detail, limit=limit, source=source)


class InvalidPlan(ProblemError):
    """The plan cannot be built as asked (e.g. a target beyond the label's schedule)."""

    status = 422
    slug = "invalid-plan"
    title = "Plan cannot be built as asked"


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Missing or invalid API key"


class PayloadTooLarge(ProblemError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class UnsupportedMediaType(ProblemError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class TooManyRequests(ProblemError):
    """Over RATE_LIMIT_PER_MINUTE; `retry_after_s` is also sent as Retry-After."""

    status = 429
    slug = "rate-limited"
    title = "Too many requests"


class NotReady(ProblemError):
    """Not able to serve yet or any more (read model not built, database unreachable)."""

    status = 503
    slug = "not-ready"
    title = "Service not ready"


def problem_response(
    status: int,
    title: str,
    detail: str,
    slug: str,
    instance: str | None = None,
    *,
    disclaimer: str,
    **members: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in members.items() if v is not None})
    body["meta"] = {"disclaimer": disclaimer}
    headers = {"WWW-Authenticate": "APIKey"} if status == 401 else {}
    if "retry_after_s" in members and members["retry_after_s"] is not None:
        headers["Retry-After"] = str(members["retry_after_s"])
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def location(loc: Sequence[int | str]) -> str:
    """('query', 'limit') -> 'query.limit'; ('body', 'steps', 0) -> 'body.steps[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        item: dict[str, Any] = {"location": location(err.get("loc", ())), "message": msg}
        value = err.get("input")
        if isinstance(value, int) and not -(2**63) <= value < 2**64:
            value = str(value)  # JSON numbers past 64 bits cannot be rendered by orjson
        if isinstance(value, str | int | float | bool) and not isinstance(value, bytes):
            item["input"] = value if not isinstance(value, str) else value[:200]
        out.append(item)
    return out


def _disclaimer(request: Request) -> str:
    disclaimer: str = request.app.state.settings.DISCLAIMER
    return disclaimer


async def _problem_handler(request: Request, exc: Exception) -> Response:
    exc = cast(ProblemError, exc)
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        exc.slug,
        request.url.path,
        disclaimer=_disclaimer(request),
        **exc.members,
    )


async def _validation_handler(request: Request, exc: Exception) -> Response:
    exc = cast(RequestValidationError, exc)
    errors = validation_errors(exc.errors())
    where = ", ".join(e["location"] for e in errors)
    return problem_response(
        422,
        "Invalid input",
        f"The request has {len(errors)} invalid value(s): {where}.",
        "invalid-input",
        request.url.path,
        disclaimer=_disclaimer(request),
        errors=errors,
    )


async def _http_handler(request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    status = exc.status_code
    if status == 400 and exc.detail == _BODY_NOT_DECODED:
        # FastAPI's answer to a body that is not UTF-8; malformed JSON is a 422, so is this.
        return problem_response(
            422,
            "Invalid input",
            "The body is not valid JSON (it must be UTF-8).",
            "invalid-input",
            request.url.path,
            disclaimer=_disclaimer(request),
            errors=[{"location": "body", "message": "not valid UTF-8 JSON"}],
        )
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    if status == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}. See /docs for the API."
    allowed: list[str] = []
    if status == 405:
        allowed = _allowed_methods(request)
        detail = (
            f"{request.method} is not allowed on {request.url.path}; "
            f"allowed: {', '.join(allowed)}. The API only reads; POST /titration computes a plan."
        )
    response = problem_response(
        status,
        phrase,
        detail,
        phrase.lower().replace(" ", "-"),
        request.url.path,
        disclaimer=_disclaimer(request),
    )
    if exc.headers:
        response.headers.update(exc.headers)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _routes(routes: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for route in routes:
        nested = getattr(getattr(route, "original_router", None), "routes", None)
        out.extend(_routes(nested) if nested is not None else [route])
    return out


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route serves at this path (Starlette only reports the first route's)."""
    methods: set[str] = set()
    for route in _routes(request.app.routes):
        route_methods = getattr(route, "methods", None)
        if not route_methods:
            continue
        match, _ = route.matches({**request.scope, "method": next(iter(route_methods))})
        if match is Match.FULL:
            methods |= set(route_methods)
    if "GET" in methods:
        methods.add("HEAD")  # answered by app.middleware.HeadAsGet
    return sorted(methods)


async def _unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    response = problem_response(
        500,
        "Internal server error",
        "The server failed to answer this request. It has been logged.",
        "internal-error",
        request.url.path,
        disclaimer=_disclaimer(request),
    )
    # Sent outside the request-id middleware (by Starlette's outermost error handler).
    request_id = getattr(request.state, "request_id", None)
    if request_id is not None:
        response.headers["X-Request-ID"] = request_id
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unhandled)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ProblemDetail, "description": "Invalid input (problem+json)"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ProblemDetail, "description": "Unknown drug or term (problem+json)"}
}
