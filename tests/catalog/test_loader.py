"""Every kind of bad data file: refused with the file and the JSON path, nothing loaded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.catalog import loader
from app.cli import cli
from tests.conftest import read_json, write_json

Doc = dict[str, Any]


def _mutate(tiny: Path, change: Callable[[Doc], None]) -> None:
    path = tiny / "drugs" / "baclofen.json"
    document = read_json(path)
    change(document)
    write_json(path, document)


def _problems(tiny: Path) -> list[loader.Problem]:
    with pytest.raises(loader.CatalogError) as caught:
        loader.load_catalog(tiny)
    return caught.value.problems


def test_load_catalog_accepts_the_real_data() -> None:
    catalog = loader.load_catalog(Path(__file__).resolve().parents[2] / "data")
    assert any(d.id == "baclofen" for d in catalog.drugs)
    assert len(catalog.data_version) == 16


def test_malformed_json_names_file_line_and_column(tiny_data: Path) -> None:
    (tiny_data / "drugs" / "baclofen.json").write_text('{"id": "baclofen",,}', encoding="utf-8")
    [problem] = _problems(tiny_data)
    assert problem.file == "drugs/baclofen.json"
    assert "malformed JSON" in problem.message and "line 1" in problem.message


def test_non_utf8_bytes_are_refused(tiny_data: Path) -> None:
    (tiny_data / "drugs" / "baclofen.json").write_bytes(b'{"id": "bac\xff"}')
    [problem] = _problems(tiny_data)
    assert "not UTF-8" in problem.message


BAD_DOCUMENTS: list[tuple[str, Callable[[Doc], None], str, str]] = [
    ("missing field", lambda d: d.pop("drug_class"), "$.drug_class", "Field required"),
    (
        "mistyped field",
        lambda d: d.__setitem__("brand_names", "Ozobax"),
        "$.brand_names",
        "valid list",
    ),
    ("unknown field", lambda d: d.__setitem__("colour", "blue"), "$.colour", "Extra inputs"),
    (
        "unknown source",
        lambda d: d["indications"][0].__setitem__("source", "nowhere"),
        "$",
        "source 'nowhere' is not in sources",
    ),
    (
        "zero dose",
        lambda d: d["regimens"][0]["steps"][0].__setitem__("dose_mg", 0),
        "$.regimens[0].steps[0].dose_mg",
        "greater than 0",
    ),
    (
        "negative dose",
        lambda d: d["regimens"][0]["steps"][0].__setitem__("dose_mg", -5),
        "$.regimens[0].steps[0].dose_mg",
        "greater than 0",
    ),
    (
        "maximum below start",
        lambda d: d["regimens"][0].__setitem__("max_daily_mg", 10),
        "$.regimens[0]",
        "below the starting daily dose",
    ),
    (
        "step above maximum",
        lambda d: d["regimens"][0]["steps"][3].__setitem__("dose_mg", 25),
        "$.regimens[0]",
        "exceeds max_dose_mg",
    ),
    (
        "incidence above 100",
        lambda d: d["adverse_reactions"][0].__setitem__("incidence_high_pct", 130),
        "$.adverse_reactions[0].incidence_high_pct",
        "less than or equal to 100",
    ),
    (
        "low above high",
        lambda d: d["adverse_reactions"][0].update(incidence_low_pct=70, incidence_high_pct=60),
        "$.adverse_reactions[0]",
        "must not exceed",
    ),
    (
        "labeled inconsistent with status",
        lambda d: d["indications"][0].__setitem__("status", "off_label"),
        "$.indications[0]",
        "labeled must be true exactly",
    ),
    (
        "bad set id",
        lambda d: d["sources"][0].__setitem__("set_id", "not-a-uuid"),
        "$.sources[0].set_id",
        "pattern",
    ),
    (
        "overlapping kidney bands",
        lambda d: d["regimens"][0].__setitem__(
            "renal",
            {
                "source": "dailymed-baclofen-tablets",
                "section": "x",
                "evidence": "quote",
                "bands": [
                    {"crcl_min_ml_min": 0, "crcl_max_ml_min": 40, "max_daily_mg": 20},
                    {"crcl_min_ml_min": 30, "max_daily_mg": 80},
                ],
            },
        ),
        "$.regimens[0].renal",
        "overlap",
    ),
    (
        "gapped kidney bands",
        lambda d: d["regimens"][0].__setitem__(
            "renal",
            {
                "source": "dailymed-baclofen-tablets",
                "section": "x",
                "evidence": "quote",
                "bands": [
                    {"crcl_min_ml_min": 0, "crcl_max_ml_min": 30, "max_daily_mg": 20},
                    {"crcl_min_ml_min": 40, "max_daily_mg": 80},
                ],
            },
        ),
        "$.regimens[0].renal",
        "gap",
    ),
    (
        "a fact without its quote",
        lambda d: d["precautions"][0].pop("evidence"),
        "$.precautions[0].evidence",
        "Field required",
    ),
    (
        "no labeled indication",
        lambda d: d.__setitem__("indications", [i for i in d["indications"] if not i["labeled"]]),
        "$",
        "at least one labeled indication",
    ),
]


@pytest.mark.parametrize(
    ("case", "change", "path", "message"), BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS]
)
def test_bad_drug_file_is_refused_with_file_and_json_path(
    tiny_data: Path, case: str, change: Callable[[Doc], None], path: str, message: str
) -> None:
    _mutate(tiny_data, change)
    problems = _problems(tiny_data)
    assert all(p.file == "drugs/baclofen.json" for p in problems)
    assert any(p.path == path and message in p.message for p in problems), problems


def test_term_missing_from_the_vocabulary_is_refused(tiny_data: Path) -> None:
    _mutate(tiny_data, lambda d: d["adverse_reactions"][0].__setitem__("effect", "glowing"))
    [problem] = _problems(tiny_data)
    assert problem.path == "$.adverse_reactions[0].effect"
    assert "'glowing' is not in vocabulary/effects.json" in problem.message


def test_duplicate_ids_across_files_are_refused(tiny_data: Path) -> None:
    copy = read_json(tiny_data / "drugs" / "baclofen.json")
    write_json(tiny_data / "drugs" / "baclofen-copy.json", copy)
    problems = _problems(tiny_data)
    assert any(p.file == "drugs/baclofen-copy.json" and p.path == "$.id" for p in problems)
    assert any("duplicate id 'baclofen'" in p.message for p in problems)


def test_duplicate_brand_names_across_files_are_refused(tiny_data: Path) -> None:
    other = read_json(tiny_data / "drugs" / "baclofen.json")
    other.update(id="otherdrug", generic_name="otherdrug", brand_names=["OZOBAX"], synonyms=[])
    write_json(tiny_data / "drugs" / "otherdrug.json", other)
    [problem] = _problems(tiny_data)
    assert problem.file == "drugs/otherdrug.json"
    assert "duplicate name 'OZOBAX'" in problem.message and "drugs/baclofen.json" in problem.message


def test_vocabulary_synonym_claimed_twice_is_refused(tiny_data: Path) -> None:
    path = tiny_data / "vocabulary" / "effects.json"
    vocab = read_json(path)
    vocab["terms"].append({"term": "sleepiness disorder", "synonyms": ["drowsiness"]})
    write_json(path, vocab)
    problems = _problems(tiny_data)
    assert any(
        p.file == "vocabulary/effects.json" and "already names 'somnolence'" in p.message
        for p in problems
    )


def test_validate_command_exits_nonzero_naming_file_and_path(tiny_data: Path) -> None:
    _mutate(tiny_data, lambda d: d["regimens"][0].__setitem__("max_daily_mg", -1))
    result = CliRunner().invoke(cli, ["validate", "--data-dir", str(tiny_data)])
    assert result.exit_code == 1
    assert "drugs/baclofen.json: $.regimens[0].max_daily_mg" in result.output


def test_validate_command_passes_on_good_data(tiny_data: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--data-dir", str(tiny_data)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 1 drugs")


def test_data_version_changes_exactly_when_a_file_changes(tiny_data: Path) -> None:
    before = loader.data_version(tiny_data)
    assert loader.data_version(tiny_data) == before
    path = tiny_data / "drugs" / "baclofen.json"
    path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert loader.data_version(tiny_data) != before


def test_json_path_formats_pydantic_locations() -> None:
    assert (
        loader.json_path(("regimens", 0, "steps", 2, "dose_mg")) == "$.regimens[0].steps[2].dose_mg"
    )
    assert json.dumps(loader.json_path(())) == '"$"'
