"""Screening the four tables: check, reject, derive, score, all column-wise.

:func:`screen_tables` checks the tables' columns, decodes them, finds the children the
Profile model would reject (column-wise, :mod:`~efh_screen.tables._checks`), asks the model
to word their problems (:mod:`~efh_screen.tables._wording`), derives the screened children's
indicators (:mod:`~efh_screen.tables._derivation`), scores them with the numpy path every
batch uses (:meth:`Screener.score_matrix <efh_screen.Screener.score_matrix>`) and returns
results and rejections as Arrow tables.

A child is rejected whole when any of its rows has a problem, as the Profile path rejects a
whole record; one child's bad row never rejects another child. Every row of every table
ends screened (its child was screened) or rejected (its child was rejected, or no child has
its id): ``read == screened + rejected`` per table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._chunks import result_lines
from .._features import FeatureMatrix
from .._matrix import ScreeningBatch
from .._profile import check_as_of
from .._scoring import Screener
from .._weights import Weights
from ._arrow import arrow
from ._checks import CodedTables, find_rejected
from ._decoding import NULL, DecodedTable, as_arrow_tables, decode_table
from ._derivation import derive_matrix
from ._results import contributions_table, rejected_table, results_table
from ._wording import TableProblem, duplicate_problems, orphan_problems, word_problems

__all__ = ["TableCount", "TableCounts", "TableScreening", "screen_tables"]


class TableCount(NamedTuple):
    """What became of one table's rows (``read == screened + rejected``).

    Attributes
    ----------
    read : int
        Rows in the table.
    screened : int
        Rows of children that were screened.
    rejected : int
        Rows of children that were rejected, and rows whose id matches no child.
    """

    read: int
    screened: int
    rejected: int


class TableCounts(NamedTuple):
    """What became of each table's rows; ``children`` counts the young people."""

    children: TableCount
    observations: TableCount
    events: TableCount
    attendance: TableCount

    def plus(self, other: TableCounts) -> TableCounts:
        """Add another screening's counts, table by table (chunks of one folder add up)."""
        return TableCounts(
            *(
                TableCount(*(a + b for a, b in zip(one, two, strict=True)))
                for one, two in zip(self, other, strict=True)
            )
        )


@dataclass(frozen=True)
class TableScreening:
    """What :func:`screen_tables` found: results, rejections and counts.

    Attributes
    ----------
    results : pyarrow.Table
        One row per screened child, in the children table's order, with the fields of a
        compact result line flattened (``docs/tables.md``). ``.to_pandas()`` gives a
        DataFrame.
    rejected : pyarrow.Table
        One row per problem: ``id`` (when well formed), ``table``, ``row`` (from 0),
        ``field`` (the Profile model's field path) and ``reason``.
    counts : TableCounts
        Rows read, screened and rejected, per table.
    batch : ScreeningBatch
        The scores as arrays, one row per screened child.
    features : FeatureMatrix
        The screened children's indicators, derived column-wise (equal to
        :func:`~efh_screen.feature_matrix` of their profiles).
    contributions : pyarrow.Table or None
        With ``contributions=True``: every child's points in long form (``id``,
        ``indicator``, ``factor``, ``points``), summing to each score.
    """

    results: Any
    rejected: Any
    counts: TableCounts
    batch: ScreeningBatch
    features: FeatureMatrix
    contributions: Any = None

    def result_lines(self) -> list[str]:
        """Return the compact result lines, byte for byte those ``screen_file`` writes.

        Returns
        -------
        list of str
            One JSON object per screened child, without line endings.
        """
        return result_lines(self.batch, self.batch.top_reasons(3), self.batch.main_missing(3))


def _count(table: DecodedTable, screened: np.ndarray[Any, Any]) -> TableCount:
    owner = table.child
    kept = int(np.count_nonzero(screened[owner[owner != NULL]]))
    return TableCount(read=table.rows, screened=kept, rejected=table.rows - kept)


def _decode(tables: dict[str, Any]) -> tuple[CodedTables, Any]:
    pa = arrow("screen_tables").pa
    children_ids = tables["children"].column("id")
    children_ids = (
        children_ids.cast(pa.string()).combine_chunks()
        if not pa.types.is_null(children_ids.type)
        else pa.array([None] * len(children_ids), type=pa.string())
    )
    decoded = CodedTables(
        **{name: decode_table(name, table, children_ids) for name, table in tables.items()}
    )
    return decoded, children_ids


def _problems(
    coded: CodedTables, children_ids: Any, as_of: dt.date
) -> tuple[np.ndarray[Any, Any], list[TableProblem]]:
    """Which children can be screened, and every problem found, in table and row order."""
    findings = find_rejected(coded, children_ids, as_of=as_of)
    suspects = np.flatnonzero(findings.suspect & ~findings.duplicated)
    worded = word_problems(coded, suspects, as_of=as_of)
    rejected = findings.duplicated.copy()
    problems = duplicate_problems(coded.children, findings.duplicated)
    for child, found in worded.items():
        if found:
            rejected[child] = True
            problems += found
    for table in coded.rows():
        problems += orphan_problems(table)
    order = {
        name: index for index, name in enumerate(("children", *(t.name for t in coded.rows())))
    }
    problems.sort(key=lambda problem: (order[problem.table], problem.row))
    return ~rejected, problems


def screen_tables(
    children: object,
    observations: object = None,
    events: object = None,
    attendance: object = None,
    *,
    as_of: dt.date,
    weights: Weights | None = None,
    contributions: bool = False,
) -> TableScreening:
    """Screen the four tables of the columnar layout, column-wise.

    Parameters
    ----------
    children, observations, events, attendance : pyarrow.Table or pandas.DataFrame
        The four tables (``docs/tables.md``); None for an empty table. Columns must have
        the layout's types (``efh-screen schema --arrow``): a wrong type, an unknown
        column or a missing required column makes the input unusable.
    as_of : datetime.date
        The screening date (nothing reads today's clock).
    weights : Weights, optional
        The weightings (the embedded default when omitted).
    contributions : bool
        Also give every child's contributions in long form.

    Returns
    -------
    TableScreening
        Results, rejections and counts. The results are those of screening each child's
        profile with :meth:`Screener.screen <efh_screen.Screener.screen>`, and their result
        lines those :func:`~efh_screen.screen_file` writes, byte for byte.

    Raises
    ------
    InputError
        If a table is missing a required column, has a column the layout does not, or a
        column of the wrong type (every such column is named).
    ImportError
        If pyarrow is not installed (``pip install "efh_screen[tables]"``).
    """
    as_of = check_as_of(as_of)
    screener = Screener(weights)
    given = {
        "children": children,
        "observations": observations,
        "events": events,
        "attendance": attendance,
    }
    coded, children_ids = _decode(as_arrow_tables(given))
    screenable, problems = _problems(coded, children_ids, as_of)
    screened = np.flatnonzero(screenable)
    pa = arrow("screen_tables").pa
    ids = children_ids.take(pa.array(screened)).to_pylist()
    weights_used = screener.weights
    matrix = derive_matrix(
        coded,
        screened,
        ids,
        as_of=as_of,
        windows=weights_used.windows,
        counts=weights_used.counts,
        resolution=weights_used.resolution,
    )
    batch = screener.score_matrix(matrix)
    counts = TableCounts(*(_count(table, screenable) for table in (coded.children, *coded.rows())))
    return TableScreening(
        results=results_table(batch),
        rejected=rejected_table(problems),
        counts=counts,
        batch=batch,
        features=matrix,
        contributions=contributions_table(batch) if contributions else None,
    )
