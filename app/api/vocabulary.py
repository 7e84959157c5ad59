"""/vocabulary: the shared terms for conditions and effects, with synonyms and hierarchy."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.catalog.models import VocabularyKind

router = APIRouter(prefix="/vocabulary", tags=["vocabulary"])


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
    settings: deps.SettingsDep,
    kind: Annotated[VocabularyKind, Path(description="conditions or effects")],
    q: Annotated[
        str | None, Query(max_length=200, description="part of a name", examples=["sclerosis"])
    ] = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List the terms of one vocabulary."""

    def build() -> bytes:
        rows = read_model.find_terms(kind, q)
        return deps.page_body(settings, read_model, rows, limit, offset)

    return deps.cached(request, read_model, build)
