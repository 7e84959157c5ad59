"""Write app/openapi_examples.json: a real 200 body for every operation, from the shipped data.

The app runs over a throwaway database seeded from data/ plus the label fixtures of
tests/labels/fixtures; each operation is called once with REQUESTS[operationId]. Lists are cut
to their first two items. Run after changing a response model; tests/api/test_openapi_examples.py
checks that every 200 response has an example and that each validates against its schema.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from app.config import Settings  # noqa: E402
from app.labels import importer  # noqa: E402
from app.main import create_app  # noqa: E402
from app.openapi import EXAMPLES_FILE  # noqa: E402

LABELS = ROOT / "tests" / "labels" / "fixtures"
LABEL_FILES = [
    LABELS / "bulk" / "drug-label-0001-of-0001.json",
    LABELS / "bare" / "glucorex.json",
    LABELS / "versions" / "spastiva-v3.json",
]
SPASTIVA = "5f2c3c5e-1a8e-4c1e-9b7a-0000000000a1"
QUIETOL = "5f2c3c5e-1a8e-4c1e-9b7a-0000000000c3"
PLAN = {
    "drug": "baclofen",
    "start_daily_mg": 15,
    "step_daily_mg": 15,
    "interval_days": 3,
    "target_daily_mg": 60,
    "doses_per_day": 3,
    "start_date": "2026-12-01",
}
LABEL_QUERY = {"drug": "baclofen", "start_date": "2026-12-01"}

# operationId -> (method, path, query or JSON body): one real request for each operation.
REQUESTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "readDrugs": ("GET", "/drugs", {"limit": 2}),
    "readDrug": ("GET", "/drugs/baclofen", {}),
    "readIndications": ("GET", "/indications", {"drug": "baclofen"}),
    "readSideEffects": ("GET", "/side-effects", {"drug": "baclofen"}),
    "readPrecautions": ("GET", "/precautions", {"drug": "baclofen", "category": "renal"}),
    "readTitration": ("GET", "/titration", LABEL_QUERY),
    "createTitration": ("POST", "/titration", PLAN),
    **{
        f"readTitration{fmt.capitalize()}": ("GET", f"/titration/{fmt}", LABEL_QUERY)
        for fmt in ("fhir", "csv", "ics", "svg")
    },
    **{
        f"createTitration{fmt.capitalize()}": ("POST", f"/titration/{fmt}", PLAN)
        for fmt in ("fhir", "csv", "ics", "svg")
    },
    "readVocabulary": ("GET", "/vocabulary/effects", {"q": "somnolence"}),
    "readLabels": ("GET", "/labels", {"search": "somnolence"}),
    "readLabel": ("GET", f"/labels/{SPASTIVA}", {}),
    "readLabelSection": ("GET", f"/labels/{QUIETOL}/sections/dosage_and_administration", {}),
    "readLabelAdverseReactions": ("GET", f"/labels/{SPASTIVA}/adverse-reactions", {}),
    "readHealth": ("GET", "/health", {}),
    "readLiveness": ("GET", "/health/live", {}),
    "readReadiness": ("GET", "/health/ready", {}),
}


def abridged(value: Any) -> Any:
    """Lists cut to two items, all the way down: an example, not a dump."""
    if isinstance(value, list):
        return [abridged(v) for v in value[:2]]
    if isinstance(value, dict):
        return {k: abridged(v) for k, v in value.items()}
    return value


def operation_ids(app: Any) -> list[str]:
    return [op["operationId"] for item in app.openapi()["paths"].values() for op in item.values()]


def collect(client: TestClient) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for operation_id in operation_ids(client.app):
        if operation_id not in REQUESTS:
            raise SystemExit(f"add a request for {operation_id} to REQUESTS")
        method, path, given = REQUESTS[operation_id]
        if method == "GET":
            response = client.get(path, params=given)
        else:
            response = client.post(path, json=given)
        assert response.status_code == 200, (operation_id, response.text)
        media = response.headers["content-type"].split(";")[0]
        body: Any = response.text
        if media.endswith("json"):
            body = abridged(response.json())
        out[operation_id] = {media: body}
    return out


def build(tmp: Path) -> dict[str, dict[str, Any]]:
    settings = Settings(
        DATABASE_URL=f"sqlite:///{tmp / 'examples.db'}",
        DATA_DIR=ROOT / "data",
        RELOAD_INTERVAL_S=0,
    )
    with TestClient(create_app(settings)) as client:
        importer.import_paths(client.app.state.engine, LABEL_FILES)  # type: ignore[attr-defined]
        return collect(client)


def render(examples: dict[str, dict[str, Any]]) -> str:
    return json.dumps(examples, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        EXAMPLES_FILE.write_text(render(build(Path(tmp))))
    print(f"wrote {EXAMPLES_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
