import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.frequency import ORDER, FrequencyBand, at_least, band_for_incidence


@pytest.mark.parametrize(
    ("pct", "band"),
    [
        (None, FrequencyBand.unknown),
        (63, FrequencyBand.very_common),
        (10, FrequencyBand.very_common),
        (9.99, FrequencyBand.common),
        (1, FrequencyBand.common),
        (0.5, FrequencyBand.uncommon),
        (0.1, FrequencyBand.uncommon),
        (0.05, FrequencyBand.rare),
        (0.01, FrequencyBand.rare),
        (0.009, FrequencyBand.very_rare),
        (0, FrequencyBand.very_rare),
    ],
)
def test_band_for_incidence_follows_cioms_bounds(pct: float | None, band: FrequencyBand) -> None:
    assert band_for_incidence(pct) is band


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_band_is_monotonic_in_incidence(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert ORDER.index(band_for_incidence(high)) <= ORDER.index(band_for_incidence(low))


def test_at_least_common_keeps_common_and_more_frequent() -> None:
    assert at_least(FrequencyBand.common) == {FrequencyBand.very_common, FrequencyBand.common}
    assert at_least(FrequencyBand.unknown) == {FrequencyBand.unknown}
    assert at_least(FrequencyBand.very_rare) == set(ORDER)
