"""/vocabulary: the shared terms for conditions and effects, with synonyms and hierarchy."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.domain import names

router = APIRouter(prefix="/vocabulary", tags=["vocabulary"])


class Kind(StrEnum):
    conditions = "conditions"
    effects = "effects"


@router.get(
    "/{kind}",
    response_model=schemas.Page[schemas.TermPublic],
    summary="List vocabulary terms",
    description="The preferred terms that `?condition=` (kind `conditions`) or `?effect=` (kind "
    "`effects`) accept, each with every name it answers to, its broader and narrower terms, and "
    "how many drugs use it (narrower terms included). `q` keeps terms with a name containing it.",
    responses=errors.PROBLEM_RESPONSES,
)
async def read_vocabulary(
    request: Request,
    read_model: deps.ReadModelDep,
    kind: Annotated[Kind, Path(description="conditions or effects")],
    q: Annotated[
        str | None, Query(max_length=200, description="part of a name", examples=["sclerosis"])
    ] = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List the terms of one vocabulary."""

    def build() -> bytes:
        rows = read_model.terms[kind.value]
        if q is not None and q.strip():
            wanted = names.normalize(q)
            rows = [r for r in rows if any(wanted in str(n) for n in r["names"])]  # type: ignore[attr-defined]
        return deps.page_body(read_model, rows, limit, offset)

    return deps.json_response(request, read_model, build)
