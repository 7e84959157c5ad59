"""/drugs: the catalog and each drug's whole monograph."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps

router = APIRouter(prefix="/drugs", tags=["drugs"])


@router.get(
    "",
    response_model=schemas.Page[schemas.DrugSummary],
    summary="List drugs",
    description="Every drug in the catalog, optionally filtered by `q`, a case-insensitive "
    "substring of any of its names (id, generic, brand or synonym).",
    responses=errors.PROBLEM_RESPONSES,
)
async def read_drugs(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="part of a drug's name", examples=["bac"]),
    ] = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List drug summaries, paged."""

    def build() -> bytes:
        return deps.page_body(settings, read_model, read_model.find_drugs(q), limit, offset)

    return deps.cached(request, read_model, build)


@router.get(
    "/{drug}",
    response_model=schemas.One[schemas.DrugPublic],
    summary="Read a drug's monograph",
    description="The whole monograph: products, sources, indications, adverse reactions, "
    "precautions, regimens and checked claims. `drug` may be the id, the generic name, a brand "
    "name or a synonym; an unknown name is a 404 whose `suggestions` list the closest names.",
    responses={**errors.PROBLEM_RESPONSES, **errors.NOT_FOUND},
)
async def read_drug(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    drug: Annotated[
        str,
        Path(
            min_length=1, max_length=200, description="any name of the drug", examples=["baclofen"]
        ),
    ],
) -> Response:
    """Read one drug's monograph."""
    entry = read_model.drugs[deps.resolve_drug_id(read_model, drug)]

    def build() -> bytes:
        return orjson.dumps(
            {
                "meta": deps.meta(settings, read_model),
                "results": entry.monograph.model_dump(mode="json"),
            }
        )

    return deps.cached(request, read_model, build)
