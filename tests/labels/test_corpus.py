"""The real openFDA corpus (../shared/labels/openfda, 363 labels): import, search, history and
extraction, checked against the raw files. Skips when the corpus is not beside the clone.

The folder also holds timestamp.json, a JSON file that is not a label: the importer reports it
as skipped (no label records) and the run still succeeds.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from app.db import make_engine
from app.labels import extract, importer, queries
from app.labels.tables import Label
from tests.labels.conftest import fresh_database_url

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "labels" / "openfda"
pytestmark = pytest.mark.corpus
_SPACE = re.compile(r"\s+")


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[str, Any]]:
    if not CORPUS.is_dir():
        pytest.skip(f"label corpus not found: {CORPUS} (see ../shared/labels/README.md)")
    out = {}
    for path in sorted(CORPUS.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for record in document.get("results", []):
            out[record["set_id"]] = record
    return out


@pytest.fixture(scope="module")
def corpus(
    raw: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, importer.ImportReport]]:
    engine = make_engine(fresh_database_url(tmp_path_factory.mktemp("corpus"), "labels_corpus"))
    SQLModel.metadata.create_all(engine)
    report = importer.import_paths(engine, [CORPUS])
    yield engine, report
    engine.dispose()


def test_every_record_imports_and_the_non_label_file_is_reported(
    raw: dict[str, dict[str, Any]], corpus: tuple[Engine, importer.ImportReport]
) -> None:
    engine, report = corpus
    assert len(raw) == 363
    assert report.failed == []
    assert [Path(w.path).name for w in report.warnings] == ["timestamp.json"]
    assert report.new == report.records == 363
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Label)).scalar_one() == 363


def test_sections_and_openfda_fields_are_stored_as_the_raw_records_have_them(
    raw: dict[str, dict[str, Any]], corpus: tuple[Engine, importer.ImportReport]
) -> None:
    engine, _ = corpus
    with Session(engine) as session:
        for set_id, record in raw.items():
            label = queries.read_label(session, set_id)
            assert label.version == int(record["version"])
            assert label.brand_name == record["openfda"].get("brand_name", [])
            assert label.rxcui == record["openfda"].get("rxcui", [])
            sections = {s.name: s for s in label.sections}
            for field, value in record.items():
                if field in importer.METADATA_FIELDS:
                    continue
                section = sections[field.removesuffix("_table")]
                if field.endswith("_table"):
                    assert section.tables == value, (set_id, field)
                else:
                    assert section.text == "\n".join(value), (set_id, field)


def test_search_by_brand_name_finds_the_label(
    raw: dict[str, dict[str, Any]], corpus: tuple[Engine, importer.ImportReport]
) -> None:
    engine, _ = corpus
    missed = []
    with Session(engine) as session:
        for set_id, record in raw.items():
            brand = next(iter(record["openfda"].get("brand_name", [])), None)
            if brand is None or not re.search(r"[^\W_]", brand):
                continue
            _, hits = queries.search_labels(session, brand, limit=20)
            if set_id not in [h.set_id for h in hits]:
                missed.append(brand)
        total, hits = queries.search_labels(session, "keytruda")
        assert hits[0].brand_name == ["KEYTRUDA"]
        assert hits[0].snippet is not None and "<mark>" in hits[0].snippet
    # A brand that is a common word ("Sodium Chloride") can rank below 20 others.
    assert len(missed) <= 10, missed


def test_a_newer_version_of_a_real_label_becomes_current(
    raw: dict[str, dict[str, Any]], corpus: tuple[Engine, importer.ImportReport], tmp_path: Path
) -> None:
    engine, _ = corpus
    set_id, record = next((k, v) for k, v in raw.items() if v["openfda"].get("brand_name"))
    newer = {**record, "version": str(int(record["version"]) + 1), "id": "newer-version"}
    newer["boxed_warning"] = ["WARNING: a made-up zyzzyvaword for this test."]
    (tmp_path / "newer.json").write_text(json.dumps({"meta": {}, "results": [newer]}))
    report = importer.import_paths(engine, [tmp_path / "newer.json"])
    assert report.updated == 1
    with Session(engine) as session:
        label = queries.read_label(session, set_id)
        old = int(record["version"])
        assert [v.version for v in label.versions] == [old + 1, old]
        assert queries.search_labels(session, "zyzzyvaword")[1][0].set_id == set_id
        before = queries.read_label(session, set_id, version=old)
        assert {s.name for s in before.sections} == {
            f.removesuffix("_table") for f in record if f not in importer.METADATA_FIELDS
        }


def _plain(fragment: str) -> str:
    """The table's text without footnotes (kept apart) and spaces, to find cells in."""
    fragment = re.sub(r"<footnote\b.*?</footnote>", " ", fragment, flags=re.S | re.I)
    return _SPACE.sub("", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def test_adverse_reaction_tables_yield_rows_found_in_the_raw_html(
    raw: dict[str, dict[str, Any]],
) -> None:
    tables = 0
    problems: Counter[str] = Counter()
    for record in raw.values():
        items = record.get("adverse_reactions_table", [])
        extracted = extract.extract_tables("".join(items))
        assert len(extracted) == len(items)
        for table, source in zip(extracted, items, strict=True):
            tables += 1
            if not table.rows:
                problems[str(table.problem)] += 1
                continue
            plain = _plain(source)
            for row in table.rows:
                # footnote marks inside a term ('delayed<sup>f</sup> and/or') are cut out
                assert all(word in plain for word in re.findall(r"[^\W_]+", row.term)), row.term
                for incidence in row.incidences:
                    assert _SPACE.sub("", incidence.text) in plain
    assert tables == 1126
    assert sum(problems.values()) <= 0.05 * tables, problems


def test_a_real_table_gives_the_labels_numbers(raw: dict[str, dict[str, Any]]) -> None:
    palonosetron = next(
        r for r in raw.values() if r["openfda"].get("application_number") == ["NDA021372"]
    )
    table = extract.extract_tables("".join(palonosetron["adverse_reactions_table"]))[1]
    assert table.caption is not None and "Postoperative Nausea and Vomiting" in table.caption
    headache = next(r for r in table.rows if r.term == "Headache")
    assert [(i.arm, i.n, i.count, i.percent) for i in headache.incidences] == [
        ("Palonosetron Hydrochloride Injection 0.075 mg", 336, 11, 3.0),
        ("Placebo", 369, 14, 4.0),
    ]
