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
    drug: deps.DrugFilter = None,
    category: Annotated[PrecautionCategory | None, Query(description="one category")] = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List precautions, by drug and category."""
    drug_id = deps.resolve_drug_id(read_model, drug) if drug is not None else None

    def build() -> bytes:
        rows = (
            read_model.precautions_by_drug[drug_id]
            if drug_id is not None
            else read_model.all_precautions
        )
        if category is not None:
            rows = [r for r in rows if r["category"] == category.value]
        return deps.page_body(read_model, rows, limit, offset)

    return deps.json_response(request, read_model, build)
