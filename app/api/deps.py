"""Shared dependencies: the read model, drug-name resolution, paging, strict query parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response

from app import errors
from app.api.cache import CACHE_CONTROL, cache_key
from app.config import get_settings
from app.domain import names
from app.readmodel import ReadModel


async def get_read_model(request: Request) -> ReadModel:
    read_model: ReadModel = request.app.state.read_model
    return read_model


ReadModelDep = Annotated[ReadModel, Depends(get_read_model)]

DrugQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="id, generic name, brand name or synonym; case and surrounding space ignored",
        examples=["baclofen"],
    ),
]
DrugFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=200, description="any name of a drug", examples=["baclofen"]),
]
Limit = Annotated[int, Query(ge=1, le=100, description="results per page (1 to 100)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="results to skip")]


def resolve_drug_id(read_model: ReadModel, name: str) -> str:
    """The id of the drug `name` names, or a 404 that suggests the closest names."""
    drug_id = read_model.resolve_drug(name)
    if drug_id is None:
        raise errors.UnknownDrug(name.strip(), read_model.suggest_drugs(name))
    return drug_id


def resolve_term(read_model: ReadModel, kind: str, name: str) -> str:
    terms = read_model.conditions if kind == "conditions" else read_model.effects
    term = terms.resolve(name)
    if term is None:
        raise errors.UnknownTerm(kind, name.strip(), names.suggest(name, terms.preferred.values()))
    return term


def meta(
    read_model: ReadModel, total: int | None = None, limit: int = 0, offset: int = 0
) -> dict[str, Any]:
    settings = get_settings()
    out: dict[str, Any] = {
        "disclaimer": settings.DISCLAIMER,
        "license": settings.LICENSE,
        "last_updated": read_model.last_updated.isoformat() if read_model.last_updated else None,
        "data_version": read_model.data_version,
    }
    if total is not None:
        out["results"] = {"total": total, "limit": limit, "offset": offset}
    return out


def page_body(read_model: ReadModel, rows: list[Any], limit: int, offset: int) -> bytes:
    return orjson.dumps(
        {
            "meta": meta(read_model, len(rows), limit, offset),
            "results": rows[offset : offset + limit],
        }
    )


def json_response(
    request: Request,
    read_model: ReadModel,
    build: Callable[[], bytes],
    media_type: str = "application/json",
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """A cached body with its ETag; 304 when the client already has this version."""
    hit = read_model.cached(cache_key(request.scope), build, media_type, headers)
    out = {"ETag": hit.etag, "Cache-Control": CACHE_CONTROL, **dict(hit.headers)}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and hit.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=out)
    return Response(hit.body, media_type=hit.media_type, headers=out)


def _query_names(dependant: Dependant) -> set[str]:
    found = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        found |= _query_names(sub)
    return found


_ALLOWED: dict[int, frozenset[str]] = {}


def _allowed(route: APIRoute) -> frozenset[str]:
    allowed = _ALLOWED.get(id(route))
    if allowed is None:
        allowed = _ALLOWED[id(route)] = frozenset(_query_names(route.dependant))
    return allowed


async def strict_query(request: Request) -> None:
    """Refuse unknown and repeated query parameters instead of ignoring them silently."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _allowed(route)
    problems = []
    seen: set[str] = set()
    for name, _value in request.query_params.multi_items():
        if name not in allowed:
            problems.append(
                errors.InvalidParam(
                    location=f"query.{name}"[:200],
                    message="unknown parameter; this endpoint accepts: "
                    + ", ".join(sorted(allowed))
                    if allowed
                    else "unknown parameter; this endpoint takes no query parameters",
                )
            )
        elif name in seen:
            problems.append(
                errors.InvalidParam(location=f"query.{name}", message="given more than once")
            )
        seen.add(name)
    if problems:
        raise errors.InvalidInput(
            "The query string has parameters this endpoint does not take.", problems
        )
