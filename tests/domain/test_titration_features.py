"""The planner as a clinician needs it: units per step, mg/kg, population and band limits,
band starts, recommended versus maximum, proportional tapers. Regimens written here keep the
numbers visible next to the assertions; the shipped labels are exercised in test_titration."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import titration as t
from app.domain import units
from app.domain.regimen import (
    Citation,
    DoseLimit,
    HepaticBand,
    HepaticDosing,
    Increment,
    KidneyBand,
    KidneyDosing,
    PerKg,
    ProductSpec,
    RegimenSpec,
    ScheduleStep,
    TaperSpec,
)

LABEL = Citation("label", "2.1", 'titrate "up to 80 mg daily (20 mg four times a day)"')
KIDNEY = Citation("label", "2.3")
LIVER = Citation("label", "2.4")
WEIGHT = Citation("label", "2.5")

# Baclofen-like: 5 mg t.i.d., +5 mg per dose every 3 days to 20 mg t.i.d.; 5, 10, 20 mg tablets.
TABLETS = ProductSpec("tabs", "tablets", "tablet", (5, 10, 20), scored=False)
SCORED = replace(TABLETS, scored=True)
SOLUTION = ProductSpec("sol", "oral solution 1 mg/mL", "oral solution", (), 1.0)
BACLOFEN = RegimenSpec(
    id="spasticity",
    name="spasticity",
    indication="spasticity",
    population="adults",
    citation=LABEL,
    steps=(
        ScheduleStep(5, 3, 1, 3),
        ScheduleStep(10, 3, 1, 3),
        ScheduleStep(15, 3, 1, 3),
        ScheduleStep(20, 3, 1, 3),
    ),
    target_daily_mg=60,
    max_dose_mg=20,
    max_daily_mg=80,
    product_id="tabs",
    taper=TaperSpec(labeled=False, step_daily_mg=15, interval_days=7, note="n", citation=LABEL),
)
# Gabapentin-like kidney table: >= 60 up to 3600; [30, 60) 1400; [15, 30) 700;
# [0, 15] reduced in proportion to CrCl from 300 mg/day at 15 mL/min.
GABAPENTIN = RegimenSpec(
    id="phn",
    name="postherpetic neuralgia",
    indication="postherpetic neuralgia",
    population="adults",
    citation=LABEL,
    steps=(ScheduleStep(300, 1, 1, 1), ScheduleStep(300, 2, 1, 1), ScheduleStep(300, 3, 1, 1)),
    target_daily_mg=1800,
    max_daily_mg=1800,
    product_id="caps",
    kidney=KidneyDosing(
        (
            KidneyBand(
                0,
                15,
                min_daily_mg=100,
                max_daily_mg=300,
                doses_per_day=1,
                crcl_max_inclusive=True,
                proportional_to_ml_min=15,
            ),
            KidneyBand(15, 30, min_daily_mg=200, max_daily_mg=700, doses_per_day=1),
            KidneyBand(30, 60, min_daily_mg=400, max_daily_mg=1400, doses_per_day=2),
            KidneyBand(60, None, min_daily_mg=900, max_daily_mg=3600, doses_per_day=3),
        ),
        KIDNEY,
    ),
)
CAPSULES = ProductSpec("caps", "capsules", "capsule", (100, 300, 400))


def _dailies(plan: t.Plan) -> list[float]:
    return [s.daily_mg for s in plan.steps]


def _units_add_up(plan: t.Plan) -> None:
    for s in plan.steps:
        if s.volume_ml is not None or s.dose_mg == 0:
            continue
        assert sum(u.strength_mg * u.count for u in s.units) == pytest.approx(s.dose_mg), s


# --- the three unsafe answers --------------------------------------------------------------


@pytest.mark.parametrize(("crcl", "max_daily"), [(4, 80), (7.5, 150), (15, 300), (10, 200)])
def test_clearance_below_the_table_reduces_the_dose_in_proportion(
    crcl: float, max_daily: float
) -> None:
    solution = ProductSpec("caps", "oral solution 50 mg/mL", "oral solution", (), 50.0)
    plan = t.plan(GABAPENTIN, t.PlanRequest(patient=t.Patient(crcl_ml_min=crcl)), solution)
    assert plan.max_daily_mg == pytest.approx(max_daily)
    assert plan.steps[-1].daily_mg == pytest.approx(max_daily)
    assert all(s.dosing_day_mg <= max_daily + 1e-9 for s in plan.steps)
    assert any("in proportion" in w.text for w in plan.warnings)


def test_clearance_just_above_15_uses_the_next_band() -> None:
    plan = t.plan(GABAPENTIN, t.PlanRequest(patient=t.Patient(crcl_ml_min=15.5)), CAPSULES)
    assert plan.max_daily_mg == 700


def test_a_target_the_tablets_cannot_make_is_rounded_down_with_a_warning() -> None:
    plan = t.plan(BACLOFEN, t.PlanRequest(target_daily_mg=50), TABLETS)
    assert plan.steps[-1].dose_mg == 15 and plan.steps[-1].daily_mg == 45
    assert any("rounded down" in w.text and "16.6667 -> 15" in w.text for w in plan.warnings)
    _units_add_up(plan)


def test_a_dose_below_the_smallest_tablet_is_given_in_fewer_doses_or_refused() -> None:
    # 5 mg/day as three doses of 1.67 mg cannot be made; one 5 mg tablet a day can.
    plan = t.plan(BACLOFEN, t.PlanRequest(target_daily_mg=5), TABLETS)
    assert [(s.dose_mg, s.times_per_day) for s in plan.steps] == [(5, 1)]
    assert any("fewer doses a day" in w.text for w in plan.warnings)
    with pytest.raises(t.TitrationError, match="cannot be made"):
        t.plan(BACLOFEN, t.PlanRequest(target_daily_mg=2.5), TABLETS)


def test_a_target_below_the_starting_dose_is_said() -> None:
    plan = t.plan(BACLOFEN, t.PlanRequest(target_daily_mg=10, doses_per_day=1), TABLETS)
    assert _dailies(plan) == [10]
    assert any("below the label's starting dose" in w.text for w in plan.warnings)


# --- tablets per step ------------------------------------------------------------------------


def test_each_step_uses_the_fewest_tablets_of_mixed_strengths() -> None:
    plan = t.plan(BACLOFEN, t.PlanRequest(), TABLETS)
    made = [[(u.strength_mg, u.count) for u in s.units] for s in plan.steps]
    assert made == [[(5, 1)], [(10, 1)], [(10, 1), (5, 1)], [(20, 1)]]


def test_a_pinned_strength_makes_every_dose_from_it() -> None:
    plan = t.plan(BACLOFEN, t.PlanRequest(strength_mg=5), TABLETS)
    assert [[(u.strength_mg, u.count) for u in s.units] for s in plan.steps][-1] == [(5, 4)]


def test_half_tablets_only_for_scored_tablets() -> None:
    request = t.PlanRequest(target_daily_mg=22.5, allow_half_tablets=True)
    scored = t.plan(BACLOFEN, request, SCORED)
    assert scored.steps[-1].dose_mg == 7.5
    assert [(u.strength_mg, u.count) for u in scored.steps[-1].units] == [(5, 1.5)]
    plain = t.plan(BACLOFEN, request, TABLETS)
    assert plain.steps[-1].dose_mg == 5  # rounded down: 7.5 mg needs a half tablet


def test_an_oral_solution_gives_the_volume_per_dose() -> None:
    regimen = replace(BACLOFEN, product_id="sol")
    plan = t.plan(regimen, t.PlanRequest(), SOLUTION)
    assert [s.volume_ml for s in plan.steps] == [5, 10, 15, 20]


@settings(max_examples=300, deadline=None)
@given(
    dose=st.integers(1, 4000).map(lambda n: n / 4),
    strengths=st.lists(
        st.sampled_from([0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    halves=st.booleans(),
)
def test_units_add_up_to_the_dose_or_the_dose_cannot_be_made(
    dose: float, strengths: list[float], halves: bool
) -> None:
    made = units.make_dose(dose, tuple(strengths), "tablet", halves=halves)
    best = units.largest_makeable(dose, tuple(strengths), halves=halves)
    if made is not None:
        assert sum(u.strength_mg * u.count for u in made) == pytest.approx(dose)
        assert best == pytest.approx(dose)
        assert all(u.count == int(u.count) or halves for u in made)
    if best is not None:
        assert best <= dose + 1e-9
        assert units.make_dose(best, tuple(strengths), "tablet", halves=halves) is not None


def test_fewest_units_beats_the_largest_strength_first() -> None:
    # 60 mg from 25 and 30: two 30s, not 25 + 25 + ... (greedy would fail to make it).
    made = units.make_dose(60, (25, 30), "tablet", halves=False)
    assert made == (units.Unit(30, 2, "tablet"),)


# --- weight ---------------------------------------------------------------------------------

DIVALPROEX = RegimenSpec(
    id="epilepsy",
    name="complex partial seizures",
    indication="epilepsy",
    population="adults and children 10 years and older",
    citation=WEIGHT,
    per_kg=PerKg(
        start_mg_kg_day=10,
        step_mg_kg_day=5,
        interval_days=7,
        target_mg_kg_day=30,
        max_mg_kg_day=60,
        times_per_day=1,
    ),
    max_daily_mg=6000,
    product_id="er",
)
ER_TABLETS = ProductSpec("er", "ER tablets", "tablet", (250, 500))


def test_an_mg_per_kg_regimen_needs_the_weight() -> None:
    with pytest.raises(t.MissingInput) as caught:
        t.plan(DIVALPROEX, t.PlanRequest(), ER_TABLETS)
    assert caught.value.field_name == "patient.weight_kg"


def test_an_mg_per_kg_regimen_is_planned_from_the_weight_and_rounded_to_tablets() -> None:
    plan = t.plan(DIVALPROEX, t.PlanRequest(patient=t.Patient(weight_kg=70)), ER_TABLETS)
    # 10 mg/kg = 700 -> 500; +350 mg a week: 1050 -> 1000, 1400 -> 1250, 1750, 2100 -> 2000.
    assert _dailies(plan) == [500, 1000, 1250, 1750, 2000]
    assert plan.max_daily_mg == 4200  # 60 mg/kg at 70 kg
    _units_add_up(plan)


def test_an_mg_per_kg_target_above_the_per_kg_maximum_is_refused() -> None:
    request = t.PlanRequest(target_daily_mg=4500, patient=t.Patient(weight_kg=70))
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(DIVALPROEX, request, ER_TABLETS)
    assert caught.value.name == "max_mg_kg_day" and caught.value.limit_mg == 4200


TOURETTE = replace(
    BACLOFEN,
    max_daily_mg=80,
    limits=(DoseLimit(40, WEIGHT, weight_max_kg=50, note="the maximum under 50 kg"),),
)


@pytest.mark.parametrize(("weight", "ceiling"), [(40, 40), (50, 80), (None, 40)])
def test_a_weight_dependent_maximum_applies_by_weight_and_when_weight_is_unknown(
    weight: float | None, ceiling: float
) -> None:
    plan = t.plan(
        TOURETTE, t.PlanRequest(target_daily_mg=40, patient=t.Patient(weight_kg=weight)), TABLETS
    )
    assert plan.max_daily_mg == ceiling
    unknown = any("depends on weight or age" in w.text for w in plan.warnings)
    assert unknown is (weight is None)


def test_an_age_band_maximum_refuses_a_target_above_it() -> None:
    older = replace(BACLOFEN, limits=(DoseLimit(30, WEIGHT, age_min_years=75),))
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(older, t.PlanRequest(target_daily_mg=45, patient=t.Patient(age_years=80)), TABLETS)
    assert caught.value.name == "population_max_daily_mg" and caught.value.citation == WEIGHT


# --- bands that set the start ---------------------------------------------------------------

LISINOPRIL = RegimenSpec(
    id="htn",
    name="hypertension",
    indication="hypertension",
    population="adults",
    citation=LABEL,
    steps=(ScheduleStep(10, 1, 1, 14),),
    increment=Increment(10, 14, 1, 20, 40),
    max_daily_mg=40,
    product_id="lis",
    kidney=KidneyDosing(
        (
            KidneyBand(0, 10, start_daily_mg=2.5, max_daily_mg=40),
            KidneyBand(10, 30, start_daily_mg=5, max_daily_mg=40),
            KidneyBand(30, None, max_daily_mg=40),
        ),
        KIDNEY,
    ),
    hepatic=HepaticDosing(
        (
            HepaticBand("B", start_daily_mg=5, step_daily_mg=5, interval_days=28, max_daily_mg=20),
            HepaticBand("C", not_recommended=True),
        ),
        LIVER,
    ),
)
LIS_TABLETS = ProductSpec("lis", "tablets", "tablet", (2.5, 5, 10, 20, 40))


def test_a_kidney_band_sets_the_starting_dose() -> None:
    plan = t.plan(LISINOPRIL, t.PlanRequest(patient=t.Patient(crcl_ml_min=20)), LIS_TABLETS)
    assert _dailies(plan)[0] == 5
    assert _dailies(plan) == sorted(_dailies(plan))
    assert any("starting dose for this kidney or liver" in w.text for w in plan.warnings)


def test_a_liver_band_sets_start_step_interval_and_maximum() -> None:
    plan = t.plan(LISINOPRIL, t.PlanRequest(patient=t.Patient(child_pugh="B")), LIS_TABLETS)
    assert _dailies(plan) == [5, 10, 15, 20]
    assert [s.day_start for s in plan.steps] == [1, 29, 57, 85]
    assert plan.max_daily_mg == 20


def test_a_liver_band_the_label_advises_against_is_refused() -> None:
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(LISINOPRIL, t.PlanRequest(patient=t.Patient(child_pugh="C")), LIS_TABLETS)
    assert caught.value.name == "hepatic_not_recommended" and caught.value.citation == LIVER


# --- recommended versus maximum -----------------------------------------------------------


def test_above_the_usual_target_within_the_maximum_is_allowed_with_the_labels_words() -> None:
    plan = t.plan(BACLOFEN, t.PlanRequest(target_daily_mg=70, doses_per_day=4), SCORED)
    assert plan.steps[-1].daily_mg == 70  # 17.5 mg: 10 + 5 + half of 5
    warning = next(w for w in plan.warnings if "usual target" in w.text)
    assert "60 mg/day" in warning.text and "up to 80 mg daily" in warning.text


def test_above_the_maximum_is_refused_naming_it() -> None:
    with pytest.raises(t.LimitExceeded) as caught:
        t.plan(BACLOFEN, t.PlanRequest(target_daily_mg=85), TABLETS)
    assert (caught.value.name, caught.value.limit_mg) == ("max_daily_mg", 80)


# --- proportional tapers --------------------------------------------------------------------


def test_a_proportional_taper_lowers_by_the_share_rounded_to_tablets_and_ends_at_zero() -> None:
    request = t.PlanRequest(
        direction=t.Direction.down,
        current_daily_mg=60,
        taper_method=t.TaperMethod.proportional,
        taper_percent=25,
    )
    plan = t.plan(BACLOFEN, request, TABLETS)
    # 60 -> 45 -> 33.75 (30) -> 22.5 (15) -> 11.25 (not 3 doses of 5 mg: stop), weekly.
    assert _dailies(plan) == [60, 45, 30, 15, 0]
    assert all(s.day_end - s.day_start + 1 == 7 for s in plan.steps[:-1])
    _units_add_up(plan)


def test_a_proportional_taper_uses_the_oral_solution_for_small_doses() -> None:
    request = t.PlanRequest(
        direction=t.Direction.down,
        current_daily_mg=15,
        doses_per_day=1,
        taper_method=t.TaperMethod.proportional,
        taper_percent=50,
    )
    plan = t.plan(BACLOFEN, request, TABLETS, SOLUTION)
    assert _dailies(plan) == [15, 5, 2.5, 1.2, 0.6, 0.3, 0.1, 0]
    assert [s.volume_ml for s in plan.steps[2:-1]] == [2.5, 1.2, 0.6, 0.3, 0.1]
    assert any("oral solution" in w.text for w in plan.warnings)


@settings(max_examples=200, deadline=None)
@given(
    current=st.integers(5, 80).map(float),
    percent=st.floats(min_value=10, max_value=50),
    doses=st.integers(1, 4),
    liquid=st.booleans(),
)
def test_proportional_tapers_never_increase_and_end_at_zero(
    current: float, percent: float, doses: int, liquid: bool
) -> None:
    request = t.PlanRequest(
        direction=t.Direction.down,
        current_daily_mg=current,
        doses_per_day=doses,
        taper_method=t.TaperMethod.proportional,
        taper_percent=percent,
    )
    try:
        plan = t.plan(BACLOFEN, request, TABLETS, SOLUTION if liquid else None)
    except t.LimitExceeded:
        assert current / doses > 20  # above the 20 mg per-dose maximum
        return
    except t.TitrationError as exc:
        assert "cannot be made" in str(exc) and not liquid and current / doses < 5
        return
    dailies = _dailies(plan)
    assert dailies[-1] == 0
    assert all(a > b for a, b in zip(dailies, dailies[1:], strict=False))
    assert all(s.dosing_day_mg <= 80 for s in plan.steps)
    _units_add_up(plan)


def test_a_proportional_taper_keeps_the_labels_minimum_duration() -> None:
    slow = replace(
        BACLOFEN,
        taper=replace(BACLOFEN.taper, min_duration_days=56),  # type: ignore[type-var]
    )
    request = t.PlanRequest(
        direction=t.Direction.down,
        current_daily_mg=60,
        taper_method=t.TaperMethod.proportional,
        taper_percent=25,
    )
    plan = t.plan(slow, request, TABLETS)
    assert plan.steps[-1].day_start - 1 >= 56


def test_a_liver_band_sets_the_doses_a_day() -> None:
    # Tramadol-like: "severe hepatic impairment ... 50 mg every 12 hours".
    tramadol = RegimenSpec(
        id="pain",
        name="pain",
        indication="pain",
        population="adults",
        citation=LABEL,
        steps=tuple(ScheduleStep(25, n, 1, 3) for n in (1, 2, 3, 4)),
        max_dose_mg=100,
        max_daily_mg=400,
        product_id="t50",
        hepatic=HepaticDosing(
            (HepaticBand("C", start_daily_mg=100, max_daily_mg=100, doses_per_day=2),), LIVER
        ),
    )
    fifty = ProductSpec("t50", "tablets 50 mg", "tablet", (50,), scored=True)
    plan = t.plan(tramadol, t.PlanRequest(patient=t.Patient(child_pugh="C")), fifty)
    assert [(s.dose_mg, s.times_per_day) for s in plan.steps] == [(50, 2)]
    assert plan.max_daily_mg == 100
