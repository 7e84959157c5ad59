"""CIOMS frequency bands for adverse reactions, derived from an incidence in percent."""

from enum import StrEnum


class FrequencyBand(StrEnum):
    very_common = "very_common"
    common = "common"
    uncommon = "uncommon"
    rare = "rare"
    very_rare = "very_rare"
    unknown = "unknown"


# Most frequent first; each band's lower bound in percent (CIOMS III/V).
_LOWER_BOUNDS: tuple[tuple[FrequencyBand, float], ...] = (
    (FrequencyBand.very_common, 10.0),
    (FrequencyBand.common, 1.0),
    (FrequencyBand.uncommon, 0.1),
    (FrequencyBand.rare, 0.01),
)

ORDER: tuple[FrequencyBand, ...] = (
    FrequencyBand.very_common,
    FrequencyBand.common,
    FrequencyBand.uncommon,
    FrequencyBand.rare,
    FrequencyBand.very_rare,
)


def band_for_incidence(pct: float | None) -> FrequencyBand:
    """The CIOMS band of an incidence; `unknown` when the label gives no figure."""
    if pct is None:
        return FrequencyBand.unknown
    for band, lower in _LOWER_BOUNDS:
        if pct >= lower:
            return band
    return FrequencyBand.very_rare


def at_least(band: FrequencyBand) -> frozenset[FrequencyBand]:
    """The bands as frequent as `band` or more; `unknown` matches only itself."""
    if band is FrequencyBand.unknown:
        return frozenset({FrequencyBand.unknown})
    return frozenset(ORDER[: ORDER.index(band) + 1])
