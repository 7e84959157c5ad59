"""The application factory: lifespan (seed, read model), middleware, error handlers, routers."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors, readmodel
from app.api import (
    deps,
    drugs,
    health,
    indications,
    planner,
    precautions,
    side_effects,
    titration,
    vocabulary,
)
from app.api.cache import ResponseCache
from app.catalog import loader
from app.catalog import seed as seed_service
from app.config import Settings, get_settings
from app.db import get_engine, make_engine

log = logging.getLogger("druginfo")

DESCRIPTION = """
Structured, sourced drug information: indications, side effects (adverse reactions),
precautions, and dose titration and tapering schedules limited by the label's maximum doses
and by kidney function. Every fact names its source (for US drugs the FDA label on DailyMed:
set id, version or date, and section).

**Information, not medical advice.** Check the current label and consult a clinician.

Errors are RFC 9457 `application/problem+json`.
"""

TAGS = [
    {"name": "drugs", "description": "The catalog and each drug's monograph."},
    {"name": "indications", "description": "What a drug treats; which drugs treat a condition."},
    {"name": "side effects", "description": "Adverse reactions with incidence and frequency band."},
    {"name": "precautions", "description": "Boxed warnings, contraindications, interactions..."},
    {"name": "titration", "description": "Up-titration and tapering schedules from the label."},
    {
        "name": "vocabulary",
        "description": "Preferred terms and synonyms for conditions and effects.",
    },
    {"name": "health", "description": "Liveness and data version."},
]


def refresh_read_model(app: FastAPI) -> None:
    """Build a new read model from the database and swap it in atomically."""
    app.state.read_model = readmodel.load(app.state.engine)


async def _watch_data_version(app: FastAPI, interval_s: float) -> None:
    """Pick up a reseed done by another process: rebuild and swap when the version changes."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            version = await anyio.to_thread.run_sync(seed_service.stored_version, app.state.engine)
            if version is not None and version != app.state.read_model.data_version:
                fresh = await anyio.to_thread.run_sync(readmodel.load, app.state.engine)
                app.state.read_model = fresh
                log.info("data %s loaded (reseeded elsewhere)", fresh.data_version)
        except Exception:  # keep serving the current data; try again next time
            log.exception("could not check the data version")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = app.state.engine
    if settings.SEED_ON_STARTUP:
        try:
            result = seed_service.seed(engine, settings.DATA_DIR, force=False)
        except loader.CatalogError as exc:
            log.error("the data files do not validate; nothing was written:\n%s", exc)
            if seed_service.stored_version(engine) is None:
                raise
            log.warning("serving the data already in the database")
        else:
            log.info(
                "data %s: %d drugs (%s)",
                result.data_version,
                result.drugs,
                "unchanged" if result.skipped else "seeded",
            )
    else:
        seed_service.create_tables(engine)
    refresh_read_model(app)
    watcher = None
    if settings.RELOAD_INTERVAL_S > 0:
        watcher = asyncio.create_task(_watch_data_version(app, settings.RELOAD_INTERVAL_S))
    try:
        yield
    finally:
        if watcher is not None:
            watcher.cancel()
        if app.state.owns_engine:
            engine.dispose()


class SecurityHeaders:
    """Headers every response carries; no server version is ever sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer HEAD as the GET of the same URL would, without the body (load balancers use it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class BodySizeLimit:
    """Refuse request bodies over the limit before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                response = errors.problem_response(
                    413,
                    "Request body too large",
                    f"The body is {int(value)} bytes; the limit is {self.max_bytes}.",
                    "payload-too-large",
                    scope.get("path"),
                )
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise errors.PayloadTooLarge(f"The body exceeds {self.max_bytes} bytes.")
            return message

        await self.app(scope, limited_receive, send)


def api_key_dependency(settings: Settings) -> Callable[[Request], Awaitable[None]]:
    keys = settings.api_keys

    async def require_api_key(request: Request) -> None:
        if not keys:
            return
        given = request.headers.get("x-api-key", "")
        if not any(secrets.compare_digest(given.encode(), k.encode()) for k in keys):
            raise errors.Unauthorized("Send a valid key in the X-API-Key header.")

    return require_api_key


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
_COMMON_ERRORS = {
    "401": "Missing or invalid X-API-Key (only when the deployment sets API_KEYS)",
    "422": "Invalid, unknown or repeated parameter",
    "500": "Unexpected server error (logged; no details are sent)",
}


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error response declared as application/problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        license_info=app.license_info,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = errors.ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["ProblemDetail"] = problem
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            for code, description in _COMMON_ERRORS.items():
                responses.setdefault(code, {"description": description})
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (If-None-Match)"})
            if "requestBody" in operation:
                responses.setdefault("400", {"description": "Malformed JSON body"})
                responses.setdefault("413", {"description": "Request body too large"})
                responses.setdefault("415", {"description": "Body is not application/json"})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = {"application/problem+json": {"schema": _PROBLEM_REF}}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="druginfo",
        version="0.1.0",
        summary="Sourced drug information and titration schedules",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        license_info={"name": "MIT (code); FDA labeling is public domain"},
    )
    app.state.settings = settings
    app.state.owns_engine = settings is not get_settings()
    app.state.engine = make_engine(settings.DATABASE_URL) if app.state.owns_engine else get_engine()
    errors.install(app)
    common: list[Any] = [Depends(deps.strict_query), Depends(api_key_dependency(settings))]
    for module in (drugs, indications, side_effects, precautions, titration, vocabulary):
        app.include_router(module.router, dependencies=common)
    app.include_router(health.router, dependencies=[Depends(deps.strict_query)])
    app.include_router(planner.router)
    app.mount("/static", StaticFiles(directory=planner.STATIC_DIR), name="static")
    app.add_middleware(ResponseCache, api_keys=settings.api_keys)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type", "X-API-Key", "If-None-Match"],
        expose_headers=["ETag"],
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.MAX_BODY_BYTES)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)

    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return Response(status_code=307, headers={"Location": "/docs"})

    return app


app = create_app()
