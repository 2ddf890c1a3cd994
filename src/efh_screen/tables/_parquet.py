"""Parquet files: a folder of the four tables in, results and rejections out, all or none.

A folder holds ``children.parquet``, ``observations.parquet``, ``events.parquet`` and
``attendance.parquet``, with the layout's columns (``docs/tables.md``). :func:`read_tables`
reads it whole. :func:`iter_tables` reads it a chunk of children at a time, each child with
all of its rows, so a caseload far bigger than memory is screened in bounded memory
(:func:`screen_folder`). Every output goes through :class:`~efh_screen._files.OutputFiles`:
written to temporary files and renamed into place together, only once all of them are
written; :func:`write_screening` writes one screening or a stream of them.

**Chunks.** When every table is sorted by ``id`` (blank ids anywhere), as
:func:`write_tables` writes them, a first pass reads only the ``id`` columns: it checks the
order and cuts the children table into chunks of about ``children_per_chunk`` children
(never between two rows of one id), each ending at an id, its *bound*. A second pass reads
the four tables side by side, a merge join: each chunk takes its children and, from each
other table, the rows up to the first id past its bound; the last chunk takes every row
left. So each child's rows meet in one chunk, a repeated child id is in one chunk, and a row
whose id matches no child is in the chunk its id sorts into, where it is rejected as it is
in one call. Only one chunk and one Parquet batch of each table are held at a time (and,
during the first pass, the children table's ids).

**Parts.** When a table is not sorted, the children table's ids are read first, then every
table once more, a batch at a time, each row written to a temporary file for its child's
part, a run of chunks (``_PartFiles``); the chunks hold the children in the folder's order,
a child's rows (and a repeated id's rows) together, and each row's row in the folder
(:class:`SourceRows`). A folder of no more children than one chunk is read whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .._errors import FieldProblem, InputError
from .._files import OutputFiles
from .._profile import check_as_of
from .._scoring import Screener
from .._weights import Weights
from ._arrow import arrow
from ._layout import TABLE_NAMES
from ._profiles import CaseTables
from ._screening import TableCounts, TableScreening, screen_tables
from ._wording import REASON_DUPLICATE_ROWS

__all__ = [
    "DEFAULT_CHILDREN_PER_CHUNK",
    "TABLE_FILES",
    "SourceRows",
    "TableChunk",
    "TableRows",
    "iter_tables",
    "read_tables",
    "screen_folder",
    "write_screening",
    "write_tables",
]

TABLE_FILES: dict[str, str] = {name: f"{name}.parquet" for name in TABLE_NAMES}
"""The file name of each table in a folder of Parquet tables."""

DEFAULT_CHILDREN_PER_CHUNK = 10_000
"""Children per chunk when a folder is read in chunks (:func:`iter_tables`)."""

_BATCH_ROWS = 65_536
"""Rows read from a Parquet file at a time."""

_DUPLICATE_BEFORE, _DUPLICATE_AFTER = REASON_DUPLICATE_ROWS.split("{rows}")
_DUPLICATE_ROWS = re.compile(
    re.escape(_DUPLICATE_BEFORE) + r"([0-9]+(?:, [0-9]+)*)" + re.escape(_DUPLICATE_AFTER)
)
"""A duplicate id's reason, which names the rows of the children table holding the id."""


class TableRows(NamedTuple):
    """A number of rows, or a row position, for each of the four tables."""

    children: int
    observations: int
    events: int
    attendance: int


_NO_ROWS = TableRows(0, 0, 0, 0)


def _unreadable(file_name: str, exc: BaseException) -> FieldProblem:
    reason = f"cannot be read as a Parquet file ({type(exc).__name__}); check the file"
    return FieldProblem(file_name, reason)


@contextlib.contextmanager
def reading_parquet(file_name: str) -> Iterator[None]:
    """Turn an error reading the file ``file_name`` into an :class:`InputError` naming it."""
    pa = arrow("reading Parquet tables").pa
    try:
        yield
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError([_unreadable(file_name, exc)]) from None


def _folder_files(folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Return each table's file in the folder; raise naming every file that is missing."""
    root = Path(folder)
    if not root.is_dir():
        reason = "is not a folder; give the folder that holds the four .parquet tables"
        raise InputError([FieldProblem(str(folder), reason)])
    problems = [
        FieldProblem(
            file_name,
            f"is missing; the folder must hold the {name} table (it may have no rows)",
        )
        for name, file_name in TABLE_FILES.items()
        if not (root / file_name).is_file()
    ]
    if problems:
        raise InputError(problems)
    return {name: root / file_name for name, file_name in TABLE_FILES.items()}


def read_tables(folder: str | os.PathLike[str]) -> CaseTables:
    """Read a folder of the four Parquet tables.

    Parameters
    ----------
    folder : path-like
        A folder holding ``children.parquet``, ``observations.parquet``,
        ``events.parquet`` and ``attendance.parquet``.

    Returns
    -------
    CaseTables
        The four tables, as read (their types are checked when they are screened).

    Raises
    ------
    InputError
        If the folder or one of the files is missing or is not a Parquet file (every such
        file is named).
    """
    parquet = arrow("read_tables").parquet
    pa = arrow("read_tables").pa
    tables: list[Any] = []
    problems: list[FieldProblem] = []
    for path in _folder_files(folder).values():
        try:
            tables.append(_read_table(parquet, pa, path))
        except (pa.ArrowInvalid, OSError) as exc:
            problems.append(_unreadable(path.name, exc))
    if problems:
        raise InputError(problems)
    return CaseTables(*tables)


def _text_columns(pa: Any, schema: Any) -> list[str]:
    """Return the columns of plain text, to be read as dictionaries.

    Each distinct word or id is then decoded and looked up once, however many rows repeat it.
    """
    return [
        field.name
        for field in schema
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
    ]


def _read_table(parquet: Any, pa: Any, path: Path) -> Any:
    """Read one table, its text columns as dictionaries."""
    return parquet.read_table(path, read_dictionary=_text_columns(pa, parquet.read_schema(path)))


def _as_text(ids: Any) -> Any:
    """Return an id column (an array or a chunked array) as plain strings."""
    pa = arrow("reading Parquet tables").pa
    if pa.types.is_null(ids.type):
        return pa.nulls(len(ids), pa.string())
    return ids.cast(pa.string())


def _has_text_ids(pa: Any, schema: Any) -> bool:
    """Whether a table has an ``id`` column that can be sorted as text."""
    if "id" not in schema.names:
        return False
    kind = schema.field("id").type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


class _Order:
    """Checks, batch by batch, that ids come in order (blank ids aside)."""

    def __init__(self) -> None:
        self.last: str | None = None
        self.in_order = True

    def add(self, ids: Any) -> bool:
        """Take the next ids (plain strings); return whether all ids so far are in order."""
        compute = arrow("reading Parquet tables").compute
        present = ids.drop_null()
        if not self.in_order or not len(present):
            return self.in_order
        if self.last is not None and present[0].as_py() < self.last:
            self.in_order = False
        elif len(present) > 1:
            earlier = present.slice(0, len(present) - 1)
            self.in_order = not compute.any(compute.less(present.slice(1), earlier)).as_py()
        self.last = present[len(present) - 1].as_py()
        return self.in_order


def _is_sorted(ids: Any) -> bool:
    """Whether a column of ids (plain strings, chunked) is in order, blank ids aside."""
    order = _Order()
    return all(order.add(chunk) for chunk in ids.chunks)


def _sorted_by_id(table: Any) -> Any:
    """Return the table sorted by id (stable: a child's rows keep their order; blanks last)."""
    pa, compute, _ = arrow("write_tables")
    if not _has_text_ids(pa, table.schema):
        return table  # screening refuses such a table, naming the column
    ids = _as_text(table.column("id"))
    if _is_sorted(ids):
        return table
    return table.take(compute.sort_indices(ids))  # blank ids last


def write_tables(tables: CaseTables, folder: str | os.PathLike[str], *, sort: bool = True) -> None:
    """Write the four tables as Parquet files into a folder (created if need be), all or none.

    Parameters
    ----------
    tables : CaseTables
        The four tables (e.g. from :func:`profiles_to_tables`).
    folder : path-like
        Where to write ``children.parquet`` and the others.
    sort : bool
        Sort each table by ``id`` (a stable sort: each child's rows keep their order;
        blank ids last), so :func:`iter_tables` and :func:`screen_folder` read the folder a
        chunk at a time. With ``False`` the rows are written in the order given.
    """
    parquet = arrow("write_tables").parquet
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    with OutputFiles() as files:
        targets = {name: root / file_name for name, file_name in TABLE_FILES.items()}
        files.check_all(targets)
        for name, table in zip(TABLE_NAMES, tables, strict=True):
            written = _sorted_by_id(table) if sort else table
            parquet.write_table(written, files.open(name, targets[name], binary=True))


# ---------------------------------------------------------------------------------------------
# Reading a folder a chunk at a time


class SourceRows(NamedTuple):
    """The row in the folder's table of each row of a chunk's tables (arrays, from 0)."""

    children: NDArray[np.int64]
    observations: NDArray[np.int64]
    events: NDArray[np.int64]
    attendance: NDArray[np.int64]


@dataclass(frozen=True)
class TableChunk:
    """Some children of a folder of tables, in the folder's order, with all of their rows.

    Attributes
    ----------
    tables : CaseTables
        The chunk's children and every row of theirs in the other tables. From a sorted
        folder, consecutive rows of each table (with the rows of no child whose ids sort
        among theirs); from a folder that is not sorted, rows picked out of each table in
        their order (rows with a blank id or of no child are in the first chunk).
    first_rows : TableRows
        From a sorted folder, the row, in the folder's table, of each table's first row here
        (counting from 0); from a folder that is not sorted, zeros (see ``source_rows``).
    sorted_by_id : bool
        Whether the folder's tables are sorted by id.
    source_rows : SourceRows, optional
        From a folder that is not sorted, the folder's row of each row here, table by
        table; None when the rows are consecutive from ``first_rows``.
    """

    tables: CaseTables
    first_rows: TableRows
    sorted_by_id: bool
    source_rows: SourceRows | None = field(default=None, repr=False, compare=False)

    def folder_rows(self, table: str, rows: Sequence[int] | NDArray[np.int64]) -> list[int]:
        """Return the folder's rows of some of the chunk's rows of one table.

        Parameters
        ----------
        table : str
            The table's name (:data:`TABLE_NAMES`).
        rows : sequence of int
            Rows of the chunk's table, counted from 0.

        Returns
        -------
        list of int
            The same rows in the folder's table.

        Raises
        ------
        ValueError
            If ``table`` is not one of the four tables' names.
        """
        if table not in TABLE_NAMES:
            raise ValueError(f"table must be one of {', '.join(TABLE_NAMES)}")
        local = np.asarray(rows, dtype=np.int64)
        if self.source_rows is not None:
            return [int(row) for row in getattr(self.source_rows, table)[local]]
        first = getattr(self.first_rows, table)
        return [int(row) + first for row in local]

    def screen(
        self, *, as_of: dt.date, weights: Weights | None = None, contributions: bool = False
    ) -> TableScreening:
        """Screen the chunk with :func:`screen_tables`, rejections at the folder's rows.

        Parameters
        ----------
        as_of : datetime.date
            The screening date.
        weights : Weights, optional
            The weightings (the embedded default when omitted).
        contributions : bool
            Also give every child's contributions in long form.

        Returns
        -------
        TableScreening
            As :func:`screen_tables` returns for the chunk, save that each rejection's
            ``row`` (and the rows a duplicate id's reason names) is the row in the folder's
            table, as one call on the whole folder gives.
        """
        screening = screen_tables(
            *self.tables, as_of=as_of, weights=weights, contributions=contributions
        )
        return replace(screening, rejected=self._at_folder_rows(screening.rejected))

    def _at_folder_rows(self, rejected: Any) -> Any:
        """Return the chunk's rejections with their rows counted in the folder's tables."""
        pa = arrow("iter_tables").pa
        if rejected.num_rows == 0 or (self.source_rows is None and self.first_rows == _NO_ROWS):
            return rejected
        tables = np.asarray(rejected.column("table").to_numpy(zero_copy_only=False))
        rows = np.asarray(rejected.column("row").to_numpy(zero_copy_only=False)).copy()
        for name in TABLE_NAMES:
            mine = tables == name
            rows[mine] = self.folder_rows(name, rows[mine])
        moved = _replaced(rejected, "row", pa.array(rows, pa.int64()))
        children_rows = np.flatnonzero(tables == "children")  # a duplicate id's reason names rows
        if not len(children_rows):
            return moved
        reasons = moved.column("reason").to_pylist()
        for row in children_rows.tolist():
            reasons[row] = self._moved_duplicate_reason(reasons[row])
        return _replaced(moved, "reason", pa.array(reasons, pa.string()))

    def _moved_duplicate_reason(self, reason: str) -> str:
        """Return a duplicate id's reason with the rows it names counted in the folder."""
        named = _DUPLICATE_ROWS.fullmatch(reason)
        if named is None:
            return reason
        rows = self.folder_rows("children", [int(row) for row in named.group(1).split(", ")])
        return REASON_DUPLICATE_ROWS.format(rows=", ".join(map(str, rows)))


def _replaced(table: Any, name: str, values: Any) -> Any:
    """Return the table with the column ``name`` replaced (its field kept as it is)."""
    position = table.schema.get_field_index(name)
    return table.set_column(position, table.schema.field(name), values)


def checked_children_per_chunk(children_per_chunk: object) -> int:
    if isinstance(children_per_chunk, bool) or not isinstance(children_per_chunk, int):
        reason = "must be a whole number of children, 1 or more"
        raise InputError([FieldProblem("children_per_chunk", reason)])
    if children_per_chunk < 1:
        raise InputError([FieldProblem("children_per_chunk", "must be 1 or more")])
    return children_per_chunk


def iter_tables(
    folder: str | os.PathLike[str], *, children_per_chunk: int = DEFAULT_CHILDREN_PER_CHUNK
) -> Iterator[TableChunk]:
    """Read a folder of the four Parquet tables a chunk of children at a time.

    Each chunk holds about ``children_per_chunk`` consecutive children of the children table
    (more when the cut would separate two rows of one id) and every row of theirs in the
    other tables, so screening the chunks one by one (:meth:`TableChunk.screen`) gives what
    one :func:`screen_tables` call on the whole folder gives: the same results in the same
    order, the same rejections at the same rows, counts that add up to the same.

    The chunks are consecutive rows when every table is sorted by ``id`` (blank ids may be
    anywhere), as :func:`write_tables` writes them; the tables' ``id`` columns are read
    once first to check it. When a table is not sorted, each row of every table is put with
    its child's chunk through temporary files (``docs/tables.md``), and each chunk's
    ``source_rows`` gives its rows' rows in the folder. A folder of no more than
    ``children_per_chunk`` children that is not sorted is one chunk, read as
    :func:`read_tables` reads it.

    Parameters
    ----------
    folder : path-like
        A folder holding ``children.parquet``, ``observations.parquet``,
        ``events.parquet`` and ``attendance.parquet``.
    children_per_chunk : int
        Children in a chunk.

    Yields
    ------
    TableChunk
        The chunks, in the folder's order; at least one (an empty folder's tables give one
        empty chunk).

    Raises
    ------
    InputError
        If the folder or one of the files is missing (raised at once), or a file cannot
        be read as Parquet (raised when it is read).
    """
    per_chunk = checked_children_per_chunk(children_per_chunk)
    files = _folder_files(folder)
    return _chunks(files, per_chunk)


class _ChildrenCuts(NamedTuple):
    """How the children table is cut into chunks."""

    rows: list[int]
    """Children rows of each chunk."""
    bounds: list[str | None]
    """The largest id of each chunk but the last (None for a chunk of blank ids only)."""


def _batches(parquet_file: Any, columns: list[str] | None = None) -> Iterator[Any]:
    """Yield a Parquet file's rows, a batch at a time.

    Each row group is read on its own: a reader over every row group at once holds memory
    that grows with their number (about 30 MB more for a table of a hundred).
    """
    for group in range(parquet_file.num_row_groups):
        yield from parquet_file.iter_batches(
            batch_size=_BATCH_ROWS, row_groups=[group], columns=columns
        )


def _id_batches(path: Path) -> Iterator[Any]:
    """Yield a table's ids, a batch at a time, as plain strings."""
    parquet = arrow("iter_tables").parquet
    with reading_parquet(path.name):
        for batch in _batches(parquet.ParquetFile(path), columns=["id"]):
            yield _as_text(batch.column(0))


def _children_cuts(path: Path, per_chunk: int) -> _ChildrenCuts | None:
    """Cut the children table into chunks; None if its ids are not in order."""
    pa, compute, _ = arrow("iter_tables")
    ids = pa.chunked_array(list(_id_batches(path)), type=pa.string()).combine_chunks()
    if not _Order().add(ids):
        return None
    count = len(ids)
    # Rows where a chunk may start: their id differs from the last id before them (a blank
    # id counts as the id before it, so blanks between two rows of one id do not part them).
    starts = np.zeros(0, dtype=np.int64)
    if count > 1:
        filled = compute.fill_null_forward(ids)
        same = compute.equal(filled.slice(1), filled.slice(0, count - 1)).fill_null(False)
        starts = np.flatnonzero(~np.asarray(same.to_numpy(zero_copy_only=False))) + 1
    rows: list[int] = []
    bounds: list[str | None] = []
    start = 0
    while True:
        target = start + per_chunk
        later = starts[np.searchsorted(starts, target) :] if target < count else starts[:0]
        end = int(later[0]) if len(later) else count
        rows.append(end - start)
        if end == count:
            return _ChildrenCuts(rows, bounds)
        present = ids.slice(start, end - start).drop_null()
        bounds.append(present[len(present) - 1].as_py() if len(present) else None)
        start = end


def _table_cuts(path: Path, bounds: list[str | None]) -> list[int] | None:
    """Rows of a table in each chunk (one more than ``bounds``); None if not in order."""
    pa, compute, _ = arrow("iter_tables")
    order = _Order()
    ends: list[int] = []  # the end (exclusive) of each chunk but the last
    seen = 0
    for ids in _id_batches(path):
        if not order.add(ids):
            return None
        while len(ends) < len(bounds):
            bound = bounds[len(ends)]
            if bound is None:  # a chunk of blank ids: no rows of the other tables
                ends.append(ends[-1] if ends else 0)
                continue
            past = compute.greater(ids, pa.scalar(bound, pa.string())).fill_null(False)
            after = np.flatnonzero(np.asarray(past.to_numpy(zero_copy_only=False)))
            if not len(after):
                break
            ends.append(seen + int(after[0]))
        seen += len(ids)
    ends += [seen] * (len(bounds) + 1 - len(ends))
    return [end - start for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _parts_possible(files: dict[str, Path], per_chunk: int) -> bool:
    """Whether a folder that is not sorted is read in parts: text ids, more than one part."""
    pa, _, parquet = arrow("iter_tables")
    for path in files.values():
        with reading_parquet(path.name):
            schema = parquet.read_schema(path)
        if not _has_text_ids(pa, schema):
            return False  # read whole: screening refuses the table, naming the column
    with reading_parquet(files["children"].name):
        return bool(parquet.ParquetFile(files["children"]).metadata.num_rows > per_chunk)


def _plan(files: dict[str, Path], per_chunk: int) -> list[TableRows] | None:
    """Rows of each table in each chunk; None when a table is not sorted by id."""
    pa, _, parquet = arrow("iter_tables")
    for path in files.values():
        with reading_parquet(path.name):
            schema = parquet.read_schema(path)
        if not _has_text_ids(pa, schema):
            return None
    children = _children_cuts(files["children"], per_chunk)
    if children is None:
        return None
    others: list[list[int]] = []
    for name in TABLE_NAMES[1:]:
        rows = _table_cuts(files[name], children.bounds)
        if rows is None:
            return None
        others.append(rows)
    return [TableRows(*rows) for rows in zip(children.rows, *others, strict=True)]


class _Rows:
    """A table's rows, read in order from its file a batch at a time."""

    def __init__(self, path: Path) -> None:
        pa, _, parquet = arrow("iter_tables")
        self._name = path.name
        with reading_parquet(self._name):
            parquet_file = parquet.ParquetFile(
                path, read_dictionary=_text_columns(pa, parquet.read_schema(path))
            )
            self._schema = parquet_file.schema_arrow
            self._batches = _batches(parquet_file)
        self._left: Any = None

    def take(self, count: int) -> Any:
        """Return the next ``count`` rows as a table."""
        pa = arrow("iter_tables").pa
        parts = []
        while count > 0:
            if self._left is None or not len(self._left):
                with reading_parquet(self._name):
                    self._left = next(self._batches, None)
                if self._left is None:
                    reason = "has fewer rows than when it was first read; was it changed?"
                    raise InputError([FieldProblem(self._name, reason)])
            part = self._left.slice(0, count)
            parts.append(part)
            count -= len(part)
            self._left = self._left.slice(len(part))
        return pa.Table.from_batches(parts, schema=self._schema)


_MOST_PARTS = 32
"""At most this many parts of a folder that is not sorted (four temporary files each); a
part holds one or more chunks."""

_PART_ROWS = 16_384
"""Rows of a part kept in memory before they are written to its temporary file."""


def _first_positions(ids: Any, unique: Any) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each row's index among the distinct ids (-1 for a blank id), and each id's first row."""
    compute = arrow("iter_tables").compute
    index = np.asarray(
        compute.index_in(ids, value_set=unique).fill_null(-1).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    first = np.full(len(unique), len(ids), dtype=np.int64)
    named = index >= 0
    np.minimum.at(first, index[named], np.flatnonzero(named))
    return index, first


class _ChunkOfId:
    """The chunk of each child id, looked up for a batch of rows at a time.

    The distinct children ids are sorted once; a batch's own distinct ids (a few thousand)
    are then found among them by binary search. (Arrow's ``index_in`` builds its hash of
    the million children ids again on every call.) Python's order of strings and Arrow's
    (UTF-8 bytes) are the same, so the search finds exactly the ids Arrow would.
    """

    def __init__(self, unique: Any, chunk_of_id: NDArray[np.int64]) -> None:
        compute = arrow("iter_tables").compute
        order = np.asarray(compute.sort_indices(unique).to_numpy(), dtype=np.int64)
        self._ids = np.array(unique.take(order).to_pylist(), dtype=object)
        self._chunks = chunk_of_id[order]

    def chunks(self, ids: Any) -> NDArray[np.int64]:
        """Return each id's chunk (0 for a blank id or the id of no child)."""
        pa, compute, _ = arrow("iter_tables")
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        encoded = compute.dictionary_encode(ids)
        values = np.array(encoded.dictionary.to_pylist(), dtype=object)
        if not len(self._ids) or not len(values):
            return np.zeros(len(ids), dtype=np.int64)
        found = np.minimum(np.searchsorted(self._ids, values), len(self._ids) - 1)
        chunk_of_value = np.where(self._ids[found] == values, self._chunks[found], 0)
        index = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        index = np.asarray(index, dtype=np.int64)
        return np.where(index >= 0, chunk_of_value[np.maximum(index, 0)], 0).astype(np.int64)


def _read_batches(source: Any, file_name: str) -> Iterator[Any]:
    """Yield a Parquet file's batches; an error reading one names the file (writes aside)."""
    with reading_parquet(file_name):
        yield from _batches(source)


class _PartFiles:
    """One table's rows sorted into parts, each part's rows in a temporary Parquet file.

    A row goes to the part of its child's chunk (:class:`_ChunkOfId`; ``per_part`` chunks a
    part); a row of no child, or with a blank id, to the first part. Each part's rows keep
    their order, and carry their row in the folder's table and their chunk as two last
    columns, taken off when the part is read back (so no id is looked up twice).
    """

    def __init__(self, path: Path, chunk_of: _ChunkOfId, per_part: int, parts: int):
        pa, _, parquet = arrow("iter_tables")
        self._stack = contextlib.ExitStack()
        self._files: list[IO[bytes]] = []
        self._writers: list[Any] = []
        with reading_parquet(path.name):
            source = parquet.ParquetFile(path)
        self._read_dictionary = _text_columns(pa, source.schema_arrow)
        schema = source.schema_arrow.append(pa.field("source row", pa.int64()))
        schema = schema.append(pa.field("chunk", pa.int64()))
        try:
            for _ in range(parts):
                where = self._stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
                self._files.append(where)
                self._writers.append(parquet.ParquetWriter(where, schema))
            waiting: list[list[Any]] = [[] for _ in range(parts)]
            first = 0
            for batch in _read_batches(source, path.name):
                chunk = chunk_of.chunks(_as_text(batch.column("id")))
                rows = pa.array(np.arange(first, first + len(batch), dtype=np.int64))
                numbered = pa.RecordBatch.from_arrays(
                    [*batch.columns, rows, pa.array(chunk)], schema=schema
                )
                self._sort(numbered, chunk // per_part, waiting)
                first += len(batch)
            for number, parked in enumerate(waiting):
                self._write(number, parked)
            for writer in self._writers:
                writer.close()
        except BaseException:
            self.close()
            raise

    def _sort(self, batch: Any, part: NDArray[np.int64], waiting: list[list[Any]]) -> None:
        """Put each of the batch's rows with its part's, writing a part's rows when many."""
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(len(waiting) + 1))
        for number, (start, end) in enumerate(itertools.pairwise(bounds)):
            if end > start:
                waiting[number].append(batch.take(order[start:end]))
                if sum(len(rows) for rows in waiting[number]) >= _PART_ROWS:
                    self._write(number, waiting[number])

    def _write(self, number: int, parked: list[Any]) -> None:
        if parked:
            pa = arrow("iter_tables").pa
            self._writers[number].write_table(pa.Table.from_batches(parked))
            parked.clear()

    def read(self, number: int) -> tuple[Any, NDArray[np.int64], NDArray[np.int64]]:
        """Return a part's rows, each row's row in the folder's table, and each row's chunk.

        Text columns are dictionaries, as :func:`read_tables` reads them.
        """
        parquet = arrow("iter_tables").parquet
        where = self._files[number]
        where.seek(0)
        table = parquet.read_table(where, read_dictionary=self._read_dictionary)
        last = table.num_columns - 1
        rows = np.asarray(table.column(last - 1).to_numpy(), dtype=np.int64)
        chunks = np.asarray(table.column(last).to_numpy(), dtype=np.int64)
        return table.remove_column(last).remove_column(last - 1), rows, chunks

    def close(self) -> None:
        """Remove the temporary files."""
        self._stack.close()


def _parts(files: dict[str, Path], per_chunk: int) -> Iterator[TableChunk]:
    """Read a folder that is not sorted in chunks of about ``per_chunk`` children each.

    The children table's ids are read first; then every table is read once, a batch at a
    time, each row put with its child's part in a temporary file. Chunk ``k`` holds the
    children whose id is first on a row from ``k * per_chunk`` to ``(k + 1) * per_chunk``
    of the children table, so the chunks, one after the other, hold the children in the
    folder's order, and a child on two rows is in one chunk with both; rows with a blank id
    or of no child are in the first chunk. A part is one or more consecutive chunks (at
    most :data:`_MOST_PARTS` parts), read back whole and cut into its chunks.
    """
    pa, compute, parquet = arrow("iter_tables")
    with reading_parquet(files["children"].name):
        ids = _as_text(parquet.read_table(files["children"], columns=["id"]).column(0))
    ids = ids.combine_chunks()
    unique = compute.unique(ids.drop_null())
    _, first = _first_positions(ids, unique)
    chunks = -(-len(ids) // per_chunk)
    per_part = -(-chunks // _MOST_PARTS)
    chunk_of = _ChunkOfId(unique, first // per_chunk)
    del ids, unique, first
    tables: list[_PartFiles] = []
    try:
        for name in TABLE_NAMES:
            tables.append(_PartFiles(files[name], chunk_of, per_part, -(-chunks // per_part)))
        for part in range(-(-chunks // per_part)):
            read = [table.read(part) for table in tables]
            within = [_grouped(numbers) for _, _, numbers in read]
            for chunk in range(part * per_part, min((part + 1) * per_part, chunks)):
                picked = [
                    (table.take(pa.array(group.get(chunk, _NONE))), rows[group.get(chunk, _NONE)])
                    for (table, rows, _), group in zip(read, within, strict=True)
                ]
                yield TableChunk(
                    CaseTables(*(table for table, _ in picked)),
                    _NO_ROWS,
                    sorted_by_id=False,
                    source_rows=SourceRows(*(rows for _, rows in picked)),
                )
            del read, within
    finally:
        for table in tables:
            table.close()


_NONE = np.zeros(0, dtype=np.int64)


def _grouped(chunk: NDArray[np.int64]) -> dict[int, NDArray[np.int64]]:
    """Return the rows of each chunk number, each chunk's rows in their order."""
    order = np.argsort(chunk, kind="stable").astype(np.int64)
    numbers, starts = np.unique(chunk[order], return_index=True)
    ends = [*starts[1:].tolist(), len(order)][: len(starts)]
    return {
        int(number): order[start:end]
        for number, start, end in zip(numbers.tolist(), starts.tolist(), ends, strict=True)
    }


def _chunks(files: dict[str, Path], per_chunk: int) -> Iterator[TableChunk]:
    plan = _plan(files, per_chunk)
    if plan is None:
        if _parts_possible(files, per_chunk):
            yield from _parts(files, per_chunk)
        else:
            tables = read_tables(files["children"].parent)
            yield TableChunk(tables, _NO_ROWS, sorted_by_id=False)
        return
    streams = [_Rows(files[name]) for name in TABLE_NAMES]
    first = _NO_ROWS
    for rows in plan:
        tables = CaseTables(
            *(stream.take(count) for stream, count in zip(streams, rows, strict=True))
        )
        yield TableChunk(tables, first, sorted_by_id=True)
        del tables
        first = TableRows(*(start + count for start, count in zip(first, rows, strict=True)))


# ---------------------------------------------------------------------------------------------
# Writing screenings, one or a stream of them


class _Outputs:
    """A screening's outputs, written screening by screening.

    Results, contributions and result lines are appended as each screening comes. The
    rejections are kept aside in an unnamed temporary file per table, and added after
    every screening, so they are in table order, then row order, as one call gives (the
    parts of a folder that is not sorted give a table's rows out of order: they are then
    sorted).
    """

    def __init__(
        self,
        files: OutputFiles,
        paths: dict[str, str | os.PathLike[str] | None],
        stack: contextlib.ExitStack,
    ) -> None:
        self._files = files
        self._paths = paths
        self._stack = stack
        self._writers: dict[str, Any] = {}
        self._spills: dict[str, IO[bytes]] = {}
        self._last_row: dict[str, int] = {}
        self._unordered: set[str] = set()
        path = paths["results_jsonl"]
        self._lines = files.open("results_jsonl", path) if path is not None else None

    def _writer(self, name: str, schema: Any) -> Any:
        """Return the Parquet writer of the output (or the table kept aside) ``name``."""
        writer = self._writers.get(name)
        if writer is None:
            parquet = arrow("write_screening").parquet
            path = self._paths.get(name)
            if path is not None:
                where: IO[bytes] = self._files.open(name, path, binary=True)
            else:  # the rejections of one table, kept aside
                where = self._stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
                self._spills[name] = where
            writer = parquet.ParquetWriter(where, schema)
            self._stack.callback(_close_quietly, writer)  # if a later step fails
            self._writers[name] = writer
        return writer

    def _append(self, name: str, table: Any) -> None:
        writer = self._writer(name, table.schema)
        if not table.schema.equals(writer.schema):
            table = table.cast(writer.schema)
        writer.write_table(table)

    def write(self, screening: TableScreening) -> None:
        """Write one screening's part of every output asked for."""
        for name, table in (
            ("results", screening.results),
            ("contributions", screening.contributions),
        ):
            if self._paths[name] is not None:
                self._append(name, table)
        if self._lines is not None:
            self._lines.write("".join(line + "\n" for line in screening.result_lines()))
        if self._paths["rejected"] is not None:
            self._reject(screening.rejected)

    def _reject(self, rejected: Any) -> None:
        compute = arrow("write_screening").compute
        self._writer("rejected", rejected.schema)
        tables = rejected.column("table")
        for name in compute.unique(tables).to_pylist():
            part = rejected.filter(compute.equal(tables, name))
            rows = np.asarray(part.column("row").to_numpy(zero_copy_only=False))
            last = self._last_row.get(name, -1)
            if len(rows) and (rows[0] < last or np.any(np.diff(rows) < 0)):
                self._unordered.add(name)  # parts of a folder that is not sorted
            self._last_row[name] = max(last, int(rows[-1])) if len(rows) else last
            self._append(f"rejected {name}", part)

    def close(self) -> None:
        """Add the rejections kept aside, in table order, and finish every Parquet file.

        A table's rejections from the parts of a folder that is not sorted are put in row
        order (a stable sort: one row's problems keep their order).
        """
        parquet = arrow("write_screening").parquet
        order = {f"rejected {name}": position for position, name in enumerate(TABLE_NAMES)}
        for name in sorted(self._spills, key=lambda name: order.get(name, len(order))):
            self._writers.pop(name).close()
            spill = self._spills[name]
            spill.seek(0)
            if name.removeprefix("rejected ") in self._unordered:
                table = parquet.read_table(spill)
                self._writers["rejected"].write_table(table.take(_row_order(table)))
                continue
            for batch in parquet.ParquetFile(spill).iter_batches(batch_size=_BATCH_ROWS):
                self._writers["rejected"].write_batch(batch)
        for writer in self._writers.values():
            writer.close()


def _row_order(rejected: Any) -> NDArray[np.int64]:
    """Return the order of rejections by row, one row's problems in the order they came."""
    rows = np.asarray(rejected.column("row").to_numpy(zero_copy_only=False))
    return np.argsort(rows, kind="stable").astype(np.int64)


def _close_quietly(writer: Any) -> None:
    """Close a Parquet writer left open by a failed write (its file is then discarded)."""
    with contextlib.suppress(Exception):
        writer.close()


def write_screening(
    screening: TableScreening | Iterable[TableScreening],
    *,
    results: str | os.PathLike[str] | None = None,
    results_jsonl: str | os.PathLike[str] | None = None,
    rejected: str | os.PathLike[str] | None = None,
    contributions: str | os.PathLike[str] | None = None,
    inputs: tuple[str | os.PathLike[str], ...] = (),
) -> TableCounts:
    """Write a screening's tables as Parquet (and its result lines as JSONL), all or none.

    Parameters
    ----------
    screening : TableScreening, or an iterable of them
        What :func:`screen_tables` returned; or the screenings of the chunks of one
        caseload (:meth:`TableChunk.screen`), written one after the other as they come, so
        only one is held at a time. Each output is then the chunks' parts put together,
        the rejections in table order, then row order, as one call on the whole caseload
        gives them.
    results, rejected, contributions : path-like, optional
        Parquet files for the results, the rejections and the long-form contributions
        (which the screening must hold: ``screen_tables(..., contributions=True)``).
    results_jsonl : path-like, optional
        The compact result lines, byte for byte those :func:`~efh_screen.screen_file` writes.
    inputs : tuple of path-like
        Input files, which no output may overwrite.

    Returns
    -------
    TableCounts
        The screenings' counts, added up table by table.

    Raises
    ------
    InputError
        If two outputs share a path, an output is an input, contributions are asked for
        but were not computed, or there is no screening at all. Nothing is written then.
    """
    screenings = [screening] if isinstance(screening, TableScreening) else screening
    requested = {
        "results": results,
        "results_jsonl": results_jsonl,
        "rejected": rejected,
        "contributions": contributions,
    }
    counts: TableCounts | None = None
    with OutputFiles(inputs=inputs) as files, contextlib.ExitStack() as stack:
        files.check_all(requested)
        outputs = _Outputs(files, requested, stack)
        for part in screenings:
            if contributions is not None and part.contributions is None:
                reason = "were not computed; screen with contributions=True to write them"
                raise InputError([FieldProblem("contributions", reason)])
            outputs.write(part)
            counts = part.counts if counts is None else counts.plus(part.counts)
            del part
        if counts is None:
            reason = "holds no screening; give a screening or the screenings of its chunks"
            raise InputError([FieldProblem("screening", reason)])
        outputs.close()
    return counts


def _screened(
    chunks: Iterator[TableChunk], *, as_of: dt.date, weights: Weights, contributions: bool
) -> Iterator[TableScreening]:
    """Screen each chunk as it is read, holding only the chunk being screened."""
    for chunk in chunks:
        screening = chunk.screen(as_of=as_of, weights=weights, contributions=contributions)
        del chunk
        yield screening
        del screening


def screen_folder(
    folder: str | os.PathLike[str],
    *,
    as_of: dt.date,
    weights: Weights | None = None,
    results: str | os.PathLike[str] | None = None,
    results_jsonl: str | os.PathLike[str] | None = None,
    rejected: str | os.PathLike[str] | None = None,
    contributions: str | os.PathLike[str] | None = None,
    children_per_chunk: int = DEFAULT_CHILDREN_PER_CHUNK,
) -> TableCounts:
    """Screen a folder of the four Parquet tables a chunk at a time, and write the outputs.

    The folder is read with :func:`iter_tables`, each chunk screened as it is read and its
    outputs written before the next chunk is read (:func:`write_screening`), so the
    caseload never has to fit in memory (a folder that is not sorted is read in parts,
    through temporary files; one sorted by id, as :func:`write_tables` writes it, is
    the faster read). The outputs are those of
    one :func:`screen_tables` call on the whole folder, written with
    :func:`write_screening`, all together or none of them.

    Parameters
    ----------
    folder : path-like
        A folder holding the four tables (``docs/tables.md``).
    as_of : datetime.date
        The screening date (nothing reads today's clock).
    weights : Weights, optional
        The weightings (the embedded default when omitted).
    results, rejected, contributions : path-like, optional
        Parquet files for the results, the rejections and the long-form contributions.
    results_jsonl : path-like, optional
        The compact result lines, byte for byte those :func:`~efh_screen.screen_file` writes.
    children_per_chunk : int
        Children in a chunk: memory grows with it (``docs/tables.md``, "Parquet folders").

    Returns
    -------
    TableCounts
        What became of every table's rows (``read == screened + rejected``).

    Raises
    ------
    InputError
        If the folder or a table is missing or unreadable, a table's columns do not fit the
        layout, two outputs share a path, or an output is one of the tables.
    """
    as_of = check_as_of(as_of)
    weights_used = Screener(weights).weights
    chunks = iter_tables(folder, children_per_chunk=children_per_chunk)
    inputs = tuple(Path(folder) / file_name for file_name in TABLE_FILES.values())
    return write_screening(
        _screened(
            chunks, as_of=as_of, weights=weights_used, contributions=contributions is not None
        ),
        results=results,
        results_jsonl=results_jsonl,
        rejected=rejected,
        contributions=contributions,
        inputs=inputs,
    )
