"""/side-effects: a drug's adverse reactions, or which drugs cause an effect."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.domain.frequency import FrequencyBand, at_least

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
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List adverse reactions, by drug or by effect."""
    drug_id = deps.resolve_drug_id(read_model, drug) if drug is not None else None
    term = deps.resolve_term(read_model, "effects", effect) if effect is not None else None

    def build() -> bytes:
        if term is not None:
            rows = list(read_model.side_effects_by_effect.get(term, []))
            if drug_id is not None:
                rows = [r for r in rows if r["drug"]["id"] == drug_id]  # type: ignore[index]
        elif drug_id is not None:
            rows = list(read_model.side_effects_by_drug[drug_id])
        else:
            rows = read_model.all_side_effects
        if frequency is not None:
            bands = {b.value for b in at_least(frequency)}
            rows = [r for r in rows if r["frequency_band"] in bands]
        if serious is not None:
            rows = [r for r in rows if r["serious"] is serious]
        rows = sorted(
            rows,
            key=lambda r: (
                -(r["incidence_high_pct"] if r["incidence_high_pct"] is not None else -1.0),  # type: ignore[operator]
                str(r["drug"]["id"]),  # type: ignore[index]
                str(r["effect"]),
            ),
        )
        return deps.page_body(read_model, rows, limit, offset)

    return deps.json_response(request, read_model, build)
