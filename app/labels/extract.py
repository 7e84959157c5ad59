"""Adverse-reaction rows from a label's `adverse_reactions_table` HTML (pure; no database).

Real tables have a caption, header rows naming each arm with its N (`Drug 10 mg (N=715)`, or the
N in a row of its own: `(N=715) %`), sub-columns (`All Grades`, `Grade 3-4`), system-organ-class
rows spanning the table, cells such as `16 (5%)`, `12 (18)`, `5.2`, `<1%`, footnote marks, and
merged cells. The table is laid out on a grid first (colspan and rowspan expanded), then its rows
are sorted into header rows, class rows and data rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import lxml.html
from lxml.etree import ParserError, _Element
from pydantic import BaseModel, ConfigDict, Field

Qualifier = Literal["<", "<=", ">", ">="]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Arm(Model):
    name: str = Field(description="the arm as the header names it: a drug and dose, or placebo")
    n: int | None = Field(description="patients in the arm, from `N=` in the header")
    measure: str | None = Field(
        default=None, description="the sub-column: 'All Grades (%)', 'Grade 3-4 (%)', ..."
    )


class Incidence(Model):
    arm: str
    n: int | None
    measure: str | None = None
    text: str = Field(description="the cell as printed")
    percent: float | None = Field(description="the percentage, when the cell gives one")
    count: int | None = Field(default=None, description="patients with the reaction, if given")
    qualifier: Qualifier | None = Field(
        default=None, description="'<' for a cell such as '<1%': percent is the bound"
    )


class ReactionRow(Model):
    term: str = Field(description="the adverse reaction as the table names it")
    system_organ_class: str | None = Field(
        description="the class (or other group) header row above the term"
    )
    footnotes: list[str] = Field(default_factory=list)
    incidences: list[Incidence]


class ExtractedTable(Model):
    index: int = Field(description="position of the table in the section's table HTML")
    caption: str | None
    arms: list[Arm]
    rows: list[ReactionRow]
    footnotes: list[str] = Field(default_factory=list)
    problem: str | None = Field(default=None, description="why no rows were found, if none")


_SPACE = re.compile(r"\s+")
_MARK = re.compile(r"^[a-z*†‡§¶#\d,]{1,3}$")
_TRAILING_MARKS = re.compile(r"\s*[*†‡§¶#]+$")
_N = re.compile(r"\(?\s*\b[Nn]\s*=\s*(\d[\d,]*)\s*\)?")
_COUNT_PCT = re.compile(
    r"^(?P<count>\d[\d,]*)(?:\s*/\s*(?P<of>\d[\d,]*))?"
    r"\s*\(\s*(?P<q><|≤|<=|>|≥|>=)?\s*(?P<pct>\d+(?:\.\d+)?)\s*%?\s*\)$"
)
_VALUE = re.compile(r"^(?P<q><|≤|<=|>|≥|>=)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)?$")
_DASH = frozenset({"-", "–", "—", "−", "--", "nr", "na", "n/a", "ne"})
_QUALIFIERS: dict[str, Qualifier] = {
    "<": "<",
    "≤": "<=",
    "<=": "<=",
    ">": ">",
    "≥": ">=",
    ">=": ">=",
}
_MEASURE = re.compile(
    r"(?i)^(?:all[\s-]*grades?|any[\s-]*grades?|grades?\b.*|severe|serious|incidence|"
    r"%|n\s*\(%\)|n|percent(?:age)?(?: of (?:patients|subjects))?|rate|events?)$"
)
_UNITS = re.compile(r"(?i)\(\s*%\s*\)|\bn\s*\(\s*%\s*\)|%|\(\s*\)")


def _clean(value: str) -> str:
    return _SPACE.sub(" ", value).strip()


def _text_of(element: _Element) -> str:
    return _clean("".join(t for t in element.itertext() if isinstance(t, str)))


@dataclass
class _Cell:
    text: str
    marks: tuple[str, ...]
    notes: tuple[str, ...]
    origin: tuple[int, int]
    header: bool
    raw: str = ""


_UNIT_BEFORE = re.compile(r"(?:mm|cm|m|10|kg|/m)\s*$")


def _exponent(parts: list[str], sup: _Element) -> bool:
    """A digit superscript after a unit or a 10 (mm3, m2, 10^9) is an exponent, not a mark."""
    return _text_of(sup).isdigit() and _UNIT_BEFORE.search("".join(parts[-3:])) is not None


def _cell_text(element: _Element) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    """The cell's text without footnotes; its footnote marks; its inline footnote texts; and its
    text with line breaks and runs of spaces as written."""
    marks: list[str] = []
    notes: list[str] = []
    parts: list[str] = []

    def walk(node: _Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "footnote":
            notes.append(_text_of(node))
            parts.append(" ")
        elif tag == "sup" and _MARK.match(_text_of(node) or "_") and not _exponent(parts, node):
            marks.append(_text_of(node))
        else:
            if tag in {"br", "p", "paragraph"}:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
        if node.tail:
            parts.append(node.tail)

    if element.text:
        parts.append(element.text)
    for child in element:
        walk(child)
    raw = "".join(parts)
    text = _clean(raw)
    trailing = _TRAILING_MARKS.search(text)
    if trailing and trailing.start() > 0:
        marks.append(trailing.group().strip())
        text = text[: trailing.start()]
    return text, tuple(marks), tuple(notes), raw


def _rows(table: _Element) -> Iterator[_Element]:
    """The table's own rows in order, without its footer (and without nested tables' rows)."""
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in {"thead", "tbody"}:
            yield from (r for r in child if r.tag == "tr")


def _span(element: _Element, name: str) -> int:
    try:
        return max(1, min(int(element.get(name, "1")), 100))
    except ValueError:
        return 1


def _grid(table: _Element) -> list[list[_Cell | None]]:
    grid: list[list[_Cell | None]] = []
    pending: dict[tuple[int, int], _Cell] = {}
    for r, row in enumerate(_rows(table)):
        line: list[_Cell | None] = []
        c = 0
        for element in row:
            if element.tag not in {"td", "th"}:
                continue
            while (r, c) in pending:
                line.append(pending.pop((r, c)))
                c += 1
            text, marks, notes, raw = _cell_text(element)
            cell = _Cell(text, marks, notes, (r, c), element.tag == "th", raw)
            for dc in range(_span(element, "colspan")):
                line.append(cell)
                for dr in range(1, _span(element, "rowspan")):
                    pending[(r + dr, c + dc)] = cell
            c += _span(element, "colspan")
        while (r, c) in pending:
            line.append(pending.pop((r, c)))
            c += 1
        grid.append(line)
    width = max((len(line) for line in grid), default=0)
    return [line + [None] * (width - len(line)) for line in grid]


def parse_value(
    text: str, count_column: bool = False
) -> tuple[float | None, int | None, Qualifier | None] | None:
    """(percent, count, qualifier) for an incidence cell, or None when it is not a figure."""
    value = text.replace("\u00a0", " ").strip()
    match = _COUNT_PCT.match(value)
    if match:
        qualifier = _QUALIFIERS.get(match["q"] or "")
        return float(match["pct"]), int(match["count"].replace(",", "")), qualifier
    match = _VALUE.match(value)
    if match:
        qualifier = _QUALIFIERS.get(match["q"] or "")
        number = float(match["num"])
        if (count_column or number > 100) and not match["pct"] and qualifier is None:
            # a number column, or a figure no percentage can be: a count (if whole)
            return None, int(number) if number.is_integer() else None, None
        return number, None, qualifier
    return None


def _is_figure(text: str) -> bool:
    return parse_value(text) is not None


def _is_blank(text: str) -> bool:
    return not text or text.casefold() in _DASH


def _header_parts(grid: list[list[_Cell | None]], rows: list[int], column: int) -> list[str]:
    parts: list[str] = []
    seen: set[tuple[int, int]] = set()
    for r in rows:
        cell = grid[r][column]
        if cell is None or not cell.text or cell.origin in seen:
            continue
        seen.add(cell.origin)
        parts.append(cell.text)
    return parts


def _arms(grid: list[list[_Cell | None]], rows: list[int], columns: list[int]) -> list[Arm]:
    per_column = {c: _header_parts(grid, rows, c) for c in columns}
    shared = set.intersection(*(set(p) for p in per_column.values())) if len(columns) > 1 else set()
    arms: list[Arm] = []
    for c in columns:
        parts = per_column[c]
        joined = " ".join(parts)
        found = _N.search(joined)
        n = int(found.group(1).replace(",", "")) if found else None
        names: list[tuple[str, bool]] = []
        measures: list[str] = []
        for part in parts:
            rest = _clean(_UNITS.sub(" ", _N.sub(" ", part)))
            if not rest:
                continue
            if _MEASURE.match(rest) and len(parts) > 1:
                measures.append(part if _N.search(part) is None else rest)
            else:
                names.append((rest, part in shared and _N.search(part) is None))
        # A header over every column without an N ('Study 1', 'Percent of patients') is a
        # group, not the arm, when the column has a name of its own.
        own = [name for name, is_shared in names if not is_shared]
        chosen = own or [name for name, _ in names]
        name = " ".join(chosen) or (measures.pop(0) if measures else f"column {c + 1}")
        arms.append(Arm(name=name, n=n, measure=" ".join(measures) or None))
    return arms


_FIGURE = re.compile(
    r"(?:\d[\d,]*(?:\s*/\s*\d[\d,]*)?\s*\(\s*(?:<|≤|<=|>|≥|>=)?\s*\d+(?:\.\d+)?\s*%?\s*\)"
    r"|(?:(?:<|≤|<=|>|≥|>=)\s*)?\d+(?:\.\d+)?\s*%?)"
)
_STACK_BREAK = re.compile(r"\s*\n\s*|\s{2,}")


def _stacked_figures(text: str) -> list[str] | None:
    """'56 (20.9%) 50 (18.7%)' -> ['56 (20.9%)', '50 (18.7%)']; None if not only figures."""
    found = [m.group().strip() for m in _FIGURE.finditer(text)]
    if len(found) < 2 or "".join(found).replace(" ", "") != text.replace(" ", ""):
        return None
    return found


def _unstack(grid: list[list[_Cell | None]]) -> list[list[_Cell | None]]:
    """Rows that stack several reactions in one cell each ('Nausea  Headache' beside
    '12 (4%) 9 (3%)', as some labels print them) become one row per reaction."""
    out: list[list[_Cell | None]] = []
    for r, line in enumerate(grid):
        cells = list({id(c): c for c in line if c is not None and c.text}.values())
        if len(cells) < 2:
            out.append(line)
            continue
        first, rest = cells[0], cells[1:]
        terms = [t.strip() for t in _STACK_BREAK.split(first.raw.strip()) if t.strip()]
        columns = [_stacked_figures(c.text) for c in rest]
        if len(terms) < 2 or any(f is None or len(f) != len(terms) for f in columns):
            out.append(line)
            continue
        for k, term in enumerate(terms):
            made: dict[int, _Cell] = {
                id(first): _Cell(_clean(term), (), (), (r * 1000 + k, first.origin[1]), False)
            }
            for cell, figures in zip(rest, columns, strict=True):
                if figures is None:  # zip of the columns that split: never None here
                    continue
                made[id(cell)] = _Cell(figures[k], (), (), (r * 1000 + k, cell.origin[1]), False)
            out.append([made.get(id(c), c) if c is not None else None for c in line])
    return out


def _single(line: list[_Cell | None]) -> _Cell | None:
    """The one cell of a row whose cells are all the same (merged) cell or empty."""
    cells = {id(c): c for c in line if c is not None and c.text}
    return next(iter(cells.values())) if len(cells) == 1 else None


def _footer(table: _Element) -> tuple[list[str], dict[str, str]]:
    """The footer's notes ('a Includes somnolence...') and each note by its mark ('a')."""
    notes: list[str] = []
    by_mark: dict[str, str] = {}
    for foot in table.findall("tfoot"):
        for cell in foot.iter("td", "th"):
            text, marks, inline, _raw = _cell_text(cell)
            first = next(iter(cell.iter("sup")), None)
            lead = (cell.text or "").strip()
            if first is not None and not lead and marks and text:
                by_mark.setdefault(marks[0], text)
                notes.append(f"{marks[0]} {text}")
            elif text or inline:
                notes.append(" ".join([text, *inline]).strip())
    return notes, by_mark


def extract_table(table: _Element, index: int = 0) -> ExtractedTable:
    caption_element = table.find("caption")
    caption_parts: list[str] = []
    if caption_element is not None:
        text, _marks, _notes, _raw = _cell_text(caption_element)
        caption_parts.append(text)
    footnotes, notes_by_mark = _footer(table)
    grid = _unstack(_grid(table))

    def none(problem: str) -> ExtractedTable:
        caption = " ".join(p for p in caption_parts if p) or None
        return ExtractedTable(
            index=index, caption=caption, arms=[], rows=[], footnotes=footnotes, problem=problem
        )

    if not grid or len(grid[0]) < 2:
        return none("fewer than two columns")
    # The first figure column of each row that has figures: the mode is where values start.
    starts: Counter[int] = Counter()
    for line in grid:
        for c, cell in enumerate(line):
            if c > 0 and cell is not None and cell.origin[1] == c and _is_figure(cell.text):
                starts[c] += 1
                break
    if not starts:
        return none("no incidence figures in the table")
    first_value = starts.most_common(1)[0][0]
    term_column = first_value - 1
    value_columns = list(range(first_value, len(grid[0])))

    def is_data(line: list[_Cell | None]) -> bool:
        term = line[term_column]
        if term is None or not term.text or _single(line) is not None:
            return False
        return any(
            cell is not None and cell is not term and _is_figure(cell.text)
            for cell in line[first_value:]
        )

    rows: list[ReactionRow] = []
    header_rows: list[int] = []
    arms: list[Arm] = []
    in_header = True
    group: str | None = None
    for r, line in enumerate(grid):
        if is_data(line):
            if in_header:
                arms = _arms(grid, header_rows, value_columns)
                in_header = False
            term_cell = line[term_column]
            if term_cell is None:
                continue
            if term_column > 0:
                outer = line[term_column - 1]
                group = outer.text if outer is not None and outer.text else group
            count_columns = [
                "number" in (a.name + " " + (a.measure or "")).casefold()
                and "%" not in (a.name + " " + (a.measure or ""))
                for a in arms
            ]
            incidences = []
            seen: set[tuple[int, int]] = set()
            for i, c in enumerate(value_columns):
                cell = line[c]
                if cell is None or cell is term_cell or cell.origin in seen:
                    continue
                seen.add(cell.origin)
                if _is_blank(cell.text):
                    continue
                parsed = parse_value(cell.text, count_columns[i])
                percent, count, qualifier = parsed if parsed else (None, None, None)
                arm = arms[i]
                of = _COUNT_PCT.match(cell.text.strip())
                incidences.append(
                    Incidence(
                        arm=arm.name,
                        n=int(of["of"].replace(",", "")) if of and of["of"] else arm.n,
                        measure=arm.measure,
                        text=cell.text,
                        percent=percent,
                        count=count,
                        qualifier=qualifier,
                    )
                )
            marks = [m for cell in line if cell is not None for m in cell.marks]
            inline = [n for cell in line if cell is not None for n in cell.notes]
            notes = list(
                dict.fromkeys([*inline, *(notes_by_mark[m] for m in marks if m in notes_by_mark)])
            )
            rows.append(
                ReactionRow(
                    term=term_cell.text,
                    system_organ_class=group,
                    footnotes=notes,
                    incidences=incidences,
                )
            )
            continue
        single = _single(line)
        has_value_text = any(
            cell is not None and cell.text and cell.origin[1] >= first_value
            for cell in line[first_value:]
        )
        term_text = line[term_column].text if line[term_column] is not None else ""  # type: ignore[union-attr]
        if in_header:
            if has_value_text:
                header_rows.append(r)
            elif not header_rows and single is not None:
                caption_parts.append(single.text)  # a caption row above the header
            elif header_rows and (single is not None or term_text):
                group = (single.text if single is not None else term_text) or None
            else:
                header_rows.append(r)
        elif has_value_text and single is None:
            header_rows = [r]  # a new header block further down the table
            in_header = True
        elif single is not None or term_text:
            group = single.text if single is not None else term_text
    if not rows:
        return none("no row with a term and a figure")
    if not header_rows and not arms:
        return none("no header row naming the arms")
    return ExtractedTable(
        index=index,
        caption=" ".join(p for p in caption_parts if p) or None,
        arms=arms,
        rows=rows,
        footnotes=footnotes,
    )


def tables(html: str) -> list[_Element]:
    """The top-level <table> elements of a fragment, in order."""
    if not html.strip():
        return []
    try:
        root = lxml.html.fromstring(f"<div>{html}</div>")
    except (ParserError, ValueError):
        return []
    return [t for t in root.iter("table") if not any(a.tag == "table" for a in t.iterancestors())]


def extract_tables(html: str) -> list[ExtractedTable]:
    """Every table of an `adverse_reactions_table` field, each with its rows or its problem."""
    return [extract_table(table, i) for i, table in enumerate(tables(html))]
