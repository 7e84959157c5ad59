from fastapi.testclient import TestClient


def test_read_precautions_for_baclofen_cover_the_label(client: TestClient) -> None:
    response = client.get("/precautions", params={"drug": "baclofen", "limit": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    titles = " | ".join(r["title"] for r in rows).lower()
    for words in (
        "abrupt withdrawal",
        "renal",
        "cns depressants",
        "driving",
        "psychotic",
        "epilepsy",
        "autonomic dysreflexia",
        "neonatal",
    ):
        assert words in titles, words
    assert {r["category"] for r in rows} >= {
        "contraindication",
        "warning",
        "renal",
        "pregnancy",
        "interaction",
    }


def test_read_precautions_by_category(client: TestClient) -> None:
    rows = client.get("/precautions", params={"drug": "baclofen", "category": "renal"}).json()[
        "results"
    ]
    assert rows and {r["category"] for r in rows} == {"renal"}


def test_read_precautions_unknown_category_is_422(client: TestClient) -> None:
    response = client.get("/precautions", params={"category": "astrology"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "query.category"
