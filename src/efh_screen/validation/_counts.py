"""Tabulating records into counts, and drawing bootstrap replicates of the counts.

Every figure the research tools report is a function of one table: how many
young people with and without the outcome had each distinct score value, in
each group. Resampling records with replacement (the ordinary non-parametric
bootstrap) changes only that table, and the table of a replicate follows a
multinomial distribution over its cells. So a replicate is drawn as counts
directly, in O(number of cells) rather than O(number of records), and every
metric of every replicate is computed at once from cumulative sums over the
score axis. With integer points there are a few dozen score values, which is
what makes 1,000 replicates on 100,000 records take seconds.

Arbitrary float scores (another tool's) work the same way: they are ranked
into their distinct values first. When there are nearly as many cells as
records, replicates are drawn by resampling record indices instead, which is
the same distribution computed differently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Slice", "Tabulation", "bootstrap_tables", "slice_tables", "tabulate"]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

#: Largest number of array elements one chunk of replicates may hold.
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True, slots=True)
class Slice:
    """One subset of records that figures are reported for.

    ``attribute`` is ``""`` for everyone; otherwise an audit attribute name
    (or two joined by ``" × "`` for an intersection) and ``label`` its group.
    """

    attribute: str
    label: str


@dataclass(frozen=True, slots=True)
class Tabulation:
    """Records reduced to counts per (combination of groups, score value, outcome).

    Attributes
    ----------
    values : ndarray of shape (n_values,)
        Distinct score values, ascending.
    cell : ndarray of shape (n_records,)
        Flat cell index of each record into ``counts``.
    counts : ndarray of shape (n_combos, n_values, 2)
        Records per cell; the last axis is outcome 0 then outcome 1.
    slices : tuple of Slice
        Everyone first, then each group of each attribute.
    membership : ndarray of shape (n_slices, n_combos)
        1.0 where a combination of groups belongs to a slice.
    """

    values: _F
    cell: _I
    counts: _F
    slices: tuple[Slice, ...]
    membership: _F

    @property
    def n_records(self) -> int:
        """Number of records."""
        return int(self.cell.shape[0])

    @property
    def n_cells(self) -> int:
        """Number of cells in the table."""
        return int(self.counts.size)


def tabulate(
    scores: _F,
    outcomes: npt.NDArray[np.int8],
    groups: Mapping[str, npt.NDArray[np.str_]],
    *,
    intersections: bool = False,
) -> Tabulation:
    """Count records per combination of groups, distinct score value and outcome."""
    values, value_index = np.unique(scores, return_inverse=True)
    n_values = values.shape[0]
    names = list(groups)
    if names:
        codes = []
        labels: list[npt.NDArray[np.str_]] = []
        for name in names:
            uniq, inverse = np.unique(groups[name], return_inverse=True)
            labels.append(uniq)
            codes.append(inverse)
        stacked = np.stack(codes, axis=1)
        combos, combo_index = np.unique(stacked, axis=0, return_inverse=True)
        combo_index = combo_index.reshape(-1)
    else:
        combos = np.zeros((1, 0), dtype=np.intp)
        combo_index = np.zeros(scores.shape[0], dtype=np.intp)
    n_combos = combos.shape[0]
    cell = (combo_index * n_values + value_index) * 2 + outcomes.astype(np.intp)
    counts = np.bincount(cell, minlength=n_combos * n_values * 2).astype(np.float64)

    slices = [Slice("", "all")]
    rows = [np.ones(n_combos)]
    for j, name in enumerate(names):
        for code, label in enumerate(labels[j].tolist()):
            slices.append(Slice(name, str(label)))
            rows.append((combos[:, j] == code).astype(np.float64))
    if intersections and len(names) >= 2:
        pairs = np.unique(combos[:, :2], axis=0)
        for a, b in pairs.tolist():
            slices.append(Slice(f"{names[0]} × {names[1]}", f"{labels[0][a]} × {labels[1][b]}"))
            rows.append(((combos[:, 0] == a) & (combos[:, 1] == b)).astype(np.float64))
    return Tabulation(
        values=values.astype(np.float64),
        cell=cell.astype(np.intp),
        counts=counts.reshape(n_combos, n_values, 2),
        slices=tuple(slices),
        membership=np.stack(rows),
    )


def slice_tables(tab: Tabulation, counts: _F) -> tuple[_F, _F]:
    """Sum combination counts into slices.

    Parameters
    ----------
    tab : Tabulation
    counts : ndarray of shape (..., n_combos, n_values, 2)

    Returns
    -------
    negatives, positives : ndarray of shape (..., n_slices, n_values)
    """
    summed = np.einsum("sc,...cky->...sky", tab.membership, counts)
    return summed[..., 0], summed[..., 1]


def _chunk_size(tab: Tabulation, n_boot: int, *, by_index: bool) -> int:
    per_replicate = tab.n_cells * max(1, len(tab.slices))
    if by_index:
        per_replicate = max(per_replicate, tab.n_records)
    return max(1, min(n_boot, _CHUNK_ELEMENTS // max(1, per_replicate)))


def _stratified_draw(tab: Tabulation, size: int, rng: np.random.Generator, *, by_index: bool) -> _F:
    """Draw ``size`` replicates resampling those with and without the outcome separately."""
    cells = tab.counts.reshape(-1, 2)
    drawn = np.zeros((size, *cells.shape))
    for outcome in (0, 1):
        column = cells[:, outcome]
        count = int(column.sum())
        if count == 0:
            continue
        if by_index:
            members = tab.cell[tab.cell % 2 == outcome] // 2
            picks = members[rng.integers(0, count, size=(size, count))]
            offsets = (np.arange(size, dtype=np.intp) * cells.shape[0])[:, None]
            counted = np.bincount((picks + offsets).reshape(-1), minlength=size * cells.shape[0])
            drawn[:, :, outcome] = counted.reshape(size, -1)
        else:
            drawn[:, :, outcome] = rng.multinomial(count, column / count, size=size)
    return drawn.reshape(size, -1)


def bootstrap_tables(
    tab: Tabulation, *, n_boot: int, rng: np.random.Generator, stratify: bool = False
) -> Iterator[_F]:
    """Yield bootstrap replicates of the count table, in chunks.

    Parameters
    ----------
    tab : Tabulation
    n_boot : int
        Replicates in all.
    rng : numpy.random.Generator
    stratify : bool
        Resample young people with and without the outcome separately, so
        every replicate keeps the cohort's number of outcomes.

    Yields
    ------
    ndarray of shape (chunk, n_combos, n_values, 2)
        Counts of each replicate; chunks together hold ``n_boot`` replicates.
    """
    n = tab.n_records
    flat = tab.counts.reshape(-1)
    shape = tab.counts.shape
    # Multinomial draws cost O(cells); index resampling costs O(records).
    by_index = tab.n_cells * 4 > n
    chunk = _chunk_size(tab, n_boot, by_index=by_index)
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        if stratify:
            drawn = _stratified_draw(tab, size, rng, by_index=by_index)
        elif by_index:
            picks = rng.integers(0, n, size=(size, n))
            offsets = (np.arange(size, dtype=np.intp) * tab.n_cells)[:, None]
            drawn = np.bincount(
                (tab.cell[picks] + offsets).reshape(-1), minlength=size * tab.n_cells
            ).astype(np.float64)
        else:
            drawn = rng.multinomial(n, flat / n, size=size).astype(np.float64)
        yield drawn.reshape((size, *shape))
        done += size
