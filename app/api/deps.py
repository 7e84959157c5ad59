"""Shared dependencies: the read model, settings, drug-name resolution, paging, strict queries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from app import errors
from app.catalog.models import SourceKind, VocabularyKind
from app.config import Settings
from app.domain import names
from app.readmodel import ReadModel, cache


async def get_read_model(request: Request) -> ReadModel:
    read_model: ReadModel = request.app.state.read_model
    return read_model


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with (create_app(settings) is honoured everywhere)."""
    settings: Settings = request.app.state.settings
    return settings


ReadModelDep = Annotated[ReadModel, Depends(get_read_model)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

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
EvidenceFilter = Annotated[
    SourceKind | None,
    Query(
        description="keep only facts whose source is of this kind (fda_label: an FDA label record)"
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="results per page (1 to 100)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="results to skip")]


def resolve_drug_id(read_model: ReadModel, name: str) -> str:
    """The id of the drug `name` names, or a 404 that suggests the closest names."""
    drug_id = read_model.resolve_drug(name)
    if drug_id is None:
        raise errors.UnknownDrug(name.strip(), read_model.suggest_drugs(name))
    return drug_id


def resolve_term(read_model: ReadModel, kind: VocabularyKind, name: str) -> str:
    """The preferred term `name` names in a vocabulary, or a 404 with suggestions."""
    terms = read_model.vocabulary(kind)
    term = terms.resolve(name)
    if term is None:
        raise errors.UnknownTerm(
            kind.value, name.strip(), names.suggest(name, terms.preferred.values())
        )
    return term


def meta(
    settings: Settings,
    read_model: ReadModel,
    total: int | None = None,
    limit: int = 0,
    offset: int = 0,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "disclaimer": settings.DISCLAIMER,
        "license": settings.LICENSE,
        "last_updated": read_model.last_updated.isoformat() if read_model.last_updated else None,
        "data_version": read_model.data_version,
    }
    if total is not None:
        out["results"] = {"total": total, "limit": limit, "offset": offset}
    return out


def page_body(
    settings: Settings, read_model: ReadModel, rows: Sequence[BaseModel], limit: int, offset: int
) -> bytes:
    return orjson.dumps(
        {
            "meta": meta(settings, read_model, len(rows), limit, offset),
            "results": [r.model_dump(mode="json") for r in rows[offset : offset + limit]],
        }
    )


def cached(
    request: Request,
    read_model: ReadModel,
    build: Callable[[], bytes],
    media_type: str = "application/json",
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """Answer from the read model's body cache (built at most once per data version)."""
    return cache.respond_to(request, read_model.cache, build, media_type, headers)


def _query_names(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model
            found |= {f.alias or name for name, f in model.model_fields.items()}
        else:
            found.add(param.alias)
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
