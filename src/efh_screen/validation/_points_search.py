"""The sparse integer search: from indicators and outcomes to whole points at given limits.

Works on ``z`` (protective columns negated, so every point is >= 0 here):

1. :func:`search_path` runs the beam search over sets of indicators once,
   up to the largest number of indicators wanted (``_sparse_search``).
2. :func:`points_for` turns the sets of one size into whole points up to a
   largest value: a pool of near-optimal sets, multiplier search with
   sequential rounding, exact scoring and polish (``_points_rounding``).
3. :func:`score_mapping` fits the logistic mapping from the resulting score
   to an outcome rate.

One search path serves every number of indicators up to its length, which
is what makes cross-validating the sparsity cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._metrics import logistic_probabilities
from ._points_rounding import IntegerBounds, TrainingRows, best_points
from ._sparse_search import SparseFit, beam_search, finish, solution_pool

__all__ = [
    "IntegerFit",
    "SearchSpace",
    "beam_of",
    "points_for",
    "score_mapping",
    "search_path",
]

_F = npt.NDArray[np.float64]
_B = npt.NDArray[np.bool_]
_I = npt.NDArray[np.int64]

_POLISHED_THOROUGH = 3


@dataclass(frozen=True, eq=False)
class SearchSpace:
    """Which columns may carry points, which must, and how the score is read.

    Attributes
    ----------
    allowed : ndarray of bool, shape (n_indicators,)
        Columns that may carry points (not forced out, not constant).
    forced : tuple of int
        Columns that must carry at least one point.
    floor : bool
        Whether the score is floored at 0, as the Screener does.
    """

    allowed: _B
    forced: tuple[int, ...]
    floor: bool

    def bounds(self, *, max_points: int, max_indicators: int) -> IntegerBounds:
        """Integer bounds for a card with these limits."""
        lower = np.zeros(self.allowed.shape[0], dtype=np.int64)
        lower[list(self.forced)] = 1
        upper = np.where(self.allowed, max_points, 0).astype(np.int64)
        upper[list(self.forced)] = max_points
        return IntegerBounds(lower, upper, max_indicators, self.floor)


@dataclass(frozen=True, eq=False)
class IntegerFit:
    """Whole points on ``z`` with the continuous fit they were rounded from.

    Attributes
    ----------
    points : ndarray of shape (n_indicators,)
        Points on ``z`` (all >= 0).
    loss : float
        Training log-loss of the best logistic mapping from the score.
    continuous : SparseFit
        The best continuous fit of the same size.
    """

    points: _I
    loss: float
    continuous: SparseFit


def search_path(z: _F, y: _F, *, space: SearchSpace, max_indicators: int) -> list[list[SparseFit]]:
    """Beam search over sets of indicators, up to ``max_indicators`` of them.

    Parameters
    ----------
    z : ndarray of shape (n, n_indicators)
        Indicators with protective columns negated.
    y : ndarray of shape (n,)
    space : SearchSpace
    max_indicators : int

    Returns
    -------
    list of list of SparseFit
        As :func:`beam_search` returns.
    """
    candidates = space.allowed.copy()
    candidates[list(space.forced)] = False
    return beam_search(z, y, allowed=candidates, forced=space.forced, max_size=max_indicators)


def beam_of(
    z: _F, y: _F, *, space: SearchSpace, path: list[list[SparseFit]], size: int
) -> list[SparseFit]:
    """Return the sets of ``size`` indicators (or the largest), fitted to convergence.

    Parameters
    ----------
    z, y
        As for :func:`search_path`.
    space : SearchSpace
    path : list of list of SparseFit
        From :func:`search_path`.
    size : int

    Returns
    -------
    list of SparseFit
        Best first.
    """
    level = min(max(size - len(space.forced), 0), len(path) - 1)
    return finish(z, y, beam=path[level])


def points_for(
    table: TrainingRows,
    *,
    space: SearchSpace,
    beam: list[SparseFit],
    size: int,
    max_points: int,
    thorough: bool,
) -> IntegerFit:
    """Whole points with at most ``size`` indicators and ``max_points`` points each.

    Parameters
    ----------
    table : TrainingRows
        The training records (the ``z`` and ``y`` of :func:`search_path`).
    space : SearchSpace
    beam : list of SparseFit
        From :func:`beam_of` for the same ``size``.
    size, max_points : int
        Limits of the card.
    thorough : bool
        Widen the pool by swaps and polish more candidates (for a final
        fit); cross-validation uses the quicker search.

    Returns
    -------
    IntegerFit
    """
    pool = beam
    if thorough:
        candidates = space.allowed.copy()
        candidates[list(space.forced)] = False
        pool = solution_pool(table.z, table.y, beam=beam, allowed=candidates, forced=space.forced)
    bounds = space.bounds(max_points=max_points, max_indicators=size)
    polished = _POLISHED_THOROUGH if thorough else 1
    points, loss = best_points(table, pool=pool, bounds=bounds, polished=polished)
    return IntegerFit(points=points, loss=loss, continuous=beam[0])


def score_mapping(
    scores: _I, y: _F, *, groups: tuple[npt.NDArray[np.bool_], ...] | None = None
) -> tuple[tuple[float, float], ...]:
    """Intercept and slope of the logistic mapping from whole scores to an outcome rate.

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Whole scores (may be negative when not floored).
    y : ndarray of shape (n,)
    groups : tuple of boolean masks, optional
        Fit one mapping per group of records, side by side (default: one
        mapping on every record).

    Returns
    -------
    tuple of (intercept, slope)
        One pair per group: ``P(outcome) = 1 / (1 + exp(-(intercept + slope * score)))``.
    """
    masks = groups if groups is not None else (np.ones(scores.shape[0], dtype=bool),)
    low = int(scores.min())
    index = (scores - low).astype(np.intp)
    width = int(index.max()) + 1
    positives = np.stack(
        [np.bincount(index[m], weights=y[m], minlength=width) for m in masks]
    ).astype(np.float64)
    totals = np.stack([np.bincount(index[m], minlength=width) for m in masks]).astype(np.float64)
    values = np.arange(low, low + width, dtype=np.float64)
    _, intercept, slope = logistic_probabilities(values, totals - positives, positives)
    return tuple((float(a), float(b)) for a, b in zip(intercept, slope, strict=True))
