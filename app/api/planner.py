"""/planner: a page for clinicians that calls the public endpoints like any other client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)


@router.get("/planner", response_class=HTMLResponse)
async def read_planner(
    request: Request,
    drug: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Render the planner page; the drug in the link is chosen when it opens."""
    response = TEMPLATES.TemplateResponse(
        request,
        "planner.html",
        {"drug": drug, "static": "/static", "disclaimer": request.app.state.settings.DISCLAIMER},
    )
    response.headers["Content-Security-Policy"] = CSP
    return response
