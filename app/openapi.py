"""The OpenAPI document: descriptions, tags, and every error declared as problem+json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app import errors

DESCRIPTION = """
Structured, sourced drug information: indications, side effects (adverse reactions),
precautions, and dose titration and tapering schedules limited by the label's maximum doses
and by kidney function. Every fact names its source (for US drugs the FDA label on DailyMed:
set id, version or date, and section).

**Information, not medical advice.** Check the current label and consult a clinician.

Errors are RFC 9457 `application/problem+json`.
"""

TAGS = [
    {"name": "drugs", "description": "The catalog and each drug's monograph."},
    {"name": "indications", "description": "What a drug treats; which drugs treat a condition."},
    {"name": "side effects", "description": "Adverse reactions with incidence and frequency band."},
    {"name": "precautions", "description": "Boxed warnings, contraindications, interactions..."},
    {"name": "titration", "description": "Up-titration and tapering schedules from the label."},
    {
        "name": "vocabulary",
        "description": "Preferred terms and synonyms for conditions and effects.",
    },
    {"name": "health", "description": "Liveness and data version."},
]


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}
_COMMON_ERRORS = {
    "422": "Invalid, unknown or repeated parameter",
    "500": "Unexpected server error (logged; no details are sent)",
}
_UNAUTHORIZED = "Missing or invalid X-API-Key (only when the deployment sets API_KEYS)"
# Tags whose operations are open (no API key) and never cached (no ETag, so never a 304).
_OPEN_TAGS = {"health"}
API_KEY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-API-Key",
    "description": "Needed only when the deployment sets API_KEYS; /health stays open.",
}
# The key is optional by deployment: either the key or nothing.
_SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}, {}]
EXAMPLES_FILE = Path(__file__).resolve().parent / "openapi_examples.json"

# What generated clients decode `application/fhir+json` into: the members druginfo sends.
MEDICATION_REQUEST: dict[str, Any] = {
    "title": "MedicationRequest",
    "description": "A FHIR R4 MedicationRequest (https://hl7.org/fhir/R4/medicationrequest.html)"
    ": the medication, one Dosage per step, and the warnings and kidney cap as notes.",
    "type": "object",
    "required": ["resourceType", "status", "intent", "medicationCodeableConcept", "subject"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["MedicationRequest"]},
        "status": {"type": "string", "description": "always 'draft': a plan, not an order"},
        "intent": {"type": "string", "description": "always 'proposal'"},
        "medicationCodeableConcept": {
            "type": "object",
            "description": "text, and the RxNorm ingredient code when the drug has an RxCUI",
            "additionalProperties": True,
        },
        "subject": {"type": "object", "additionalProperties": True},
        "dosageInstruction": {
            "type": "array",
            "description": "one FHIR Dosage per step, in order",
            "items": {"type": "object", "additionalProperties": True},
        },
        "note": {
            "type": "array",
            "description": "the warnings, the kidney band's cap and the disclaimer",
            "items": {"type": "object", "additionalProperties": True},
        },
    },
    "additionalProperties": True,
}


def operation_id(route: APIRoute) -> str:
    """`read_drugs` -> `readDrugs`: the handler's name, camelCased, as clients call it."""
    head, *rest = route.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _examples() -> dict[str, dict[str, Any]]:
    """Real 200 bodies by operationId and media type (scripts/openapi_examples.py writes them)."""
    if not EXAMPLES_FILE.exists():
        return {}
    examples: dict[str, dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text())
    return examples


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error response declared as application/problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        license_info=app.license_info,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["MedicationRequest"] = MEDICATION_REQUEST
    schema["components"]["securitySchemes"] = {"ApiKey": API_KEY_SCHEME}
    examples = _examples()
    problem = errors.ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["ProblemDetail"] = problem
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            guarded = not _OPEN_TAGS & set(operation.get("tags", ()))
            for code, description in _COMMON_ERRORS.items():
                responses.setdefault(code, {"description": description})
            if guarded:
                operation["security"] = _SECURITY
                responses.setdefault("401", {"description": _UNAUTHORIZED})
                if method == "get":
                    responses.setdefault("304", {"description": "Not modified (If-None-Match)"})
            for media, example in examples.get(operation["operationId"], {}).items():
                content = responses["200"].get("content", {})
                if media in content:
                    content[media]["example"] = example
            if "requestBody" in operation:
                responses["422"]["description"] = (
                    "Invalid, unknown or repeated parameter, or a malformed JSON body"
                )
                responses.setdefault("413", {"description": "Request body too large"})
                responses.setdefault("415", {"description": "Body is not application/json"})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = {"application/problem+json": {"schema": _PROBLEM_REF}}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema
