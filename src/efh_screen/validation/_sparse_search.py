"""Sparse sign-constrained logistic fits: a beam search over sets of indicators.

Everything here works on ``z``, the indicator matrix with each protective
column negated, so every coefficient is constrained to be >= 0.

1. **Fit on a set of indicators.** Projected Newton steps, each minimising
   the quadratic model of the penalised log-loss exactly under the bounds
   (a small active-set problem, one variable per indicator), then
   backtracking on the true objective. Pure numpy.
2. **Beam search over sets.** Starting from the indicators forced in, each
   of the best few sets is grown by one indicator at a time. Candidates are
   ranked by the score test (``gradient² / curvature`` at the current fit,
   one matrix-vector product for all of them) and only those that lower the
   log-loss with a positive coefficient are considered; the most promising
   few are probed (only their own coefficient and the intercept refitted,
   vectorised over candidates), and the best few children by that log-loss
   are fitted, warm-started from their parent, to form the next beam (after
   Liu et al., *FasterRisk*, NeurIPS 2022). The beam of every size is kept,
   so one search gives the whole path of sparsity levels.
3. **Pool.** Beside the final beam, the best set's neighbours (one indicator
   swapped for the best replacement) that fit almost as well are kept: near
   optimal sets whose rounding may be better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "RIDGE",
    "SparseFit",
    "beam_search",
    "finish",
    "fit_on_support",
    "solution_pool",
]

_F = npt.NDArray[np.float64]
_B = npt.NDArray[np.bool_]

RIDGE = 1.0
"""L2 penalty on the coefficients (not the intercept) in every continuous fit."""

_BEAM_WIDTH = 5
_CANDIDATES_PER_SET = 10
_WIDE_UP_TO = 20  # sets larger than this grow greedily (one set, one candidate)
_PROBE_ITERATIONS = 3
_GROWING_ITERATIONS = 4
_POOL_TOLERANCE = 0.01


@dataclass(frozen=True, eq=False)
class SparseFit:
    """A sign-constrained logistic fit on one set of indicators.

    Attributes
    ----------
    support : tuple of int
        Sorted column indices allowed a non-zero coefficient.
    coefficients : ndarray of shape (n_indicators,)
        Coefficients on ``z`` (all >= 0; zero outside the support).
    intercept : float
    objective : float
        Penalised training log-loss (summed over records).
    curvature : ndarray of shape (len(support) + 1, len(support) + 1)
        Hessian of the objective at the fit, intercept first.
    """

    support: tuple[int, ...]
    coefficients: _F
    intercept: float
    objective: float
    curvature: _F


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


def _objective(design: _F, y: _F, theta: _F, ridge: _F) -> float:
    eta = design @ theta
    loss = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
    return loss + 0.5 * float(ridge @ (theta * theta))


def _newton(design: _F, y: _F, theta: _F, *, iterations: int) -> tuple[_F, float, _F]:
    """Projected Newton on ``design @ theta`` (column 0 is the intercept, free)."""
    q = design.shape[1]
    ridge = np.full(q, RIDGE)
    ridge[0] = 0.0
    lower = np.zeros(q)
    lower[0] = -np.inf
    current = _objective(design, y, theta, ridge)
    hess = np.eye(q)
    for _ in range(iterations):
        prob = 1.0 / (1.0 + np.exp(-(design @ theta)))
        weight = np.maximum(prob * (1.0 - prob), 1e-10)
        grad = design.T @ (prob - y) + ridge * theta
        hess = (design * weight[:, None]).T @ design + np.diag(ridge + 1e-8)
        step = _bounded_quadratic(hess, grad, lower - theta)
        scale = 1.0
        for _ in range(20):
            trial = np.maximum(theta + scale * step, lower)
            value = _objective(design, y, trial, ridge)
            if value <= current + 1e-12:
                break
            scale *= 0.5
        else:
            break
        change = float(np.max(np.abs(trial - theta)))
        theta, previous, current = trial, current, value
        if change < 1e-7 or previous - current < 1e-10 * max(1.0, abs(current)):
            break
    return theta, current, hess


def fit_on_support(
    z: _F,
    y: _F,
    *,
    support: tuple[int, ...],
    start: SparseFit | None = None,
    entering: tuple[int, float] | None = None,
    iterations: int = 50,
) -> SparseFit:
    """Fit the sign-constrained logistic model on one set of indicators.

    Parameters
    ----------
    z : ndarray of shape (n, n_indicators)
        Indicators with protective columns negated.
    y : ndarray of shape (n,)
        Outcomes, 0 or 1.
    support : tuple of int
        Sorted column indices allowed a non-zero coefficient.
    start : SparseFit, optional
        Warm start (its coefficients on the support).
    entering : (int, float), optional
        A column new to the support and its starting coefficient.
    iterations : int
        Most Newton steps.

    Returns
    -------
    SparseFit
    """
    columns = list(support)
    design = np.concatenate([np.ones((z.shape[0], 1)), z[:, columns]], axis=1)
    theta = np.zeros(len(columns) + 1)
    if start is None:
        prevalence = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
        theta[0] = np.log(prevalence / (1 - prevalence))
    else:
        theta[0] = start.intercept
        theta[1:] = start.coefficients[columns]
    if entering is not None:
        theta[1 + columns.index(entering[0])] = max(entering[1], 0.0)
    theta, objective, hess = _newton(design, y, theta, iterations=iterations)
    coefficients = np.zeros(z.shape[1])
    coefficients[columns] = np.maximum(theta[1:], 0.0)
    return SparseFit(tuple(support), coefficients, float(theta[0]), objective, hess)


def _score_test(z: _F, y: _F, fit: SparseFit, allowed: _B) -> tuple[_F, _F]:
    """Score-test gain and Newton start for adding each column to ``fit``."""
    prob = 1.0 / (1.0 + np.exp(-(fit.intercept + z @ fit.coefficients)))
    gradient = z.T @ (prob - y)
    curvature = np.abs(z).T @ (prob * (1.0 - prob)) + RIDGE
    useful = allowed & (gradient < 0)
    useful[list(fit.support)] = False
    gain = np.where(useful, gradient * gradient / curvature, -np.inf)
    return gain, -gradient / curvature


class _Columns:
    """Rows where each column of ``z`` is non-zero, for sums over those rows only."""

    def __init__(self, z: _F) -> None:
        rows, cols = np.nonzero(z.T)  # column-major: each column's rows together
        self.rows = cols
        self.values = z[cols, rows]
        self.starts = np.searchsorted(rows, np.arange(z.shape[1] + 1))

    def gather(self, columns: list[int]) -> tuple[npt.NDArray[np.intp], _F, npt.NDArray[np.intp]]:
        """Row indices, values and candidate number of the non-zeros of ``columns``."""
        spans = [np.arange(self.starts[j], self.starts[j + 1]) for j in columns]
        index = np.concatenate(spans)
        segment = np.repeat(np.arange(len(columns)), [span.size for span in spans])
        return self.rows[index], self.values[index], segment


def _probe(z: _F, y: _F, parent: SparseFit, columns: list[int], start: _F, table: _Columns) -> _F:
    """Objective after adding each column with only its coefficient and the intercept refitted.

    A few two-variable Newton steps, vectorised over the columns. The rows
    where a column is zero only feel the intercept's small shift, so their
    log-loss is taken to second order around the parent's fit, and each step
    costs one pass over the columns' non-zeros.
    """
    base = parent.intercept + z @ parent.coefficients
    prob0 = 1.0 / (1.0 + np.exp(-base))
    rows, values, segment = table.gather(columns)
    count = len(columns)

    def sums(weights: _F) -> _F:
        return np.bincount(segment, weights=weights, minlength=count).astype(np.float64)

    loss0 = np.logaddexp(0.0, base) - y * base
    outside_loss = float(loss0.sum()) - sums(loss0[rows])
    outside_grad = float((prob0 - y).sum()) - sums(prob0[rows] - y[rows])
    outside_curv = float((prob0 * (1.0 - prob0)).sum()) - sums(prob0[rows] * (1 - prob0[rows]))
    base_rows, y_rows = base[rows], y[rows]
    coefficient = np.maximum(start[columns], 0.0)
    shift = np.zeros(count)
    for _ in range(_PROBE_ITERATIONS):
        prob = 1.0 / (1.0 + np.exp(-(base_rows + shift[segment] + values * coefficient[segment])))
        residual, weight = prob - y_rows, prob * (1.0 - prob)
        g_shift = sums(residual) + outside_grad + outside_curv * shift
        g_coefficient = sums(residual * values) + RIDGE * coefficient
        h_ss = sums(weight) + outside_curv + 1e-8
        h_sc = sums(weight * values)
        h_cc = sums(weight * values * values) + RIDGE
        det = np.maximum(h_ss * h_cc - h_sc * h_sc, 1e-12)
        shift = shift - (h_cc * g_shift - h_sc * g_coefficient) / det
        coefficient = np.maximum(coefficient - (h_ss * g_coefficient - h_sc * g_shift) / det, 0.0)
    eta = base_rows + shift[segment] + values * coefficient[segment]
    inside = sums(np.logaddexp(0.0, eta) - y_rows * eta)
    outside = outside_loss + shift * outside_grad + 0.5 * shift * shift * outside_curv
    ridge = 0.5 * RIDGE * (float(parent.coefficients @ parent.coefficients) + coefficient**2)
    return np.asarray(inside + outside + ridge, dtype=np.float64)


def _children(
    z: _F, y: _F, parent: SparseFit, allowed: _B, width: int, table: _Columns
) -> list[tuple[float, tuple[int, ...], SparseFit, int, float]]:
    """Probed children of ``parent``: (objective, support, parent, entering column, start)."""
    gain, start = _score_test(z, y, parent, allowed)
    order = [j for j in np.argsort(-gain, kind="stable")[:width].tolist() if np.isfinite(gain[j])]
    if not order:
        return []
    objectives = _probe(z, y, parent, order, start, table)
    return [
        (float(value), tuple(sorted((*parent.support, j))), parent, j, float(start[j]))
        for value, j in zip(objectives.tolist(), order, strict=True)
    ]


def beam_search(
    z: _F, y: _F, *, allowed: _B, forced: tuple[int, ...], max_size: int
) -> list[list[SparseFit]]:
    """Grow sets of indicators one at a time, keeping the best few of each size.

    Parameters
    ----------
    z : ndarray of shape (n, n_indicators)
        Indicators with protective columns negated.
    y : ndarray of shape (n,)
    allowed : ndarray of bool, shape (n_indicators,)
        Columns that may enter.
    forced : tuple of int
        Columns always in the set (they start it).
    max_size : int
        Largest set size.

    Returns
    -------
    list of list of SparseFit
        ``path[i]`` holds the beam (best first, fitted with a few Newton
        steps: see :func:`finish`) of sets of size ``len(forced) + i``; the
        path stops early when no column can lower the log-loss.
    """
    beam = [fit_on_support(z, y, support=tuple(sorted(forced)))]
    path = [beam]
    table = _Columns(z)
    while len(beam[0].support) < max_size:
        wide = len(beam[0].support) < _WIDE_UP_TO
        seen: dict[tuple[int, ...], tuple[float, tuple[int, ...], SparseFit, int, float]] = {}
        for parent in beam:
            for child in _children(
                z, y, parent, allowed, _CANDIDATES_PER_SET if wide else 1, table
            ):
                if child[1] not in seen or child[0] < seen[child[1]][0]:
                    seen[child[1]] = child
        if not seen:
            break
        ranked = sorted(seen.values(), key=lambda c: (c[0], c[1]))[: _BEAM_WIDTH if wide else 1]
        beam = [
            fit_on_support(
                z,
                y,
                support=support,
                start=parent,
                entering=(j, begin),
                iterations=_GROWING_ITERATIONS,
            )
            for _, support, parent, j, begin in ranked
        ]
        beam.sort(key=lambda f: (f.objective, f.support))
        path.append(beam)
    return path


def finish(z: _F, y: _F, *, beam: list[SparseFit]) -> list[SparseFit]:
    """Fit the sets of a beam to convergence (the search fits them with few Newton steps).

    Parameters
    ----------
    z, y
        As for :func:`beam_search`.
    beam : list of SparseFit

    Returns
    -------
    list of SparseFit
        Best first.
    """
    done = [fit_on_support(z, y, support=f.support, start=f) for f in beam]
    return sorted(done, key=lambda f: (f.objective, f.support))


def solution_pool(
    z: _F, y: _F, *, beam: list[SparseFit], allowed: _B, forced: tuple[int, ...]
) -> list[SparseFit]:
    """Return the beam plus near-optimal sets one swap away from its best set.

    Parameters
    ----------
    z, y
        As for :func:`beam_search`.
    beam : list of SparseFit
        Fully fitted sets of one size, best first.
    allowed : ndarray of bool
    forced : tuple of int

    Returns
    -------
    list of SparseFit
        Distinct sets whose objective is within 1% of the best, best first.
    """
    best = beam[0]
    pool = {f.support: f for f in beam}
    for leaving in best.support:
        if leaving in forced:
            continue
        reduced = tuple(j for j in best.support if j != leaving)
        base = fit_on_support(z, y, support=reduced, start=best, iterations=_PROBE_ITERATIONS)
        closed = allowed.copy()
        closed[leaving] = False
        gain, start = _score_test(z, y, base, closed)
        j = int(np.argmax(gain))
        if not np.isfinite(gain[j]):
            continue
        support = tuple(sorted((*reduced, j)))
        if support not in pool:
            pool[support] = fit_on_support(
                z, y, support=support, start=base, entering=(j, float(start[j])), iterations=8
            )
    limit = best.objective + _POOL_TOLERANCE * abs(best.objective)
    kept = [f for f in pool.values() if f.objective <= limit]
    return sorted(kept, key=lambda f: (f.objective, f.support))
