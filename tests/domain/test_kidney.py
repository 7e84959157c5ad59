import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import kidney
from app.domain.regimen import KidneyBand

BANDS = [
    KidneyBand(0, 15, max_daily_mg=300, doses_per_day=1),
    KidneyBand(15, 30, max_daily_mg=700, doses_per_day=1),
    KidneyBand(30, 60, max_daily_mg=1400, doses_per_day=2),
    KidneyBand(60, None, max_daily_mg=3600, doses_per_day=3),
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
def test_band_for_agrees_with_the_hand_written_edges(crcl: float) -> None:
    band = kidney.band_for(crcl, BANDS)
    assert band is not None
    expected = 300 if crcl < 15 else 700 if crcl < 30 else 1400 if crcl < 60 else 3600
    assert band.max_daily_mg == expected


def test_band_for_is_none_below_the_lowest_band() -> None:
    assert kidney.band_for(5, BANDS[1:]) is None


@given(
    st.floats(min_value=18, max_value=100),
    st.floats(min_value=30, max_value=200),
    st.floats(min_value=0.3, max_value=10),
)
def test_cockcroft_gault_female_is_085_of_male(age: float, weight: float, scr: float) -> None:
    male = kidney.cockcroft_gault(age, weight, kidney.Sex.male, scr)
    female = kidney.cockcroft_gault(age, weight, kidney.Sex.female, scr)
    assert female == pytest.approx(male * 0.85, abs=0.11)
