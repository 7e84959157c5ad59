"""/docs and /redoc served offline: Swagger UI and ReDoc from the fastapi-offline package."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"

# Nothing but this server: ReDoc's footer logo (a CDN image) and Swagger UI's validator badge
# are never fetched.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def read_swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI, every asset from this server."""
    root = request.scope.get("root_path", "")
    response = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        swagger_ui_parameters={"validatorUrl": None, **(request.app.swagger_ui_parameters or {})},
    )
    response.headers["Content-Security-Policy"] = CSP
    return response


@router.get("/redoc")
async def read_redoc(request: Request) -> HTMLResponse:
    """ReDoc, every asset from this server (no web fonts)."""
    root = request.scope.get("root_path", "")
    response = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    response.headers["Content-Security-Policy"] = CSP
    return response


def install(app: FastAPI) -> None:
    """Mount the assets and the two pages (the app is built with docs_url=redoc_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    app.include_router(router)
