"""The adverse-reaction table extractor, on table HTML written the way real labels write it."""

from __future__ import annotations

import pytest

from app.labels import extract
from tests.labels.conftest import FIXTURES

TABLES = FIXTURES / "tables"


def _one(name: str) -> extract.ExtractedTable:
    [table] = extract.extract_tables((TABLES / name).read_text())
    return table


def _row(table: extract.ExtractedTable, term: str) -> extract.ReactionRow:
    return next(r for r in table.rows if r.term == term)


def test_dose_arms_with_n_in_a_header_row_of_their_own() -> None:
    table = _one("multi_arm_soc.html")
    assert table.caption is not None and table.caption.startswith("Table 2: Adverse Reactions")
    assert [(a.name, a.n) for a in table.arms] == [
        ("SPASTIVA 10 mg", 715),
        ("SPASTIVA 20 mg", 702),
        ("Placebo", 698),
    ]
    somnolence = _row(table, "Somnolence")
    assert [(i.arm, i.percent) for i in somnolence.incidences] == [
        ("SPASTIVA 10 mg", 21.0),
        ("SPASTIVA 20 mg", 28.0),
        ("Placebo", 6.0),
    ]
    assert _row(table, "Headache").incidences[1].percent == 5.2


def test_system_organ_class_rows_group_the_terms_below_them() -> None:
    table = _one("multi_arm_soc.html")
    assert [(r.term, r.system_organ_class) for r in table.rows] == [
        ("Somnolence", "Nervous System Disorders"),
        ("Dizziness", "Nervous System Disorders"),
        ("Headache", "Nervous System Disorders"),
        ("Fatigue", "General Disorders and Administration Site Conditions"),
        ("Nausea", "Gastrointestinal Disorders"),
    ]


def test_less_than_one_percent_is_a_bound_and_a_dash_is_no_figure() -> None:
    table = _one("multi_arm_soc.html")
    placebo = _row(table, "Fatigue").incidences[2]
    assert (placebo.text, placebo.percent, placebo.qualifier) == ("<1", 1.0, "<")
    nausea = _row(table, "Nausea")
    assert [(i.text, i.percent, i.qualifier) for i in nausea.incidences] == [
        ("<1%", 1.0, "<"),
        ("3%", 3.0, None),
    ]


def test_footnote_marks_are_cut_from_the_term_and_resolved_from_the_footer() -> None:
    table = _one("multi_arm_soc.html")
    assert _row(table, "Somnolence").footnotes == ["Includes somnolence, sedation and drowsiness."]
    assert table.footnotes[0] == "a Includes somnolence, sedation and drowsiness."


def test_arms_spanning_grade_columns_with_count_and_percent_cells() -> None:
    table = _one("grades_colspan.html")
    assert [(a.name, a.n, a.measure) for a in table.arms] == [
        ("PALOVEX 5 mg/kg", 66, "All Grades (%)"),
        ("PALOVEX 5 mg/kg", 66, "Grade ≥ 3 (%)"),
        ("Placebo", 62, "All Grades (%)"),
        ("Placebo", 62, "Grade ≥ 3 (%)"),
    ]
    nausea = _row(table, "Nausea")
    assert nausea.system_organ_class == "Gastrointestinal Disorders"
    first = nausea.incidences[0]
    assert (first.text, first.count, first.percent) == ("12 (18)", 12, 18.0)
    assert _row(table, "Arthralgia").incidences[3].qualifier == "<"
    assert _row(table, "Abdominal pain").footnotes[0].startswith("Abdominal pain: abdominal pain")


def test_class_in_a_rowspan_column_beside_the_term() -> None:
    table = _one("soc_rowspan_column.html")
    assert [(r.term, r.system_organ_class) for r in table.rows] == [
        ("Insomnia", "Psychiatric Disorders"),
        ("Agitation", "Psychiatric Disorders"),
        ("Dizziness", "Nervous System Disorders"),
    ]
    assert [(a.name, a.n) for a in table.arms] == [("QUIETOL", 120), ("Placebo", 118)]
    assert _row(table, "Agitation").incidences[0].percent == 5.0


def test_a_table_without_figures_says_why_it_has_no_rows() -> None:
    table = _one("no_figures.html")
    assert table.rows == []
    assert table.problem == "no incidence figures in the table"


def test_several_tables_in_one_field_keep_their_index() -> None:
    html = (TABLES / "grades_colspan.html").read_text() + (TABLES / "no_figures.html").read_text()
    assert [(t.index, bool(t.rows)) for t in extract.extract_tables(html)] == [
        (0, True),
        (1, False),
    ]


@pytest.mark.parametrize(
    ("cell", "figure"),
    [
        ("16 (5%)", (5.0, 16, None)),
        ("11(3%)", (3.0, 11, None)),
        ("2 (< 1)", (1.0, 2, "<")),
        ("4.5", (4.5, None, None)),
        ("≤1%", (1.0, None, "<=")),
        ("0", (0.0, None, None)),
        ("NR", None),
        ("see text", None),
    ],
)
def test_incidence_cells(cell: str, figure: extract.Figure | None) -> None:
    assert extract.parse_value(cell) == figure


def test_broken_html_gives_no_tables_not_an_error() -> None:
    assert extract.extract_tables("") == []
    assert extract.extract_tables("<p>no table</p>") == []
    [table] = extract.extract_tables("<table><tr><td>only</td></tr>")
    assert table.problem == "fewer than two columns"


def test_reactions_stacked_in_one_cell_become_one_row_each() -> None:
    table = _one("stacked_cells.html")
    assert [(r.term, r.system_organ_class) for r in table.rows][:3] == [
        ("Neutropenia", "Hematology abnormalities"),
        ("Anemia", "Hematology abnormalities"),
        ("Thrombocytopenia", "Hematology abnormalities"),
    ]
    anemia = _row(table, "Anemia")
    assert [(i.measure, i.count, i.percent) for i in anemia.incidences] == [
        ("Any Grade n (%)", 198, 45.0),
        ("Grade ≥ 3 n (%)", 66, 15.0),
    ]


def test_a_count_over_its_own_denominator_gives_that_n() -> None:
    row = _row(_one("stacked_cells.html"), "Prolonged neutropenia")
    assert [(i.count, i.n, i.percent) for i in row.incidences] == [(3, 106, 3.0), (0, 101, 0.0)]
