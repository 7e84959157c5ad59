"""/side-effects: a drug's adverse reactions, or which drugs cause an effect."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.catalog.models import VocabularyKind
from app.domain.frequency import FrequencyBand

router = APIRouter(prefix="/side-effects", tags=["side effects"])


@router.get(
    "",
    response_model=schemas.Page[schemas.SideEffectPublic],
    summary="Find side effects (adverse reactions)",
    description="Adverse reactions of a drug (`drug=`), or the drugs that cause an effect "
    "(`effect=`, any term or synonym of the effects vocabulary: `drowsiness` finds somnolence). "
    "`frequency=` keeps that CIOMS band or more frequent (`unknown` keeps reactions the label "
    "gives no figure for); `serious=` filters on seriousness. Sorted by incidence, highest first.",
    responses={**errors.PROBLEM_RESPONSES, **errors.NOT_FOUND},
)
async def read_side_effects(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    drug: deps.DrugFilter = None,
    effect: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="an effect term or synonym",
            examples=["drowsiness"],
        ),
    ] = None,
    frequency: Annotated[
        FrequencyBand | None, Query(description="this band or more frequent")
    ] = None,
    serious: Annotated[bool | None, Query(description="serious reactions only, or none")] = None,
    evidence: deps.EvidenceFilter = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List adverse reactions, by drug or by effect."""
    drug_id = deps.resolve_drug_id(read_model, drug) if drug is not None else None
    term = (
        deps.resolve_term(read_model, VocabularyKind.effects, effect)
        if effect is not None
        else None
    )

    def build() -> bytes:
        rows = read_model.find_side_effects(drug_id, term, frequency, serious, evidence)
        return deps.page_body(settings, read_model, rows, limit, offset)

    return deps.cached(request, read_model, build)
