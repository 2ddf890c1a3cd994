"""Learning small-integer points from a labelled cohort.

Method
------
1. **Sign-constrained logistic regression.** Risk indicators may only add
   points and protective ones only take them away. With each protective
   column negated, that is logistic regression with non-negative
   coefficients; an L1 penalty on non-negative coefficients is linear, so the
   problem stays smooth. Projected Newton steps, each solving a small
   bound-constrained quadratic exactly by an active-set method, reach the
   optimum in a handful of passes over the records, in pure numpy (no
   scikit-learn or SciPy needed). When the number of indicators is limited,
   the L1 penalty is found by bisection so that few enough remain; those are
   refitted with a light L2 penalty.
2. **Scale and round.** Coefficients are scaled so the largest is ``M``
   points and rounded.
3. **Polish.** A local search over integer points: at each step every
   indicator's points are tried one up and one down, all at once with numpy,
   scoring each candidate by the training log-loss of the best logistic
   mapping from the *screen's* score (floored at 0, as the Screener does), and
   the best improving move is taken.
4. **Choose M by cross-validation.** Steps 1–3 run inside each fold for
   ``M = 1 .. max_points``; the smallest ``M`` whose mean held-out AUROC is
   within 0.002 of the best is chosen, and steps 1–3 are repeated on everyone.

The result holds the points, the mapping, and the cross-validated figures.
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
from ._metrics import auroc, logistic_probabilities

__all__ = [
    "FIT_INDICATORS_SHAPE",
    "FIT_INDICATORS_VALUES",
    "FIT_LIMITS",
    "FittedPoints",
    "fit_points",
]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

FIT_INDICATORS_SHAPE = (
    "indicators must be a 2-D array of shape (n_young_people, n_indicators); got {shape}"
)
FIT_INDICATORS_VALUES = "indicators must hold only 0 and 1 (unknown counts as 0, as in the screen)"
FIT_LIMITS = "{name} must be a whole number from {low} to {high}; got {value!r}"
_PARSIMONY = 0.002
_L2 = 1.0


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
        The largest number of points any indicator may carry (chosen by
        cross-validation up to the limit given).
    intercept, slope : float
        Logistic mapping from the screen's score to an outcome rate on the
        training cohort: ``1 / (1 + exp(-(intercept + slope * score)))``.
    coefficients : ndarray of shape (n_indicators,)
        The sign-constrained logistic coefficients before rounding.
    cv_auroc : dict of int to float
        Mean held-out AUROC of the integer score for each ``max_points`` tried.
    cv_auroc_continuous : float
        Mean held-out AUROC of the sign-constrained logistic score before rounding.
    settings : dict
        Limits, folds and seed used.
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
        }


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


def _bounded_quadratic(hess: _F, grad: _F, lower: _F) -> _F:
    """Minimise ``grad @ d + d @ hess @ d / 2`` subject to ``d >= lower`` (lower <= 0).

    Primal active-set method: exact in finitely many steps, each a small
    linear solve (the problem has one variable per indicator).
    """
    q = grad.shape[0]
    bounded = np.isfinite(lower)
    floor = np.where(bounded, lower, 0.0)
    d = np.zeros(q)
    active = bounded & (lower >= 0.0)  # d = 0 sits on these bounds
    for _ in range(4 * q + 10):
        free = ~active
        target = np.where(active, floor, 0.0)
        if free.any():
            rhs = -(grad[free] + hess[np.ix_(free, active)] @ floor[active])
            target[free] = np.linalg.solve(hess[np.ix_(free, free)], rhs)
        blocked = free & bounded & (target < floor - 1e-12)
        if blocked.any():
            move = target - d
            ratios = np.where(blocked, (floor - d) / np.where(move < 0, move, -1.0), np.inf)
            j = int(np.argmin(ratios))
            d = d + max(0.0, float(ratios[j])) * move
            d[j] = floor[j]
            active[j] = True
            continue
        d = target
        gradient = grad + hess @ d
        releasable = np.where(active, gradient, np.inf)
        j = int(np.argmin(releasable))
        if releasable[j] >= -1e-10:
            break
        active[j] = False
    return d


def _nonnegative_logistic(
    z: _F, y: _F, *, l1: float, l2: float, support: npt.NDArray[np.bool_], start: _F | None
) -> _F:
    """Minimise log-loss + l1*sum(b) + l2/2*|b|^2 over b >= 0 (columns outside support stay 0).

    Projected Newton: each step minimises the quadratic model of the
    objective under the bounds exactly (a small problem, one variable per
    indicator), then backtracks on the true objective. Each step costs one
    pass over the records. Pure numpy.
    """
    cols = np.flatnonzero(support)
    beta = np.zeros(z.shape[1])
    if cols.size == 0:
        return beta
    a = np.concatenate([np.ones((z.shape[0], 1)), z[:, cols]], axis=1)
    q = a.shape[1]
    penalty_l1 = np.concatenate([[0.0], np.full(q - 1, l1)])
    penalty_l2 = np.concatenate([[0.0], np.full(q - 1, l2)])
    lower = np.concatenate([[-np.inf], np.zeros(q - 1)])

    def objective(theta: _F) -> float:
        eta = a @ theta
        loss = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
        return loss + float(penalty_l1 @ theta) + 0.5 * float(penalty_l2 @ (theta * theta))

    theta = np.zeros(q)
    prevalence = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    theta[0] = np.log(prevalence / (1 - prevalence))
    if start is not None:
        theta[1:] = np.maximum(start[cols], 0.0)
    current = objective(theta)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a @ theta)))
        w = np.maximum(p * (1.0 - p), 1e-10)
        grad = a.T @ (p - y) + penalty_l1 + penalty_l2 * theta
        hess = (a * w[:, None]).T @ a + np.diag(penalty_l2 + 1e-6)

        step = _bounded_quadratic(hess, grad, lower - theta)
        scale = 1.0
        for _ in range(30):
            trial = np.maximum(theta + scale * step, lower)
            value = objective(trial)
            if value <= current + 1e-12:
                break
            scale *= 0.5
        else:
            break
        change = float(np.max(np.abs(trial - theta)))
        theta, previous, current = trial, current, value
        if change < 1e-7 or previous - current < 1e-10 * max(1.0, abs(current)):
            break
    beta[cols] = np.maximum(theta[1:], 0.0)
    return beta


def _continuous(z: _F, y: _F, max_indicators: int | None) -> _F:
    """Sign-constrained (non-negative on z) logistic coefficients, with at most max_indicators."""
    p = z.shape[1]
    varying = z.std(axis=0) > 0
    if max_indicators is None or max_indicators >= int(varying.sum()):
        return _nonnegative_logistic(z, y, l1=0.0, l2=_L2, support=varying, start=None)
    # Gradient at zero gives the L1 level at which the first indicator enters;
    # bisect (on a log scale) for the weakest penalty leaving few enough indicators.
    r0 = y.mean() - y
    lam_high = float(np.max(np.where(varying, -(z.T @ r0), 0.0)))
    lam_low = lam_high * 1e-4
    chosen = np.zeros(p, dtype=bool)
    warm: _F | None = None
    for _ in range(14):
        lam = float(np.sqrt(lam_high * lam_low))
        beta = _nonnegative_logistic(z, y, l1=lam, l2=0.0, support=varying, start=warm)
        active = beta > 1e-8
        if int(active.sum()) > max_indicators:
            lam_low = lam
        else:
            lam_high, chosen, warm = lam, active, beta
            if int(active.sum()) == max_indicators:
                break
    return _nonnegative_logistic(z, y, l1=0.0, l2=_L2, support=chosen, start=None)


def _score_losses(scores: npt.NDArray[np.int64], y: _F) -> _F:
    """Log-loss of the best logistic mapping from each candidate's score.

    ``scores`` has shape (n_candidates, n); returns shape (n_candidates,).
    """
    c = scores.shape[0]
    top = int(scores.max()) + 1
    flat = (scores + np.arange(c)[:, None] * top).reshape(-1)
    total = np.bincount(flat, minlength=c * top).reshape(c, top).astype(np.float64)
    pos = np.asarray(
        np.bincount(flat, weights=np.tile(y, c), minlength=c * top).reshape(c, top),
        dtype=np.float64,
    )
    neg = np.asarray(total - pos, dtype=np.float64)
    values = np.arange(top, dtype=np.float64)
    prob, _, _ = logistic_probabilities(values, neg, pos)
    prob = np.clip(prob, 1e-12, 1 - 1e-12)
    return np.asarray(-(pos * np.log(prob) + neg * np.log1p(-prob)).sum(axis=1), dtype=np.float64)


def _polish(
    z: _F, y: _F, w: npt.NDArray[np.int64], *, max_points: int, max_indicators: int | None
) -> npt.NDArray[np.int64]:
    """Best-improvement local search over integer points (on z, points >= 0)."""
    p = z.shape[1]
    linear = np.rint(z @ w).astype(np.int64)
    current = float(_score_losses(np.maximum(linear, 0)[None], y)[0])
    zi = z.astype(np.int64)
    for _ in range(4 * p * max_points):
        moves: list[tuple[int, int]] = []
        count = int(np.count_nonzero(w))
        for j in range(p):
            for step in (1, -1):
                new = w[j] + step
                if not 0 <= new <= max_points:
                    continue
                if w[j] == 0 and max_indicators is not None and count >= max_indicators:
                    continue
                moves.append((j, step))
        if not moves:
            break
        cols = np.array([m[0] for m in moves])
        steps = np.array([m[1] for m in moves])
        candidates = np.maximum(linear[None, :] + steps[:, None] * zi[:, cols].T, 0)
        losses = _score_losses(candidates, y)
        best = int(np.argmin(losses))
        if losses[best] >= current - 1e-9:
            break
        j, step = moves[best]
        w = w.copy()
        w[j] += step
        linear = linear + step * zi[:, j]
        current = float(losses[best])
    return w


def _integer(
    z: _F, y: _F, beta: _F, *, max_points: int, max_indicators: int | None
) -> npt.NDArray[np.int64]:
    top = float(beta.max())
    if top <= 0:
        return np.zeros(beta.shape[0], dtype=np.int64)
    w = np.clip(np.rint(beta * max_points / top), 0, max_points).astype(np.int64)
    if max_indicators is not None and np.count_nonzero(w) > max_indicators:
        keep = np.argsort(-beta)[:max_indicators]
        mask = np.zeros_like(w, dtype=bool)
        mask[keep] = True
        w = np.where(mask, w, 0)
    return _polish(z, y, w, max_points=max_points, max_indicators=max_indicators)


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


def _auroc_of(scores: npt.ArrayLike, y: _F) -> float:
    s = np.asarray(scores, dtype=np.float64)
    values, index = np.unique(s, return_inverse=True)
    pos = np.bincount(index, weights=y, minlength=values.size).astype(np.float64)
    neg = np.bincount(index, minlength=values.size).astype(np.float64) - pos
    return float(auroc(neg, pos))


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
) -> FittedPoints:
    """Learn small-integer points from indicators and outcomes.

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
        Largest points any one indicator may carry (1 to 10).
    max_indicators : int, optional
        Most indicators with non-zero points.
    folds : int
        Cross-validation folds for choosing the scale (2 to 20).
    seed : int or numpy.random.Generator
        For the fold assignment.

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
    x = _as_indicators(indicators)
    n, p = x.shape
    y = as_outcomes(outcomes, n=n).astype(np.float64)
    names = tuple(keys) if keys is not None else tuple(f"x{j}" for j in range(p))
    if len(names) != p:
        raise ValidationInputError(
            f"keys has {len(names)} entries but indicators has {p} columns; pass one key per column"
        )
    is_protective = (
        np.zeros(p, dtype=bool) if protective is None else np.asarray(protective, dtype=bool)
    )
    if is_protective.shape != (p,):
        raise ValidationInputError(
            f"protective must have one entry per indicator column ({p}); got shape "
            f"{is_protective.shape}"
        )
    max_points_ = _whole("max_points", max_points, 1, 10)
    max_ind = None if max_indicators is None else _whole("max_indicators", max_indicators, 1, p)
    n_folds = _whole("folds", folds, 2, 20)
    rng = make_rng(seed)
    sign = np.where(is_protective, -1.0, 1.0)
    # Protective columns negated: every coefficient on z is then >= 0.
    z = x * sign

    with single_threaded_blas():
        return _fit(x, y, z, sign, names, max_points_, max_ind, n_folds, rng, seed)


def _fit(
    x: _F,
    y: _F,
    z: _F,
    sign: _F,
    names: tuple[str, ...],
    max_points_: int,
    max_ind: int | None,
    n_folds: int,
    rng: np.random.Generator,
    seed: int | np.random.Generator,
) -> FittedPoints:
    n = x.shape[0]
    fold_of = np.empty(n, dtype=np.intp)
    for label in (0.0, 1.0):  # stratified by outcome
        idx = np.flatnonzero(y == label)
        fold_of[idx] = rng.permutation(np.arange(idx.size) % n_folds)
    cv: dict[int, list[float]] = {m: [] for m in range(1, max_points_ + 1)}
    cv_continuous: list[float] = []
    for k in range(n_folds):
        train, test = fold_of != k, fold_of == k
        beta = _continuous(z[train], y[train], max_ind)
        cv_continuous.append(_auroc_of(z[test] @ beta, y[test]))
        for m in cv:
            w = _integer(z[train], y[train], beta, max_points=m, max_indicators=max_ind)
            cv[m].append(_auroc_of(np.maximum(z[test] @ w, 0), y[test]))
    means = {m: float(np.nanmean(v)) for m, v in cv.items()}
    best = max(means.values())
    chosen = min(m for m, v in means.items() if v >= best - _PARSIMONY)

    beta = _continuous(z, y, max_ind)
    w = _integer(z, y, beta, max_points=chosen, max_indicators=max_ind)
    points = (w * sign).astype(np.int64)
    scores = np.maximum(np.rint(x @ points), 0)
    top = int(scores.max()) + 1
    pos = np.bincount(scores.astype(np.intp), weights=y, minlength=top).astype(np.float64)
    neg = np.bincount(scores.astype(np.intp), minlength=top).astype(np.float64) - pos
    _, intercept, slope = logistic_probabilities(np.arange(top, dtype=np.float64), neg, pos)
    return FittedPoints(
        keys=names,
        points=points,
        max_points=chosen,
        intercept=float(intercept),
        slope=float(slope),
        coefficients=beta * sign,
        cv_auroc=means,
        cv_auroc_continuous=float(np.nanmean(cv_continuous)),
        settings={
            "max_points_limit": max_points_,
            "max_indicators": max_ind,
            "folds": n_folds,
            "seed": seed if isinstance(seed, int) else "generator",
        },
    )
