"""/docs and /redoc render with every non-local request blocked (no CDN, no web fonts)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser.test_planner import CHROMIUM, base_url, browser  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def offline_page(browser, base_url: str) -> Iterator[tuple[object, list[str]]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A page whose every request to a host other than the test server is aborted and noted."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1200, "height": 900})
    blocked: list[str] = []

    def route(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    yield page, blocked
    context.close()


def test_swagger_ui_lists_the_operations_offline(offline_page) -> None:  # type: ignore[no-untyped-def]
    page, blocked = offline_page
    page.goto("/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))"
    )
    assert {"/drugs", "/drugs/{drug}", "/titration", "/indications"} <= set(paths)
    assert page.locator(".opblock-get").count() >= 8
    assert page.locator(".opblock-post").count() >= 1
    assert blocked == []


def test_redoc_renders_offline(offline_page) -> None:  # type: ignore[no-untyped-def]
    page, blocked = offline_page
    page.goto("/redoc")
    page.wait_for_selector("h1", timeout=15_000)
    page.wait_for_function("document.body.innerText.includes('Label titration schedule')")
    assert "druginfo" in page.text_content("h1")
    assert blocked == []
