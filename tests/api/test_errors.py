import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("POST", "/drugs", 405),
        ("DELETE", "/indications", 405),
        ("GET", "/drugs?limit=0", 422),
        ("GET", "/drugs?limit=101", 422),
        ("GET", "/drugs?offset=-1", 422),
        ("GET", "/drugs?limit=abc", 422),
        ("GET", "/drugs?unknown=1", 422),
        ("GET", "/indications?drug=baclofen&drug=ozobax", 422),
    ],
)
def test_errors_are_problem_json_without_traces(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= set(problem)
    assert "not medical advice" in problem["meta"]["disclaimer"]
    assert "Traceback" not in response.text


def test_invalid_parameter_error_names_its_location(client: TestClient) -> None:
    response = client.get("/drugs", params={"limit": "abc"})
    assert response.json()["errors"] == [
        {
            "location": "query.limit",
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "input": "abc",
        }
    ]


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/health", "/nowhere"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "server" not in response.headers
