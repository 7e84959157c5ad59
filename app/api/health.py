"""/health: what data is being served; /health/live and /health/ready for orchestrators."""

import anyio
import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from app import db, errors, schemas
from app.api import deps

READY_TIMEOUT_S = 3.0

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


class Liveness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"meta": {"disclaimer": "..."}, "status": "ok"}]}
    )

    meta: schemas.HealthMeta
    status: str


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "meta": {"disclaimer": "..."},
                    "status": "ready",
                    "data_version": "3cbb6facd4244b9c",
                    "database": "ok",
                }
            ]
        }
    )

    meta: schemas.HealthMeta
    status: str
    data_version: str
    database: str


@router.get(
    "/health/live",
    response_model=Liveness,
    summary="Liveness",
    description="200 while the process answers; it needs neither the data nor the database.",
)
async def read_liveness(settings: deps.SettingsDep) -> Response:
    """Answer that the process is alive."""
    body = {"meta": {"disclaimer": settings.DISCLAIMER}, "status": "ok"}
    return Response(orjson.dumps(body), media_type="application/json")


@router.get(
    "/health/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when the read model is built and the database answers; 503 otherwise.",
    responses={503: {"model": errors.ProblemDetail, "description": "Not ready (problem+json)"}},
)
async def read_readiness(request: Request, settings: deps.SettingsDep) -> Response:
    """Check the read model and the database; the read model keeps serving either way."""
    read_model = getattr(request.app.state, "read_model", None)
    if read_model is None:
        raise errors.NotReady("The read model is not built yet.", retry_after_s=1)
    engine = request.app.state.engine
    failure: str | None = f"no answer within {READY_TIMEOUT_S:.0f} s"
    with anyio.move_on_after(READY_TIMEOUT_S):
        try:
            await anyio.to_thread.run_sync(db.ping, engine, abandon_on_cancel=True)
            failure = None
        except Exception as exc:
            failure = db.reason(exc, engine)
    if failure is not None:
        raise errors.NotReady(
            f"The database ({db.describe(engine)}) is unreachable: {failure}. "
            "Cached data is still served.",
            retry_after_s=5,
        )
    body = {
        "meta": {"disclaimer": settings.DISCLAIMER},
        "status": "ready",
        "data_version": read_model.data_version,
        "database": "ok",
    }
    return Response(orjson.dumps(body), media_type="application/json")
