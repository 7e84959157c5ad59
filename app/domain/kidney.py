"""Kidney function: Cockcroft-Gault creatinine clearance and the label's clearance bands."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from app.domain.regimen import KidneyBand


class Sex(StrEnum):
    female = "female"
    male = "male"


def cockcroft_gault(
    age_years: float, weight_kg: float, sex: Sex, serum_creatinine_mg_dl: float
) -> float:
    """Creatinine clearance in mL/min by Cockcroft-Gault (1976).

    CrCl = (140 - age) x weight / (72 x SCr), x 0.85 for women; age in years, weight in kg
    (actual body weight, as in the original equation), serum creatinine in mg/dL.
    """
    if not 0 < age_years < 140:
        raise ValueError("age_years must be between 0 and 140")
    if weight_kg <= 0:
        raise ValueError("weight_kg must be positive")
    if serum_creatinine_mg_dl <= 0:
        raise ValueError("serum_creatinine_mg_dl must be positive")
    crcl = (140 - age_years) * weight_kg / (72 * serum_creatinine_mg_dl)
    if sex is Sex.female:
        crcl *= 0.85
    return round(crcl, 1)


def band_for(crcl_ml_min: float, bands: Sequence[KidneyBand]) -> KidneyBand | None:
    """The band whose range holds the clearance, as it applies there (proportional bands
    scaled); None below the lowest band. Ranges are [min, max), or [min, max] where the label's
    row includes its upper bound; the lower band wins at a shared edge it includes."""
    for band in sorted(bands, key=lambda b: b.crcl_min_ml_min):
        if band.holds(crcl_ml_min):
            return band.at(crcl_ml_min)
    return None
