"""How many young people change band if one weight, or one band threshold, moves by a point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._features import INDICATORS
from .._scoring import Screener
from .._weights import Weights
from ._checks import as_scores, check_bands
from ._cohort import CohortScores
from ._fitting import single_threaded_blas

__all__ = ["SensitivityRow", "SensitivityTable", "threshold_sensitivity", "weight_sensitivity"]


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """The effect of moving one weight or one band threshold.

    Attributes
    ----------
    kind : {"points", "threshold"}
        What moved: an indicator's points, or a band's lowest score.
    key : str
        The indicator key or band key.
    current : float
        Its value now.
    change : int
        +1 or -1.
    band_changes : int
        Young people whose band would change.
    flag_changes : int
        Young people whose flag for review would change.
    """

    kind: Literal["points", "threshold"]
    key: str
    current: float
    change: int
    band_changes: int
    flag_changes: int

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "kind": self.kind,
            "key": self.key,
            "current": self.current,
            "change": self.change,
            "band_changes": self.band_changes,
            "flag_changes": self.flag_changes,
        }


@dataclass(frozen=True)
class SensitivityTable:
    """Rows of :class:`SensitivityRow`, largest effect first within each kind.

    Attributes
    ----------
    n : int
        Young people screened.
    rows : tuple of SensitivityRow
    """

    n: int
    rows: tuple[SensitivityRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {"n": self.n, "rows": [r.to_dict() for r in self.rows]}


def _bands_of(
    scores: npt.NDArray[np.float64], lowest: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    return np.searchsorted(lowest, scores, side="right").astype(np.intp) - 1


def threshold_sensitivity(
    scores: npt.ArrayLike,
    bands: Mapping[str, float],
    *,
    flag_band: str | None = None,
    step: float = 1.0,
) -> SensitivityTable:
    """Count young people who change band if each band's lowest score moves by one step.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Screening scores.
    bands : mapping of str to float
        Band name to lowest score, increasing.
    flag_band : str, optional
        The lowest band that is flagged for review; counts flag changes too.
    step : float
        How far each threshold moves (one point by default).

    Returns
    -------
    SensitivityTable

    Examples
    --------
    >>> from efh_screen.validation import threshold_sensitivity
    >>> table = threshold_sensitivity([0, 3, 4, 4, 8], {"low": 0, "review": 4}, flag_band="review")
    >>> [(r.change, r.band_changes) for r in table.rows]
    [(1, 2), (-1, 1)]
    """
    x = as_scores(scores)
    items = check_bands(bands)
    lowest = np.array([b[1] for b in items])
    names = [b[0] for b in items]
    base = _bands_of(x, lowest)
    flag_at = names.index(flag_band) if flag_band is not None else None
    rows: list[SensitivityRow] = []
    for i in range(1, len(items)):
        for change in (1, -1):
            moved = lowest.copy()
            moved[i] += change * step
            if (i + 1 < len(moved) and moved[i] >= moved[i + 1]) or moved[i] <= moved[i - 1]:
                continue
            new = _bands_of(x, moved)
            flags = 0
            if flag_at is not None:
                flags = int(np.count_nonzero((base >= flag_at) != (new >= flag_at)))
            rows.append(
                SensitivityRow(
                    "threshold",
                    names[i],
                    float(lowest[i]),
                    change,
                    int(np.count_nonzero(base != new)),
                    flags,
                )
            )
    return SensitivityTable(n=int(x.shape[0]), rows=tuple(rows))


def _with_points(weights: Weights, key: str, points: int) -> Weights:
    data = weights.model_dump(mode="json")
    entry = data["points"].get(key)
    if entry is None:
        entry = {"points": points, "rationale": "sensitivity check", "evidence": []}
    else:
        entry = {**entry, "points": points}
    data["points"] = {**data["points"], key: entry}
    return Weights.model_validate(data)


def weight_sensitivity(cohort: CohortScores) -> SensitivityTable:
    """Count young people who change band if each weight, or each band threshold, moves by a point.

    Every indicator's points move one up and one down (where the sign rule
    allows: risk indicators stay >= 0, protective <= 0, all within -10..10)
    and each band's lowest score moves one up and one down; the cohort is
    rescored by the Screener each time, so overrides and the protective cap
    count exactly as in screening.

    Parameters
    ----------
    cohort : CohortScores
        A cohort screened by :func:`score_cohort`.

    Returns
    -------
    SensitivityTable
        Points rows (largest effect first), then threshold rows.
    """
    with single_threaded_blas():
        return _weight_sensitivity(cohort)


def _weight_sensitivity(cohort: CohortScores) -> SensitivityTable:
    weights = cohort.weights
    base = cohort.batch
    rows: list[SensitivityRow] = []
    for indicator in INDICATORS:
        entry = weights.points.get(indicator.key)
        current = entry.points if entry is not None else 0
        for change in (1, -1):
            new = current + change
            if (indicator.protective and not -10 <= new <= 0) or (
                not indicator.protective and not 0 <= new <= 10
            ):
                continue
            batch = Screener(_with_points(weights, indicator.key, new)).score_matrix(cohort.matrix)
            rows.append(
                SensitivityRow(
                    "points",
                    indicator.key,
                    float(current),
                    change,
                    int(np.count_nonzero(batch.band != base.band)),
                    int(np.count_nonzero(batch.flag != base.flag)),
                )
            )
    rows.sort(key=lambda r: (-r.band_changes, r.key, -r.change))
    data = weights.model_dump(mode="json")
    for i in range(1, len(weights.bands)):
        for change in (1, -1):
            bands = [dict(b) for b in data["bands"]]
            bands[i]["min_score"] += change
            if bands[i]["min_score"] <= bands[i - 1]["min_score"] or (
                i + 1 < len(bands) and bands[i]["min_score"] >= bands[i + 1]["min_score"]
            ):
                continue
            moved = Weights.model_validate({**data, "bands": bands})
            batch = Screener(moved).score_matrix(cohort.matrix)
            rows.append(
                SensitivityRow(
                    "threshold",
                    weights.bands[i].key,
                    float(weights.bands[i].min_score),
                    change,
                    int(np.count_nonzero(batch.band != base.band)),
                    int(np.count_nonzero(batch.flag != base.flag)),
                )
            )
    return SensitivityTable(n=len(cohort.ids), rows=tuple(rows))
