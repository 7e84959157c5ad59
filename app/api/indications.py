"""/indications: what a drug treats, or which drugs treat a condition."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.catalog.models import VocabularyKind

router = APIRouter(prefix="/indications", tags=["indications"])


@router.get(
    "",
    response_model=schemas.Page[schemas.IndicationPublic],
    summary="Find indications",
    description="Indications of a drug (`drug=`), or the drugs indicated for a condition "
    "(`condition=`, any term or synonym of the conditions vocabulary; narrower conditions are "
    "included, so `spasticity` finds spasticity due to multiple sclerosis). `labeled=true` keeps "
    "what the FDA label says; `labeled=false` keeps off-label uses and what the label says is "
    "not indicated (see `status`). Each result carries its source and section.",
    responses={**errors.PROBLEM_RESPONSES, **errors.NOT_FOUND},
)
async def read_indications(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    drug: deps.DrugFilter = None,
    condition: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="a condition term or synonym",
            examples=["spasticity"],
        ),
    ] = None,
    labeled: Annotated[
        bool | None, Query(description="true: labeled only; false: not labeled")
    ] = None,
    evidence: deps.EvidenceFilter = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List indications, by drug or by condition."""
    drug_id = deps.resolve_drug_id(read_model, drug) if drug is not None else None
    term = (
        deps.resolve_term(read_model, VocabularyKind.conditions, condition)
        if condition is not None
        else None
    )

    def build() -> bytes:
        rows = read_model.find_indications(drug_id, term, labeled, evidence)
        return deps.page_body(settings, read_model, rows, limit, offset)

    return deps.cached(request, read_model, build)
