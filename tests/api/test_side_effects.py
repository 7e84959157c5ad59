from fastapi.testclient import TestClient

BANDS = ["very_common", "common", "uncommon", "rare", "very_rare"]


def test_read_side_effects_by_brand_name_uppercase(client: TestClient) -> None:
    response = client.get("/side-effects", params={"drug": "OZOBAX", "limit": 100})
    assert response.status_code == 200
    rows = {r["effect"]: r for r in response.json()["results"]}
    drowsy = rows["somnolence"]
    assert drowsy["effect_label"] == "transient drowsiness"
    assert (drowsy["incidence_low_pct"], drowsy["incidence_high_pct"]) == (10, 63)
    assert drowsy["frequency_band"] == "very_common"
    assert rows["hypotension"]["frequency_band"] == "common"


def test_read_side_effects_sorted_by_incidence(client: TestClient) -> None:
    rows = client.get("/side-effects", params={"drug": "baclofen", "limit": 100}).json()["results"]
    highs = [r["incidence_high_pct"] for r in rows if r["incidence_high_pct"] is not None]
    assert highs == sorted(highs, reverse=True)
    assert rows[0]["effect"] == "somnolence"


def test_read_side_effects_by_effect_synonym_finds_every_drug(client: TestClient) -> None:
    by_synonym = client.get("/side-effects", params={"effect": "drowsiness", "limit": 100}).json()
    by_term = client.get("/side-effects", params={"effect": "Somnolence", "limit": 100}).json()
    assert by_synonym["results"] == by_term["results"]
    assert "baclofen" in {r["drug"]["id"] for r in by_synonym["results"]}


def test_read_side_effects_frequency_keeps_that_band_or_more_frequent(client: TestClient) -> None:
    rows = client.get(
        "/side-effects", params={"drug": "baclofen", "frequency": "common", "limit": 100}
    ).json()["results"]
    assert rows
    assert {r["frequency_band"] for r in rows} <= {"very_common", "common"}
    every = client.get("/side-effects", params={"drug": "baclofen", "limit": 100}).json()["results"]
    expected = [r for r in every if r["frequency_band"] in ("very_common", "common")]
    assert len(rows) == len(expected)


def test_read_side_effects_serious_filter(client: TestClient) -> None:
    rows = client.get(
        "/side-effects", params={"drug": "baclofen", "serious": "true", "limit": 100}
    ).json()["results"]
    assert rows and all(r["serious"] for r in rows)


def test_read_side_effects_bad_frequency_is_422_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/side-effects", params={"drug": "baclofen", "frequency": "often"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == "query.frequency"
