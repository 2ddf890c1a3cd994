"""Results out: a ScreeningBatch as Arrow tables, and rejections as one.

The results table has one row per screened child with the fields of a compact result line
(:func:`~efh_screen._batch.result_lines`), flattened for pandas: a nested field ``a.b`` of
the line is the column ``a_b`` (``score_range_low``, ``ace_count_max``,
``weights_sha256``, ``coverage_known_percent``: blank when the weightings have no coverage
rule); ``top_reasons`` stays a list of ``{indicator, points}`` and ``main_missing`` a list
of group keys. The long-form contributions table has one row per
point-carrying indicator of each child, ordered as :attr:`ScreeningResult.contributions
<efh_screen.ScreeningResult.contributions>`, with the needs cap after the risk points and
the protective cap last where they bite, so each child's points sum to its score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._features import INDICATORS
from .._matrix import RankedColumns, ScreeningBatch
from .._result import NEEDS_CAP_KEY, PROTECTIVE_CAP_KEY
from .._scheme import GROUPS
from .._version import __version__
from ._arrow import arrow
from ._wording import TableProblem

__all__ = [
    "RESULT_COLUMNS",
    "contributions_table",
    "rejected_schema",
    "rejected_table",
    "results_table",
]

RESULT_COLUMNS = (
    "id",
    "as_of",
    "score",
    "score_range_low",
    "score_range_high",
    "band",
    "band_label",
    "flag",
    "flag_could_change",
    "coverage_known_percent",
    "coverage_enough",
    "ace_count_known",
    "ace_count_max",
    "top_reasons",
    "main_missing",
    "weights_name",
    "weights_version",
    "weights_status",
    "weights_sha256",
    "library_version",
)
"""Columns of the results table, in order: the result line's fields, flattened."""

_KEYS = [indicator.key for indicator in INDICATORS]
_LISTED = 3  # reasons and missing groups on a result line
_GROUPS = [indicator.group for indicator in INDICATORS]


def _ranked_list(ranked: RankedColumns, words: Any, values: Any | None = None) -> Any:
    """Return a list array of, per row, the chosen ranked columns as words (and values)."""
    pa = arrow("results").pa
    offsets = np.zeros(len(ranked.chosen) + 1, dtype=np.int32)
    np.cumsum(ranked.chosen.sum(axis=1), out=offsets[1:])
    chosen = pa.array(ranked.columns[ranked.chosen])
    items = words.take(chosen)
    if values is not None:
        items = pa.StructArray.from_arrays(
            [items, values.take(chosen)], names=["indicator", "points"]
        )
    return pa.ListArray.from_arrays(pa.array(offsets), items)


def results_table(batch: ScreeningBatch) -> Any:
    """Return the results table of a batch (see the module docstring for its columns).

    Parameters
    ----------
    batch : ScreeningBatch
        The scored batch; its top three reasons and missing groups are listed, as in the
        result lines.
    """
    pa = arrow("results").pa
    n = len(batch)
    bands, rule = batch.weights.bands, batch.weights.coverage
    # The coverage rule's key and label (when it has one) follow the bands' own.
    keys = [band.key for band in bands] + ([rule.key] if rule is not None else [])
    labels = [band.label for band in bands] + ([rule.label] if rule is not None else [])
    band_keys, band_labels = pa.array(keys), pa.array(labels)
    band_index = pa.array(np.where(batch.not_enough_known, len(bands), batch.band).astype(np.int32))
    coverage = batch.coverage_columns()
    reasons = batch.ranked_reasons(_LISTED)
    points = np.take_along_axis(batch.contributions, reasons.columns, axis=1)
    top = _ranked_list(
        RankedColumns(np.arange(points.size).reshape(points.shape), reasons.chosen),
        pa.array(_KEYS).take(pa.array(reasons.columns.ravel())),
        pa.array(points.ravel(), type=pa.int32()),
    )
    missing = _ranked_list(batch.ranked_missing(_LISTED), pa.array(GROUPS, type=pa.string()))
    stamp = batch.weights.stamp
    columns = {
        "id": pa.array(batch.ids, type=pa.string()),
        "as_of": pa.array([batch.as_of] * n, type=pa.date32()),
        "score": pa.array(batch.score),
        "score_range_low": pa.array(batch.score_low),
        "score_range_high": pa.array(batch.score_high),
        "band": band_keys.take(band_index),
        "band_label": band_labels.take(band_index),
        "flag": pa.array(batch.flag),
        "flag_could_change": pa.array(batch.flag_could_change),
        "coverage_known_percent": pa.nulls(n, pa.int64())
        if coverage is None
        else pa.array(coverage.known_percent),
        "coverage_enough": pa.nulls(n, pa.bool_())
        if coverage is None
        else pa.array(coverage.enough),
        "ace_count_known": pa.array(batch.ace_known),
        "ace_count_max": pa.array(batch.ace_max),
        "top_reasons": top,
        "main_missing": missing,
        "weights_name": pa.array([stamp.name] * n, type=pa.string()),
        "weights_version": pa.array([stamp.version] * n, type=pa.string()),
        "weights_status": pa.array([stamp.status] * n, type=pa.string()),
        "weights_sha256": pa.array([stamp.sha256] * n, type=pa.string()),
        "library_version": pa.array([__version__] * n, type=pa.string()),
    }
    return pa.table({name: columns[name] for name in RESULT_COLUMNS})


def contributions_table(batch: ScreeningBatch) -> Any:
    """Every child's contributions in long form: ``id``, ``indicator``, ``factor``, ``points``.

    Ordered by child, then as :meth:`Screener.screen` lists them: risk points largest first,
    then the needs cap where it bites, then protective reductions largest first (catalogue
    order among equals), then the protective cap where it bites.
    """
    pa = arrow("contributions").pa
    points = batch.contributions
    rows, columns = np.nonzero(points)
    values = points[rows, columns]
    needs_capped = np.flatnonzero(batch.needs_adjustment != 0)
    protective_capped = np.flatnonzero(batch.cap_adjustment > 0)
    n_keys = len(_KEYS)
    all_rows = np.concatenate([rows, needs_capped, protective_capped])
    all_columns = np.concatenate(
        [columns, np.full(len(needs_capped), n_keys), np.full(len(protective_capped), n_keys + 1)]
    )
    all_points = np.concatenate(
        [values, batch.needs_adjustment[needs_capped], batch.cap_adjustment[protective_capped]]
    ).astype(np.int32)
    # Risk (0), the needs cap (1), protective (2), the protective cap (3).
    kind = np.concatenate(
        [
            np.where(values < 0, 2, 0).astype(np.int8),
            np.full(len(needs_capped), 1, np.int8),
            np.full(len(protective_capped), 3, np.int8),
        ]
    )
    order = np.lexsort((all_columns, -np.abs(all_points), kind, all_rows))
    keys = pa.array([*_KEYS, NEEDS_CAP_KEY, PROTECTIVE_CAP_KEY])
    groups = pa.array([*_GROUPS, NEEDS_CAP_KEY, PROTECTIVE_CAP_KEY])
    chosen = pa.array(all_columns[order])
    return pa.table(
        {
            "id": pa.array(batch.ids, type=pa.string()).take(pa.array(all_rows[order])),
            "indicator": keys.take(chosen),
            "factor": groups.take(chosen),
            "points": pa.array(all_points[order]),
        }
    )


def rejected_table(problems: Sequence[TableProblem]) -> Any:
    """One row per problem: ``id``, ``table``, ``row``, ``field``, ``reason``."""
    pa = arrow("rejections").pa
    return pa.Table.from_pylist(
        [problem._asdict() for problem in problems], schema=rejected_schema()
    )


def rejected_schema() -> Any:
    """Return the Arrow schema of a table of rejections (one row per problem)."""
    pa = arrow("rejections").pa
    return pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("table", pa.string(), nullable=False),
            pa.field("row", pa.int64(), nullable=False),
            pa.field("field", pa.string(), nullable=False),
            pa.field("reason", pa.string(), nullable=False),
        ]
    )
