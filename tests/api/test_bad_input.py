"""Whatever callers type: a 4xx problem+json that says what was wrong, never a 500 or a trace."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

LEAKS = ("Traceback", "sqlalchemy", "SELECT ", "sqlite3", 'File "/')


def _assert_problem(response, status: int | None = None) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for leak in LEAKS:
        assert leak not in response.text
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["detail"]
    return problem  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("limit=ten", "query.limit"),
        ("limit=1.5", "query.limit"),
        ("limit=-3", "query.limit"),
        ("limit=100000000000000000000000", "query.limit"),
        ("offset=-1", "query.offset"),
        ("q=" + "x" * 10_000, "query.q"),
    ],
)
def test_wrong_types_and_out_of_range_numbers_name_the_parameter(
    client: TestClient, query: str, location: str
) -> None:
    problem = _assert_problem(client.get(f"/drugs?{query}"), 422)
    assert problem["errors"][0]["location"] == location


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "x" * 10_000,
        "%00",
        "bac%00lofen",
        "%1b%5b31m",
        "%ff%fe",
        "%C3%28",
        "' OR 1=1 --",
        "baclofen; DROP TABLE drug;",
        "../../etc/passwd",
        "%2e%2e%2f%2e%2e%2f",
        "*",
        "%25",
    ],
)
def test_strange_drug_names_are_refused_cleanly(client: TestClient, value: str) -> None:
    for path in (
        f"/indications?drug={value}",
        f"/side-effects?drug={value}",
        f"/titration?drug={value}",
    ):
        problem = _assert_problem(client.get(path))
        assert problem["status"] in (404, 422)


@pytest.mark.parametrize(
    "path",
    ["/drugs/..%2f..%2fetc%2fpasswd", "/drugs/%00", "/drugs/' OR '1'='1", "/drugs/" + "a" * 5000],
)
def test_strange_paths_are_refused_cleanly(client: TestClient, path: str) -> None:
    _assert_problem(client.get(path))


def test_unknown_parameters_are_refused_as_openfda_does(client: TestClient) -> None:
    problem = _assert_problem(client.get("/indications?drug=baclofen&serach=oops"), 422)
    assert problem["errors"][0]["location"] == "query.serach"
    assert "accepts" in problem["errors"][0]["message"]


def test_repeated_parameters_are_refused(client: TestClient) -> None:
    problem = _assert_problem(client.get("/side-effects?drug=baclofen&drug=tizanidine"), 422)
    assert problem["errors"][0] == {"location": "query.drug", "message": "given more than once"}


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "yesterday", "2026-1-1x"])
def test_dates_that_do_not_exist_are_refused(client: TestClient, date: str) -> None:
    problem = _assert_problem(client.get(f"/titration?drug=baclofen&start_date={date}"), 422)
    assert problem["errors"][0]["location"] == "query.start_date"


@pytest.mark.parametrize(
    "body", [b"{", b'{"drug": "baclofen",}', b"\xff\xfe\x00", b"[]", b"null", b'"baclofen"']
)
def test_malformed_json_bodies_are_refused(client: TestClient, body: bytes) -> None:
    response = client.post("/titration", content=body, headers={"content-type": "application/json"})
    _assert_problem(response)


def test_oversized_bodies_are_refused_before_reading(client: TestClient) -> None:
    body = b'{"drug": "baclofen", "regimen": "' + b"x" * 20_000 + b'"}'
    problem = _assert_problem(
        client.post("/titration", content=body, headers={"content-type": "application/json"}), 413
    )
    assert "limit" in problem["detail"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""]
)
def test_wrong_content_types_are_refused(client: TestClient, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/titration", content=b'{"drug": "baclofen"}', headers=headers)
    problem = _assert_problem(response, 415)
    assert "application/json" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"drug": "baclofen", "target_daily_mg": -5}, "body.target_daily_mg"),
        ({"drug": "baclofen", "target_daily_mg": 0}, "body.target_daily_mg"),
        ({"drug": "baclofen", "interval_days": 0}, "body.interval_days"),
        ({"drug": "baclofen", "doses_per_day": 99}, "body.doses_per_day"),
        ({"drug": "baclofen", "direction": "sideways"}, "body.direction"),
        ({"drug": "baclofen", "patient": {"weight_kg": "heavy"}}, "body.patient.weight_kg"),
        (
            {"drug": "baclofen", "patient": {"serum_creatinine_mg_dl": 0}},
            "body.patient.serum_creatinine_mg_dl",
        ),
        ({"drug": "baclofen", "start_date": "2026-02-30"}, "body.start_date"),
        ({"drug": "baclofen", "surprise": 1}, "body.surprise"),
        ({}, "body.drug"),
    ],
)
def test_bad_plan_values_name_their_json_location(
    client: TestClient, body: dict, location: str
) -> None:  # type: ignore[type-arg]
    problem = _assert_problem(client.post("/titration", json=body), 422)
    assert location in {e["location"] for e in problem["errors"]}


def test_taper_without_current_dose_says_what_is_missing(client: TestClient) -> None:
    problem = _assert_problem(
        client.post("/titration", json={"drug": "baclofen", "direction": "down"}), 422
    )
    assert "current_daily_mg" in problem["detail"]
