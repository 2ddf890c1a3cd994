"""From sparse continuous fits to small whole points.

Everything here works on ``z`` (protective columns negated), so every
point is >= 0 here and the caller restores the signs.

1. **Multiplier search with sequential rounding.** Each continuous fit is
   scaled by a grid of multipliers up to the one that makes its largest
   coefficient the largest points allowed. For each multiplier the
   coefficients are rounded one at a time: at each step the coefficient and
   direction (down or up) that raise a quadratic model of the log-loss least
   are fixed, and the coefficients not yet rounded (and the intercept) move
   to their best values given those fixed (a rank-one update of the inverse
   curvature). The quadratic model is the log-loss's own curvature at the
   continuous fit, so the integer points keep the continuous solution's
   ranking as closely as the grid allows (after FasterRisk's star-ray search
   and RiskSLIM's rounding heuristics).
2. **Exact scoring.** Every rounded candidate is scored by the training
   log-loss of the best logistic mapping from the *screen's* score (floored
   at 0, as the Screener does) to the outcome: two parameters, an intercept
   and a slope (the multiplier), fitted on the counts per score value.
3. **Polish.** Best-improvement local search: every indicator's points one
   up or one down, all scored at once from count histograms updated only
   for the records carrying the indicator, until no move lowers the
   log-loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._metrics import logistic_probabilities
from ._sparse_search import SparseFit

__all__ = ["IntegerBounds", "TrainingRows", "best_points", "polish", "score_losses"]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]

_MULTIPLIERS = np.linspace(0.5, 1.1, 13)
_SCORED = 32


@dataclass(frozen=True, eq=False)
class IntegerBounds:
    """Per-column bounds on the points (on ``z``), the most non-zero columns, the floor.

    Attributes
    ----------
    lower, upper : ndarray of shape (n_indicators,)
        Smallest and largest points per column (forced-in columns have
        ``lower = 1``; excluded columns ``upper = 0``).
    max_nonzero : int
        Most columns with non-zero points.
    floor : bool
        Whether the score is floored at 0 (as the Screener does) before it
        is mapped to an outcome rate.
    """

    lower: _I
    upper: _I
    max_nonzero: int
    floor: bool


def _as_index(linear: _I, *, floor: bool) -> _I:
    """Scores as non-negative histogram positions (floored, or shifted to start at 1)."""
    if floor:
        return np.maximum(linear, 0)
    return linear - int(linear.min()) + 1


def score_losses(scores: _I, y: _F) -> _F:
    """Log-loss of the best logistic mapping from each candidate's score.

    Parameters
    ----------
    scores : ndarray of shape (n_candidates, n)
        Non-negative whole scores (histogram positions).
    y : ndarray of shape (n,)

    Returns
    -------
    ndarray of shape (n_candidates,)
    """
    c = scores.shape[0]
    top = int(scores.max()) + 1
    flat = (scores + np.arange(c)[:, None] * top).reshape(-1)
    total = np.bincount(flat, minlength=c * top).reshape(c, top).astype(np.float64)
    positives = np.bincount(flat, weights=np.tile(y, c), minlength=c * top).astype(np.float64)
    positives = positives.reshape(c, top)
    return _histogram_losses(total - positives, positives)


def _histogram_losses(negatives: _F, positives: _F) -> _F:
    values = np.arange(negatives.shape[-1], dtype=np.float64)
    prob, _, _ = logistic_probabilities(values, negatives, positives)
    prob = np.clip(prob, 1e-12, 1 - 1e-12)
    loss = -(positives * np.log(prob) + negatives * np.log1p(-prob)).sum(axis=-1)
    return np.asarray(loss, dtype=np.float64)


def _sequential_rounding(fit: SparseFit, multipliers: _F, bounds: IntegerBounds) -> tuple[_I, _F]:
    """Round ``multiplier * coefficients`` one coefficient at a time, for every multiplier.

    Returns points of shape (n_multipliers, n_indicators) and, for each, the
    rise in the quadratic model of the log-loss that the rounding costs. All
    multipliers are rounded side by side: the curvature is the same up to a
    factor.
    """
    columns = np.array(fit.support, dtype=np.intp)
    count = multipliers.size
    points = np.zeros((count, fit.coefficients.shape[0]), dtype=np.int64)
    rise = np.zeros(count)
    if columns.size == 0:
        return points, rise
    rows = np.arange(count)
    theta = np.concatenate([[fit.intercept], fit.coefficients[columns]])
    current = multipliers[:, None] * theta[None, :]
    scaled = multipliers[:, None, None] ** 2
    inverse = np.linalg.inv(fit.curvature)[None, :, :] * scaled  # in scaled units
    free = np.ones((count, columns.size), dtype=bool)  # position 0 (intercept) never rounds
    lower = bounds.lower[columns].astype(np.float64)
    upper = bounds.upper[columns].astype(np.float64)
    for _ in range(columns.size):
        value = current[:, 1:]
        low = np.clip(np.floor(value), lower, upper)
        high = np.clip(np.ceil(value), lower, upper)
        diagonal = np.maximum(np.diagonal(inverse, axis1=1, axis2=2)[:, 1:], 1e-12)
        cost_low = np.where(free, (low - value) ** 2 / diagonal, np.inf)
        cost_high = np.where(free, (high - value) ** 2 / diagonal, np.inf)
        pick = np.argmin(np.minimum(cost_low, cost_high), axis=1)
        rise += 0.5 * np.minimum(cost_low, cost_high)[rows, pick]
        use_low = cost_low[rows, pick] <= cost_high[rows, pick]
        target = np.where(use_low, low[rows, pick], high[rows, pick])
        j = pick + 1
        # Fixed coordinates have zero rows in `inverse`, so only free ones move.
        column = inverse[rows, :, j]
        pivot = np.maximum(inverse[rows, j, j], 1e-12)
        current += column / pivot[:, None] * (target - current[rows, j])[:, None]
        current[rows, j] = target
        inverse -= column[:, :, None] * column[:, None, :] / pivot[:, None, None]
        free[rows, pick] = False
    points[:, columns] = np.rint(current[:, 1:]).astype(np.int64)
    return points, rise


def _rounded_candidates(pool: list[SparseFit], bounds: IntegerBounds) -> list[_I]:
    """Distinct rounded points, those the quadratic model rates best first (at most _SCORED)."""
    candidates: dict[bytes, tuple[float, int, _I]] = {}
    for fit in pool:
        top = float(fit.coefficients.max(initial=0.0))
        if top <= 0:
            continue
        scale = float(bounds.upper[list(fit.support)].max(initial=1)) / top
        points, rise = _sequential_rounding(fit, scale * _MULTIPLIERS, bounds)
        for row, cost in zip(points, rise.tolist(), strict=True):
            rank = (fit.objective + cost, len(candidates), row)
            candidates.setdefault(row.tobytes(), rank)
    if not candidates:
        return [bounds.lower.copy()]
    ranked = sorted(candidates.values(), key=lambda item: (item[0], item[1]))
    return [row for _, _, row in ranked[:_SCORED]]


class TrainingRows:
    """Training records prepared once for every rounding and polish on them.

    Parameters
    ----------
    z : ndarray of shape (n, n_indicators)
        Indicators with protective columns negated.
    y : ndarray of shape (n,)
        Outcomes, 0 or 1.
    """

    def __init__(self, z: _F, y: _F) -> None:
        self.z = z
        self.y = y
        whole = np.rint(z).astype(np.int64)
        # Each column's records, column by column, to score moves from histograms.
        cols, rows = np.nonzero(whole.T)
        self.rows = rows
        self.delta = whole[rows, cols]
        self.outcome = y[rows]
        self.starts = np.searchsorted(cols, np.arange(z.shape[1] + 1))
        self.n_columns = z.shape[1]
        self.whole = whole

    def losses(self, linear: _I, columns: npt.NDArray[np.intp], *, floor: bool) -> _F:
        """Log-loss after moving each of ``columns`` one up (row 0) or one down (row 1)."""
        shift = 0 if floor else 1 - int(linear.min())
        linear = linear + shift
        floored = np.maximum(linear, 0)
        width = int(floored.max()) + 2
        base_total = np.bincount(floored, minlength=width).astype(np.float64)
        base_pos = np.bincount(floored, weights=self.y, minlength=width)
        spans = [np.arange(self.starts[j], self.starts[j + 1]) for j in columns.tolist()]
        entries = np.concatenate([np.zeros(0, dtype=np.intp), *spans])
        position = np.repeat(np.arange(columns.size), [span.size for span in spans])
        rows, delta, outcome = self.rows[entries], self.delta[entries], self.outcome[entries]
        old = floored[rows]
        count = columns.size
        moves = 2 * count
        total = np.tile(base_total, (moves, 1))
        positives = np.tile(base_pos, (moves, 1)).astype(np.float64)
        for direction, step in enumerate((1, -1)):
            new = np.maximum(linear[rows] + step * delta, 0)
            move = (direction * count + position) * width
            change = np.bincount(move + new, minlength=moves * width) - np.bincount(
                move + old, minlength=moves * width
            )
            change_pos = np.bincount(
                move + new, weights=outcome, minlength=moves * width
            ) - np.bincount(move + old, weights=outcome, minlength=moves * width)
            total += change.reshape(moves, width)
            positives += change_pos.reshape(moves, width)
        losses = _histogram_losses(total - positives, positives)
        return losses.reshape(2, count)


def polish(
    table: TrainingRows, *, points: _I, bounds: IntegerBounds, loss: float | None = None
) -> tuple[_I, float]:
    """Best-improvement local search over whole points (on ``z``).

    Parameters
    ----------
    table : TrainingRows
    points : ndarray of shape (n_indicators,)
        Starting points (within the bounds).
    bounds : IntegerBounds
    loss : float, optional
        The starting points' loss, when already known.

    Returns
    -------
    points : ndarray of shape (n_indicators,)
    loss : float
        Training log-loss of the best logistic mapping from the score
        (floored at 0 when ``bounds.floor``).
    """
    points = points.copy()
    linear = table.whole @ points
    if loss is None:
        loss = float(score_losses(_as_index(linear, floor=bounds.floor)[None], table.y)[0])
    current = loss
    for _ in range(4 * table.n_columns * int(bounds.upper.max(initial=1))):
        up = points + 1 <= bounds.upper
        if np.count_nonzero(points) >= bounds.max_nonzero:
            up &= points != 0
        down = points - 1 >= bounds.lower
        columns = np.flatnonzero(up | down)
        if columns.size == 0:
            break
        losses = table.losses(linear, columns, floor=bounds.floor)
        losses = np.where(np.stack([up[columns], down[columns]]), losses, np.inf)
        direction, pick = np.unravel_index(int(np.argmin(losses)), losses.shape)
        if not losses[direction, pick] < current - 1e-9:
            break
        j = int(columns[pick])
        step = 1 if direction == 0 else -1
        points[j] += step
        linear = linear + step * table.whole[:, j]
        current = float(losses[direction, pick])
    return points, current


def best_points(
    table: TrainingRows, *, pool: list[SparseFit], bounds: IntegerBounds, polished: int
) -> tuple[_I, float]:
    """Whole points (on ``z``) from a pool of continuous fits: round, score, polish.

    Parameters
    ----------
    table : TrainingRows
    pool : list of SparseFit
        Near-optimal continuous fits.
    bounds : IntegerBounds
    polished : int
        How many of the best rounded candidates to polish.

    Returns
    -------
    points : ndarray of shape (n_indicators,)
    loss : float
        As for :func:`polish`.
    """
    candidates = _rounded_candidates(pool, bounds)
    stacked = np.stack(candidates).astype(np.float64)
    linear = np.rint(stacked @ table.z.T).astype(np.int64)
    if bounds.floor:
        scores = np.maximum(linear, 0)
    else:
        scores = linear - linear.min(axis=1, keepdims=True) + 1
    losses = score_losses(scores, table.y)
    order = np.argsort(losses, kind="stable")[: max(polished, 1)]
    first = int(order[0])
    best = polish(table, points=candidates[first], bounds=bounds, loss=float(losses[first]))
    for i in order[1:].tolist():
        result = polish(table, points=candidates[i], bounds=bounds, loss=float(losses[i]))
        if result[1] < best[1] - 1e-9:
            best = result
    return best
