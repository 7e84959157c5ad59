"""The OpenAPI document as a client generator reads it: ids, examples, security, problems."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.main import create_app


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app().openapi()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items()]


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """Validate against `schema`, its $refs resolved in the document's components."""
    doc = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:doc", doc)
    refs = json.dumps(schema).replace('"#/components', '"urn:doc#/components')
    return Draft202012Validator(json.loads(refs), registry=registry)


def test_operation_ids_are_the_handler_names_in_camel_case(spec: dict[str, Any]) -> None:
    ids = {op["operationId"] for _, _, op in _operations(spec)}
    assert {"readDrugs", "readDrug", "readTitration", "createTitration", "readHealth"} <= ids
    assert {"readTitrationCsv", "createTitrationFhir", "readTitrationSvg"} <= ids
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i) for i in ids), ids


def test_every_200_response_has_an_example_that_fits_its_schema(spec: dict[str, Any]) -> None:
    for method, path, op in _operations(spec):
        content = op["responses"]["200"]["content"]
        for media, entry in content.items():
            if op["operationId"] in ("readTitration", "createTitration") and media != (
                "application/json"
            ):
                continue  # the per-format operations carry these examples
            assert "example" in entry, (method, path, media)
            errors = list(_validator(spec, entry["schema"]).iter_errors(entry["example"]))
            assert not errors, (method, path, media, str(errors[0])[:500] if errors else "")


def test_each_titration_format_operation_has_one_media_type(spec: dict[str, Any]) -> None:
    expected = {
        "fhir": "application/fhir+json",
        "csv": "text/csv",
        "ics": "text/calendar",
        "svg": "image/svg+xml",
    }
    for fmt, media in expected.items():
        for method in ("get", "post"):
            content = spec["paths"][f"/titration/{fmt}"][method]["responses"]["200"]["content"]
            assert list(content) == [media]
    fhir = spec["paths"]["/titration/fhir"]["get"]["responses"]["200"]["content"]
    assert fhir["application/fhir+json"]["schema"] == {
        "$ref": "#/components/schemas/MedicationRequest"
    }
    assert fhir["application/fhir+json"]["example"]["resourceType"] == "MedicationRequest"


def test_body_fields_have_descriptions(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in ("TitrationIn", "PatientIn"):
        for field, prop in schemas[name]["properties"].items():
            assert prop.get("description"), (name, field)


def test_api_key_scheme_applies_to_every_operation_but_health(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "Needed only when the deployment sets API_KEYS; /health stays open.",
    }
    for _, path, op in _operations(spec):
        if path.startswith("/health"):
            assert "security" not in op and "401" not in op["responses"], path
        else:
            assert {"ApiKey": []} in op["security"] and "401" in op["responses"], path


def test_problem_schema_carries_what_a_refusal_says(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["ProblemDetail"]
    assert {"limit", "source", "suggestions", "meta", "errors"} <= set(problem["properties"])
    limit = spec["components"]["schemas"]["ProblemLimit"]
    assert set(limit["required"]) == {"name", "value_mg", "requested_mg"}


def test_malformed_body_is_documented_as_the_422_it_gets(client, spec: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/titration", content=b'{"drug": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    responses = spec["paths"]["/titration"]["post"]["responses"]
    assert "400" not in responses
    assert "malformed JSON body" in responses["422"]["description"]


def test_health_documents_no_304(client, spec: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/health")
    assert first.status_code == 200 and "etag" not in first.headers
    assert "304" not in spec["paths"]["/health"]["get"]["responses"]
    assert "304" in spec["paths"]["/drugs"]["get"]["responses"]


def test_a_body_that_is_not_utf8_is_the_documented_422(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/titration", content=b"4E\x7fo\xff", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"location": "body", "message": "not valid UTF-8 JSON"}]


def test_an_integer_past_64_bits_is_refused_not_a_500(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/titration/ics",
        content=b'{"drug": "0", "interval_days": [], "regimen": -9223372036854775809}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert {"location": "body.regimen", "message": "Input should be a valid string"}.items() <= (
        response.json()["errors"][0].items()
    )
