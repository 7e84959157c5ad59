"""The OpenAPI document: descriptions, tags, and every error declared as problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

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
    "401": "Missing or invalid X-API-Key (only when the deployment sets API_KEYS)",
    "422": "Invalid, unknown or repeated parameter",
    "500": "Unexpected server error (logged; no details are sent)",
}


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
    problem = errors.ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["ProblemDetail"] = problem
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            for code, description in _COMMON_ERRORS.items():
                responses.setdefault(code, {"description": description})
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (If-None-Match)"})
            if "requestBody" in operation:
                responses.setdefault("400", {"description": "Malformed JSON body"})
                responses.setdefault("413", {"description": "Request body too large"})
                responses.setdefault("415", {"description": "Body is not application/json"})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = {"application/problem+json": {"schema": _PROBLEM_REF}}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema
