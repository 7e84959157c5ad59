"""Name resolution: exact match on any known name, else the closest names as suggestions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process, utils

_SPACE = re.compile(r"\s+")
_MARKS = re.compile("[\u00ae\u2122\u00a9\u2120]")  # ® ™ © ℠: printed with a brand, not its name


def normalize(name: str) -> str:
    """The form names are compared in: NFKC (full-width letters become ASCII), trademark signs
    dropped, case-folded, inner space collapsed, ends stripped."""
    text = unicodedata.normalize("NFKC", _MARKS.sub("", name))  # before NFKC turns ™ into "TM"
    return _SPACE.sub(" ", text).strip().casefold()


def resolve(query: str, index: Mapping[str, str]) -> str | None:
    """The id that `query` names exactly (ignoring case and surrounding space), or None."""
    return index.get(normalize(query))


def suggest(query: str, names: Iterable[str], *, limit: int = 5, cutoff: float = 75.0) -> list[str]:
    """The known names closest to `query`, best first, without duplicates."""
    wanted = normalize(query)
    if not wanted:
        return []
    choices = sorted(set(names))
    matches = process.extract(
        wanted,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [name for name, _score, _index in matches]
