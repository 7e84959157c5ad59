import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationrequest import MedicationRequest
from icalendar import Calendar


def test_read_titration_baclofen_label_schedule(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen"})
    assert response.status_code == 200
    result = response.json()["results"]
    # The schedule itself is the domain's (tests/domain); here: it comes through with its limits.
    assert result["steps"][-1]["daily_mg"] == 60
    assert result["max_daily_mg"] == 80
    assert result["regimen"]["source"]["set_id"] == "b4f2f888-979a-6f54-e053-2a95a90a95a3"
    texts = " ".join(w["text"] for w in result["warnings"]).lower()
    assert "drowsiness" in texts and "abrupt" in texts
    assert all(w["source"] is not None for w in result["warnings"])
    assert "not medical advice" in response.json()["meta"]["disclaimer"]


def test_create_titration_past_80_mg_is_refused_naming_the_limit(client: TestClient) -> None:
    body = {
        "drug": "baclofen",
        "start_daily_mg": 15,
        "step_daily_mg": 15,
        "interval_days": 3,
        "target_daily_mg": 90,
        "doses_per_day": 3,
    }
    response = client.post("/titration", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/dose-limit-exceeded")
    assert problem["limit"] == {"name": "max_daily_mg", "value_mg": 80, "requested_mg": 90}
    assert problem["source"]["section"] == "DOSAGE AND ADMINISTRATION"
    assert problem["source"]["set_id"]


def test_create_titration_taper_from_60_ends_at_zero(client: TestClient) -> None:
    response = client.post(
        "/titration", json={"drug": "baclofen", "direction": "down", "current_daily_mg": 60}
    )
    assert response.status_code == 200
    steps = response.json()["results"]["steps"]
    dailies = [s["daily_mg"] for s in steps]
    assert dailies[0] == 60 and dailies[-1] == 0
    assert dailies == sorted(dailies, reverse=True)


def test_read_titration_with_start_date_gives_dates(client: TestClient) -> None:
    steps = client.get(
        "/titration", params={"drug": "baclofen", "start_date": "2026-12-01"}
    ).json()["results"]["steps"]
    assert steps[0]["start_date"] == "2026-12-01"
    assert steps[-1]["end_date"] == "2026-12-12"


def test_read_titration_impossible_date_is_422(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen", "start_date": "2026-02-30"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "query.start_date"


def test_read_titration_unknown_regimen_lists_the_known_ones(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen", "regimen": "nope"})
    assert response.status_code == 404
    assert response.json()["suggestions"] == ["oral-spasticity"]


def test_read_titration_fhir_validates_as_r4_medication_request(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen", "format": "fhir"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    resource = MedicationRequest.model_validate(response.json())
    dosages = resource.dosageInstruction
    assert [d.sequence for d in dosages] == [1, 2, 3, 4]
    first = dosages[0]
    assert first.timing.repeat.frequency == 3 and first.timing.repeat.periodUnit == "d"
    assert float(first.timing.repeat.boundsDuration.value) == 3
    assert float(first.doseAndRate[0].doseQuantity.value) == 5
    assert first.doseAndRate[0].doseQuantity.system == "http://unitsofmeasure.org"
    assert float(first.maxDosePerPeriod.numerator.value) == 80


def test_read_titration_by_accept_header(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen"}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [float(r["daily_mg"]) for r in rows] == [15, 30, 45, 60]
    # Each row says what makes the dose, mixing strengths (5, 10 and 20 mg tablets).
    assert [r["dose_made_of"] for r in rows] == [
        "1 x 5 mg tablet",
        "1 x 10 mg tablet",
        "1 x 10 mg tablet + 1 x 5 mg tablet",
        "1 x 20 mg tablet",
    ]


def test_read_titration_ics_round_trips_with_icalendar(client: TestClient) -> None:
    response = client.get(
        "/titration", params={"drug": "baclofen", "format": "ics", "start_date": "2026-12-01"}
    )
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 4
    starts = [e.decoded("dtstart") for e in events]
    assert starts == [date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 7), date(2026, 12, 10)]
    assert events[0].decoded("dtend") == date(2026, 12, 4)
    assert "5 mg" in str(events[0]["summary"])


def test_read_titration_ics_without_start_date_is_422(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen", "format": "ics"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "query.start_date"


def test_read_titration_svg_is_well_formed_with_axes_and_maximum(client: TestClient) -> None:
    response = client.get("/titration", params={"drug": "baclofen", "format": "svg"})
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.text)
    assert root.tag.endswith("svg")
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "Daily dose (mg/day)" in text and "Day of treatment" in text
    assert "maximum 80 mg/day" in text


def test_create_titration_partial_patient_is_refused(client: TestClient) -> None:
    response = client.post(
        "/titration", json={"drug": "baclofen", "patient": {"age_years": 70, "sex": "female"}}
    )
    assert response.status_code == 422
    assert "Cockcroft-Gault" in response.json()["detail"]


def test_create_titration_rejects_unknown_fields_and_bad_types(client: TestClient) -> None:
    response = client.post(
        "/titration", json={"drug": "baclofen", "dose": 5, "target_daily_mg": "lots"}
    )
    assert response.status_code == 422
    locations = {e["location"] for e in response.json()["errors"]}
    assert {"body.dose", "body.target_daily_mg"} <= locations


def test_read_titration_for_a_drug_without_regimens_is_404(client: TestClient) -> None:
    drugs = client.get("/drugs", params={"limit": 100}).json()["results"]
    without = [
        d["id"] for d in drugs if not client.get(f"/drugs/{d['id']}").json()["results"]["regimens"]
    ]
    if not without:
        pytest.skip("every drug has a regimen")
    response = client.get("/titration", params={"drug": without[0]})
    assert response.status_code == 404
    assert "no titration regimen" in response.json()["detail"]
