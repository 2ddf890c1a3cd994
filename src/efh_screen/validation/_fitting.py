"""Learning small whole points from a labelled cohort.

Method
------
1. **Sparse search.** With each protective column negated, every
   coefficient must be >= 0. A beam search grows sets of indicators one at a
   time, ranking candidates by the score test, probing the most promising
   ones and refitting the best few sign-constrained logistic models in full
   (projected Newton, pure numpy); one search gives the best sets of every
   size up to the limit. A pool of near-optimal sets of the chosen size
   (the beam and one-swap neighbours of its best set) is kept.
2. **Multipliers and rounding.** Each set's coefficients are scaled by a
   grid of multipliers and rounded one coefficient at a time, each step
   fixing the coefficient and direction that raise a quadratic model of the
   log-loss least, the others moving to compensate, so the whole points keep
   the continuous ranking as closely as the limit allows.
3. **Scoring and polish.** Candidates are scored by the training log-loss
   of the best logistic mapping from the *screen's* score (floored at 0, as
   the Screener does); the best are polished by moving any indicator's
   points one up or down while that lowers it.
4. **Cross-validation of the limits.** Steps 1–3 run inside each fold for
   every pair (most indicators, most points) in a grid up to the limits;
   the table of held-out AUROC and calibration, with intervals, is kept.
   The card on everyone uses the limits given, or, with a tolerance, the
   simplest pair whose held-out AUROC is within it of the best.

This is in the spirit of FasterRisk (Liu et al., NeurIPS 2022) and RiskSLIM
(Ustun & Rudin, JMLR 2019), in numpy alone. Every step is deterministic: the
seed only assigns the folds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import ValidationInputError
from ._checks import as_outcomes, make_rng
from ._points_cv import (
    CrossValidationTable,
    cross_validate,
    fold_assignment,
    size_grid,
)
from ._points_rounding import TrainingRows
from ._points_search import SearchSpace, beam_of, points_for, score_mapping, search_path

__all__ = [
    "FIT_FORCED",
    "FIT_INDICATORS_SHAPE",
    "FIT_INDICATORS_VALUES",
    "FIT_LIMITS",
    "FIT_SIGNS",
    "FittedPoints",
    "PointsSolution",
    "fit_points",
    "search_points",
    "single_threaded_blas",
]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]

FIT_INDICATORS_SHAPE = (
    "indicators must be a 2-D array of shape (n_young_people, n_indicators); got {shape}"
)
FIT_INDICATORS_VALUES = "indicators must hold only 0 and 1 (unknown counts as 0, as in the screen)"
FIT_LIMITS = "{name} must be a whole number from {low} to {high}; got {value!r}"
FIT_SIGNS = "signs must hold +1 (risk) or -1 (protective) for each of the {p} indicator columns"
FIT_FORCED = (
    "{name} must list indicator keys or column numbers (0 to {high}) of the indicators; {problem}"
)


@dataclass(frozen=True, eq=False)
class FittedPoints:
    """Integer points learnt from a labelled cohort.

    Attributes
    ----------
    keys : tuple of str
        Indicator keys, one per column.
    points : ndarray of shape (n_indicators,)
        Whole points: >= 0 for risk indicators, <= 0 for protective ones.
    max_points : int
        The largest number of points any indicator may carry: the limit
        given, or the one cross-validation chose when a tolerance was given.
    intercept, slope : float
        Logistic mapping from the screen's score to an outcome rate on the
        training cohort: ``1 / (1 + exp(-(intercept + slope * score)))``.
    coefficients : ndarray of shape (n_indicators,)
        The sign-constrained logistic coefficients before rounding.
    cv_auroc : dict of int to float
        Mean held-out AUROC of the integer score for each ``max_points`` tried,
        at the number of indicators chosen.
    cv_auroc_continuous : float
        Mean held-out AUROC of the sign-constrained logistic score before
        rounding, at the number of indicators chosen.
    settings : dict
        Limits given and chosen, folds and seed used.
    cross_validation : CrossValidationTable, optional
        Held-out AUROC and calibration, with intervals, for every pair
        (most indicators, most points) tried.
    """

    keys: tuple[str, ...]
    points: npt.NDArray[np.int64]
    max_points: int
    intercept: float
    slope: float
    coefficients: _F
    cv_auroc: dict[int, float]
    cv_auroc_continuous: float
    settings: dict[str, Any] = field(default_factory=dict)
    cross_validation: CrossValidationTable | None = None

    def score(self, indicators: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Screen's score for rows of indicators (floored at 0).

        Parameters
        ----------
        indicators : array-like of shape (n, n_indicators)

        Returns
        -------
        ndarray of shape (n,)
        """
        x = np.asarray(indicators, dtype=np.float64)
        return np.maximum(np.rint(x @ self.points).astype(np.int64), 0)

    @property
    def selected(self) -> tuple[str, ...]:
        """Keys of the indicators with non-zero points."""
        return tuple(k for k, p in zip(self.keys, self.points.tolist(), strict=True) if p)

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "points": {
                k: int(p) for k, p in zip(self.keys, self.points.tolist(), strict=True) if p
            },
            "max_points": self.max_points,
            "mapping": {"intercept": self.intercept, "slope": self.slope},
            "cv_auroc": {str(k): v for k, v in self.cv_auroc.items()},
            "cv_auroc_continuous": self.cv_auroc_continuous,
            "settings": dict(self.settings),
            "cross_validation": (
                None if self.cross_validation is None else self.cross_validation.to_dict()
            ),
        }


@dataclass(frozen=True, eq=False)
class PointsSolution:
    """Whole points found by the sparse integer search at given limits.

    Attributes
    ----------
    points : ndarray of shape (n_indicators,)
        Whole points: >= 0 for risk columns, <= 0 for protective ones.
    intercept, slope : float
        Logistic mapping from the score to an outcome rate on the training
        data: ``1 / (1 + exp(-(intercept + slope * score)))``.
    floor : bool
        Whether the score is floored at 0 (as the Screener does).
    log_loss : float
        Training log-loss (summed over records) of that mapping.
    coefficients : ndarray of shape (n_indicators,)
        The sign-constrained logistic coefficients of the best continuous fit
        with the same number of indicators, before rounding.
    """

    points: _I
    intercept: float
    slope: float
    floor: bool
    log_loss: float
    coefficients: _F

    def score(self, indicators: npt.ArrayLike) -> _I:
        """Whole scores for rows of indicators (floored at 0 when ``floor``).

        Parameters
        ----------
        indicators : array-like of shape (n, n_indicators)

        Returns
        -------
        ndarray of shape (n,)
        """
        linear = np.rint(np.asarray(indicators, dtype=np.float64) @ self.points)
        scores = linear.astype(np.int64)
        return np.maximum(scores, 0) if self.floor else scores

    def probability(self, indicators: npt.ArrayLike) -> _F:
        """Outcome rate the training mapping gives each row's score.

        Parameters
        ----------
        indicators : array-like of shape (n, n_indicators)

        Returns
        -------
        ndarray of shape (n,)
        """
        eta = self.intercept + self.slope * self.score(indicators)
        return np.asarray(1.0 / (1.0 + np.exp(-eta)), dtype=np.float64)


def _as_indicators(indicators: npt.ArrayLike) -> _F:
    x = np.asarray(indicators, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValidationInputError(FIT_INDICATORS_SHAPE.format(shape=x.shape))
    if np.any((x != 0) & (x != 1)):
        raise ValidationInputError(FIT_INDICATORS_VALUES)
    return x


def _whole(name: str, value: int, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise ValidationInputError(FIT_LIMITS.format(name=name, low=low, high=high, value=value))
    return int(value)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run small matrix products on one thread.

    The matrices here are tall and thin; threaded BLAS gains nothing on them
    and, on a busy machine, its spinning threads can make fitting 20 times
    slower. threadpoolctl comes with scikit-learn; without it nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - depends on the environment
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@dataclass(frozen=True)
class _Problem:
    """Checked inputs of a fit: data on ``z`` and the search space."""

    x: _F
    y: _F
    sign: _F
    z: _F
    space: SearchSpace
    max_points: int
    max_indicators: int


def _column_numbers(
    name: str, chosen: Sequence[str | int], names: tuple[str, ...]
) -> tuple[int, ...]:
    high = len(names) - 1
    numbers = []
    for item in chosen:
        if isinstance(item, str):
            if item not in names:
                problem = f"{item!r} is not one of the keys"
                raise ValidationInputError(FIT_FORCED.format(name=name, high=high, problem=problem))
            numbers.append(names.index(item))
        elif (
            isinstance(item, int | np.integer) and not isinstance(item, bool) and 0 <= item <= high
        ):
            numbers.append(int(item))
        else:
            problem = f"got {item!r}"
            raise ValidationInputError(FIT_FORCED.format(name=name, high=high, problem=problem))
    return tuple(sorted(set(numbers)))


def _signs(signs: npt.ArrayLike | None, p: int) -> _F:
    if signs is None:
        return np.ones(p)
    values = np.asarray(signs, dtype=np.float64)
    if values.shape != (p,) or not np.all((values == 1) | (values == -1)):
        raise ValidationInputError(FIT_SIGNS.format(p=p))
    return values


def _problem(
    indicators: npt.ArrayLike,
    outcomes: npt.ArrayLike,
    *,
    names: tuple[str, ...] | None,
    signs: npt.ArrayLike | None,
    limits: tuple[int, int | None],
    forced: tuple[Sequence[str | int], Sequence[str | int]],
    floor: bool,
) -> _Problem:
    x = _as_indicators(indicators)
    n, p = x.shape
    y = as_outcomes(outcomes, n=n).astype(np.float64)
    keys = names if names is not None else tuple(f"x{j}" for j in range(p))
    sign = _signs(signs, p)
    forced_in = _column_numbers("forced_in", forced[0], keys)
    forced_out = _column_numbers("forced_out", forced[1], keys)
    if set(forced_in) & set(forced_out):
        problem = "an indicator cannot be forced both in and out"
        raise ValidationInputError(FIT_FORCED.format(name="forced_in", high=p - 1, problem=problem))
    max_points = _whole("max_points", limits[0], 1, 10)
    low = max(len(forced_in), 1)
    max_indicators = p if limits[1] is None else _whole("max_indicators", limits[1], low, p)
    allowed = x.std(axis=0) > 0
    allowed[list(forced_out)] = False
    space = SearchSpace(allowed=allowed, forced=forced_in, floor=floor)
    # Protective columns negated: every coefficient on z is then >= 0.
    return _Problem(x, y, sign, x * sign, space, max_points, max_indicators)


def search_points(
    indicators: npt.ArrayLike,
    outcomes: npt.ArrayLike,
    *,
    signs: npt.ArrayLike | None = None,
    max_points: int = 5,
    max_indicators: int | None = None,
    forced_in: Sequence[int] = (),
    forced_out: Sequence[int] = (),
    floor: bool = True,
) -> PointsSolution:
    """Find small whole points at given limits (no cross-validation).

    The sparse integer search of :func:`fit_points` at exactly these
    limits: the function a classifier or a custom cross-validation calls.
    Deterministic: the same data give the same points.

    Parameters
    ----------
    indicators : array-like of shape (n, n_indicators)
        0/1 values.
    outcomes : array-like of shape (n,)
        0/1 outcomes.
    signs : array-like of shape (n_indicators,), optional
        +1 for columns whose points must be >= 0 (risk), -1 for those whose
        points must be <= 0 (protective); default all +1.
    max_points : int
        Largest points any one column may carry (1 to 10).
    max_indicators : int, optional
        Most columns with non-zero points (default: no limit).
    forced_in : sequence of int
        Columns that must carry at least one point (in magnitude).
    forced_out : sequence of int
        Columns that must carry none.
    floor : bool
        Floor the score at 0, as the Screener does (default). Pass False
        for a plain points score.

    Returns
    -------
    PointsSolution

    Raises
    ------
    ValidationInputError
        If the arrays do not fit or a limit is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from efh_screen.validation import search_points
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, size=(2000, 4))
    >>> logit = -2 + 1.5 * x[:, 0] + 0.8 * x[:, 1] - 1.0 * x[:, 3]
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(-logit))).astype(int)
    >>> found = search_points(x, y, signs=[1, 1, 1, -1], max_points=3, max_indicators=2)
    >>> found.points.tolist()
    [2, 0, 0, -1]
    """
    problem = _problem(
        indicators,
        outcomes,
        names=None,
        signs=signs,
        limits=(max_points, max_indicators),
        forced=(forced_in, forced_out),
        floor=floor,
    )
    with single_threaded_blas():
        return _solve(problem)


def _solve(problem: _Problem) -> PointsSolution:
    z, y, space = problem.z, problem.y, problem.space
    path = search_path(z, y, space=space, max_indicators=problem.max_indicators)
    beam = beam_of(z, y, space=space, path=path, size=problem.max_indicators)
    fit = points_for(
        TrainingRows(z, y),
        space=space,
        beam=beam,
        size=problem.max_indicators,
        max_points=problem.max_points,
        thorough=True,
    )
    points = (fit.points * problem.sign).astype(np.int64)
    linear = np.rint(problem.x @ points).astype(np.int64)
    ((intercept, slope),) = score_mapping(np.maximum(linear, 0) if space.floor else linear, y)
    return PointsSolution(
        points=points,
        intercept=intercept,
        slope=slope,
        floor=space.floor,
        log_loss=fit.loss,
        coefficients=fit.continuous.coefficients * problem.sign,
    )


def fit_points(
    indicators: npt.ArrayLike,
    outcomes: npt.ArrayLike,
    *,
    keys: Sequence[str] | None = None,
    protective: Sequence[bool] | npt.ArrayLike | None = None,
    max_points: int = 5,
    max_indicators: int | None = None,
    folds: int = 5,
    seed: int | np.random.Generator = 0,
    forced_in: Sequence[str | int] = (),
    forced_out: Sequence[str | int] = (),
    tolerance: float | None = None,
) -> FittedPoints:
    """Learn small whole points, choosing how many indicators and points by cross-validation.

    Parameters
    ----------
    indicators : array-like of shape (n, n_indicators)
        0/1 indicator values (unknown as 0, as the screen counts them).
    outcomes : array-like of shape (n,)
        1 if the outcome was recorded in the follow-up period, else 0.
    keys : sequence of str, optional
        Indicator keys (default ``"x0"``, ``"x1"``, ...).
    protective : sequence of bool, optional
        True for protective indicators, whose points must be <= 0; the others
        are risk indicators, whose points must be >= 0.
    max_points : int
        Largest points any one indicator may carry (1 to 10); every value up
        to it is cross-validated.
    max_indicators : int, optional
        Most indicators with non-zero points; numbers of indicators up to it
        are cross-validated (default: no limit).
    folds : int
        Cross-validation folds (2 to 20).
    seed : int or numpy.random.Generator
        For the fold assignment (the search itself uses no randomness).
    forced_in : sequence of str or int
        Keys (or column numbers) of indicators that must carry points.
    forced_out : sequence of str or int
        Keys (or column numbers) of indicators that must not.
    tolerance : float, optional
        Let cross-validation choose the card: the fewest indicators, then
        points, whose mean held-out AUROC is within this of the best (0:
        the best). By default the card uses the limits given: held-out
        AUROC rarely separates cards this close, so a choice by it alone
        mostly follows noise; the table shows what a simpler card costs.

    Returns
    -------
    FittedPoints

    Raises
    ------
    ValidationInputError
        If the arrays do not fit or a limit is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from efh_screen.validation import fit_points
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, size=(2000, 4))
    >>> logit = -2 + 1.5 * x[:, 0] + 0.8 * x[:, 1] - 1.0 * x[:, 3]
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(-logit))).astype(int)
    >>> fit = fit_points(x, y, protective=[False, False, False, True], max_points=3)
    >>> fit.selected
    ('x0', 'x1', 'x3')
    """
    names = _keys(keys, np.shape(indicators))
    problem = _problem(
        indicators,
        outcomes,
        names=names,
        signs=_protective_signs(protective, len(names)),
        limits=(max_points, max_indicators),
        forced=(forced_in, forced_out),
        floor=True,
    )
    n_folds = _whole("folds", folds, 2, 20)
    if tolerance is not None and not (
        isinstance(tolerance, int | float)
        and not isinstance(tolerance, bool)
        and 0 <= tolerance < 1
    ):
        raise ValidationInputError(
            f"tolerance must be None or a number from 0 to 1; got {tolerance!r}"
        )
    fold_of = fold_assignment(problem.y, folds=n_folds, rng=make_rng(seed))
    with single_threaded_blas():
        table = cross_validate(
            problem.z,
            problem.y,
            space=problem.space,
            sizes=size_grid(len(problem.space.forced), problem.max_indicators),
            max_points=problem.max_points,
            fold_of=fold_of,
        )
        if tolerance is None:
            chosen = table.setting(problem.max_indicators, problem.max_points)
        else:
            chosen = table.best(tolerance=float(tolerance))
        final = _with_limits(problem, chosen.max_points, chosen.max_indicators)
        solution = _solve(final)
    at_size = [s for s in table.settings if s.max_indicators == chosen.max_indicators]
    return FittedPoints(
        keys=names,
        points=solution.points,
        max_points=chosen.max_points,
        intercept=solution.intercept,
        slope=solution.slope,
        coefficients=solution.coefficients,
        cv_auroc={s.max_points: s.auroc.value for s in at_size},
        cv_auroc_continuous=chosen.auroc_before_rounding.value,
        settings={
            "max_points_limit": problem.max_points,
            "max_indicators": max_indicators,
            "max_indicators_chosen": chosen.max_indicators,
            "forced_in": [names[j] for j in problem.space.forced],
            "forced_out": [names[j] for j in _column_numbers("forced_out", forced_out, names)],
            "tolerance": None if tolerance is None else float(tolerance),
            "folds": n_folds,
            "seed": seed if isinstance(seed, int) else "generator",
        },
        cross_validation=table,
    )


def _with_limits(problem: _Problem, max_points: int, max_indicators: int) -> _Problem:
    """Return the same problem with other limits."""
    return _Problem(
        problem.x, problem.y, problem.sign, problem.z, problem.space, max_points, max_indicators
    )


def _keys(keys: Sequence[str] | None, shape: tuple[int, ...]) -> tuple[str, ...]:
    p = shape[1] if len(shape) == 2 else 0
    names = tuple(keys) if keys is not None else tuple(f"x{j}" for j in range(p))
    if keys is not None and len(shape) == 2 and len(names) != p:
        raise ValidationInputError(
            f"keys has {len(names)} entries but indicators has {p} columns; pass one key per column"
        )
    return names


def _protective_signs(protective: Sequence[bool] | npt.ArrayLike | None, p: int) -> _F:
    if protective is None:
        return np.ones(p)
    is_protective = np.asarray(protective, dtype=bool)
    if is_protective.shape != (p,):
        raise ValidationInputError(
            f"protective must have one entry per indicator column ({p}); got shape "
            f"{is_protective.shape}"
        )
    return np.where(is_protective, -1.0, 1.0)
