"""The engine, called directly: label schedules of every regimen in data/, and properties."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.catalog.models import Drug, Product, Regimen
from app.domain import titration as t

DATA = Path(__file__).resolve().parents[2] / "data" / "drugs"
DRUGS = [
    Drug.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.json"))
]
REGIMENS = [pytest.param(d, r, id=f"{d.id}:{r.id}") for d in DRUGS for r in d.regimens]
BACLOFEN = next(d for d in DRUGS if d.id == "baclofen")
BACLOFEN_REGIMEN = BACLOFEN.regimens[0]
TABLETS = BACLOFEN.products[0]

# A regimen with a rule and kidney bands, written here so the properties do not depend on how
# complete any one label's data is.
RULED = Regimen.model_validate(
    {
        "id": "ruled",
        "name": "test regimen",
        "indication": "epilepsy",
        "population": "adults",
        "source": "s",
        "section": "2",
        "steps": [
            {"dose_mg": 25, "times_per_day": 1, "period_days": 2, "duration_days": 14},
            {"dose_mg": 25, "times_per_day": 1, "period_days": 1, "duration_days": 14},
        ],
        "rule": {
            "increment_daily_mg": 50,
            "interval_days": 7,
            "times_per_day": 2,
            "target_min_daily_mg": 100,
            "target_max_daily_mg": 400,
        },
        "max_dose_mg": 200,
        "max_daily_mg": 400,
        "renal": {
            "source": "s",
            "section": "2.3",
            "bands": [
                {"crcl_min_ml_min": 0, "crcl_max_ml_min": 15, "not_recommended": True},
                {
                    "crcl_min_ml_min": 15,
                    "crcl_max_ml_min": 30,
                    "max_daily_mg": 50,
                    "doses_per_day": 1,
                },
                {"crcl_min_ml_min": 30, "max_daily_mg": 400},
            ],
        },
        "taper": {
            "labeled": True,
            "step_fraction": 0.5,
            "interval_days": 7,
            "min_duration_days": 14,
            "note": "n",
            "source": "s",
            "section": "2.4",
        },
    }
)


def _contiguous(plan: t.Plan) -> None:
    assert plan.steps[0].day_start == 1
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert before.day_end + 1 == after.day_start
        assert before.step + 1 == after.step


def _product(drug: Drug, regimen: Regimen) -> Product | None:
    return next((p for p in drug.products if p.id == regimen.product), None)


@pytest.mark.parametrize(("drug", "regimen"), REGIMENS)
def test_label_schedule_of_every_regimen_follows_the_label_within_its_maxima(
    drug: Drug, regimen: Regimen
) -> None:
    plan = t.plan(regimen, t.Request(), _product(drug, regimen))
    _contiguous(plan)
    label = [(s.dose_mg, s.times_per_day, s.period_days, s.duration_days) for s in regimen.steps]
    produced = [
        (s.dose_mg, s.times_per_day, s.period_days, s.day_end - s.day_start + 1) for s in plan.steps
    ]
    # The label's fixed steps come first, unchanged (up to the label's own target).
    assert produced[: len(label)] == label[: len(produced)]
    for step in plan.steps:
        assert step.dosing_day_mg <= regimen.max_daily_mg + 1e-9
        if regimen.max_dose_mg is not None:
            assert step.dose_mg <= regimen.max_dose_mg + 1e-9


def test_baclofen_label_schedule_is_5_10_15_20_mg_tid_from_days_1_4_7_10() -> None:
    plan = t.plan(BACLOFEN_REGIMEN, t.Request(), TABLETS)
    assert [(s.day_start, s.dose_mg, s.times_per_day) for s in plan.steps] == [
        (1, 5, 3),
        (4, 10, 3),
        (7, 15, 3),
        (10, 20, 3),
    ]
    assert plan.max_daily_mg == 80
    assert all(s.daily_mg <= 80 for s in plan.steps)


def test_titration_refuses_dose_above_label_max() -> None:
    request = t.Request(
        start_daily_mg=15, step_daily_mg=15, interval_days=3, target_daily_mg=90, doses_per_day=3
    )
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    assert caught.value.name == "max_daily_mg"
    assert caught.value.limit_mg == 80
    assert caught.value.fact is BACLOFEN_REGIMEN


def test_titration_refuses_dose_above_per_dose_max() -> None:
    # 75 mg/day in 3 doses is 25 mg per dose, above baclofen's 20 mg per dose.
    request = t.Request(
        start_daily_mg=15, step_daily_mg=15, interval_days=3, target_daily_mg=75, doses_per_day=3
    )
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    assert caught.value.name == "max_dose_mg"


def test_baclofen_taper_from_60_ends_at_zero_and_never_increases() -> None:
    plan = t.plan(
        BACLOFEN_REGIMEN, t.Request(direction=t.Direction.down, current_daily_mg=60), TABLETS
    )
    dailies = [s.daily_mg for s in plan.steps]
    assert dailies[0] == 60 and dailies[-1] == 0
    assert dailies == sorted(dailies, reverse=True)
    assert any("slowly" in w.text for w in plan.warnings)


def test_target_beyond_the_label_schedule_without_a_rule_is_refused() -> None:
    with pytest.raises(t.TitrationError, match="names no further increments"):
        t.plan(BACLOFEN_REGIMEN, t.Request(target_daily_mg=80), TABLETS)


def test_kidney_band_lowers_the_default_target_and_says_so() -> None:
    assert t.plan(RULED, t.Request()).steps[-1].daily_mg == 100  # the rule's lowest target
    plan = t.plan(RULED, t.Request(patient=t.Patient(crcl_ml_min=20)))
    assert max(s.daily_mg for s in plan.steps) == 50
    assert plan.max_daily_mg == 50
    assert all(s.times_per_day == 1 for s in plan.steps)
    assert any("lowered" in w.text and w.fact is RULED.renal for w in plan.warnings)


def test_kidney_band_refuses_an_explicit_target_above_its_maximum() -> None:
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(RULED, t.Request(target_daily_mg=200, patient=t.Patient(crcl_ml_min=20)))
    assert caught.value.name == "renal_max_daily_mg"
    assert caught.value.fact is RULED.renal


def test_kidney_band_not_recommended_is_refused() -> None:
    with pytest.raises(t.LimitExceeded, match="does not recommend"):
        t.plan(RULED, t.Request(patient=t.Patient(crcl_ml_min=10)))


def test_cockcroft_gault_inputs_select_the_band() -> None:
    # (140-80)*50/(72*2.0) = 20.8 mL/min -> the 15-30 band.
    patient = t.Patient(
        age_years=80, weight_kg=50, sex=t.kidney.Sex.male, serum_creatinine_mg_dl=2.0
    )
    plan = t.plan(RULED, t.Request(patient=patient))
    assert plan.crcl_ml_min == pytest.approx(20.8, abs=0.1)
    assert plan.renal_band is not None and plan.renal_band.max_daily_mg == 50


def test_partial_cockcroft_gault_inputs_are_refused() -> None:
    with pytest.raises(t.TitrationError, match="Cockcroft-Gault"):
        t.plan(RULED, t.Request(patient=t.Patient(age_years=80)))


def test_every_other_day_step_is_kept_and_averaged() -> None:
    plan = t.plan(RULED, t.Request())
    first = plan.steps[0]
    assert (first.period_days, first.daily_mg, first.dosing_day_mg) == (2, 12.5, 25)


def test_rule_continues_after_the_fixed_steps_to_the_target() -> None:
    plan = t.plan(RULED, t.Request(target_daily_mg=200))
    assert [s.daily_mg for s in plan.steps] == [12.5, 25, 75, 125, 175, 200]
    assert all(s.times_per_day == 2 for s in plan.steps[2:])


def test_lengthens_taper_to_the_labels_minimum_duration() -> None:
    plan = t.plan(RULED, t.Request(direction=t.Direction.down, current_daily_mg=100))
    nonzero = [s for s in plan.steps if s.daily_mg > 0]
    assert nonzero[-1].day_end >= 14
    assert plan.steps[-1].daily_mg == 0


def test_units_per_dose_use_whole_or_half_tablets() -> None:
    assert t.units_for(15, 10, halves=True) == 1.5
    assert t.units_for(15, 10, halves=False) is None
    assert t.units_for(20, 10, halves=False) == 2
    assert t.units_for(0, 10, halves=False) == 0


def test_a_strength_the_product_does_not_have_is_refused() -> None:
    with pytest.raises(t.TitrationError, match="is not a strength"):
        t.plan(BACLOFEN_REGIMEN, t.Request(strength_mg=7), TABLETS)


def test_start_date_gives_contiguous_dates() -> None:
    start = date(2026, 12, 1)
    plan = t.plan(BACLOFEN_REGIMEN, t.Request(start_date=start), TABLETS)
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
    request = t.Request(
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
    dailies = [s.daily_mg for s in plan.steps]
    assert dailies == sorted(dailies)
    assert dailies[-1] == pytest.approx(target)
    assert all(s.dosing_day_mg <= 80 + 1e-9 and s.dose_mg <= 20 + 1e-9 for s in plan.steps)
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
    request = t.Request(
        direction=t.Direction.down,
        current_daily_mg=current,
        step_daily_mg=step,
        interval_days=interval,
    )
    plan = t.plan(BACLOFEN_REGIMEN, request, TABLETS)
    dailies = [s.daily_mg for s in plan.steps]
    assert dailies[0] == pytest.approx(current, abs=1e-3)
    assert dailies == sorted(dailies, reverse=True)
    assert dailies[-1] == 0
    _contiguous(plan)


@settings(max_examples=200)
@given(
    crcl=st.floats(min_value=15, max_value=250),
    target=st.one_of(st.none(), st.integers(13, 400).map(float)),
)
def test_renal_plans_never_exceed_any_maximum(crcl: float, target: float | None) -> None:
    try:
        plan = t.plan(RULED, t.Request(target_daily_mg=target, patient=t.Patient(crcl_ml_min=crcl)))
    except t.LimitExceeded as exc:
        assert target is not None and target > exc.limit_mg
        return
    band_max = plan.renal_band.max_daily_mg if plan.renal_band else None
    for s in plan.steps:
        assert s.dosing_day_mg <= 400 + 1e-9 and s.dose_mg <= 200 + 1e-9
        if band_max is not None:
            assert s.dosing_day_mg <= band_max + 1e-9
    _contiguous(plan)


def test_every_regimen_in_data_serializes_its_label_schedule_the_same_way_twice() -> None:
    for drug in DRUGS:
        for regimen in drug.regimens:
            one = t.plan(regimen, t.Request(), _product(drug, regimen))
            two = t.plan(regimen, t.Request(), _product(drug, regimen))
            assert json.dumps([vars(s) for s in one.steps], default=str) == json.dumps(
                [vars(s) for s in two.steps], default=str
            )


def test_taper_from_above_the_maximum_is_refused() -> None:
    with pytest.raises(t.LimitExceeded):
        t.plan(
            BACLOFEN_REGIMEN, t.Request(direction=t.Direction.down, current_daily_mg=90), TABLETS
        )
