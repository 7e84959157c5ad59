"""A short passage around a search's words, HTML-escaped, the words in <mark> (pure).

The full-text engines' own snippet functions re-read and re-tokenize every hit's whole text
(about 1 ms a label here, several for the longest labels); finding each word with str.find on
the lower-cased text and marking only the chosen passage costs a fraction of that.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

WIDTH = 200
_SUFFIXES = ("ies", "ing", "es", "ed", "s", "e")
_PER_WORD = 50


def stem(word: str) -> str:
    """A crude stem, so 'headaches' finds 'headache' as the index's Porter stemmer does."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _starts(lowered: str, needle: str) -> list[int]:
    """Where `needle` starts a word in `lowered` (at most _PER_WORD places)."""
    out: list[int] = []
    at = lowered.find(needle)
    while at != -1 and len(out) < _PER_WORD:
        if at == 0 or not lowered[at - 1].isalnum():
            out.append(at)
        at = lowered.find(needle, at + 1)
    return out


def make(text: str, words: Sequence[str], width: int = WIDTH) -> str | None:
    """The passage of about `width` characters holding the most distinct words, or None."""
    if not text or not words:
        return None
    stems = sorted({stem(w.lower()) for w in words}, key=len, reverse=True)
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: search as written
        lowered = text
    hits = sorted((at, s) for s in stems for at in _starts(lowered, s))
    if not hits:
        return None
    anchor, best = hits[0][0], 0
    for i, (first, _) in enumerate(hits):
        seen = {s for at, s in hits[i:] if at - first <= width}
        if len(seen) > best:
            anchor, best = first, len(seen)
            if best == len(stems):
                break
    start = max(0, anchor - width // 4)
    if start > 0:
        space = text.find(" ", start, anchor)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", anchor, end)
        end = space if space > anchor else end
    passage = text[start:end]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    out = ["…" if start > 0 else ""]
    cursor = 0
    for found in pattern.finditer(passage):
        out.append(html.escape(passage[cursor : found.start()]))
        out.append(f"<mark>{html.escape(found.group())}</mark>")
        cursor = found.end()
    out.append(html.escape(passage[cursor:]))
    out.append("…" if end < len(text) else "")
    return " ".join("".join(out).split())
