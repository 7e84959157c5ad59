"""Every quote of a fact that cites a corpus label is in that label, with the fact's numbers.

Reads ../shared/labels (the complete label records CI has beside the clone); skips without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.catalog.models import Drug, SourceKind
from scripts import labelcorpus

DRUGS = sorted((Path(__file__).resolve().parents[2] / "data" / "drugs").glob("*.json"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not labelcorpus.available(),
        reason=f"label corpus not found at {labelcorpus.LABELS} (CI has it beside the clone)",
    ),
]


@pytest.mark.parametrize("path", DRUGS, ids=lambda p: p.stem)
def test_every_quote_is_in_the_cited_label_with_the_facts_numbers(path: Path) -> None:
    _checked, problems = labelcorpus.check_document(json.loads(path.read_text()))
    assert problems == []


def test_the_checker_finds_a_quote_that_is_not_in_the_label() -> None:
    label = next(iter(labelcorpus.labels_by_set_id().values()))[0]
    text = next(t for t in label.sections.values() if len(t) > 200)
    real = " ".join(text.split()[5:15])
    document = {
        "sources": [{"id": "s", "set_id": label.set_id}],
        "indications": [
            {"source": "s", "section": "1", "evidence": real},
            {"source": "s", "section": "1", "evidence": real + " zebra unicorn"},
        ],
        "adverse_reactions": [
            {"source": "s", "section": "6", "evidence": real, "incidence_high_pct": 97.25}
        ],
    }
    checked, problems = labelcorpus.check_document(document)
    assert checked == 3
    assert [p.split(":")[0] for p in problems] == ["indications[1]", "adverse_reactions[0]"]


def _cites_corpus(path: Path) -> bool:
    corpus = labelcorpus.labels_by_set_id()
    document = json.loads(path.read_text())
    return any(s.get("set_id") in corpus for s in document["sources"])


@pytest.mark.parametrize("path", [p for p in DRUGS if _cites_corpus(p)], ids=lambda p: p.stem)
def test_a_drug_with_a_corpus_label_rests_on_fda_labels(path: Path) -> None:
    """At least 90 % of its facts cite an FDA label record, not a copy or a summary."""
    drug = Drug.model_validate_json(path.read_text())
    kinds = {s.id: s.kind for s in drug.sources}
    facts = drug.facts()
    share = sum(kinds[f.source] is SourceKind.fda_label for _, f in facts) / len(facts)
    assert share >= 0.9, f"{share:.0%} of {len(facts)} facts"
