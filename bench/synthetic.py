"""Synthetic drugs for scale tests: marked test data (is_synthetic), never seeded by default.

`python -m bench.synthetic N OUT_DIR` writes OUT_DIR/drugs/synthetic-*.json and copies the real
vocabularies, so `druginfo seed --data-dir OUT_DIR --include-synthetic` can load them.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _terms(kind: str) -> list[str]:
    data = json.loads((ROOT / "data" / "vocabulary" / f"{kind}.json").read_text(encoding="utf-8"))
    return [t["term"] for t in data["terms"]]


def synthetic_drug(n: int, rng: random.Random, conditions: list[str], effects: list[str]) -> dict:  # type: ignore[type-arg]
    source = "synthetic-source"
    label = f"{n:05d}"
    reactions = []
    for effect in rng.sample(effects, 30):
        low = round(rng.uniform(0, 20), 1)
        reactions.append(
            {
                "effect": effect,
                "incidence_low_pct": low,
                "incidence_high_pct": round(low + rng.uniform(0, 20), 1),
                "placebo_pct": round(rng.uniform(0, 5), 1),
                "serious": rng.random() < 0.1,
                "system_organ_class": "Synthetic disorders",
                "wording": "synthetic test data",
                "source": source,
                "section": "6 ADVERSE REACTIONS",
                "evidence": "SYNTHETIC TEST DATA, not a label quote",
            }
        )
    return {
        "id": f"synthetic-{label}",
        "generic_name": f"synthetic drug {label}",
        "brand_names": [f"Synthbrand {label}"],
        "synonyms": [f"SYN-{label}"],
        "drug_class": "Synthetic Test Class [EPC]",
        "atc_codes": [],
        "routes": ["oral"],
        "is_synthetic": True,
        "sources": [
            {
                "id": source,
                "kind": "secondary",
                "title": "SYNTHETIC TEST DATA, not a drug label",
                "publisher": "druginfo benchmarks",
                "url": "https://example.invalid/synthetic",
                "version": "synthetic",
            }
        ],
        "products": [
            {
                "id": "tablet",
                "name": f"Synthbrand {label} tablets",
                "form": "tablet",
                "route": "oral",
                "strengths_mg": [5, 10, 20],
                "scored": True,
                "source": source,
                "section": "16 HOW SUPPLIED",
                "evidence": "SYNTHETIC TEST DATA, not a label quote",
            }
        ],
        "indications": [
            {
                "condition": c,
                "labeled": True,
                "status": "indicated",
                "source": source,
                "section": "1 INDICATIONS AND USAGE",
                "evidence": "SYNTHETIC TEST DATA, not a label quote",
            }
            for c in rng.sample(conditions, 3)
        ],
        "adverse_reactions": reactions,
        "precautions": [
            {
                "category": "warning",
                "title": f"Synthetic warning {i}",
                "detail": "synthetic test data",
                "source": source,
                "section": "5 WARNINGS AND PRECAUTIONS",
                "evidence": "SYNTHETIC TEST DATA, not a label quote",
            }
            for i in range(8)
        ],
        "regimens": [
            {
                "id": "synthetic",
                "name": "synthetic titration",
                "indication": conditions[0],
                "population": "synthetic",
                "product": "tablet",
                "source": source,
                "section": "2 DOSAGE",
                "evidence": "SYNTHETIC TEST DATA, not a label quote",
                "steps": [
                    {"dose_mg": 5 * k, "times_per_day": 3, "duration_days": 3} for k in range(1, 5)
                ],
                "max_dose_mg": 20,
                "max_daily_mg": 80,
            }
        ],
    }


def generate(count: int, out: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    conditions, effects = _terms("conditions"), _terms("effects")
    (out / "drugs").mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        ROOT / "data" / "vocabulary",
        out / "vocabulary",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.lock", "*.tmp"),
    )
    for n in range(count):
        drug = synthetic_drug(n, rng, conditions, effects)
        (out / "drugs" / f"{drug['id']}.json").write_text(json.dumps(drug), encoding="utf-8")
    return out


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
