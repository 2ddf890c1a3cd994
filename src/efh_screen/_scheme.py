"""The compiled scheme both scoring paths share.

:class:`_Scheme` holds a weightings file's points, protective cap, band
thresholds and overrides in the order of :data:`~efh_screen.INDICATORS`;
``_GROUPS`` are the missing-information groups (one per factor, plus the ACE
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

__all__: list[str] = []

_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(ind.group for ind in INDICATORS))
_GROUP_OF_COLUMN = np.array([_GROUPS.index(ind.group) for ind in INDICATORS], dtype=np.intp)
_GROUP_MEMBERSHIP = np.zeros((len(INDICATORS), len(_GROUPS)), dtype=np.float32)
_GROUP_MEMBERSHIP[np.arange(len(INDICATORS)), _GROUP_OF_COLUMN] = 1.0


def _group_label(group: str) -> str:
    if group == "ace_count":
        return "ACE count (unknown ACE categories)"
    if group == "escalation":
        return "Recent incident history (escalation)"
    return FACTORS[group].label


@dataclass(frozen=True)
class _Scheme:
    points: tuple[int, ...]
    protective: tuple[bool, ...]
    cap: int
    thresholds: tuple[int, ...]
    band_flags: tuple[bool, ...]
    overrides: tuple[tuple[int, int], ...]  # (column, band index)

    @classmethod
    def compile(cls, weights: Weights) -> _Scheme:
        return cls(
            points=tuple(weights.points_vector()),
            protective=tuple(ind.protective for ind in INDICATORS),
            cap=weights.protective_cap,
            thresholds=tuple(b.min_score for b in weights.bands),
            band_flags=tuple(b.flag for b in weights.bands),
            overrides=tuple(
                (INDICATOR_INDEX[r.indicator], weights.band_index(r.band))
                for r in weights.overrides
            ),
        )

    def totals(self, values: Sequence[int]) -> tuple[int, int, int]:
        """Return (risk, protective reduction available, score)."""
        risk = protective = 0
        for v, p, is_protective in zip(values, self.points, self.protective, strict=True):
            if v:
                if is_protective:
                    protective -= p
                else:
                    risk += p
        return risk, protective, risk - min(protective, self.cap, risk)

    def band(self, score: int, values: Sequence[int]) -> int:
        band = bisect_right(self.thresholds, score) - 1
        for col, b in self.overrides:
            if values[col] and b > band:
                band = b
        return band


def _fill(
    values: Sequence[int], known: Sequence[bool], protective: Sequence[bool], *, high: bool
) -> list[int]:
    """Set each unknown indicator to its score-raising (high) or score-lowering value."""
    return [
        v if k else (int(not p) if high else int(p))
        for v, k, p in zip(values, known, protective, strict=True)
    ]
