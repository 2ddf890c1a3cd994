"""The compiled scheme both scoring paths share.

:class:`Scheme` holds a weightings file's points, protective and needs caps,
coverage rule, band thresholds and overrides in the order of
:data:`~efh_screen.INDICATORS`;
:data:`GROUPS` are the missing-information groups (one per factor, plus the ACE
count and escalation) with the column-to-group maps the vectorised path uses.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._factors import FACTORS, Domain
from ._features import CORROBORATED_LABELS, INDICATOR_INDEX, INDICATORS
from ._weights import Weights

__all__ = [
    "CORROBORATION_COLUMNS",
    "GROUPS",
    "GROUP_MEMBERSHIP",
    "GROUP_OF_COLUMN",
    "NEED_COLUMNS",
    "Scheme",
    "ScoreTotals",
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

NEED_COLUMNS: tuple[bool, ...] = tuple(
    ind.group in FACTORS and FACTORS[ind.group].domain is Domain.DEVELOPMENTAL for ind in INDICATORS
)
"""Whether each indicator column is a developmental need (the needs cap applies to these)."""

CORROBORATION_COLUMNS: frozenset[int] = frozenset(
    INDICATOR_INDEX[key] for key in CORROBORATED_LABELS
)
"""Columns of the indicators that corroborate a label (another agency records it too)."""


def group_label(group: str, *, corroboration: bool = False) -> str:
    """Plain label of a missing-information group.

    Parameters
    ----------
    group : str
        A key of :data:`GROUPS`.
    corroboration : bool
        True when all that is missing is another agency's corroboration of a
        label known present (see :data:`~efh_screen._features.CORROBORATED_LABELS`).

    Returns
    -------
    str
        The factor's label, or a label for the ACE count and escalation groups.
    """
    if corroboration:
        return f"{FACTORS[group].label}: corroboration by an agency other than the police"
    if group == "ace_count":
        return "ACE count (unknown ACE categories)"
    if group == "escalation":
        return "Incident history (escalation and rising trajectory)"
    return FACTORS[group].label


class ScoreTotals(NamedTuple):
    """How one profile's points add up to its score.

    ``score = risk - needs_reduction - min(protective, protective_cap, risk - needs_reduction)``.
    """

    risk: int
    """Points of every risk indicator present, developmental needs included."""
    needs_reduction: int
    """Points the needs cap takes off the needs present (0 when it does not bite)."""
    protective: int
    """Points the protective factors present could take off (a positive number)."""
    score: int
    """The score."""


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
    needs : tuple of bool
        Whether each indicator is a developmental need.
    needs_cap : int or None
        Most points the developmental needs can add together (None: no cap).
    coverage_points : tuple of int
        Points each indicator counts towards coverage (its points if a risk
        indicator, else 0).
    total_points : int
        All the risk points the weightings can give (the coverage denominator).
    min_known_percent : int or None
        Share of ``coverage_points`` that must be known to screen (None: no rule).
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
    needs: tuple[bool, ...]
    needs_cap: int | None
    coverage_points: tuple[int, ...]
    total_points: int
    min_known_percent: int | None
    thresholds: tuple[int, ...]
    band_flags: tuple[bool, ...]
    overrides: tuple[tuple[int, int], ...]

    @classmethod
    def compile(cls, weights: Weights) -> Scheme:
        """Compile validated weightings."""
        points = tuple(weights.points_vector())
        protective = tuple(ind.protective for ind in INDICATORS)
        coverage = weights.coverage
        coverage_points = tuple(
            0 if is_protective else value
            for value, is_protective in zip(points, protective, strict=True)
        )
        return cls(
            points=points,
            protective=protective,
            cap=weights.protective_cap,
            needs=NEED_COLUMNS,
            needs_cap=None if weights.needs_cap is None else weights.needs_cap.points,
            coverage_points=coverage_points,
            total_points=sum(coverage_points),
            min_known_percent=None if coverage is None else coverage.min_known_percent,
            thresholds=tuple(band.min_score for band in weights.bands),
            band_flags=tuple(band.flag for band in weights.bands),
            overrides=tuple(
                (INDICATOR_INDEX[rule.indicator], weights.band_index(rule.band))
                for rule in weights.overrides
            ),
        )

    def totals(self, values: Sequence[int]) -> ScoreTotals:
        """Add up the points of the indicators present, with both caps."""
        risk = needs = protective = 0
        for value, points, is_protective, is_need in zip(
            values, self.points, self.protective, self.needs, strict=True
        ):
            if value:
                if is_protective:
                    protective -= points
                else:
                    risk += points
                    if is_need:
                        needs += points
        needs_reduction = 0 if self.needs_cap is None else max(0, needs - self.needs_cap)
        capped = risk - needs_reduction
        return ScoreTotals(
            risk=risk,
            needs_reduction=needs_reduction,
            protective=protective,
            score=capped - min(protective, self.cap, capped),
        )

    def known_points(self, known: Sequence[bool]) -> int:
        """Risk points whose indicators are known (the coverage of a profile)."""
        return sum(
            points for points, is_known in zip(self.coverage_points, known, strict=True) if is_known
        )

    def enough_known(self, known_points: int) -> bool:
        """Whether enough is known to screen: known points reach the rule's share (exactly)."""
        if self.min_known_percent is None:
            return True
        return known_points * 100 >= self.min_known_percent * self.total_points

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
