from fastapi.testclient import TestClient


def test_read_indications_by_drug_carries_sources(client: TestClient) -> None:
    response = client.get("/indications", params={"drug": "baclofen", "limit": 100})
    assert response.status_code == 200
    results = response.json()["results"]
    labeled = {r["condition"] for r in results if r["labeled"]}
    assert labeled == {
        "spasticity due to multiple sclerosis",
        "spasticity due to spinal cord injury or disease",
    }
    for row in results:
        assert row["drug"]["id"] == "baclofen"
        assert row["source"]["url"].startswith("https://")
        assert row["source"]["section"]


def test_read_indications_records_what_the_label_does_not_indicate(client: TestClient) -> None:
    response = client.get(
        "/indications", params={"drug": "baclofen", "labeled": "false", "limit": 100}
    )
    assert response.status_code == 200
    by_condition = {r["condition"]: r for r in response.json()["results"]}
    for condition in ("stroke", "cerebral palsy", "Parkinson's disease"):
        assert by_condition[condition]["status"] == "not_indicated"
        assert "not recommended" in by_condition[condition]["note"]
    assert by_condition["alcohol use disorder"]["status"] == "off_label"
    assert by_condition["postoperative muscle stiffness"]["status"] == "unsupported"


def test_read_indications_by_broader_condition_finds_narrower_ones(client: TestClient) -> None:
    response = client.get(
        "/indications", params={"condition": "spasticity", "labeled": "true", "limit": 100}
    )
    assert response.status_code == 200
    drugs = {r["drug"]["id"] for r in response.json()["results"]}
    assert "baclofen" in drugs


def test_read_indications_by_condition_synonym(client: TestClient) -> None:
    by_term = client.get("/indications", params={"condition": "multiple sclerosis"}).json()
    by_abbreviation = client.get("/indications", params={"condition": "ms"}).json()
    assert by_term["results"] == by_abbreviation["results"]
    assert any(r["drug"]["id"] == "baclofen" for r in by_term["results"])


def test_read_indications_unknown_condition_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/indications", params={"condition": "spasticty"})
    assert response.status_code == 404
    assert "spasticity" in response.json()["suggestions"]
