"""Screening Parquet files as ``efh-screen screen`` does: every output, all or none.

:func:`screen_table_files` is the column-wise counterpart of
:func:`~efh_screen.screen_file`. Its input is a folder of the four Parquet tables
(:data:`~efh_screen.tables.TABLE_FILES`) or one wide Parquet file, one row per young
person, read through a :class:`~efh_screen.ColumnMapping` as a CSV export is
(:func:`~efh_screen.tables.tables_from_frame`). It screens with
:func:`~efh_screen.tables.screen_tables` and writes, through one
:class:`~efh_screen._files.OutputFiles` (outputs that clash with each other or with an input
are refused before anything is read):

* results: the compact result lines, byte for byte those ``screen_file`` writes, or the
  results table as Parquet;
* errors: one problem a line (``id``, ``table``, ``row``, ``field``, ``reason``), or the
  same as a Parquet table; never a cell's text;
* the review list as CSV and as an HTML page, in the formats ``screen_file`` writes, built
  from the same :func:`~efh_screen._batch.review_entries`.

**Positions.** Where the row path shows a record's line, this one shows its row, counted
from 0 as ``row`` is in the errors: the child's row in the children table, or, for a wide
file, the file's row. The review list's ``line`` column holds that row.

Points cards for the review page are made from profiles built for the cases on the review
list only, never for every child: their rows are picked out of each table and decoded once,
then made into profiles (:func:`~efh_screen.tables._wording.child_profiles`) a thousand at a
time, and the cards spooled to disk as the row path spools them. A wide file's repeated id
is worded with the file's rows (:data:`REASON_REPEATED_ROWS`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from .._chunks import result_lines, review_entries
from .._compare import mark_review
from .._csv import ColumnMapping
from .._errors import FieldProblem, InputError
from .._explain import points_card_html
from .._files import OutputFiles
from .._review import BatchSummary, CardSpool, ReviewEntry, write_review_csv, write_review_html
from .._scoring import Screener
from ._arrow import arrow
from ._checks import CodedTables
from ._decoding import as_arrow_tables, decode_table
from ._layout import TABLE_NAMES
from ._parquet import (
    DEFAULT_CHILDREN_PER_CHUNK,
    TABLE_FILES,
    TableChunk,
    checked_children_per_chunk,
    iter_tables,
    read_tables,
    reading_parquet,
)
from ._profiles import CaseTables, FrameTables, arrow_rows, tables_from_rows
from ._results import rejected_schema
from ._screening import TableCount, TableCounts, screen_tables
from ._wording import child_profiles

__all__ = [
    "PARQUET_SUFFIX",
    "REASON_REPEATED_ROWS",
    "OutputFormat",
    "TableBatch",
    "is_table_input",
    "output_format",
    "require_tables",
    "screen_table_files",
    "table_inputs",
]

PARQUET_SUFFIX = ".parquet"
"""The suffix that makes an input a wide Parquet file, and an output a Parquet table."""

OutputFormat = Literal["jsonl", "parquet"]
"""How results and errors are written: JSONL lines, or a Parquet table."""

REASON_REPEATED_ROWS = (
    "duplicate id: it is on rows {rows} of the file; each young person must appear once — "
    "merge the rows"
)
"""A wide file's repeated id (every row with it is rejected, as in the tables)."""

_WHAT = "screening Parquet tables"
_CARDS_AT_ONCE = 1_000
_LISTED = 3  # reasons and missing groups on a result line and a review entry


def output_format(path: str | os.PathLike[str]) -> OutputFormat:
    """Return ``"parquet"`` for a path ending ``.parquet`` (any case), else ``"jsonl"``."""
    return "parquet" if Path(path).suffix.lower() == PARQUET_SUFFIX else "jsonl"


def is_table_input(path: Path) -> bool:
    """Whether ``path`` is screened column-wise: a folder, or a file ending ``.parquet``."""
    return path.is_dir() or path.suffix.lower() == PARQUET_SUFFIX


def table_inputs(source: Path) -> tuple[Path, ...]:
    """Return the files screening ``source`` reads (the four tables of a folder, or the file).

    No output may be written over one of them.
    """
    if source.is_dir():
        return tuple(source / file_name for file_name in TABLE_FILES.values())
    return (source,)


def require_tables(source: Path) -> None:
    """Check pyarrow can be imported (a wide file needs no pandas: its rows come from Arrow).

    Raises
    ------
    ImportError
        Naming ``pip install "efh_screen[tables]"``.
    """
    del source  # every table input needs pyarrow, and only pyarrow
    arrow(_WHAT)


@dataclass(frozen=True)
class TableBatch:
    """What :func:`screen_table_files` did with every row.

    Attributes
    ----------
    summary : BatchSummary
        The young people read, screened and rejected (for a wide file, its rows), the
        flagged, and the sorted review list (each entry's ``line`` is the row, from 0).
    counts : TableCounts or None
        Each table's rows read, screened and rejected (a folder of tables only).
    rejected : pyarrow.Table
        One row per problem: ``id``, ``table``, ``row``, ``field``, ``reason`` (for a wide
        file, ``table`` is ``"frame"`` and ``row`` the file's row).
    """

    summary: BatchSummary
    counts: TableCounts | None
    rejected: Any

    @property
    def complete(self) -> bool:
        """True when every row of every table was screened."""
        if self.counts is not None:
            return not any(count.rejected for count in self.counts)
        return self.summary.rejected == 0


@dataclass(frozen=True)
class _Source:
    """Tables read from a folder or a wide file."""

    tables: CaseTables
    unread: Any
    """Problems of a wide file's rows that could not be read (an empty table for a folder)."""
    file_rows: list[int] | None
    """For a wide file, the file's row of each row of the children table."""
    read: int
    """Young people read (a wide file's rows)."""


def _read_source(source: Path, mapping: ColumnMapping | None) -> _Source:
    pa, _, parquet = arrow(_WHAT)
    if source.is_dir():
        if mapping is not None:
            reason = "reads one wide file; a folder holds the four tables of the layout"
            raise InputError([FieldProblem("mapping", reason)])
        tables = read_tables(source)
        empty = pa.Table.from_pylist([], schema=rejected_schema())
        return _Source(tables, empty, None, tables.children.num_rows)
    try:
        wide = parquet.read_table(source)
    except (pa.ArrowInvalid, OSError) as exc:
        reason = f"cannot be read as a Parquet file ({type(exc).__name__}); check the file"
        raise InputError([FieldProblem(source.name, reason)]) from None
    read = tables_from_rows(wide.column_names, arrow_rows(wide), mapping=mapping)
    unread_rows = set(read.rejected.column("row").to_pylist())
    file_rows = [row for row in range(wide.num_rows) if row not in unread_rows]
    return _Source(read.tables, read.rejected, file_rows, wide.num_rows)


def _children_ids(children: Any) -> Any:
    pa = arrow(_WHAT).pa
    return children.column("id").cast(pa.string()).combine_chunks()


def _rows_of(ids: Any, children: Any) -> list[int]:
    """Return each id's row in the children table (screened ids are on exactly one row)."""
    compute = arrow(_WHAT).compute
    found = compute.index_in(ids, value_set=_children_ids(children))
    return [int(row) for row in np.asarray(found.to_numpy(zero_copy_only=False))]


def _duplicates(children: Any) -> int:
    """Rows of the children table whose id is on more than one row."""
    compute = arrow(_WHAT).compute
    counts = compute.value_counts(compute.drop_null(_children_ids(children)))
    repeated = np.asarray(counts.field("counts").to_numpy(zero_copy_only=False))
    return int(repeated[repeated > 1].sum())


def _in_file_rows(source: _Source, rejected: Any) -> Any:
    """Place a wide file's problems at the file's rows (table ``"frame"``), with the unread rows.

    A repeated id is worded with the file's rows, not the children table's.
    """
    pa = arrow(_WHAT).pa
    if source.file_rows is None:
        return rejected
    file_rows = source.file_rows
    problems = rejected.to_pylist()
    ids = pa.array([problem["id"] for problem in problems], type=pa.string())
    children_rows = arrow(_WHAT).compute.index_in(ids, value_set=_children_ids(source.tables[0]))
    repeated: dict[str, list[int]] = {}
    for problem in problems:
        if problem["table"] == "children" and problem["field"] == "id":
            repeated.setdefault(problem["id"], []).append(file_rows[problem["row"]])
    placed = source.unread.to_pylist()
    for problem, child_row in zip(problems, children_rows.to_pylist(), strict=True):
        row = problem["row"] if problem["table"] == "children" else child_row
        placed.append({**problem, "table": "frame", "row": file_rows[row]})
        rows = repeated.get(problem["id"], []) if problem["field"] == "id" else []
        if len(rows) > 1:
            placed[-1]["reason"] = REASON_REPEATED_ROWS.format(rows=", ".join(map(str, rows)))
    placed.sort(key=lambda problem: problem["row"])
    return pa.Table.from_pylist(placed, schema=rejected_schema())


def _review(
    screening: Any, source: _Source, top: list[list[tuple[str, int]]], gaps: list[list[str]]
) -> tuple[ReviewEntry, ...]:
    """Return the review list, sorted, each case at its row (see the module docstring)."""
    batch = screening.batch
    rows = _rows_of(screening.results.column("id"), source.tables.children)
    if source.file_rows is not None:
        rows = [source.file_rows[row] for row in rows]
    entries = [entry for _, entry in review_entries(rows, batch, top, gaps)]
    return tuple(sorted(entries, key=lambda entry: entry.sort_key))


def _decoded_for(tables: CaseTables, ids: Sequence[str]) -> CodedTables:
    """Decode the rows of the given (screened) children only, in table order."""
    pa, compute, _ = arrow(_WHAT)
    wanted = pa.array(ids, type=pa.string())
    # One chunk per table: taking a child's rows from a table of many small chunks (a
    # filtered Parquet read) costs a pass over every chunk.
    kept = {
        name: table.filter(
            compute.is_in(table.column("id").cast(pa.string()), value_set=wanted)
        ).combine_chunks()
        for name, table in zip(TABLE_NAMES, tables, strict=True)
    }
    checked = as_arrow_tables(kept)
    children_ids = _children_ids(checked["children"])
    return CodedTables(
        **{name: decode_table(name, checked[name], children_ids) for name in TABLE_NAMES}
    )


def _spool_cards(
    tables: CaseTables,
    review: Sequence[ReviewEntry],
    *,
    screener: Screener,
    as_of: dt.date,
    spool: CardSpool,
) -> None:
    """Spool the points card of every case on the review list, a thousand at a time."""
    coded = _decoded_for(tables, [entry.id for entry in review])
    children = coded.children.rows
    for start in range(0, children, _CARDS_AT_ONCE):
        chosen = np.arange(start, min(start + _CARDS_AT_ONCE, children), dtype=np.int64)
        for profile in child_profiles(coded, chosen):
            spool.add(profile.id, points_card_html(screener.screen(profile, as_of=as_of)))


def _write_rows(
    files: OutputFiles,
    name: str,
    path: str | os.PathLike[str],
    form: OutputFormat,
    table: Any,
    lines: Callable[[], list[str]],
) -> None:
    """Write the output ``name``: the table as Parquet, or its lines as JSONL."""
    if form == "parquet":
        arrow(_WHAT).parquet.write_table(table, files.open(name, path, binary=True))
    else:
        files.open(name, path).write("".join(line + "\n" for line in lines()))


def _error_lines(rejected: Any) -> list[str]:
    return [json.dumps(problem, ensure_ascii=False) for problem in rejected.to_pylist()]


def screen_table_files(
    source: str | os.PathLike[str],
    *,
    as_of: dt.date,
    screener: Screener | None = None,
    mapping: ColumnMapping | None = None,
    results: str | os.PathLike[str] | None = None,
    results_format: OutputFormat | None = None,
    errors: str | os.PathLike[str] | None = None,
    errors_format: OutputFormat | None = None,
    review_csv: str | os.PathLike[str] | None = None,
    review_html: str | os.PathLike[str] | None = None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    children_per_chunk: int = DEFAULT_CHILDREN_PER_CHUNK,
) -> TableBatch:
    """Screen a folder of Parquet tables, or a wide Parquet file, and write the outputs.

    A folder is read a chunk of children at a time (:func:`iter_tables`; a folder that is
    not sorted by id, in parts through temporary files), so memory does not grow with the
    folder, and the outputs are those of screening the whole folder at once. A wide file
    is read ``children_per_chunk`` rows at a time in the same way, unless an id is on more
    than one of its rows (every such row is rejected, naming the others, so that file is
    read whole).

    Parameters
    ----------
    source : path-like
        A folder holding the four tables (``docs/tables.md``), or a wide Parquet file
        (one row per young person: the flat CSV layout, or any export with a ``mapping``).
    as_of : datetime.date
        The screening date.
    screener : Screener, optional
        The screener (default weightings when omitted).
    mapping : ColumnMapping, optional
        How to read a wide file's own column names and words (not for a folder).
    results, errors : path-like, optional
        The results and the problems found (see the module docstring).
    results_format, errors_format : {"jsonl", "parquet"}, optional
        How each is written; by default from its suffix (:func:`output_format`).
    review_csv, review_html : path-like, optional
        The review list as CSV, and as a self-contained HTML page with points cards.
    previous : mapping of str to mapping, optional
        The last screen's results by id: each case on the review list is marked with its
        change since then.
    children_per_chunk : int
        Children (or a wide file's rows) read and screened together (memory grows with it).

    Returns
    -------
    TableBatch
        The summary with the review list, the counts per table and the problems found.

    Raises
    ------
    InputError
        If an output clashes with another or with an input, a file is missing or is not
        Parquet, or a table's columns do not have the layout's names and types.
    ImportError
        If pyarrow is not installed (a wide file needs no pandas).
    """
    path = Path(source)
    screener = screener or Screener()
    requested = {
        "results": results,
        "errors": errors,
        "review_csv": review_csv,
        "review_html": review_html,
    }
    outputs = {kind: os.fspath(target) for kind, target in requested.items() if target is not None}
    with OutputFiles(inputs=table_inputs(path)) as files:
        files.check_all(requested)  # refuse clashes before reading anything
        if path.is_dir() and mapping is None:
            folder = _FolderRun(files, screener, as_of=as_of, outputs=outputs)
            return folder.run(
                iter_tables(path, children_per_chunk=children_per_chunk),
                results=(results, results_format),
                errors=(errors, errors_format),
                review=(review_csv, review_html),
                previous=previous,
            )
        if not path.is_dir() and _ids_once_each(path, mapping):
            wide = _WideRun(files, screener, as_of=as_of, outputs=outputs)
            return wide.run(
                _wide_chunks(path, mapping, checked_children_per_chunk(children_per_chunk)),
                results=(results, results_format),
                errors=(errors, errors_format),
                review=(review_csv, review_html),
                previous=previous,
            )
        read = _read_source(path, mapping)
        screening = screen_tables(*read.tables, as_of=as_of, weights=screener.weights)
        batch = screening.batch
        top, gaps = batch.top_reasons(_LISTED), batch.main_missing(_LISTED)
        done = _summarise(screening, read, top, gaps, previous=previous, outputs=outputs)
        if results is not None:
            form = results_format or output_format(results)
            table, lines = screening.results, partial(result_lines, batch, top, gaps)
            _write_rows(files, "results", results, form, table, lines)
        if errors is not None:
            form = errors_format or output_format(errors)
            table, lines = done.rejected, partial(_error_lines, done.rejected)
            _write_rows(files, "errors", errors, form, table, lines)
        if review_csv is not None:
            write_review_csv(done.summary.review, files.open("review_csv", review_csv))
        if review_html is not None:
            stream = files.open("review_html", review_html)
            _write_page(done.summary, read.tables, screener=screener, stream=stream)
    return done


Target = tuple[str | os.PathLike[str] | None, OutputFormat | None]
"""An output's path (None when not asked for) and format (None: from its suffix)."""


class _FolderRun:
    """A folder of tables screened a chunk of children at a time (:func:`iter_tables`).

    Only one chunk of tables is held at a time: results are written as each chunk is
    screened, the review page's cards are spooled to disk, and only the review entries and
    the problems found are kept to the end (the problems are then put in table order, then
    row order, as one call on the whole folder gives them).
    """

    def __init__(
        self, files: OutputFiles, screener: Screener, *, as_of: dt.date, outputs: dict[str, str]
    ) -> None:
        self.files, self.screener, self.as_of, self.outputs = files, screener, as_of, outputs
        self.entries: list[ReviewEntry] = []
        self.problems: list[Any] = []
        self.counts: TableCounts | None = None
        self.duplicates = self.flagged = 0
        self.writer: Any = None
        self.lines: IO[str] | None = None

    def run(
        self,
        chunks: Any,
        *,
        results: Target,
        errors: Target,
        review: tuple[str | os.PathLike[str] | None, str | os.PathLike[str] | None],
        previous: Mapping[str, Mapping[str, Any]] | None,
    ) -> TableBatch:
        """Screen every chunk, then write the problems and the review list."""
        spool = CardSpool() if review[1] is not None else None
        try:
            for chunk in chunks:
                self._screen(chunk, results, spool)
                del chunk
            if self.writer is not None:
                self.writer.close()
            done = self._summary(previous)
            if errors[0] is not None:
                form = errors[1] or output_format(errors[0])
                table, lines = done.rejected, partial(_error_lines, done.rejected)
                _write_rows(self.files, "errors", errors[0], form, table, lines)
            if review[0] is not None:
                write_review_csv(done.summary.review, self.files.open("review_csv", review[0]))
            if review[1] is not None and spool is not None:
                stream = self.files.open("review_html", review[1])
                _write_spooled_page(done.summary, spool, stream, screener=self.screener)
        finally:
            if spool is not None:
                spool.close()
        return done

    def _screen(self, chunk: TableChunk, results: Target, spool: CardSpool | None) -> None:
        screening = chunk.screen(as_of=self.as_of, weights=self.screener.weights)
        batch = screening.batch
        top, gaps = batch.top_reasons(_LISTED), batch.main_missing(_LISTED)
        if results[0] is not None:
            self._write_results(results, screening.results, partial(result_lines, batch, top, gaps))
        children = chunk.tables.children
        rows = chunk.folder_rows("children", _rows_of(screening.results.column("id"), children))
        listed = [entry for _, entry in review_entries(rows, batch, top, gaps)]
        self.entries.extend(listed)
        if spool is not None and listed:
            _spool_cards(
                chunk.tables, listed, screener=self.screener, as_of=self.as_of, spool=spool
            )
        self.problems.append(screening.rejected)
        self.counts = (
            screening.counts if self.counts is None else self.counts.plus(screening.counts)
        )
        self.duplicates += _duplicates(children)
        self.flagged += int(np.count_nonzero(batch.flag))

    def _write_results(self, results: Target, table: Any, lines: Callable[[], list[str]]) -> None:
        path, form = results
        if path is None:
            return
        if (form or output_format(path)) == "parquet":
            if self.writer is None:
                where = self.files.open("results", path, binary=True)
                self.writer = arrow(_WHAT).parquet.ParquetWriter(where, table.schema)
            self.writer.write_table(table.cast(self.writer.schema))
        else:
            if self.lines is None:
                self.lines = self.files.open("results", path)
            self.lines.write("".join(line + "\n" for line in lines()))

    def _batch_summary(
        self, count: TableCount, duplicates: int, previous: Mapping[str, Mapping[str, Any]] | None
    ) -> BatchSummary:
        """Return the run's summary: ``count`` young people and the review list, sorted."""
        weights = self.screener.weights
        summary = BatchSummary(
            read=count.read,
            screened=count.screened,
            rejected=count.rejected,
            duplicates=duplicates,
            flagged=self.flagged,
            as_of=self.as_of,
            weights=weights.stamp,
            review=tuple(sorted(self.entries, key=lambda entry: entry.sort_key)),
            outputs=self.outputs,
        )
        if previous is None:
            return summary
        return mark_review(summary, previous, bands=[band.key for band in weights.bands])

    def _problems_found(self) -> Any:
        """Return every chunk's problems, in the order the chunks came."""
        pa = arrow(_WHAT).pa
        problems = [table.cast(rejected_schema()) for table in self.problems if table.num_rows]
        return pa.concat_tables(problems or [pa.Table.from_pylist([], schema=rejected_schema())])

    def _summary(self, previous: Mapping[str, Mapping[str, Any]] | None) -> TableBatch:
        pa = arrow(_WHAT).pa
        counts = self.counts or TableCounts(*(TableCount(0, 0, 0) for _ in TABLE_NAMES))
        summary = self._batch_summary(counts.children, self.duplicates, previous)
        rejected = self._problems_found()
        order = {name: position for position, name in enumerate(TABLE_NAMES)}
        keys = [
            (order[name], row)
            for name, row in zip(
                rejected.column("table").to_pylist(),
                rejected.column("row").to_pylist(),
                strict=True,
            )
        ]
        order_rows = sorted(range(len(keys)), key=keys.__getitem__)
        rejected = rejected.take(pa.array(order_rows, type=pa.int64()))
        return TableBatch(summary, counts, rejected)


def _id_column(mapping: ColumnMapping | None) -> str | None:
    """Return the wide file's column that holds the id (None: the mapping names none)."""
    if mapping is None:
        return "id"
    return next((column for column, target in mapping.columns.items() if target == "id"), None)


def _ids_once_each(path: Path, mapping: ColumnMapping | None) -> bool:
    """Whether a wide file can be read in chunks: no id is on two of its rows.

    Ids are compared loosely (stripped of spaces and of a leading apostrophe, as the row
    reader reads them, and more), so two rows the reader would take for one child are
    never put in different chunks. Anything unusual (no id column, ids that are not text,
    a file that cannot be read) sends the file to be read whole, whose errors say why.
    """
    pa, _, parquet = arrow(_WHAT)
    column = _id_column(mapping)
    try:
        ids = parquet.read_table(path, columns=[column]).column(0) if column else None
    except (pa.ArrowInvalid, OSError, KeyError):
        return False
    if ids is None or not (pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)):
        return False
    seen: set[str] = set()
    for text in ids.to_pylist():
        key = (text or "").strip().lstrip("'").strip()
        if key in seen:
            return False
        if key:
            seen.add(key)
    return True


def _wide_chunks(
    path: Path, mapping: ColumnMapping | None, per_chunk: int
) -> Iterator[tuple[int, int, FrameTables]]:
    """Read a wide file ``per_chunk`` rows at a time: each chunk's first row, rows and tables.

    The problems of rows that could not be read are at the file's rows.
    """
    pa, _, parquet = arrow(_WHAT)
    first = 0
    with reading_parquet(path.name):
        wide = parquet.ParquetFile(path)
        for group in range(wide.num_row_groups):
            for batch in wide.iter_batches(batch_size=per_chunk, row_groups=[group]):
                read = tables_from_rows(batch.schema.names, arrow_rows(batch), mapping=mapping)
                rows = np.asarray(read.rejected.column("row").to_numpy(zero_copy_only=False))
                moved = pa.array(rows.astype(np.int64) + first, type=pa.int64())
                unread = read.rejected.set_column(
                    read.rejected.schema.get_field_index("row"), "row", moved
                )
                yield first, batch.num_rows, FrameTables(read.tables, unread)
                first += batch.num_rows


class _WideRun(_FolderRun):
    """A wide file with no id on two rows, screened a chunk of rows at a time.

    As for a folder, results are written as each chunk is screened and the review page's
    cards spooled; each chunk is accounted for as one read of the whole file accounts for
    it (:func:`_summarise`), and the chunks' accounts are added up.
    """

    def __init__(
        self, files: OutputFiles, screener: Screener, *, as_of: dt.date, outputs: dict[str, str]
    ) -> None:
        super().__init__(files, screener, as_of=as_of, outputs=outputs)
        self.read = self.screened = self.rejected = 0

    def _screen(self, chunk: Any, results: Target, spool: CardSpool | None) -> None:
        first, count, frame = chunk
        unread_rows = set(frame.rejected.column("row").to_pylist())
        file_rows = [row for row in range(first, first + count) if row not in unread_rows]
        source = _Source(frame.tables, frame.rejected, file_rows, count)
        screening = screen_tables(*frame.tables, as_of=self.as_of, weights=self.screener.weights)
        batch = screening.batch
        top, gaps = batch.top_reasons(_LISTED), batch.main_missing(_LISTED)
        self._write_results(results, screening.results, partial(result_lines, batch, top, gaps))
        done = _summarise(screening, source, top, gaps, previous=None, outputs=self.outputs)
        self.entries.extend(done.summary.review)
        if spool is not None and done.summary.review:
            _spool_cards(
                frame.tables,
                done.summary.review,
                screener=self.screener,
                as_of=self.as_of,
                spool=spool,
            )
        self.problems.append(done.rejected)
        self.read += done.summary.read
        self.screened += done.summary.screened
        self.rejected += done.summary.rejected
        self.flagged += done.summary.flagged

    def _summary(self, previous: Mapping[str, Mapping[str, Any]] | None) -> TableBatch:
        # The chunks' problems are already in the file's row order: chunks follow the rows.
        count = TableCount(self.read, self.screened, self.rejected)
        summary = self._batch_summary(count, 0, previous)  # no id on two rows
        return TableBatch(summary, None, self._problems_found())


def _summarise(
    screening: Any,
    read: _Source,
    top: list[list[tuple[str, int]]],
    gaps: list[list[str]],
    *,
    previous: Mapping[str, Mapping[str, Any]] | None,
    outputs: dict[str, str],
) -> TableBatch:
    """Account for every row, and build the review list (marked against ``previous``)."""
    batch = screening.batch
    children = screening.counts.children
    unread = len(set(read.unread.column("row").to_pylist()))
    summary = BatchSummary(
        read=read.read,
        screened=children.screened,
        rejected=children.rejected + unread,
        duplicates=_duplicates(read.tables.children),
        flagged=int(np.count_nonzero(batch.flag)),
        as_of=batch.as_of,
        weights=batch.weights.stamp,
        review=_review(screening, read, top, gaps),
        outputs=outputs,
    )
    if previous is not None:
        summary = mark_review(summary, previous, bands=[band.key for band in batch.weights.bands])
    counts = screening.counts if read.file_rows is None else None
    return TableBatch(summary, counts, _in_file_rows(read, screening.rejected))


def _write_page(
    summary: BatchSummary, tables: CaseTables, *, screener: Screener, stream: IO[str]
) -> None:
    """Write the review page, with a points card for each case on the list."""
    spool = CardSpool()
    try:
        _spool_cards(tables, summary.review, screener=screener, as_of=summary.as_of, spool=spool)
        _write_spooled_page(summary, spool, stream, screener=screener)
    finally:
        spool.close()


def _write_spooled_page(
    summary: BatchSummary, cards: CardSpool, stream: IO[str], *, screener: Screener
) -> None:
    """Write the review page with the points cards already spooled."""
    write_review_html(
        summary.review,
        stream,
        summary=summary,
        cards=cards,
        top_band_rank=len(screener.weights.bands) - 1,
    )
