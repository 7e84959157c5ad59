"""The committed JSON Schema and OpenAPI document must match what the code exports."""

import json
from pathlib import Path

from fastapi.testclient import TestClient

from app.catalog import schema
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_committed_drug_schema_matches_the_models() -> None:
    committed = (ROOT / "data" / "schema" / "drug.schema.json").read_text(encoding="utf-8")
    assert committed == schema.drug_schema_json(), "run `druginfo export-schema` and commit"


def test_committed_openapi_matches_the_app() -> None:
    committed = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    assert committed == create_app().openapi(), "run `druginfo export-openapi` and commit"


def test_every_operation_is_documented() -> None:
    spec = create_app().openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert operation.get("description"), where
            assert operation.get("tags"), where
            assert "200" in operation["responses"], where
            assert _has_example(operation, spec), where


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [str(node["$ref"]).split("/")[-1]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def _has_example(operation: dict, spec: dict) -> bool:  # type: ignore[type-arg]
    """An example on a parameter, the request body or the success response's schema."""
    for parameter in operation.get("parameters", []):
        if "example" in parameter or "examples" in parameter or "examples" in parameter["schema"]:
            return True
    schemas = spec["components"]["schemas"]
    places = [operation.get("requestBody", {}), operation["responses"]["200"]]
    return any("examples" in schemas[name] for name in _refs(places))


def test_docs_and_redoc_are_served(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        response = client.get(path)
        assert response.status_code == 200, path
