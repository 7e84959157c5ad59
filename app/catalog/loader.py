"""Read and validate data/: every file into the catalog models, every problem with file and path."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalog.models import Drug, Vocabulary, VocabularyKind
from app.domain.names import normalize

DRUGS_DIR = "drugs"
VOCABULARY_DIR = "vocabulary"


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class CatalogError(Exception):
    """The data files do not validate; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Terms:
    """A controlled vocabulary: any synonym (normalized) -> its preferred term."""

    kind: VocabularyKind
    preferred: dict[str, str]
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def resolve(self, name: str) -> str | None:
        return self.preferred.get(normalize(name))

    def expand(self, term: str) -> frozenset[str]:
        """The term and every term narrower than it, at any depth."""
        found = {term}
        frontier = [term]
        while frontier:
            parent = frontier.pop()
            for child, parents in self.broader.items():
                if parent in parents and child not in found:
                    found.add(child)
                    frontier.append(child)
        return frozenset(found)


@dataclass(frozen=True)
class Catalog:
    drugs: list[Drug]
    conditions: Terms
    effects: Terms
    data_version: str
    files: dict[str, str] = field(default_factory=dict)  # drug id -> file name


def json_path(loc: Iterable[int | str]) -> str:
    """A pydantic error location as a JSON path: ('a', 0, 'b') -> '$.a[0].b'."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def data_version(data_dir: Path) -> str:
    """A hash of every data file's name and bytes: changes exactly when the data changes."""
    digest = hashlib.sha256()
    for path in _data_files(data_dir):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _data_files(data_dir: Path) -> list[Path]:
    files = sorted((data_dir / DRUGS_DIR).glob("*.json"))
    files += [data_dir / VOCABULARY_DIR / f"{kind.value}.json" for kind in VocabularyKind]
    return [f for f in files if f.is_file()]


def _read_json(path: Path, label: str, problems: list[Problem]) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(label, "$", f"cannot read: {exc.strerror}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(label, "$", f"not UTF-8: invalid byte at offset {exc.start}"))
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(label, "$", f"malformed JSON: {exc.msg} (line {exc.lineno}, col {exc.colno})")
        )
        return None


def _validation_problems(label: str, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        out.append(Problem(label, json_path(err["loc"]), msg))
    return out


def load_vocabulary(data_dir: Path, kind: VocabularyKind, problems: list[Problem]) -> Terms:
    label = f"{VOCABULARY_DIR}/{kind.value}.json"
    path = data_dir / VOCABULARY_DIR / f"{kind.value}.json"
    preferred: dict[str, str] = {}
    broader: dict[str, tuple[str, ...]] = {}
    if not path.is_file():
        problems.append(Problem(label, "$", "vocabulary file is missing"))
        return Terms(kind, preferred)
    raw = _read_json(path, label, problems)
    if raw is None:
        return Terms(kind, preferred)
    try:
        vocab = Vocabulary.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_validation_problems(label, exc))
        return Terms(kind, preferred)
    if vocab.kind != kind:
        problems.append(Problem(label, "$.kind", f"expected '{kind}', found '{vocab.kind}'"))
    for i, entry in enumerate(vocab.terms):
        for j, name in enumerate([entry.term, *entry.synonyms]):
            key = normalize(name)
            other = preferred.get(key)
            if other is not None and other != entry.term:
                where = f"$.terms[{i}]" + (".term" if j == 0 else f".synonyms[{j - 1}]")
                problems.append(Problem(label, where, f"'{name}' already names '{other}'"))
            preferred[key] = entry.term
        if entry.broader:
            broader[entry.term] = tuple(entry.broader)
    terms = {entry.term for entry in vocab.terms}
    for i, entry in enumerate(vocab.terms):
        for j, parent in enumerate(entry.broader):
            if parent not in terms:
                problems.append(
                    Problem(
                        label, f"$.terms[{i}].broader[{j}]", f"'{parent}' is not a preferred term"
                    )
                )
    return Terms(kind, preferred, broader)


def load_drug_file(path: Path, problems: list[Problem]) -> Drug | None:
    label = f"{DRUGS_DIR}/{path.name}"
    raw = _read_json(path, label, problems)
    if raw is None:
        return None
    try:
        drug = Drug.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_validation_problems(label, exc))
        return None
    if drug.id != path.stem:
        problems.append(Problem(label, "$.id", f"id '{drug.id}' does not match the file name"))
    return drug


def _check_terms(label: str, drug: Drug, catalog_terms: tuple[Terms, Terms]) -> list[Problem]:
    conditions, effects = catalog_terms
    out = []
    for i, ind in enumerate(drug.indications):
        if conditions.resolve(ind.condition) is None:
            out.append(
                Problem(
                    label,
                    f"$.indications[{i}].condition",
                    f"'{ind.condition}' is not in vocabulary/conditions.json",
                )
            )
    for i, reg in enumerate(drug.regimens):
        if conditions.resolve(reg.indication) is None:
            out.append(
                Problem(
                    label,
                    f"$.regimens[{i}].indication",
                    f"'{reg.indication}' is not in vocabulary/conditions.json",
                )
            )
    for i, ar in enumerate(drug.adverse_reactions):
        if effects.resolve(ar.effect) is None:
            out.append(
                Problem(
                    label,
                    f"$.adverse_reactions[{i}].effect",
                    f"'{ar.effect}' is not in vocabulary/effects.json",
                )
            )
    return out


def _check_unique_names(drugs: list[tuple[str, Drug]]) -> list[Problem]:
    out = []
    owner: dict[str, tuple[str, str]] = {}  # normalized name -> (drug id, file)
    for label, drug in drugs:
        seen_here: set[str] = set()
        for name in drug.names():
            key = normalize(name)
            if key in seen_here:
                continue
            seen_here.add(key)
            prior = owner.get(key)
            if prior is not None:
                what = "id" if name == drug.id else "name"
                out.append(
                    Problem(label, "$", f"duplicate {what} '{name}': already used by {prior[1]}")
                )
            else:
                owner[key] = (drug.id, label)
    return out


def load_catalog(data_dir: Path, *, include_synthetic: bool = False) -> Catalog:
    """Validate every data file; raise CatalogError listing every problem, else the catalog."""
    problems: list[Problem] = []
    conditions = load_vocabulary(data_dir, VocabularyKind.conditions, problems)
    effects = load_vocabulary(data_dir, VocabularyKind.effects, problems)
    vocabulary_ok = not problems
    drug_dir = data_dir / DRUGS_DIR
    if not drug_dir.is_dir():
        raise CatalogError([Problem(DRUGS_DIR, "$", f"no such directory under {data_dir}")])
    loaded: list[tuple[str, Drug]] = []
    for path in sorted(drug_dir.glob("*.json")):
        drug = load_drug_file(path, problems)
        if drug is None:
            continue
        if drug.is_synthetic and not include_synthetic:
            problems.append(
                Problem(
                    f"{DRUGS_DIR}/{path.name}",
                    "$.is_synthetic",
                    "synthetic test data is never seeded from the real data directory",
                )
            )
            continue
        loaded.append((f"{DRUGS_DIR}/{path.name}", drug))
    if vocabulary_ok:
        for label, drug in loaded:
            problems.extend(_check_terms(label, drug, (conditions, effects)))
    problems.extend(_check_unique_names(loaded))
    if problems:
        raise CatalogError(problems)
    return Catalog(
        drugs=[d for _, d in loaded],
        conditions=conditions,
        effects=effects,
        data_version=data_version(data_dir),
        files={d.id: label for label, d in loaded},
    )
