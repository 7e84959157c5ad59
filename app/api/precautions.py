"""/precautions: boxed warnings, contraindications, interactions and the rest."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.catalog.models import PrecautionCategory

router = APIRouter(prefix="/precautions", tags=["precautions"])


@router.get(
    "",
    response_model=schemas.Page[schemas.PrecautionPublic],
    summary="Find precautions",
    description="Precautions of a drug (`drug=`), optionally of one `category` (boxed_warning, "
    "contraindication, warning, interaction, renal, hepatic, pregnancy, lactation, pediatric, "
    "geriatric, administration). Without `drug`, every drug's precautions of that category.",
    responses={**errors.PROBLEM_RESPONSES, **errors.NOT_FOUND},
)
async def read_precautions(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    drug: deps.DrugFilter = None,
    category: Annotated[PrecautionCategory | None, Query(description="one category")] = None,
    evidence: deps.EvidenceFilter = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List precautions, by drug and category."""
    drug_id = deps.resolve_drug_id(read_model, drug) if drug is not None else None

    def build() -> bytes:
        rows = read_model.find_precautions(drug_id, category, evidence)
        return deps.page_body(settings, read_model, rows, limit, offset)

    return deps.cached(request, read_model, build)
