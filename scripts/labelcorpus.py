"""Read ../shared/labels (the label corpus) and check data files' evidence against it.

Curators use it to read a label; tests use it to check every quote. The app never imports it: the
corpus is reference material beside the clone, not part of the project.

    python -m scripts.labelcorpus find lamotrigine          # records whose names match
    python -m scripts.labelcorpus sections SET_ID            # section names and sizes
    python -m scripts.labelcorpus show SET_ID SECTION        # a section's text
    python -m scripts.labelcorpus tables SET_ID [SECTION]    # table rows as 'cell | cell'
    python -m scripts.labelcorpus rxcui NAME                 # the ingredient's RXCUI
    python -m scripts.labelcorpus check [data/drugs/x.json ...]   # evidence of data files
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = SHARED / "labels"
RXNORM = SHARED / "rxnorm"

_TAG = re.compile(r"</?[A-Za-z!][^>]*>")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_IGNORED = re.compile(r"[\s|*#•]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def available() -> bool:
    return LABELS.is_dir()


def squash(text: str) -> str:
    """Text for comparison: tags stripped, entities decoded; case, space and table bars ignored."""
    text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2264", "<=").replace("\u2265", ">=")
    return _IGNORED.sub("", text).casefold()


def fragments(quote: str) -> list[str]:
    """A quote's verbatim parts: an ellipsis marks text left out between two parts."""
    return [part for part in _ELLIPSIS.split(quote.strip()) if part.strip()]


def numbers(text: str) -> set[float]:
    """Every number written in the text (thousands separators ignored)."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return {float(n) for n in _NUMBER.findall(text)}


@dataclass
class Label:
    set_id: str
    version: str
    effective_date: str
    path: Path
    generic_name: str = ""
    brand_name: str = ""
    manufacturer: str = ""
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def squashed(self) -> str:
        return _squashed(self.path, self.set_id)


@cache
def _squashed(path: Path, set_id: str) -> str:
    label = next(x for x in labels_by_set_id().get(set_id, []) if x.path == path)
    return squash("\n".join(label.sections.values()))


def _openfda_label(record: dict[str, Any], path: Path) -> Label:
    fda = record.get("openfda", {})
    sections: dict[str, str] = {}
    for key, value in record.items():
        if key in ("openfda", "_meta", "set_id", "id", "version", "effective_time"):
            continue
        if isinstance(value, list):
            sections[key] = "\n".join(str(v) for v in value)
    return Label(
        set_id=record["set_id"],
        version=str(record.get("version", "")),
        effective_date=str(record.get("effective_time", "")),
        path=path,
        generic_name=", ".join(fda.get("generic_name", [])),
        brand_name=", ".join(fda.get("brand_name", [])),
        manufacturer=", ".join(fda.get("manufacturer_name", [])),
        sections=sections,
    )


def _dailymed_label(folder: Path) -> Label:
    meta: dict[str, str] = {}
    for line in (folder / "meta.yaml").read_text().splitlines():
        if ":" in line and not line.startswith(" "):
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip().strip("'")
    sections = {p.stem: p.read_text() for p in sorted(folder.glob("*.md"))}
    return Label(
        set_id=meta.get("setid", ""),
        version=meta.get("spl_version", ""),
        effective_date=meta.get("published_date", ""),
        path=folder,
        generic_name=meta.get("name", folder.name),
        brand_name=meta.get("name", ""),
        sections=sections,
    )


@cache
def labels_by_set_id() -> dict[str, list[Label]]:
    """Every label record in the corpus, by set id (several versions may share one)."""
    found: dict[str, list[Label]] = {}
    for path in sorted((LABELS / "openfda").glob("*.json")):
        try:
            results = json.loads(path.read_text()).get("results", [])
        except (json.JSONDecodeError, AttributeError):
            continue
        for record in results:
            label = _openfda_label(record, path)
            found.setdefault(label.set_id, []).append(label)
    for path in sorted((LABELS / "openfda-2026").glob("*.json")):
        record = json.loads(path.read_text())
        if isinstance(record, dict) and "set_id" in record:
            label = _openfda_label(record, path)
            found.setdefault(label.set_id, []).append(label)
    for folder in sorted((LABELS / "dailymed-md").iterdir()):
        if (folder / "meta.yaml").exists():
            label = _dailymed_label(folder)
            found.setdefault(label.set_id, []).append(label)
    return found


def find(name: str) -> list[Label]:
    key = name.casefold()
    return [
        label
        for labels in labels_by_set_id().values()
        for label in labels
        if key in f"{label.generic_name} {label.brand_name} {label.path.name}".casefold()
    ]


def table_rows(table_html: str) -> list[str]:
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, flags=re.S | re.I):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S | re.I)
        texts = [" ".join(html.unescape(_TAG.sub(" ", c)).split()) for c in cells]
        rows.append(" | ".join(texts))
    return rows


@cache
def rxnorm_ingredients() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(RXNORM.glob("*.json")):
        for concept in json.loads(path.read_text()):
            if concept.get("TTY") == "IN":
                out[concept["Name"].casefold()] = concept["RXCUI"]
    return out


# --- checking a data file -------------------------------------------------------------------


def _fact_numbers(path: str, fact: dict[str, Any]) -> set[float]:
    """The numbers a fact states that its quote must contain."""
    if path.startswith("adverse_reactions"):
        keys = ("incidence_low_pct", "incidence_high_pct", "placebo_pct")
        return {float(fact[k]) for k in keys if fact.get(k) is not None}
    return set()


def _daily_problems(where: str, fact: dict[str, Any], quoted: set[float]) -> list[str]:
    """A limit's or a liver band's mg/day must be in its quote, per day or per dose (the
    label's "50 mg every 12 hours" states 100 mg/day)."""
    values: list[float] = []
    if re.fullmatch(r"regimens\[\d+\]\.limits\[\d+\]", where):
        values = [float(fact["max_daily_mg"])]
    elif re.fullmatch(r"regimens\[\d+\]\.hepatic", where):
        keys = ("max_daily_mg", "start_daily_mg")
        values = [float(b[k]) for b in fact.get("bands", []) for k in keys if b.get(k) is not None]
    return [
        f"{where}: {value:g} mg/day is not in the evidence (per day or per dose)"
        for value in values
        if not {value / n for n in (1, 2, 3, 4)} & quoted
    ]


def _regimen_problems(
    where: str, regimen: dict[str, Any], quoted: set[float], mg_per_ml: float | None = None
) -> list[str]:
    """A regimen's quote must state its maxima (per day, or per dose for a daily maximum)."""
    problems = []
    per_kg = regimen.get("per_kg")
    if per_kg and float(per_kg["max_mg_kg_day"]) not in quoted:
        problems.append(f"{where}: per_kg.max_mg_kg_day {per_kg['max_mg_kg_day']} not in evidence")
    per_day = {s["times_per_day"] for s in regimen.get("steps", [])}
    if regimen.get("rule"):
        per_day.add(regimen["rule"]["times_per_day"])
    for key in ("max_daily_mg", "max_dose_mg"):
        if per_kg and key == "max_daily_mg":
            continue  # an mg/kg regimen's maximum is per kg (checked above)
        value = regimen.get(key)
        if value is None:
            continue
        options = {float(value)} | (
            {float(value) / n for n in per_day} if key == "max_daily_mg" else set()
        )
        if mg_per_ml:  # a liquid's label may state the maximum in mL
            options |= {round(o / mg_per_ml, 4) for o in options}
        if not options & quoted:
            problems.append(f"{where}: {key} {value} is not in the evidence")
    return problems


def _walk(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    facts: list[tuple[str, dict[str, Any]]] = []
    for group in ("products", "indications", "adverse_reactions", "precautions", "regimens"):
        for i, fact in enumerate(document.get(group, [])):
            facts.append((f"{group}[{i}]", fact))
    for i, regimen in enumerate(document.get("regimens", [])):
        for key in ("renal", "hepatic", "taper"):
            if regimen.get(key):
                facts.append((f"regimens[{i}].{key}", regimen[key]))
        for j, warning in enumerate(regimen.get("warnings", [])):
            facts.append((f"regimens[{i}].warnings[{j}]", warning))
        for j, limit in enumerate(regimen.get("limits", [])):
            facts.append((f"regimens[{i}].limits[{j}]", limit))
    for i, claim in enumerate(document.get("claims", [])):
        facts.append((f"claims[{i}]", claim))
    return facts


def check_document(document: dict[str, Any]) -> tuple[int, list[str]]:
    """(facts checked against the corpus, problems) for one drug document."""
    sources = {s["id"]: s for s in document.get("sources", [])}
    corpus = labels_by_set_id()
    checked = 0
    problems: list[str] = []
    for where, fact in _walk(document):
        source = sources.get(fact.get("source", ""))
        if source is None or source.get("set_id") not in corpus:
            continue
        evidence = fact.get("evidence")
        if not evidence:
            if not where.startswith("claims"):
                problems.append(f"{where}: cites corpus label {source['set_id']} without evidence")
            continue
        checked += 1
        candidates = corpus[source["set_id"]]
        version = source.get("version")
        chosen = [x for x in candidates if x.version == version] or candidates
        text = " ".join(x.squashed for x in chosen)
        for part in fragments(evidence):
            if squash(part) not in text:
                problems.append(f"{where}: quote not in label {source['set_id']}: {part[:90]!r}")
        quoted = numbers(evidence)
        for value in _fact_numbers(where, fact) - quoted:
            problems.append(f"{where}: {value:g} is not in the evidence")
        if re.fullmatch(r"regimens\[\d+\]", where):
            product = next(
                (p for p in document.get("products", []) if p.get("id") == fact.get("product")),
                {},
            )
            concentration = product.get("concentration_mg_ml")
            problems.extend(_regimen_problems(where, fact, quoted, concentration))
        problems.extend(_daily_problems(where, fact, quoted))
    return checked, problems


def main(argv: list[str]) -> int:
    if not available():
        print(f"no label corpus at {LABELS}", file=sys.stderr)
        return 2
    command, *args = argv or ["help"]
    if command == "find":
        for label in find(args[0]):
            print(
                f"{label.set_id}  v{label.version}  {label.effective_date}  {label.generic_name}"
                f" | {label.brand_name} | {label.manufacturer} | {label.path.relative_to(LABELS)}"
            )
    elif command in ("sections", "show", "tables"):
        versions = labels_by_set_id()[args[0]]
        label = versions[-1]
        if command == "sections":
            for name, text in label.sections.items():
                print(f"{name}: {len(text)} chars")
        elif command == "show":
            print(label.sections[args[1]])
        else:
            for name, text in label.sections.items():
                if (len(args) < 2 and "table" in name) or (len(args) > 1 and name == args[1]):
                    for i, table in enumerate(text.split("</table>")):
                        rows = table_rows(table)
                        if rows:
                            print(f"--- {name} #{i}")
                            print("\n".join(rows))
    elif command == "rxcui":
        print(rxnorm_ingredients().get(args[0].casefold(), "not found"))
    elif command == "check":
        paths = [Path(a) for a in args] or sorted((ROOT / "data" / "drugs").glob("*.json"))
        bad = 0
        for path in paths:
            checked, problems = check_document(json.loads(path.read_text()))
            print(f"{path.name}: {checked} facts checked, {len(problems)} problems")
            for problem in problems:
                print(f"  {problem}")
            bad += len(problems)
        return 1 if bad else 0
    else:
        print(__doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
