"""Checks over the real data files that no validator makes: the seed article, and the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalog import loader
from app.catalog.models import Drug
from app.domain import titration
from app.readmodel import DrugEntry
from tests.support import shipped_drugs

DATA = Path(__file__).resolve().parents[2] / "data"
CATALOG = loader.load_catalog(DATA)
DRUGS = {d.id: d for d in CATALOG.drugs}
ENTRIES = shipped_drugs()


def test_every_seed_article_claim_about_baclofen_is_recorded() -> None:
    baclofen: Drug = DRUGS["baclofen"]
    claims = " ".join(c.claim.lower() for c in baclofen.claims)
    for words in (
        "cerebral palsy",
        "5-10 mg",
        "back or neck pain",
        "scar tissue",
        "5 mg once daily",
        "with food",
        "sudden stops",
        "drowsiness",
        "trouble breathing",
        "kidney",
        "heart",
        "physical therapy",
        "alcohol",
    ):
        assert words in claims, words
    statuses = {i.condition: i.status.value for i in baclofen.indications}
    assert statuses["alcohol use disorder"] == "off_label"
    assert statuses["low back pain"] == "off_label"
    assert statuses["neck pain"] == "off_label"
    assert statuses["postoperative muscle stiffness"] == "unsupported"


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if any(r.kidney for r in e.regimens)], ids=lambda e: e.id
)
def test_default_schedule_in_every_kidney_band_stays_within_the_band(entry: DrugEntry) -> None:
    for regimen in entry.regimens:
        if regimen.kidney is None:
            continue
        product = entry.products.get(regimen.product_id)
        for band in regimen.kidney.bands:
            if band.not_recommended:
                continue
            crcl = band.crcl_min_ml_min + 0.5
            weight = 70.0 if regimen.per_kg is not None else None
            request = titration.PlanRequest(
                patient=titration.Patient(crcl_ml_min=crcl, weight_kg=weight)
            )
            try:
                plan = titration.plan(regimen, request, product)
            except titration.TitrationError as exc:
                # A band whose dose the product cannot make is refused, never exceeded.
                assert "cannot be made" in str(exc), (regimen.id, crcl, exc)
                continue
            for step in plan.steps:
                assert (
                    band.max_daily_mg is None or step.dosing_day_mg <= band.max_daily_mg + 1e-9
                ), (regimen.id, crcl)
