"""The committed JSON Schema and OpenAPI document must match what the code exports."""

import json
from pathlib import Path

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
