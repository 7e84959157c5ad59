import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.models import RenalBand
from app.domain import kidney

BANDS = [
    RenalBand(crcl_min_ml_min=0, crcl_max_ml_min=15, max_daily_mg=300, doses_per_day=1),
    RenalBand(crcl_min_ml_min=15, crcl_max_ml_min=30, max_daily_mg=700, doses_per_day=1),
    RenalBand(crcl_min_ml_min=30, crcl_max_ml_min=60, max_daily_mg=1400, doses_per_day=2),
    RenalBand(crcl_min_ml_min=60, max_daily_mg=3600, doses_per_day=3),
]


@pytest.mark.parametrize(
    ("age", "weight", "sex", "scr", "expected"),
    [
        (40, 72, kidney.Sex.male, 1.0, 100.0),  # (140-40)*72/(72*1.0)
        (40, 72, kidney.Sex.female, 1.0, 85.0),
        (80, 60, kidney.Sex.male, 2.0, 25.0),  # 60*60/144
    ],
)
def test_cockcroft_gault_matches_hand_calculation(
    age: float, weight: float, sex: kidney.Sex, scr: float, expected: float
) -> None:
    assert kidney.cockcroft_gault(age, weight, sex, scr) == pytest.approx(expected, abs=0.05)


def test_cockcroft_gault_refuses_impossible_values() -> None:
    with pytest.raises(ValueError):
        kidney.cockcroft_gault(40, 70, kidney.Sex.male, 0)
    with pytest.raises(ValueError):
        kidney.cockcroft_gault(150, 70, kidney.Sex.male, 1)


@pytest.mark.parametrize(
    ("crcl", "upper"),
    [(0, 300), (14.9, 300), (15, 700), (29.99, 700), (30, 1400), (60, 3600), (250, 3600)],
)
def test_band_for_uses_inclusive_lower_exclusive_upper_bounds(crcl: float, upper: float) -> None:
    band = kidney.band_for(crcl, BANDS)
    assert band is not None and band.max_daily_mg == upper


@given(st.floats(min_value=0, max_value=300, allow_nan=False))
def test_every_clearance_falls_in_exactly_one_contiguous_band(crcl: float) -> None:
    matching = [
        b
        for b in BANDS
        if b.crcl_min_ml_min <= crcl and (b.crcl_max_ml_min is None or crcl < b.crcl_max_ml_min)
    ]
    assert len(matching) == 1
    assert kidney.band_for(crcl, BANDS) is matching[0]


@given(
    st.floats(min_value=18, max_value=100),
    st.floats(min_value=30, max_value=200),
    st.floats(min_value=0.3, max_value=10),
)
def test_cockcroft_gault_female_is_085_of_male(age: float, weight: float, scr: float) -> None:
    male = kidney.cockcroft_gault(age, weight, kidney.Sex.male, scr)
    female = kidney.cockcroft_gault(age, weight, kidney.Sex.female, scr)
    assert female == pytest.approx(male * 0.85, abs=0.11)
