from fastapi.testclient import TestClient


def test_read_vocabulary_lists_terms_with_names_and_hierarchy(client: TestClient) -> None:
    response = client.get("/vocabulary/conditions", params={"q": "sclerosis", "limit": 100})
    assert response.status_code == 200
    rows = {r["term"]: r for r in response.json()["results"]}
    ms = rows["multiple sclerosis"]
    assert "ms" in ms["names"]
    assert "spasticity due to multiple sclerosis" in ms["narrower"]
    assert ms["drugs"] >= 1
    assert rows["spasticity due to multiple sclerosis"]["broader"] == [
        "spasticity",
        "multiple sclerosis",
    ]


def test_vocabulary_counts_match_the_reverse_lookups(client: TestClient) -> None:
    rows = client.get("/vocabulary/effects", params={"q": "somnolence"}).json()["results"]
    [somnolence] = [r for r in rows if r["term"] == "somnolence"]
    found = client.get("/side-effects", params={"effect": "somnolence", "limit": 100}).json()[
        "results"
    ]
    assert somnolence["drugs"] == len({r["drug"]["id"] for r in found})


def test_unknown_vocabulary_kind_is_422(client: TestClient) -> None:
    response = client.get("/vocabulary/moods")
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "path.kind"
