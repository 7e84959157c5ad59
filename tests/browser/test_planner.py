"""The planner page in a real browser: Playwright driving Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar

from app.main import create_app
from tests.conftest import ROOT, live_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with live_server(create_app()) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=base_url, accept_downloads=True, viewport={"width": 1100, "height": 1400}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def _rows(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "#steps tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )


def test_planner_link_opens_with_the_label_schedule(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner?drug=baclofen")
    page.wait_for_selector("#steps tbody tr")
    rows = _rows(page)
    assert [r[3] for r in rows] == ["5 mg", "10 mg", "15 mg", "20 mg"]
    assert [r[5] for r in rows] == ["15", "30", "45", "60"]
    assert "80 mg/day" in page.text_content("#result-summary")
    assert page.locator("#chart svg").count() == 1
    assert "set id b4f2f888-979a-6f54-e053-2a95a90a95a3" in page.text_content("#sources")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner.png"), full_page=True)


def test_choose_a_drug_by_brand_name_with_the_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner")
    page.focus("#drug")
    page.keyboard.type("Ozobax")
    page.keyboard.press("Tab")  # leaving the field loads the drug's regimens
    page.locator("#regimen option").first.wait_for(state="attached")
    page.click("button[type=submit]")
    page.wait_for_selector("#steps tbody tr")
    assert "maximum 80 mg/day" in page.text_content("#result-summary").lower()


def test_type_ahead_offers_brand_names(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner")
    page.fill("#drug", "ozo")
    page.locator("#drug-options option").first.wait_for(state="attached")
    options = page.eval_on_selector_all("#drug-options option", "os => os.map(o => o.value)")
    assert "Ozobax" in options


def test_a_target_above_the_label_maximum_is_refused_beside_the_field(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner?drug=baclofen")
    page.wait_for_selector("#steps tbody tr")
    page.fill("#target_daily_mg", "100")
    page.click("button[type=submit]")
    error = page.locator("#target_daily_mg-error")
    error.wait_for(state="visible")
    assert "80" in error.text_content() and "maximum" in error.text_content()
    assert page.get_attribute("#target_daily_mg", "aria-invalid") == "true"
    assert page.is_hidden("#result")


def test_download_the_icalendar_file(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner?drug=baclofen&start_date=2026-12-01")
    page.wait_for_selector("#steps tbody tr")
    with page.expect_download() as info:
        page.click("#download-ics")
    path = tmp_path / "plan.ics"
    info.value.save_as(path)
    events = list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert len(events) == 4
    assert str(events[0].decoded("dtstart")) == "2026-12-01"


def test_every_control_has_a_label(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/planner")
    unlabeled = page.eval_on_selector_all(
        "input, select",
        "els => els.filter(e => e.type !== 'hidden' && e.labels.length === 0).map(e => e.id)",
    )
    assert unlabeled == []
