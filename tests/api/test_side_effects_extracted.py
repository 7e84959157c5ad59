"""/side-effects for a drug that is not curated answers from its imported label's table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.labels.conftest import BULK, PALOVEX, SPASTIVA, client_with_labels

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_with_labels(tmp_path_factory.mktemp("extracted"), "extracted", [BULK]) as client:
        yield client


def test_an_uncurated_drug_answers_from_its_label_marked_extracted(client: TestClient) -> None:
    response = client.get("/side-effects", params={"drug": "Palovex", "limit": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows and all(r["curation"] == "extracted" for r in rows)
    nausea = next(r for r in rows if r["effect_label"] == "Nausea")
    # PALOVEX 5 mg/kg: 12 (18) all grades; placebo 7 (11): the all-grades figures, not grade >= 3.
    assert (nausea["incidence_high_pct"], nausea["placebo_pct"]) == (18, 11)
    assert nausea["source"]["set_id"] == PALOVEX and nausea["source"]["kind"] == "fda_label"
    assert nausea["source"]["section"].startswith("adverse_reactions_table, table 0: Table 4")
    assert [a["arm"] for a in nausea["arms"]][:1] == ["PALOVEX 5 mg/kg"]
    assert nausea["evidence"].startswith("Nausea | 12 (18)")


def test_a_curated_drug_keeps_its_curated_rows(client: TestClient) -> None:
    rows = client.get("/side-effects", params={"drug": "baclofen"}).json()["results"]
    assert rows and all(r["curation"] == "curated" for r in rows)


def test_a_name_neither_curated_nor_labelled_is_a_404_with_suggestions(
    client: TestClient,
) -> None:
    response = client.get("/side-effects", params={"drug": "palovexx"})
    assert response.status_code == 404
    assert response.json()["suggestions"] == ["palovex"]


def test_a_curated_drugs_monograph_lists_its_imported_labels(client: TestClient) -> None:
    # The fixture's SPASTIVA label is generic BACLOFEN.
    body = client.get("/drugs/baclofen").json()["results"]
    assert SPASTIVA in body["label_set_ids"]
