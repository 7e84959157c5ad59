"""Edit the controlled vocabularies safely, even with several curators at work at once."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from app.domain.names import normalize


class VocabularyConflict(Exception):
    """A name already belongs to another concept."""


def add_term(
    path: Path, kind: str, term: str, synonyms: list[str], broader: list[str] | None = None
) -> str:
    """Add a concept, or synonyms to an existing one; return what was done."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data: dict[str, Any] = (
            json.loads(path.read_text(encoding="utf-8"))
            if path.exists()
            else {"kind": kind, "terms": []}
        )
        owner = {
            normalize(name): entry["term"]
            for entry in data["terms"]
            for name in [entry["term"], *entry.get("synonyms", [])]
        }
        existing = owner.get(normalize(term))
        if existing is not None and existing != term:
            raise VocabularyConflict(f"'{term}' is already a synonym of '{existing}'")
        for name in synonyms:
            other = owner.get(normalize(name))
            if other is not None and other != term:
                raise VocabularyConflict(f"'{name}' already names '{other}'")
        entry = next((e for e in data["terms"] if e["term"] == term), None)
        if entry is None:
            entry = {"term": term, "synonyms": []}
            data["terms"].append(entry)
            action = f"added '{term}'"
        else:
            action = f"updated '{term}'"
        known = {normalize(s) for s in entry["synonyms"]} | {normalize(term)}
        for name in synonyms:
            if normalize(name) not in known:
                entry["synonyms"].append(name)
                known.add(normalize(name))
        for parent in broader or []:
            if owner.get(normalize(parent)) != parent:
                raise VocabularyConflict(f"broader term '{parent}' is not a preferred term")
            if parent not in entry.setdefault("broader", []):
                entry["broader"].append(parent)
        data["terms"].sort(key=lambda e: normalize(e["term"]))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        return action
