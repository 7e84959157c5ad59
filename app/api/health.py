"""/health: liveness and what data is being served."""

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from app import schemas
from app.api import deps

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=schemas.Health,
    summary="Health check",
    description="Status, number of drugs served and the data version.",
)
async def read_health(read_model: deps.ReadModelDep, settings: deps.SettingsDep) -> Response:
    """Report liveness and the data served."""
    body = {
        "meta": {"disclaimer": settings.DISCLAIMER},
        "status": "ok",
        "drugs": len(read_model.drugs),
        "data_version": read_model.data_version,
        "last_updated": read_model.last_updated.isoformat() if read_model.last_updated else None,
    }
    return Response(orjson.dumps(body), media_type="application/json")
