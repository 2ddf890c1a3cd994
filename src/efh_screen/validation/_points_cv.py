"""Cross-validated choice of how many indicators and how many points.

For every fold, the sparse integer search runs once on the other folds up to
the largest number of indicators allowed; every pair (most indicators, most
points) in the grid is then read off that one search path, and the card is
scored on the held-out fold: AUROC, and calibration of the training fold's
score-to-rate mapping (observed/expected and calibration slope). The table
gives each figure's mean over the folds with a 95% t-interval
(mean ± t × standard error over the folds), so a researcher can see what a
simpler card costs before choosing it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._figure import Figure, plain
from ._metrics import auroc
from ._points_rounding import TrainingRows
from ._points_search import SearchSpace, beam_of, points_for, score_mapping, search_path

__all__ = [
    "CrossValidatedSetting",
    "CrossValidationTable",
    "auroc_of",
    "cross_validate",
    "fold_assignment",
    "size_grid",
]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]

# 97.5% quantiles of Student's t with 1..19 degrees of freedom (folds 2..20).
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093,
)  # fmt: skip
_SIZES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100)


@dataclass(frozen=True, eq=False)
class CrossValidatedSetting:
    """Held-out figures for one pair of limits.

    Attributes
    ----------
    max_indicators : int
        Most indicators with points.
    max_points : int
        Largest points any indicator may carry.
    auroc : Figure
        Held-out AUROC of the whole-point score (the screen's, floored at 0).
    observed_to_expected : Figure
        Held-out outcomes over the rate the training fold's mapping expects.
    calibration_slope : Figure
        Held-out slope of the outcome on the score over the training slope
        (1 is ideal; below 1, the mapping is too steep for new data).
    auroc_before_rounding : Figure
        Held-out AUROC of the continuous fit on the same indicators.
    indicators_used : float
        Mean number of indicators the folds' cards actually used.
    """

    max_indicators: int
    max_points: int
    auroc: Figure
    observed_to_expected: Figure
    calibration_slope: Figure
    auroc_before_rounding: Figure
    indicators_used: float

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "max_indicators": self.max_indicators,
            "max_points": self.max_points,
            "auroc": self.auroc.to_dict(),
            "observed_to_expected": self.observed_to_expected.to_dict(),
            "calibration_slope": self.calibration_slope.to_dict(),
            "auroc_before_rounding": self.auroc_before_rounding.to_dict(),
            "indicators_used": plain(self.indicators_used),
        }


@dataclass(frozen=True, eq=False)
class CrossValidationTable:
    """Held-out figures for every pair of limits tried.

    Attributes
    ----------
    settings : tuple of CrossValidatedSetting
        Ordered by most indicators, then most points.
    folds : int
        Number of folds; intervals are 95% t-intervals over them.
    """

    settings: tuple[CrossValidatedSetting, ...]
    folds: int

    def best(self, *, tolerance: float = 0.0) -> CrossValidatedSetting:
        """Return the simplest setting whose mean AUROC is within ``tolerance`` of the best.

        Simplest means fewest indicators, then fewest points.

        Parameters
        ----------
        tolerance : float
            AUROC a researcher will give up for a simpler card.

        Returns
        -------
        CrossValidatedSetting
        """
        values = [s.auroc.value for s in self.settings]
        top = max((v for v in values if math.isfinite(v)), default=math.nan)
        for setting in self.settings:
            if setting.auroc.value >= top - tolerance:
                return setting
        return self.settings[-1]

    def setting(self, max_indicators: int, max_points: int) -> CrossValidatedSetting:
        """Return the figures for one pair of limits.

        Parameters
        ----------
        max_indicators, max_points : int
            A pair in the grid.

        Returns
        -------
        CrossValidatedSetting

        Raises
        ------
        KeyError
            If the pair was not tried.
        """
        for s in self.settings:
            if (s.max_indicators, s.max_points) == (max_indicators, max_points):
                return s
        raise KeyError((max_indicators, max_points))

    def to_text(self) -> str:
        """Return a fixed-width table, one line per setting."""
        lines = [
            f"{'indicators':>10} {'points':>6} {'used':>5}  {'AUROC (95% CI)':<24}"
            f"{'O/E (95% CI)':<24}calibration slope (95% CI)"
        ]
        for s in self.settings:
            lines.append(
                f"{s.max_indicators:>10} {s.max_points:>6} {s.indicators_used:>5.1f}  "
                f"{format(s.auroc, '.3f'):<24}{format(s.observed_to_expected, '.2f'):<24}"
                f"{format(s.calibration_slope, '.2f'):<28}".rstrip()
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {"folds": self.folds, "settings": [s.to_dict() for s in self.settings]}


def size_grid(low: int, high: int) -> tuple[int, ...]:
    """Numbers of indicators to cross-validate between ``low`` and ``high`` (both kept)."""
    return tuple(sorted({max(low, 1), high, *(s for s in _SIZES if low <= s <= high)}))


def fold_assignment(y: _F, *, folds: int, rng: np.random.Generator) -> npt.NDArray[np.intp]:
    """Fold number of each record, stratified by outcome."""
    fold_of = np.empty(y.shape[0], dtype=np.intp)
    for label in (0.0, 1.0):
        index = np.flatnonzero(y == label)
        fold_of[index] = rng.permutation(np.arange(index.size) % folds)
    return fold_of


def auroc_of(scores: npt.ArrayLike, y: _F) -> float:
    """AUROC of any scores (ties count a half)."""
    values = np.asarray(scores, dtype=np.float64)
    _, index = np.unique(values, return_inverse=True)
    positives = np.bincount(index, weights=y).astype(np.float64)
    negatives = np.bincount(index).astype(np.float64) - positives
    return float(auroc(negatives, positives))


def _interval(values: list[float]) -> Figure:
    data = np.array([v for v in values if math.isfinite(v)])
    if data.size == 0:
        return Figure(math.nan)
    mean = float(data.mean())
    if data.size < 2:
        return Figure(mean)
    half = _T_975[min(data.size - 2, len(_T_975) - 1)] * float(data.std(ddof=1)) / data.size**0.5
    return Figure(mean, mean - half, mean + half)


def _held_out(
    z: _F,
    y: _F,
    points: _I,
    train: npt.NDArray[np.bool_],
    test: npt.NDArray[np.bool_],
    *,
    floor: bool,
) -> tuple[float, float, float]:
    """AUROC, observed/expected and calibration slope of ``points`` on the test rows."""
    linear = np.rint(z @ points.astype(np.float64)).astype(np.int64)
    scores = np.maximum(linear, 0) if floor else linear
    (intercept, slope), (_, test_slope) = score_mapping(scores, y, groups=(train, test))
    test_scores = scores[test]
    expected = 1.0 / (1.0 + np.exp(-(intercept + slope * test_scores)))
    ratio = float(y[test].sum() / max(float(expected.sum()), 1e-12))
    calibration = test_slope / slope if abs(slope) > 1e-9 else math.nan
    return auroc_of(test_scores, y[test]), ratio, calibration


def cross_validate(
    z: _F,
    y: _F,
    *,
    space: SearchSpace,
    sizes: tuple[int, ...],
    max_points: int,
    fold_of: npt.NDArray[np.intp],
) -> CrossValidationTable:
    """Held-out figures for every (most indicators, most points) pair.

    Parameters
    ----------
    z : ndarray of shape (n, n_indicators)
        Indicators with protective columns negated.
    y : ndarray of shape (n,)
    space : SearchSpace
    sizes : tuple of int
        Most indicators to try (see :func:`size_grid`).
    max_points : int
        Points from 1 to this are tried.
    fold_of : ndarray of shape (n,)
        Fold of each record (see :func:`fold_assignment`).

    Returns
    -------
    CrossValidationTable
    """
    folds = int(fold_of.max()) + 1
    grid = [(size, m) for size in sizes for m in range(1, max_points + 1)]
    figures: dict[tuple[int, int], list[tuple[float, float, float, int]]] = {g: [] for g in grid}
    continuous: dict[int, list[float]] = {size: [] for size in sizes}
    for k in range(folds):
        train, test = fold_of != k, fold_of == k
        z_train, y_train = z[train], y[train]
        path = search_path(z_train, y_train, space=space, max_indicators=max(sizes))
        table = TrainingRows(z_train, y_train)
        seen: dict[bytes, tuple[float, float, float]] = {}
        for size in sizes:
            beam = beam_of(z_train, y_train, space=space, path=path, size=size)
            continuous[size].append(auroc_of(z[test] @ beam[0].coefficients, y[test]))
            for m in range(1, max_points + 1):
                fit = points_for(
                    table, space=space, beam=beam, size=size, max_points=m, thorough=False
                )
                # Cards that are multiples of one another rank and calibrate alike.
                divisor = max(int(np.gcd.reduce(np.abs(fit.points))), 1)
                key = (fit.points // divisor).tobytes()
                if key not in seen:
                    seen[key] = _held_out(z, y, fit.points, train, test, floor=space.floor)
                figures[size, m].append((*seen[key], int(np.count_nonzero(fit.points))))
    settings = tuple(
        CrossValidatedSetting(
            max_indicators=size,
            max_points=m,
            auroc=_interval([f[0] for f in figures[size, m]]),
            observed_to_expected=_interval([f[1] for f in figures[size, m]]),
            calibration_slope=_interval([f[2] for f in figures[size, m]]),
            auroc_before_rounding=_interval(continuous[size]),
            indicators_used=float(np.mean([f[3] for f in figures[size, m]])),
        )
        for size, m in grid
    )
    return CrossValidationTable(settings=settings, folds=folds)
