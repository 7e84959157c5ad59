"""The /labels routes over the fixture labels: status codes, bodies, problems, search escaping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session
from typer.testing import CliRunner

from app import db
from app.cli import cli
from app.config import Settings
from app.labels import importer, queries
from app.main import create_app
from tests.labels.conftest import (
    BARE,
    BULK,
    GLUCOREX,
    MALFORMED,
    NEWER,
    PALOVEX,
    QUIETOL,
    SPASTIVA,
    client_with_labels,
)

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("labels-api")
    with client_with_labels(tmp, "labels_api", [BULK, BARE, NEWER]) as test_client:
        yield test_client


def _ok(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "not medical advice" in body["meta"]["disclaimer"]
    return body


def _problem(client: TestClient, url: str, status: int) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert "Traceback" not in response.text
    return problem


def test_search_ranks_by_relevance_with_a_highlighted_snippet(client: TestClient) -> None:
    body = _ok(client, "/labels?search=somnolence")
    assert body["meta"]["results"] == {"total": 1, "limit": 10, "offset": 0}
    [hit] = body["results"]
    assert hit["set_id"] == SPASTIVA and hit["version"] == 3
    assert "<mark>somnolence</mark>" in hit["snippet"].lower()
    assert hit["score"] > 0


def test_search_words_are_stemmed_and_all_required(client: TestClient) -> None:
    assert [
        h["set_id"] for h in _ok(client, "/labels?search=reactions%20arthralgia")["results"]
    ] == [PALOVEX]
    assert _ok(client, "/labels?search=arthralgia%20hypotonia")["results"] == []


def test_search_finds_words_of_the_names_too(client: TestClient) -> None:
    results = _ok(client, "/labels?search=example%20pharma")["results"]
    assert {r["set_id"] for r in results} == {SPASTIVA, QUIETOL}


@pytest.mark.parametrize(
    "search",
    [
        '"',
        "NEAR(nausea vomiting, 2)",
        "nause*",
        "-nausea",
        "(((",
        "names:spastiva",
        "AND OR NOT",
        "'; DROP TABLE label; --",
        "\x00nausea",
        "nausea^2",
        "{names body}: x",
        "5-HT3",
    ],
)
def test_fts_syntax_is_only_words(client: TestClient, search: str) -> None:
    response = client.get("/labels", params={"search": search})
    assert response.status_code in (200, 422), response.text


def test_a_search_without_words_is_a_422_problem(client: TestClient) -> None:
    problem = _problem(client, "/labels?search=***", 422)
    assert problem["errors"][0]["location"] == "query.search"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(search=st.text(min_size=1, max_size=80))
def test_any_search_string_is_answered_or_refused_never_a_500(
    client: TestClient, search: str
) -> None:
    response = client.get("/labels", params={"search": search})
    assert response.status_code in (200, 422), response.text


def test_drug_resolves_curated_names_first_then_label_names(client: TestClient) -> None:
    # Ozobax is a curated brand of baclofen; the fixture label calls it Spastiva (BACLOFEN).
    assert [r["set_id"] for r in _ok(client, "/labels?drug=OZOBAX")["results"]] == [SPASTIVA]
    assert [r["set_id"] for r in _ok(client, "/labels?drug=palovex")["results"]] == [PALOVEX]
    assert [r["set_id"] for r in _ok(client, "/labels?drug=Spastiva%20XR")["results"]] == [SPASTIVA]


def test_unknown_drug_is_a_404_with_suggestions(client: TestClient) -> None:
    problem = _problem(client, "/labels?drug=palovx", 404)
    assert problem["suggestions"] == ["palovex"]


def test_rxcui_and_pharm_class_filters(client: TestClient) -> None:
    assert [r["set_id"] for r in _ok(client, "/labels?rxcui=104715")["results"]] == [SPASTIVA]
    for value in ("GABA-ergic Agonist [EPC]", "gaba-ergic agonist"):
        found = _ok(client, f"/labels?pharm_class={value}")["results"]
        assert [r["set_id"] for r in found] == [SPASTIVA]
    assert _ok(client, "/labels?search=nausea&rxcui=861007")["results"][0]["set_id"] == GLUCOREX


def test_listing_pages_through_every_label(client: TestClient) -> None:
    body = _ok(client, "/labels?limit=2&offset=2")
    assert body["meta"]["results"]["total"] == 4
    assert len(body["results"]) == 2


def test_read_label_current_version_and_history(client: TestClient) -> None:
    label = _ok(client, f"/labels/{SPASTIVA}")["results"]
    assert (label["version"], label["current_version"]) == (3, 3)
    assert [v["version"] for v in label["versions"]] == [3, 2]
    sections = {s["name"]: s for s in label["sections"]}
    assert sections["boxed_warning"]["text"].startswith("WARNING: ABRUPT DISCONTINUATION")
    assert sections["adverse_reactions"]["tables"][0].startswith("<table")
    old = _ok(client, f"/labels/{SPASTIVA}?version=2")["results"]
    assert (old["version"], old["effective_date"]) == (2, "2022-03-15")
    problem = _problem(client, f"/labels/{SPASTIVA}?version=9", 404)
    assert problem["suggestions"] == ["2", "3"]


def test_unknown_label_is_a_404_problem(client: TestClient) -> None:
    problem = _problem(client, "/labels/00000000-0000-0000-0000-000000000000", 404)
    assert problem["type"].endswith("/unknown-label")
    _problem(client, "/labels/not%20an%20id", 422)


def test_read_one_section_by_its_openfda_name(client: TestClient) -> None:
    section = _ok(client, f"/labels/{QUIETOL}/sections/dosage_and_administration")["results"]
    assert section["text"] == "2 DOSAGE AND ADMINISTRATION 5 mg once at bedtime."
    assert section["tables"] == [
        "<table><tbody><tr><td>Adults</td><td>5 mg</td></tr></tbody></table>"
    ]
    same = _ok(client, f"/labels/{QUIETOL}/sections/dosage_and_administration_table")["results"]
    assert same == section
    problem = _problem(client, f"/labels/{QUIETOL}/sections/boxed_warning", 404)
    assert "adverse_reactions" in problem["suggestions"]


def test_adverse_reactions_are_extracted_rows_with_arms_and_caption(client: TestClient) -> None:
    body = _ok(client, f"/labels/{PALOVEX}/adverse-reactions")["results"]
    assert (body["set_id"], body["version"]) == (PALOVEX, 7)
    first, second = body["tables"]
    assert first["caption"].startswith("Table 4: Adverse Reactions")
    nausea = first["rows"][0]
    assert nausea["term"] == "Nausea"
    assert nausea["incidences"][0] == {
        "arm": "PALOVEX 5 mg/kg",
        "n": 66,
        "measure": "All Grades (%)",
        "text": "12 (18)",
        "percent": 18.0,
        "count": 12,
        "qualifier": None,
    }
    assert second["rows"] == [] and second["problem"] == "no incidence figures in the table"
    assert _ok(client, f"/labels/{GLUCOREX}/adverse-reactions")["results"]["tables"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/labels?limit=0",
        "/labels?limit=101",
        "/labels?unknown=1",
        "/labels?rxcui=abc",
        f"/labels/{SPASTIVA}?version=-1",
        f"/labels/{SPASTIVA}/sections/Boxed-Warning",
    ],
)
def test_bad_parameters_are_422_problems(client: TestClient, url: str) -> None:
    _problem(client, url, 422)


def test_helpers_for_side_effects_and_drugs(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert queries.set_ids_for_names(session, ["Baclofen", "PALONOSETRON HYDROCHLORIDE"]) == [
            SPASTIVA,
            PALOVEX,
        ]
        assert queries.set_ids_for_names(session, ["unknown", " "]) == []
        rows = queries.side_effect_rows_for_name(session, "spastiva")
        assert [r.effect for r in rows][:2] == ["Somnolence", "Dizziness"]
        first = rows[0]
        assert first.curation == "extracted"
        assert (first.source.set_id, first.source.version, first.source.table) == (SPASTIVA, 3, 0)
        assert first.source.caption is not None and first.source.caption.startswith("Table 2")
        assert first.incidences[0].n == 715
        assert queries.side_effect_rows_for_name(session, "glucorex") == []
        assert queries.side_effect_rows_for_name(session, "nothing") == []


def test_import_labels_command_names_each_failed_file(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    bad = MALFORMED / "missing-set-id.json"
    result = CliRunner().invoke(cli, ["import-labels", str(BULK), str(bad)])
    assert result.exit_code == 1
    assert f"failed: {bad} (record 1, field set_id): Field required" in result.output
    assert "3 records from 1 file(s)" in result.output
    again = CliRunner().invoke(cli, ["import-labels", str(BULK)])
    assert again.exit_code == 0
    assert "3 unchanged" in again.output


def test_one_label_answers_carry_an_etag_and_answer_304(client: TestClient) -> None:
    first = client.get(f"/labels/{PALOVEX}")
    assert first.status_code == 200
    again = client.get(f"/labels/{PALOVEX}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_an_import_shows_in_the_next_answers(
    engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api import labels as labels_api

    monkeypatch.setattr(labels_api.LabelBodies, "CHECK_S", 0.0)
    app_settings = Settings(
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        SEED_ON_STARTUP=False,
        RELOAD_INTERVAL_S=0,
    )
    importer.import_paths(engine, [BULK])
    with TestClient(create_app(app_settings)) as fresh:
        assert fresh.get(f"/labels/{SPASTIVA}").json()["results"]["version"] == 2
        importer.import_paths(engine, [NEWER])
        assert fresh.get(f"/labels/{SPASTIVA}").json()["results"]["version"] == 3
