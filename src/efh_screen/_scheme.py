"""The compiled scheme both scoring paths share.

:class:`Scheme` holds a weightings file's points, protective cap, band
thresholds and overrides in the order of :data:`~efh_screen.INDICATORS`;
:data:`GROUPS` are the missing-information groups (one per factor, plus the ACE
count and escalation) with the column-to-group maps the vectorised path uses.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._factors import FACTORS
from ._features import INDICATOR_INDEX, INDICATORS
from ._weights import Weights

__all__ = [
    "GROUPS",
    "GROUP_MEMBERSHIP",
    "GROUP_OF_COLUMN",
    "Scheme",
    "fill_unknowns",
    "group_label",
]

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(ind.group for ind in INDICATORS))
"""Missing-information group keys, in catalogue order."""

GROUP_OF_COLUMN = np.array([GROUPS.index(ind.group) for ind in INDICATORS], dtype=np.intp)
"""Index into :data:`GROUPS` of each indicator column, of shape (n_indicators,)."""

GROUP_MEMBERSHIP = np.zeros((len(INDICATORS), len(GROUPS)), dtype=np.float32)
"""1.0 where an indicator column belongs to a group, of shape (n_indicators, n_groups)."""
GROUP_MEMBERSHIP[np.arange(len(INDICATORS)), GROUP_OF_COLUMN] = 1.0


def group_label(group: str) -> str:
    """Plain label of a missing-information group.

    Parameters
    ----------
    group : str
        A key of :data:`GROUPS`.

    Returns
    -------
    str
        The factor's label, or a label for the ACE count and escalation groups.
    """
    if group == "ace_count":
        return "ACE count (unknown ACE categories)"
    if group == "escalation":
        return "Incident history (escalation and rising trajectory)"
    return FACTORS[group].label


@dataclass(frozen=True)
class Scheme:
    """A weightings file compiled for scoring, in indicator column order.

    Attributes
    ----------
    points : tuple of int
        Points per indicator (negative for protective factors).
    protective : tuple of bool
        Whether each indicator is protective.
    cap : int
        Most points protective factors can take off.
    thresholds : tuple of int
        ``min_score`` of each band, ascending.
    band_flags : tuple of bool
        Whether each band flags.
    overrides : tuple of (int, int)
        ``(column, band index)`` of each override rule.
    """

    points: tuple[int, ...]
    protective: tuple[bool, ...]
    cap: int
    thresholds: tuple[int, ...]
    band_flags: tuple[bool, ...]
    overrides: tuple[tuple[int, int], ...]

    @classmethod
    def compile(cls, weights: Weights) -> Scheme:
        """Compile validated weightings."""
        return cls(
            points=tuple(weights.points_vector()),
            protective=tuple(ind.protective for ind in INDICATORS),
            cap=weights.protective_cap,
            thresholds=tuple(band.min_score for band in weights.bands),
            band_flags=tuple(band.flag for band in weights.bands),
            overrides=tuple(
                (INDICATOR_INDEX[rule.indicator], weights.band_index(rule.band))
                for rule in weights.overrides
            ),
        )

    def totals(self, values: Sequence[int]) -> tuple[int, int, int]:
        """Return (risk, protective reduction available, score)."""
        risk = protective = 0
        for value, points, is_protective in zip(values, self.points, self.protective, strict=True):
            if value:
                if is_protective:
                    protective -= points
                else:
                    risk += points
        return risk, protective, risk - min(protective, self.cap, risk)

    def band(self, score: int, values: Sequence[int]) -> int:
        """Band index of a score, raised by any override indicator present."""
        band = bisect_right(self.thresholds, score) - 1
        for column, override_band in self.overrides:
            if values[column] and override_band > band:
                band = override_band
        return band


def fill_unknowns(
    values: Sequence[int], known: Sequence[bool], protective: Sequence[bool], *, high: bool
) -> list[int]:
    """Set each unknown indicator to its score-raising (high) or score-lowering value.

    Parameters
    ----------
    values, known, protective : sequence
        Per indicator: 0/1 value, whether it is known, whether it is protective.
    high : bool
        True for the fill that gives the highest score, False for the lowest.

    Returns
    -------
    list of int
        The values with every unknown filled in.
    """
    return [
        value if is_known else (int(not is_protective) if high else int(is_protective))
        for value, is_known, is_protective in zip(values, known, protective, strict=True)
    ]
