from fastapi.testclient import TestClient


def test_read_drugs_lists_summaries_in_the_envelope(client: TestClient) -> None:
    response = client.get("/drugs", params={"limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["results"]["total"] == len(body["results"]) >= 1
    assert "not medical advice" in body["meta"]["disclaimer"]
    ids = [d["id"] for d in body["results"]]
    assert ids == sorted(ids)
    assert "baclofen" in ids
    assert set(body["results"][0]) == {"id", "generic_name", "brand_names", "drug_class", "rxcui"}


def test_read_drugs_filters_by_any_name(client: TestClient) -> None:
    response = client.get("/drugs", params={"q": "ozob"})
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["results"]] == ["baclofen"]


def test_read_drugs_pages_with_limit_and_offset(client: TestClient) -> None:
    first = client.get("/drugs", params={"limit": 2, "offset": 0}).json()
    second = client.get("/drugs", params={"limit": 2, "offset": 2}).json()
    assert len(first["results"]) == 2
    assert first["meta"]["results"] == {
        "total": first["meta"]["results"]["total"],
        "limit": 2,
        "offset": 0,
    }
    assert not {d["id"] for d in first["results"]} & {d["id"] for d in second["results"]}


def test_read_drug_by_brand_name_ignoring_case_and_space(client: TestClient) -> None:
    response = client.get("/drugs/%20OZOBAX%20")
    assert response.status_code == 200
    drug = response.json()["results"]
    assert drug["id"] == "baclofen"
    assert drug["regimens"][0]["max_daily_mg"] == 80
    assert {s["id"] for s in drug["sources"]} >= {"dailymed-baclofen-tablets"}


def test_read_drug_unknown_name_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/drugs/baclofn")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["title"] == "Unknown drug"
    assert problem["suggestions"][0] == "baclofen"
    assert "Traceback" not in response.text


def test_read_drug_answers_etag_with_304(client: TestClient) -> None:
    first = client.get("/drugs/baclofen")
    etag = first.headers["etag"]
    again = client.get("/drugs/baclofen", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_health_reports_drug_count_and_version(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    total = client.get("/drugs").json()["meta"]["results"]["total"]
    assert body["status"] == "ok"
    assert body["drugs"] == total
    assert body["data_version"] == client.get("/drugs").json()["meta"]["data_version"]
