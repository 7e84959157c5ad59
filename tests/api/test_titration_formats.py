"""Calendar and FHIR content a client imports: stamps, stable UIDs, codes, notes, a taper's end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _events(client: TestClient, url: str) -> list[object]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_calendar_dtstamp_is_the_time_of_generation(client: TestClient) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)
    events = _events(client, "/titration/ics?drug=baclofen&start_date=2027-01-04")
    stamps = {e.decoded("dtstamp") for e in events}  # type: ignore[attr-defined]
    assert len(stamps) == 1
    assert before <= stamps.pop() <= datetime.now(UTC) + timedelta(seconds=2)


def test_calendar_uids_name_the_dose_change_not_the_data_version(client: TestClient) -> None:
    url = "/titration/ics?drug=baclofen&start_date=2027-02-01"
    uids = [str(e["uid"]) for e in _events(client, url)]  # type: ignore[index]
    regimen = client.get("/titration?drug=baclofen").json()["results"]["regimen"]["id"]
    starts = ["2027-02-01", "2027-02-04", "2027-02-07", "2027-02-10"]  # every 3 days
    assert uids == [f"baclofen.{regimen}.up.{n}.{day}@druginfo" for n, day in enumerate(starts, 1)]
    data_version = client.get("/health").json()["data_version"]
    assert not any(data_version in uid for uid in uids)
    later = [str(e["uid"]) for e in _events(client, url.replace("02-01", "03-01"))]  # type: ignore[index]
    assert set(later).isdisjoint(uids)


def test_fhir_codes_the_medication_with_its_rxcui_and_the_route(client: TestClient) -> None:
    resource = client.get("/titration/fhir?drug=baclofen").json()
    coding = resource["medicationCodeableConcept"]["coding"]
    assert coding == [{"system": RXNORM, "code": "1292", "display": "baclofen"}]
    assert {d["route"]["text"] for d in resource["dosageInstruction"]} == {"oral"}


def test_fhir_notes_carry_the_warnings_and_the_kidney_cap(client: TestClient) -> None:
    plan = client.get("/titration?drug=gabapentin&crcl_ml_min=20").json()["results"]
    resource = client.get("/titration/fhir?drug=gabapentin&crcl_ml_min=20").json()
    notes = [n["text"] for n in resource["note"]]
    cap = plan["renal_band"]["max_daily_mg"]
    assert any(n.startswith(f"Kidney function: at most {cap:g} mg/day") for n in notes), notes
    for warning in plan["warnings"]:
        assert warning["text"] in notes


def test_fhir_taper_ends_its_last_dosage_with_stop(client: TestClient) -> None:
    body = {"drug": "baclofen", "direction": "down", "current_daily_mg": 60}
    plan = client.post("/titration", json=body).json()["results"]
    resource = client.post("/titration/fhir", json=body).json()
    dosages = resource["dosageInstruction"]
    assert plan["steps"][-1]["daily_mg"] == 0
    assert len(dosages) == len(plan["steps"]) - 1  # no "0 mg" Dosage
    assert all(d["doseAndRate"][0]["doseQuantity"]["value"] > 0 for d in dosages)
    assert "Then stop" in dosages[-1]["text"]
    assert not any("Then stop" in d["text"] for d in dosages[:-1])
