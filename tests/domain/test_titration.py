"""The engine, called directly: label schedules of every regimen in data/, and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain import kidney
from app.domain import titration as t
from app.domain.regimen import (
    Citation,
    Increment,
    KidneyBand,
    KidneyDosing,
    ProductSpec,
    RegimenSpec,
    ScheduleStep,
    TaperSpec,
)
from app.readmodel import DrugEntry
from tests.support import shipped_drugs

ENTRIES = shipped_drugs()
REGIMENS = [pytest.param(e, r, id=f"{e.id}:{r.id}") for e in ENTRIES for r in e.regimens]
BACLOFEN = next(e for e in ENTRIES if e.id == "baclofen")
BACLOFEN_REGIMEN = BACLOFEN.regimens[0]
TABLETS = BACLOFEN.products[BACLOFEN_REGIMEN.product_id or ""]

# A regimen with a rule, kidney bands and a taper, written here so the properties do not depend
# on how complete any one label's data is.
RENAL = Citation("s", "2.3")
TAPER = Citation("s", "2.4")
RULED = RegimenSpec(
    id="ruled",
    name="test regimen",
    indication="epilepsy",
    population="adults",
    citation=Citation("s", "2"),
    steps=(ScheduleStep(25, 1, 2, 14), ScheduleStep(25, 1, 1, 14)),
    increment=Increment(50, 7, 2, 100, 400),
    max_dose_mg=200,
    max_daily_mg=400,
    kidney=KidneyDosing(
        (
            KidneyBand(0, 15, not_recommended=True),
            KidneyBand(15, 30, max_daily_mg=50, doses_per_day=1),
            KidneyBand(30, None, max_daily_mg=400),
        ),
        RENAL,
    ),
    taper=TaperSpec(
        labeled=True,
        step_fraction=0.5,
        interval_days=7,
        min_duration_days=14,
        note="n",
        citation=TAPER,
    ),
)


def _contiguous(plan: t.Plan) -> None:
    assert plan.steps[0].day_start == 1
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert before.day_end + 1 == after.day_start
        assert before.step + 1 == after.step


def _typical(regimen: RegimenSpec) -> t.PlanRequest:
    """A request for the regimen's own population: an mg/kg regimen needs a weight (25 kg for a
    paediatric one, else 70 kg)."""
    if regimen.per_kg is None:
        return t.PlanRequest()
    young = any(w in regimen.population.casefold() for w in ("pediatric", "child", " kg"))
    weight = 25.0 if young else 70.0
    return t.PlanRequest(patient=t.Patient(weight_kg=weight))


def _product(drug: DrugEntry, regimen: RegimenSpec) -> ProductSpec | None:
    return drug.products.get(regimen.product_id) if regimen.product_id else None


@pytest.mark.parametrize(("drug", "regimen"), REGIMENS)
def test_label_schedule_of_every_regimen_follows_the_label_within_its_maxima(
    drug: DrugEntry, regimen: RegimenSpec
) -> None:
    plan = t.plan(regimen, _typical(regimen), _product(drug, regimen))
    _contiguous(plan)
    label = [(s.dose_mg, s.times_per_day, s.period_days, s.duration_days) for s in regimen.steps]
    produced = [
        (s.dose_mg, s.times_per_day, s.period_days, s.day_end - s.day_start + 1) for s in plan.steps
    ]
    # The label's fixed steps come first, unchanged (up to the label's own target).
    assert produced[: len(label)] == label[: len(produced)]
    for step in plan.steps:
        assert step.dosing_day_mg <= plan.max_daily_mg + 1e-9
        if regimen.max_dose_mg is not None:
            assert step.dose_mg <= regimen.max_dose_mg + 1e-9


def test_baclofen_label_schedule_is_5_10_15_20_mg_tid_from_days_1_4_7_10() -> None:
    plan = t.plan(BACLOFEN_REGIMEN, t.PlanRequest(), TABLETS)
    assert [(s.day_start, s.dose_mg, s.times_per_day) for s in plan.steps] == [
        (1, 5, 3),
        (4, 10, 3),
        (7, 15, 3),
        (10, 20, 3),
    ]
    assert plan.max_daily_mg == 80
    assert all(s.daily_mg <= 80 for s in plan.steps)


def test_titration_refuses_dose_above_label_max() -> None:
    request = t.PlanRequest(
        start_daily_mg=15, step_daily_mg=15, interval_days=3, target_daily_mg=90, doses_per_day=3
    )
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    assert caught.value.name == "max_daily_mg"
    assert caught.value.limit_mg == 80
    assert caught.value.citation == BACLOFEN_REGIMEN.citation


def test_titration_refuses_dose_above_per_dose_max() -> None:
    # 75 mg/day in 3 doses is 25 mg per dose, above baclofen's 20 mg per dose.
    request = t.PlanRequest(
        start_daily_mg=15, step_daily_mg=15, interval_days=3, target_daily_mg=75, doses_per_day=3
    )
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    assert caught.value.name == "max_dose_mg"


def test_baclofen_taper_from_60_ends_at_zero_and_never_increases() -> None:
    plan = t.plan(
        BACLOFEN_REGIMEN, t.PlanRequest(direction=t.Direction.down, current_daily_mg=60), TABLETS
    )
    dailies = [s.daily_mg for s in plan.steps]
    assert dailies[0] == 60 and dailies[-1] == 0
    assert dailies == sorted(dailies, reverse=True)
    assert any("slowly" in w.text for w in plan.warnings)


def test_target_beyond_the_label_schedule_without_a_rule_is_refused() -> None:
    with pytest.raises(t.TitrationError, match="names no further increments"):
        t.plan(BACLOFEN_REGIMEN, t.PlanRequest(target_daily_mg=80), TABLETS)


def test_kidney_band_lowers_the_default_target_and_says_so() -> None:
    assert t.plan(RULED, t.PlanRequest()).steps[-1].daily_mg == 100  # the rule's lowest target
    plan = t.plan(RULED, t.PlanRequest(patient=t.Patient(crcl_ml_min=20)))
    assert max(s.daily_mg for s in plan.steps) == 50
    assert plan.max_daily_mg == 50
    assert all(s.times_per_day == 1 for s in plan.steps)
    assert any("lowered" in w.text and w.citation == RENAL for w in plan.warnings)


def test_kidney_band_refuses_an_explicit_target_above_its_maximum() -> None:
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(RULED, t.PlanRequest(target_daily_mg=200, patient=t.Patient(crcl_ml_min=20)))
    assert caught.value.name == "renal_max_daily_mg"
    assert caught.value.citation == RENAL


def test_kidney_band_not_recommended_is_refused() -> None:
    with pytest.raises(t.LimitExceeded, match="does not recommend"):
        t.plan(RULED, t.PlanRequest(patient=t.Patient(crcl_ml_min=10)))


def test_cockcroft_gault_inputs_select_the_band() -> None:
    # (140-80)*50/(72*2.0) = 20.8 mL/min -> the 15-30 band.
    patient = t.Patient(
        age_years=80, weight_kg=50, sex=t.kidney.Sex.male, serum_creatinine_mg_dl=2.0
    )
    plan = t.plan(RULED, t.PlanRequest(patient=patient))
    assert plan.crcl_ml_min == pytest.approx(20.8, abs=0.1)
    assert plan.renal_band is not None and plan.renal_band.max_daily_mg == 50


def test_partial_cockcroft_gault_inputs_are_refused() -> None:
    with pytest.raises(t.TitrationError, match="Cockcroft-Gault"):
        t.plan(RULED, t.PlanRequest(patient=t.Patient(age_years=80, serum_creatinine_mg_dl=1.2)))


def test_every_other_day_step_is_kept_and_averaged() -> None:
    plan = t.plan(RULED, t.PlanRequest())
    first = plan.steps[0]
    assert (first.period_days, first.daily_mg, first.dosing_day_mg) == (2, 12.5, 25)


def test_rule_continues_after_the_fixed_steps_to_the_target() -> None:
    plan = t.plan(RULED, t.PlanRequest(target_daily_mg=200))
    assert [s.daily_mg for s in plan.steps] == [12.5, 25, 75, 125, 175, 200]
    assert all(s.times_per_day == 2 for s in plan.steps[2:])


def test_lengthens_taper_intervals_to_the_labels_minimum_duration() -> None:
    # 50 % steps from 100 mg/day: 100 then 50 then stop, two levels. At the label's 7-day
    # interval that is 14 days; a 28-day minimum lengthens each interval to 14 days.
    slow = replace(RULED, taper=replace(RULED.taper, min_duration_days=28))  # type: ignore[type-var]
    plan = t.plan(slow, t.PlanRequest(direction=t.Direction.down, current_daily_mg=100))
    assert [(s.daily_mg, s.day_end - s.day_start + 1) for s in plan.steps] == [
        (100, 14),
        (50, 14),
        (0, 1),
    ]
    assert any("lengthened to 14 days" in w.text and w.citation == TAPER for w in plan.warnings)


def test_taper_keeps_the_label_interval_when_it_already_lasts_long_enough() -> None:
    plan = t.plan(RULED, t.PlanRequest(direction=t.Direction.down, current_daily_mg=100))
    assert [s.day_end - s.day_start + 1 for s in plan.steps] == [7, 7, 1]
    assert not any("lengthened" in w.text for w in plan.warnings)


def test_a_strength_the_product_does_not_have_is_refused() -> None:
    with pytest.raises(t.TitrationError, match="is not a strength"):
        t.plan(BACLOFEN_REGIMEN, t.PlanRequest(strength_mg=7), TABLETS)


def test_start_date_gives_contiguous_dates() -> None:
    start = date(2026, 12, 1)
    plan = t.plan(BACLOFEN_REGIMEN, t.PlanRequest(start_date=start), TABLETS)
    assert plan.steps[0].start_date == start
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert before.end_date is not None and after.start_date == before.end_date + timedelta(
            days=1
        )


daily = st.integers(min_value=1, max_value=80).map(float)


@settings(max_examples=200)
@given(start=daily, step=daily, target=daily, interval=st.integers(1, 30), doses=st.integers(1, 4))
def test_custom_up_plan_is_monotonic_reaches_target_or_is_refused(
    start: float, step: float, target: float, interval: int, doses: int
) -> None:
    assume(start <= target)
    request = t.PlanRequest(
        start_daily_mg=start,
        step_daily_mg=step,
        interval_days=interval,
        target_daily_mg=target,
        doses_per_day=doses,
    )
    try:
        plan = t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    except t.LimitExceeded as exc:
        # Refused only when some step really is above a maximum.
        assert target > 80 or target / doses > 20 or exc.requested_mg > exc.limit_mg
        return
    except t.TitrationError as exc:
        # Or when a dose is below the smallest tablet (5 mg, not scored).
        assert "cannot be made" in str(exc) and min(start, target) / doses < 5
        return
    dailies = [s.daily_mg for s in plan.steps]
    assert dailies == sorted(dailies)
    # Rounded down to what 5, 10 and 20 mg tablets make: within one 5 mg tablet per dose.
    assert target - 5 * doses - 1e-9 < dailies[-1] <= target + 1e-9
    assert all(s.dosing_day_mg <= 80 + 1e-9 and s.dose_mg <= 20 + 1e-9 for s in plan.steps)
    for s in plan.steps:
        assert sum(u.strength_mg * u.count for u in s.units) == pytest.approx(s.dose_mg)
    _contiguous(plan)


@settings(max_examples=200)
@given(
    current=st.floats(min_value=1, max_value=60),
    step=st.one_of(st.none(), daily),
    interval=st.one_of(st.none(), st.integers(1, 30)),
)
def test_taper_never_increases_and_ends_at_zero(
    current: float, step: float | None, interval: int | None
) -> None:
    request = t.PlanRequest(
        direction=t.Direction.down,
        current_daily_mg=current,
        step_daily_mg=step,
        interval_days=interval,
    )
    plan = t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    dailies = [s.daily_mg for s in plan.steps]
    assert dailies[0] <= current + 1e-9
    assert dailies == sorted(dailies, reverse=True)
    assert dailies[-1] == 0
    for s in plan.steps:
        assert sum(u.strength_mg * u.count for u in s.units) == pytest.approx(s.dose_mg)
    _contiguous(plan)


@settings(max_examples=200)
@given(
    crcl=st.floats(min_value=15, max_value=250),
    target=st.one_of(st.none(), st.integers(13, 400).map(float)),
)
def test_renal_plans_never_exceed_any_maximum(crcl: float, target: float | None) -> None:
    try:
        plan = t.plan(
            RULED, t.PlanRequest(target_daily_mg=target, patient=t.Patient(crcl_ml_min=crcl))
        )
    except t.LimitExceeded as exc:
        # Only an explicit target above the band's (or the label's) maximum is refused.
        band = kidney.band_for(crcl, RULED.kidney.bands)  # type: ignore[union-attr]
        assert band is not None
        assert target is not None and exc.limit_mg in (band.max_daily_mg, 400)
        assert target > exc.limit_mg
        return
    band_max = plan.renal_band.max_daily_mg if plan.renal_band else None
    for s in plan.steps:
        assert s.dosing_day_mg <= 400 + 1e-9 and s.dose_mg <= 200 + 1e-9
        if band_max is not None:
            assert s.dosing_day_mg <= band_max + 1e-9
    _contiguous(plan)


def test_taper_from_above_the_maximum_is_refused() -> None:
    with pytest.raises(t.LimitExceeded):
        t.plan(
            BACLOFEN_REGIMEN,
            t.PlanRequest(direction=t.Direction.down, current_daily_mg=90),
            TABLETS,
        )
