"""GET /metrics: Prometheus text exposition (every worker's values summed)."""

import anyio
from fastapi import APIRouter
from starlette.responses import Response

from app import metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def read_metrics() -> Response:
    """The Prometheus metrics; open like /health, exempt from the rate limit."""
    body = await anyio.to_thread.run_sync(metrics.render)  # multiprocess mode reads files
    return Response(body, media_type=metrics.CONTENT_TYPE)
