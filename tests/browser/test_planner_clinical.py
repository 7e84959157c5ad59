"""The planner as a clinician uses it: units per step, weight and liver fields, a phone's width."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.test_planner import CHROMIUM, base_url, browser  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]

UNITS = 6  # the "Each dose" column


def _page(browser, base_url: str, width: int):  # type: ignore[no-untyped-def]  # noqa: F811
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


@pytest.fixture
def page(browser, base_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]  # noqa: F811
    context, page, errors = _page(browser, base_url, 1100)
    yield page
    context.close()
    assert not errors, errors


def _column(page, index: int) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "#steps tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent)"
    )


def _titration_requests(page) -> list[dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [
        parse_qs(urlsplit(url).query)
        for url in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        if urlsplit(url).path == "/titration" and "format=svg" not in url
    ]


def test_each_step_shows_the_tablets_that_make_its_dose(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner?drug=baclofen")
    page.wait_for_selector("#steps tbody tr")
    # Baclofen 5, 10, 15, 20 mg doses from its 5, 10 and 20 mg tablets, fewest tablets each.
    assert _column(page, UNITS) == [
        "1 x 5 mg tablet",
        "1 x 10 mg tablet",
        "1 x 10 mg tablet + 1 x 5 mg tablet",
        "1 x 20 mg tablet",
    ]


def test_an_oral_solution_step_shows_millilitres(page) -> None:  # type: ignore[no-untyped-def]
    # ZONISADE is 100 mg/5 mL: 100, 200, 300 mg doses are 5, 10, 15 mL.
    page.goto("/planner?drug=zonisamide&regimen=zonisade-partial-onset-adjunctive")
    page.wait_for_selector("#steps tbody tr")
    assert _column(page, UNITS)[:3] == ["5 mL", "10 mL", "15 mL"]


def test_weight_is_asked_for_and_sent_for_an_mg_per_kg_regimen(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner?drug=divalproex-sodium&regimen=depakote-er-complex-partial-seizures")
    error = page.locator("#weight_kg-error")
    error.wait_for(state="visible")
    assert "weight" in error.text_content()
    assert page.get_attribute("#weight_kg", "aria-invalid") == "true"
    page.fill("#weight_kg", "60")
    page.click("button[type=submit]")
    page.wait_for_selector("#steps tbody tr")
    assert _titration_requests(page)[-1]["weight_kg"] == ["60"]
    assert page.is_hidden("#weight_kg-error")


def test_child_pugh_class_is_sent_and_its_band_applied(page) -> None:  # type: ignore[no-untyped-def]
    # ULTRAM, severe hepatic impairment: 50 mg every 12 hours, so at most 100 mg/day.
    page.goto("/planner?drug=tramadol&regimen=ultram-titration")
    page.wait_for_selector("#steps tbody tr")
    page.select_option("#child_pugh", "C")
    page.click("button[type=submit]")
    page.wait_for_selector("#result-summary:has-text('Child-Pugh C')")  # no eval: the CSP
    assert _titration_requests(page)[-1]["child_pugh"] == ["C"]
    summary = page.text_content("#result-summary")
    assert "Maximum 100 mg/day" in summary
    assert _column(page, UNITS) == ["1 x 50 mg tablet"]  # every 12 hours: two doses of 50 mg


@pytest.mark.parametrize("width", [320, 480, 768])
def test_planner_reflows_at_phone_widths(browser, base_url: str, width: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    context, page, errors = _page(browser, base_url, width)
    try:
        # citalopram's first regimen has the longest name in the data (over 120 characters).
        page.goto("/planner?drug=citalopram&regimen=adult-mdd-max-20&start_date=2026-12-01")
        page.wait_for_selector("#steps tbody tr")
        page.wait_for_selector("#chart svg")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{scroll} px wide at {width} px"
        assert page.evaluate("document.body.scrollWidth") <= width
        regimen = page.eval_on_selector("#regimen", "e => e.getBoundingClientRect().right")
        assert regimen <= width
    finally:
        context.close()
    assert not errors, errors
