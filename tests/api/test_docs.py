"""/docs and /redoc: every asset from this server, none from a CDN."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_name_no_external_url(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert re.findall(r"(?:src|href)=['\"]?(?:https?:)?//", response.text) == []
    assert "img-src 'self' data:" in response.headers["content-security-policy"]
    for asset in re.findall(r"(?:src|href)=\"(/docs-assets/[^\"]+)\"", response.text):
        assert client.get(asset).status_code == 200, asset


def test_swagger_ui_has_no_validator_badge(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text
