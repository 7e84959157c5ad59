"""Importing openFDA label files: shapes, counts, idempotence, history, atomicity per file."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.labels import importer, queries
from app.labels.tables import Label, LabelKey, LabelSection, LabelVersion
from tests.labels.conftest import (
    BARE,
    BULK,
    GLUCOREX,
    MALFORMED,
    NEWER,
    OLDER,
    PALOVEX,
    QUIETOL,
    SPASTIVA,
    dump,
)


def _count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_bulk_envelope_imports_every_record(engine: Engine) -> None:
    report = importer.import_paths(engine, [BULK])
    assert not report.failed
    assert (report.records, report.new) == (3, 3)
    assert _count(engine, Label) == 3
    assert _count(engine, LabelVersion) == 3
    with Session(engine) as session:
        spastiva = session.get(Label, SPASTIVA)
        assert spastiva is not None
        assert spastiva.version == 2
        assert spastiva.effective_date is not None and spastiva.effective_date.isoformat() == (
            "2022-03-15"
        )
        assert spastiva.brand_name == ["Spastiva"]
        assert spastiva.rxcui == ["197391", "104715"]
        assert spastiva.pharm_class_epc == ["GABA-ergic Agonist [EPC]"]
        assert spastiva.title == "Spastiva (BACLOFEN) - Example Pharma Inc."
        assert spastiva.is_synthetic is False
        sections = session.exec(  # type: ignore[call-overload]
            select(LabelSection.name).join(LabelVersion).where(LabelVersion.set_id == SPASTIVA)
        ).all()
        assert {s[0] for s in sections} >= {"boxed_warning", "adverse_reactions", "pregnancy"}
        keys = session.exec(  # type: ignore[call-overload]
            select(LabelKey.kind, LabelKey.value).where(LabelKey.set_id == SPASTIVA)
        ).all()
        assert ("name", "baclofen") in keys and ("pharm_class", "gaba-ergic agonist") in keys


def test_section_text_and_tables_are_kept_as_in_the_record(engine: Engine) -> None:
    importer.import_paths(engine, [BULK])
    raw = json.loads(BULK.read_text())["results"][1]
    with Session(engine) as session:
        found = queries.read_section(session, PALOVEX, "adverse_reactions")
    assert found.text == raw["adverse_reactions"][0]
    assert found.tables == raw["adverse_reactions_table"]


def test_zip_imports_like_the_json_it_holds(engine: Engine, bulk_zip: Path) -> None:
    report = importer.import_paths(engine, [bulk_zip])
    assert not report.failed
    assert report.new == 3
    assert report.files[0].path.endswith(
        "drug-label-0001-of-0001.json.zip!drug-label-0001-of-0001.json"
    )


def test_bare_record_and_directories_import(engine: Engine) -> None:
    report = importer.import_paths(engine, [BARE.parent, BULK.parent])
    assert not report.failed
    assert report.new == 4
    with Session(engine) as session:
        glucorex = session.get(Label, GLUCOREX)
        assert glucorex is not None and glucorex.version == 15
        names = {s.name for s in session.exec(select(LabelSection)).scalars()}  # type: ignore[call-overload]
    assert "_meta" not in names


def test_importing_the_same_records_again_changes_nothing(engine: Engine, bulk_zip: Path) -> None:
    importer.import_paths(engine, [BULK, BARE, NEWER])
    before = dump(engine)
    again = importer.import_paths(engine, [bulk_zip, BARE, NEWER, BULK])
    assert not again.failed
    assert again.new == again.updated == again.history == 0
    assert again.unchanged == 8
    assert dump(engine) == before


def test_newer_version_becomes_current_and_older_stays_in_history(engine: Engine) -> None:
    importer.import_paths(engine, [BULK])
    report = importer.import_paths(engine, [NEWER])
    assert report.updated == 1
    with Session(engine) as session:
        current = queries.read_label(session, SPASTIVA)
        assert current.version == current.current_version == 3
        assert current.brand_name == ["Spastiva", "Spastiva XR"]
        assert [v.version for v in current.versions] == [3, 2]
        old = queries.read_label(session, SPASTIVA, version=2)
        assert old.version == 2 and old.effective_date.isoformat() == "2022-03-15"  # type: ignore[union-attr]
        assert "recent_major_changes" not in {s.name for s in old.sections}
        # The index holds the current version only: its new words, not the old version's.
        assert queries.search_labels(session, "hypotonia")[0] == 1
    dump(engine)  # the full-text index is consistent with its content


def test_older_version_imported_later_goes_to_history(engine: Engine) -> None:
    importer.import_paths(engine, [NEWER])
    report = importer.import_paths(engine, [OLDER])
    assert report.history == 1
    with Session(engine) as session:
        label = session.get(Label, SPASTIVA)
        assert label is not None and label.version == 3
        assert queries.search_labels(session, "vertigo")[0] == 0
        assert "vertigo" in queries.read_section(session, SPASTIVA, "warnings_and_cautions", 1).text


@pytest.mark.parametrize(
    ("name", "index", "field", "message"),
    [
        ("truncated.json", 1, None, "invalid JSON"),
        ("missing-set-id.json", 1, "set_id", "Field required"),
        ("wrong-type.json", 0, "openfda.rxcui", "valid list"),
        ("section-not-a-list.json", 2, "adverse_reactions", "list of strings"),
    ],
)
def test_malformed_file_is_refused_by_name_and_leaves_the_database_as_it_was(
    engine: Engine, name: str, index: int, field: str | None, message: str
) -> None:
    importer.import_paths(engine, [BULK])
    before = dump(engine)
    report = importer.import_paths(engine, [MALFORMED / name])
    [failed] = report.failed
    assert failed.path == str(MALFORMED / name)
    assert failed.record_index == index
    assert failed.field == field
    assert message in (failed.error or "")
    assert name in failed.describe() and f"record {index}" in failed.describe()
    assert dump(engine) == before


def test_other_files_of_the_run_import_around_a_bad_one(engine: Engine) -> None:
    report = importer.import_paths(engine, [MALFORMED / "missing-set-id.json", BULK, BARE])
    assert [f.path for f in report.failed] == [str(MALFORMED / "missing-set-id.json")]
    assert report.new == 4
    with Session(engine) as session:
        assert session.get(Label, QUIETOL) is not None
        # the good first record of the refused file was rolled back with it
        assert session.get(Label, "5f2c3c5e-1a8e-4c1e-9b7a-0000000000e5") is None


def test_a_json_file_without_labels_is_reported_not_failed(engine: Engine) -> None:
    report = importer.import_paths(engine, [MALFORMED / "timestamp.json"])
    assert not report.failed
    [skipped] = report.warnings
    assert "no label records" in (skipped.warning or "")


def test_missing_path_is_a_failed_file(engine: Engine, tmp_path: Path) -> None:
    report = importer.import_paths(engine, [tmp_path / "nope.json"])
    assert report.failed[0].error == "no such file or directory"


def _envelope(path: Path, records: int, first: int = 0) -> Path:
    with path.open("w") as out:
        out.write(json.dumps({"meta": {"results": {"total": records}}})[:-1] + ', "results": [')
        for i in range(first, first + records):
            record = {
                "set_id": f"00000000-0000-4000-8000-{i:012d}",
                "id": f"id-{i}",
                "version": "1",
                "adverse_reactions": ["nausea " * 200],
                "openfda": {"generic_name": [f"DRUG {i}"]},
            }
            out.write(("," if i > first else "") + json.dumps(record))
        out.write("]}")
    return path


def test_peak_memory_does_not_grow_with_the_file(engine: Engine, tmp_path: Path) -> None:
    def peak(records: int) -> int:
        path = _envelope(tmp_path / f"bulk-{records}.json", records, first=records)
        tracemalloc.start()
        report = importer.import_paths(engine, [path])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert report.new == records
        return top

    small, large = peak(100), peak(800)
    sizes = [(tmp_path / f"bulk-{n}.json").stat().st_size for n in (100, 800)]
    assert sizes[1] > 7 * sizes[0]
    assert large < small * 1.5, (small, large)
