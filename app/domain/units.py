"""Making a dose from a product: the fewest tablets (or capsules) of its strengths, or a volume.

Amounts are handled as whole numbers of a grid (the greatest common divisor of every piece and
the dose, in micrograms), so sums are exact and "can this dose be made?" has an exact answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from math import gcd

MAX_CELLS = 40_000  # beyond this grid size the search is not worth it; say "cannot make"
MAX_UNITS_PER_DOSE = 12  # a dose needing more pieces than this is not a sensible plan


@dataclass(frozen=True)
class Unit:
    """`count` pieces of one strength: 0.5 is a half tablet."""

    strength_mg: float
    count: float
    form: str


def _ug(mg: float) -> int:
    return round(mg * 1000)


def _ug_floor(mg: float) -> int:
    """Micrograms not above `mg` (floating noise of a nanogram aside)."""
    return math.floor(mg * 1000 + 1e-6)


def _pieces(strengths: tuple[float, ...], halves: bool) -> list[tuple[int, float, float]]:
    """(size in µg, strength in mg, count per piece), whole tablets before halves."""
    whole = [(_ug(s), s, 1.0) for s in sorted(set(strengths), reverse=True)]
    half = [(_ug(s) // 2, s, 0.5) for s in sorted(set(strengths), reverse=True) if _ug(s) % 2 == 0]
    return whole + (half if halves else [])


def _table(
    cells: int, sizes: list[int], pieces: list[tuple[int, float, float]]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Per amount up to `cells` grid steps: the fewest (pieces, halves), and the last piece."""
    best: list[tuple[int, int]] = [(0, 0)] + [_NONE] * cells
    choice = [-1] * (cells + 1)
    for total in range(1, cells + 1):
        for index, size in enumerate(sizes):
            if size <= total and best[total - size] != _NONE:
                count, halves = best[total - size]
                candidate = (count + 1, halves + (1 if pieces[index][2] < 1 else 0))
                if candidate < best[total]:
                    best[total] = candidate
                    choice[total] = index
    return best, choice


_NONE = (10**9, 10**9)


def _solve(
    amount_ug: int, pieces: list[tuple[int, float, float]], *, round_down: bool
) -> tuple[int, list[tuple[int, float, float]]] | None:
    """(amount made in µg, pieces): exactly `amount_ug`, or with round_down the largest amount
    not above it that at most MAX_UNITS_PER_DOSE pieces make."""
    if not pieces or amount_ug <= 0:
        return (0, []) if amount_ug == 0 else None
    grid = reduce(gcd, [p[0] for p in pieces] + ([] if round_down else [amount_ug]))
    cells = amount_ug // grid
    if cells > MAX_CELLS:
        return None
    sizes = [p[0] // grid for p in pieces]
    best, choice = _table(cells, sizes, pieces)
    for total in range(cells, 0, -1):
        if best[total][0] <= MAX_UNITS_PER_DOSE:
            used = []
            made = total
            while total:
                used.append(pieces[choice[total]])
                total -= sizes[choice[total]]
            return made * grid, used
        if not round_down:
            return None
    return None


def make_dose(
    dose_mg: float, strengths: tuple[float, ...], form: str, *, halves: bool
) -> tuple[Unit, ...] | None:
    """The units that make exactly `dose_mg` with the fewest pieces, or None if none can."""
    solved = _solve(_ug(dose_mg), _pieces(strengths, halves), round_down=False)
    if solved is None:
        return None
    counts: dict[float, float] = {}
    for _size, strength, count in solved[1]:
        counts[strength] = counts.get(strength, 0.0) + count
    return tuple(
        Unit(strength, count, form) for strength, count in sorted(counts.items(), reverse=True)
    )


def largest_makeable(dose_mg: float, strengths: tuple[float, ...], *, halves: bool) -> float | None:
    """The largest dose not above `dose_mg` the strengths make; None below the smallest."""
    solved = _solve(_ug_floor(dose_mg), _pieces(strengths, halves), round_down=True)
    return solved[0] / 1000 if solved is not None and solved[0] > 0 else None


def smallest_piece_mg(strengths: tuple[float, ...], *, halves: bool) -> float | None:
    pieces = _pieces(strengths, halves)
    return min(p[0] for p in pieces) / 1000 if pieces else None
