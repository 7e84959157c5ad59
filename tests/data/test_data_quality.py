"""Checks over every real data file (issue 4): what a contributor's file must satisfy."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalog import loader
from app.catalog.models import Drug
from app.domain import titration

DATA = Path(__file__).resolve().parents[2] / "data"
CATALOG = loader.load_catalog(DATA)
DRUGS = {d.id: d for d in CATALOG.drugs}
IDS = sorted(DRUGS)


@pytest.mark.parametrize("drug_id", IDS)
def test_every_drug_has_a_labeled_indication(drug_id: str) -> None:
    assert any(i.labeled for i in DRUGS[drug_id].indications)


@pytest.mark.parametrize("drug_id", IDS)
def test_every_fact_names_a_known_source_and_section(drug_id: str) -> None:
    drug = DRUGS[drug_id]
    known = {s.id for s in drug.sources}
    for path, fact in drug.facts():
        assert fact.source in known, path
        assert fact.section.strip(), path


@pytest.mark.parametrize("drug_id", IDS)
def test_every_label_source_is_dated_or_versioned(drug_id: str) -> None:
    for source in DRUGS[drug_id].sources:
        assert source.version or source.effective_date, source.id
        assert source.url.startswith("https://"), source.id


@pytest.mark.parametrize("drug_id", IDS)
def test_incidences_are_percentages_with_low_not_above_high(drug_id: str) -> None:
    for ar in DRUGS[drug_id].adverse_reactions:
        for value in (ar.incidence_low_pct, ar.incidence_high_pct, ar.placebo_pct):
            assert value is None or 0 <= value <= 100
        if ar.incidence_low_pct is not None and ar.incidence_high_pct is not None:
            assert ar.incidence_low_pct <= ar.incidence_high_pct


@pytest.mark.parametrize("drug_id", IDS)
def test_regimens_have_a_maximum_and_a_label_schedule_within_it(drug_id: str) -> None:
    drug = DRUGS[drug_id]
    for regimen in drug.regimens:
        assert regimen.max_daily_mg > 0
        product = next((p for p in drug.products if p.id == regimen.product), None)
        plan = titration.plan(regimen, titration.Request(), product)
        for step in plan.steps:
            assert step.dosing_day_mg <= regimen.max_daily_mg + 1e-9, (regimen.id, step)
            if regimen.max_dose_mg is not None:
                assert step.dose_mg <= regimen.max_dose_mg + 1e-9, (regimen.id, step)


@pytest.mark.parametrize("drug_id", IDS)
def test_kidney_bands_neither_overlap_nor_leave_gaps(drug_id: str) -> None:
    for regimen in DRUGS[drug_id].regimens:
        if regimen.renal is None:
            continue
        bands = sorted(regimen.renal.bands, key=lambda b: b.crcl_min_ml_min)
        for lower, upper in zip(bands, bands[1:], strict=False):
            assert lower.crcl_max_ml_min == upper.crcl_min_ml_min, regimen.id
        assert bands[-1].crcl_max_ml_min is None, regimen.id


def test_brand_names_are_unique_across_drugs() -> None:
    seen: dict[str, str] = {}
    for drug in DRUGS.values():
        for brand in drug.brand_names:
            key = brand.casefold()
            assert key not in seen or seen[key] == drug.id, (
                f"{brand}: {seen.get(key)} and {drug.id}"
            )
            seen[key] = drug.id


def test_file_names_match_ids() -> None:
    assert sorted(p.stem for p in (DATA / "drugs").glob("*.json")) == IDS


def test_not_indicated_and_off_label_uses_explain_themselves() -> None:
    for drug in DRUGS.values():
        for indication in drug.indications:
            if not indication.labeled:
                assert indication.note, (drug.id, indication.condition)


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


@pytest.mark.parametrize("drug_id", [d for d in IDS if any(r.renal for r in DRUGS[d].regimens)])
def test_default_schedule_in_every_kidney_band_stays_within_the_band(drug_id: str) -> None:
    drug = DRUGS[drug_id]
    for regimen in drug.regimens:
        if regimen.renal is None:
            continue
        product = next((p for p in drug.products if p.id == regimen.product), None)
        for band in regimen.renal.bands:
            if band.not_recommended:
                continue
            crcl = band.crcl_min_ml_min + 0.5
            plan = titration.plan(
                regimen, titration.Request(patient=titration.Patient(crcl_ml_min=crcl)), product
            )
            for step in plan.steps:
                assert (
                    band.max_daily_mg is None or step.dosing_day_mg <= band.max_daily_mg + 1e-9
                ), (regimen.id, crcl)
