"""Tables in: Arrow tables, pandas DataFrames or nothing, checked strictly and decoded to numpy.

Each table is first checked as a whole against the layout: a missing required column, a
column the layout does not have, or a column of the wrong type makes the input unusable
(:class:`~efh_screen.InputError` naming every such column at once). Columns of the right
type are then decoded, once, into numpy arrays the engine works on:

* enum columns into ``int16`` codes, positions in the column's vocabulary (:data:`NULL`
  for a blank cell, :data:`INVALID` for a word not in the vocabulary);
* dates into ``int32`` days since 1970-01-01 (:data:`NULL_DATE` for a blank cell,
  :data:`INVALID_DATE` for a date a profile cannot hold, before year 1 or after 9999);
* counts into ``int64`` (:data:`NULL_COUNT` for a blank cell);
* true/false into ``int8`` (1, 0, :data:`NULL` for blank);
* text into its length in characters (:data:`NULL` for blank);
* each row's ``id`` into the position of its child in the children table (:data:`NULL`
  when no child has that id, or the id is blank).

No Python object is made per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._errors import FieldProblem, InputError
from ._arrow import arrow, import_pandas
from ._layout import LAYOUT, TABLE_NAMES, Column

__all__ = [
    "EPOCH_ORDINAL",
    "INVALID",
    "INVALID_DATE",
    "NULL",
    "NULL_COUNT",
    "NULL_DATE",
    "DecodedTable",
    "as_arrow_tables",
    "child_positions",
    "decode_table",
]

NULL = -1
"""A blank cell, in codes, true/false and lengths (and a row's child when it has none)."""
INVALID = -2
"""A word that is not in the column's vocabulary."""
NULL_DATE = np.iinfo(np.int32).min
"""A blank date."""
INVALID_DATE = NULL_DATE + 1
"""A date a profile cannot hold (before 0001-01-01 or after 9999-12-31)."""
NULL_COUNT = np.iinfo(np.int64).min
"""A blank count."""
EPOCH_ORDINAL = 719_163
"""``datetime.date(1970, 1, 1).toordinal()``: day numbers plus this are date ordinals."""
_FIRST_DAY, _LAST_DAY = 1 - EPOCH_ORDINAL, 3_652_059 - EPOCH_ORDINAL  # 0001-01-01, 9999-12-31

_TYPE_NAMES = {
    "text": "text (string)",
    "enum": "words (string or dictionary of strings)",
    "date": "dates (date32)",
    "count": "whole numbers (an integer type)",
    "bool": "true/false (bool)",
    "enum_list": "lists of words (list of strings)",
}
_TYPE_FIXES = {
    "date": " a pandas datetime column holds timestamps: convert it with "
    "pd.to_datetime(column).dt.date, or cast it to date32",
    "count": " a pandas integer column with blanks is float: convert it with .astype('Int64')",
}


@dataclass(frozen=True, slots=True)
class DecodedTable:
    """One table decoded into numpy arrays, one entry per row.

    Attributes
    ----------
    name : str
        The table's name.
    table : pyarrow.Table
        The table as given (its columns in layout order), kept to word rejections.
    rows : int
        Number of rows.
    child : numpy.ndarray of shape (rows,), int64
        Position of the row's child in the children table, or :data:`NULL`.
    values : dict of str to numpy.ndarray
        Each column decoded (see the module docstring), by column name; ``id`` is left out.
    bad : numpy.ndarray of shape (rows,), bool
        Rows with a problem in one of their own cells (blank where required, a word not
        in the vocabulary, a count or text out of bounds, a malformed id).
    """

    name: str
    table: Any
    rows: int
    child: NDArray[np.int64]
    values: dict[str, NDArray[Any]]
    bad: NDArray[np.bool_]


def _arrow_table(data: object, name: str) -> Any:
    """Return an Arrow table from a pyarrow Table or RecordBatch, a pandas DataFrame, or None."""
    pa = arrow("reading tables").pa
    if data is None:
        return pa.table({column.name: pa.array([], type=pa.null()) for column in LAYOUT[name]})
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return _from_pandas(data, name)
    raise InputError(
        [
            FieldProblem(
                name,
                "must be a pyarrow Table or a pandas DataFrame (or None for an empty "
                "table); read a folder of Parquet files with read_tables",
            )
        ]
    )


def _from_pandas(frame: Any, name: str) -> Any:
    """Convert a DataFrame column by column, so a column that will not convert is named."""
    pa = arrow("reading a DataFrame").pa
    import_pandas("reading a DataFrame")
    arrays: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    known = {column.name for column in LAYOUT[name]}
    for position, label in enumerate(frame.columns, start=1):
        field = f"{name}.{label}" if label in known else f"{name} (column {position})"
        try:
            arrays[str(label)] = pa.array(frame[label], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            reason = "could not be read as one Arrow type; check it holds one kind of value"
            problems.append(FieldProblem(field, reason))
    if problems:
        raise InputError(problems)
    if len(set(arrays)) != len(frame.columns):
        raise InputError([FieldProblem(name, "has two columns of one name; keep one")])
    return pa.table(arrays) if arrays else pa.table({}).slice(0, 0)


def _type_problem(name: str, column: Column, arrow_type: Any) -> FieldProblem | None:
    """Why a column's Arrow type does not fit its kind, or None when it fits."""
    pa = arrow("reading tables").pa
    types = pa.types
    if types.is_null(arrow_type):
        return None  # every cell blank
    if types.is_dictionary(arrow_type):
        value_type = arrow_type.value_type
        fits = column.kind in ("text", "enum") and (
            _is_text(value_type) or types.is_null(value_type)
        )
    elif column.kind in ("text", "enum"):
        fits = _is_text(arrow_type)
    elif column.kind == "date":
        fits = types.is_date(arrow_type)
    elif column.kind == "count":
        fits = types.is_integer(arrow_type)
    elif column.kind == "bool":
        fits = types.is_boolean(arrow_type)
    else:
        fits = (types.is_list(arrow_type) or types.is_large_list(arrow_type)) and (
            _is_text(arrow_type.value_type)
            or types.is_null(arrow_type.value_type)
            or (
                types.is_dictionary(arrow_type.value_type)
                and _is_text(arrow_type.value_type.value_type)
            )
        )
    if fits:
        return None
    reason = f"must hold {_TYPE_NAMES[column.kind]}, not {arrow_type};"
    fix = _TYPE_FIXES.get(column.kind, " convert the column to that type")
    return FieldProblem(f"{name}.{column.name}", reason + fix)


def _is_text(arrow_type: Any) -> bool:
    types = arrow("reading tables").pa.types
    return bool(
        types.is_string(arrow_type)
        or types.is_large_string(arrow_type)
        or getattr(types, "is_string_view", lambda _: False)(arrow_type)
    )


def _checked(table: Any, name: str) -> tuple[Any, list[FieldProblem]]:
    """Return the table, its columns in layout order (absent optional ones blank), and problems."""
    pa = arrow("reading tables").pa
    columns = LAYOUT[name]
    known = {column.name for column in columns}
    problems = [
        FieldProblem(
            f"{name} (column {position})",
            f"is not a column of the {name} table; remove it or rename it to a column of "
            "the layout (efh-screen schema --arrow lists them)",
        )
        for position, label in enumerate(table.column_names, start=1)
        if label not in known
    ]
    if len(set(table.column_names)) != len(table.column_names):
        problems.append(FieldProblem(name, "has two columns of one name; keep one"))
        return table, problems
    arrays = {}
    for column in columns:
        if column.name not in table.column_names:
            if column.required:
                reason = "is a required column; add it (efh-screen schema --arrow lists them)"
                problems.append(FieldProblem(f"{name}.{column.name}", reason))
                continue
            arrays[column.name] = pa.nulls(table.num_rows)
            continue
        array = table.column(column.name)
        problem = _type_problem(name, column, array.type)
        if problem is not None:
            problems.append(problem)
        arrays[column.name] = array
    return pa.table(arrays) if not problems else table, problems


def as_arrow_tables(tables: Mapping[str, object]) -> dict[str, Any]:
    """Check the four tables against the layout and return them as Arrow tables.

    Parameters
    ----------
    tables : mapping of str to table
        Each table by name (:data:`~efh_screen.tables._layout.TABLE_NAMES`): a pyarrow
        Table or RecordBatch, a pandas DataFrame, or None for an empty table.

    Raises
    ------
    InputError
        Naming every missing, unknown or wrongly typed column of every table at once.
    """
    checked: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name in TABLE_NAMES:
        table, found = _checked(_arrow_table(tables.get(name), name), name)
        checked[name] = table
        problems += found
    if problems:
        raise InputError(problems)
    return checked


def child_positions(ids: Any, children_ids: Any) -> NDArray[np.int64]:
    """Position in ``children_ids`` of each id, or :data:`NULL` (one hash look-up per value).

    Dictionary-encoded chunks (as Parquet is read) are looked up once per distinct id, and
    once for a run of chunks that share their dictionary.
    """
    pa, compute = arrow("reading tables")[:2]
    parts = []
    dictionary: Any = None
    found: NDArray[Any] = np.zeros(0, dtype=np.int64)
    for chunk in ids.chunks:
        if len(chunk) == 0:
            continue
        if pa.types.is_dictionary(chunk.type):
            if dictionary is None or not chunk.dictionary.equals(dictionary):
                dictionary = chunk.dictionary
                looked_up = compute.index_in(
                    _text(dictionary), value_set=children_ids, skip_nulls=True
                )
                found = _filled(looked_up, NULL).astype(np.int64)
            indices = chunk.indices
            positions = found[_filled(indices, 0)] if len(found) else np.zeros(len(chunk), int)
            positions[_nulls(indices)] = NULL
            parts.append(positions.astype(np.int64))
        else:
            looked_up = compute.index_in(_text(chunk), value_set=children_ids, skip_nulls=True)
            parts.append(_filled(looked_up, NULL))
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _text(array: Any) -> Any:
    """Return the array as plain strings (a null-typed array stays null: nothing to look up)."""
    pa = arrow("reading tables").pa
    return array if pa.types.is_null(array.type) else array.cast(pa.string())


def _filled(array: Any, value: int) -> NDArray[Any]:
    """Return a numpy copy of an Arrow array with its nulls replaced by ``value``."""
    if array.null_count:
        array = array.fill_null(value)
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _nulls(array: Any) -> NDArray[np.bool_]:
    if not array.null_count:
        return np.zeros(len(array), dtype=np.bool_)
    return np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _chunkwise(
    column: Any, dtype: type[np.generic], null: int, convert: Callable[[Any], NDArray[Any]]
) -> NDArray[Any]:
    """Convert a column chunk by chunk; a chunk of nulls, and every null cell, become ``null``."""
    pa = arrow("reading tables").pa
    parts = []
    for chunk in column.chunks:
        if pa.types.is_null(chunk.type):
            parts.append(np.full(len(chunk), null, dtype=dtype))
            continue
        values = convert(chunk).astype(dtype)
        values[_nulls(chunk)] = null
        parts.append(values)
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _codes(column: Any, vocabulary: tuple[str, ...]) -> NDArray[np.int16]:
    """Each cell's position in ``vocabulary``; NULL for blank, INVALID for any other word."""
    pa, compute = arrow("reading tables")[:2]
    words = pa.array(vocabulary, type=pa.string())

    def positions(chunk: Any) -> NDArray[Any]:
        if not pa.types.is_dictionary(chunk.type):
            return _filled(compute.index_in(chunk.cast(pa.string()), value_set=words), INVALID)
        # Look each word of the dictionary up once, then read the codes through the indices.
        dictionary = chunk.dictionary.cast(pa.string())
        lookup = _filled(compute.index_in(dictionary, value_set=words), INVALID)
        lookup = lookup.astype(np.int16)
        lookup[_nulls(dictionary)] = NULL
        if not len(lookup):
            return np.zeros(len(chunk), np.int16)
        return np.asarray(lookup[_filled(chunk.indices, 0)])

    return _chunkwise(column, np.int16, NULL, positions)


def _days(column: Any) -> NDArray[np.int32]:
    """Days since 1970-01-01; NULL_DATE for blank, INVALID_DATE outside years 1 to 9999."""
    pa = arrow("reading tables").pa

    def days(chunk: Any) -> NDArray[Any]:
        if pa.types.is_date64(chunk.type):  # milliseconds; a whole number of days
            chunk = chunk.cast(pa.date32())
        values = _filled(chunk.cast(pa.int32()), 0).astype(np.int32)
        values[(values < _FIRST_DAY) | (values > _LAST_DAY)] = INVALID_DATE
        return values

    return _chunkwise(column, np.int32, NULL_DATE, days)


def _counts(column: Any) -> NDArray[np.int64]:
    pa, compute = arrow("reading tables")[:2]

    def counts(chunk: Any) -> NDArray[Any]:
        if pa.types.is_uint64(chunk.type):  # beyond int64 is out of bounds anyway
            chunk = compute.min_element_wise(chunk, pa.scalar(2**62, chunk.type))
        return _filled(chunk.cast(pa.int64()), 0)

    return _chunkwise(column, np.int64, NULL_COUNT, counts)


def _flags(column: Any) -> NDArray[np.int8]:
    return _chunkwise(column, np.int8, NULL, lambda chunk: _filled(chunk, False))


def _lengths(column: Any) -> NDArray[np.int64]:
    """Each cell's length in characters (NULL for blank); a dictionary's words measured once."""
    pa, compute = arrow("reading tables")[:2]
    parts = []
    for chunk in column.chunks:
        if pa.types.is_null(chunk.type):
            parts.append(np.full(len(chunk), NULL, dtype=np.int64))
        elif pa.types.is_dictionary(chunk.type):
            words = _filled(compute.utf8_length(_text(chunk.dictionary)), NULL).astype(np.int64)
            indices = chunk.indices
            lengths = words[_filled(indices, 0)] if len(words) else np.zeros(len(chunk), np.int64)
            lengths[_nulls(indices)] = NULL
            parts.append(lengths)
        else:
            parts.append(_filled(compute.utf8_length(_text(chunk)), NULL).astype(np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _bad_lists(column: Any, vocabulary: tuple[str, ...]) -> NDArray[np.bool_]:
    """Rows of a list column holding a blank item or a word not in the vocabulary."""
    pa, compute = arrow("reading tables")[:2]
    parts = []
    for chunk in column.chunks:
        bad = np.zeros(len(chunk), dtype=np.bool_)
        if not pa.types.is_null(chunk.type) and len(chunk):
            items = compute.list_flatten(chunk)
            parents = np.asarray(compute.list_parent_indices(chunk).to_numpy())
            if pa.types.is_null(items.type):
                wrong = np.ones(len(items), dtype=np.bool_)
            else:
                codes = _codes(pa.chunked_array([items]), vocabulary)
                wrong = codes < 0
            bad[parents[wrong]] = True
        parts.append(bad)
    return np.concatenate(parts) if parts else np.zeros(0, np.bool_)


def _decode_column(column: Column, array: Any) -> tuple[NDArray[Any] | None, NDArray[np.bool_]]:
    """Return a column's decoded values and the rows whose cell breaks the model's rules."""
    limits = column.limits
    if column.kind == "enum":
        codes = _codes(array, column.vocabulary)
        bad = codes == INVALID
        if column.required:
            bad |= codes == NULL
        return codes, bad
    if column.kind == "enum_list":
        return None, _bad_lists(array, column.vocabulary)
    if column.kind == "date":
        days = _days(array)
        bad = days == INVALID_DATE
        if column.required:
            bad |= days == NULL_DATE
        return days, bad
    if column.kind == "count":
        counts = _counts(array)
        blank = counts == NULL_COUNT
        bad = blank if column.required else np.zeros(len(counts), np.bool_)
        if limits.minimum is not None:
            bad |= ~blank & (counts < limits.minimum)
        if limits.maximum is not None:
            bad |= ~blank & (counts > limits.maximum)
        return counts, bad
    if column.kind == "bool":
        flags = _flags(array)
        return flags, (flags == NULL) if column.required else np.zeros(len(flags), np.bool_)
    lengths = _lengths(array)
    bad = (lengths == NULL) if column.required else np.zeros(len(lengths), np.bool_)
    if limits.max_length is not None:
        bad |= lengths > limits.max_length
    if limits.min_length is not None:
        bad |= (lengths != NULL) & (lengths < limits.min_length)
    return lengths, bad


def decode_table(name: str, table: Any, children_ids: Any) -> DecodedTable:
    """Decode one checked table (see :func:`as_arrow_tables`) into numpy arrays.

    Parameters
    ----------
    name : str
        The table's name.
    table : pyarrow.Table
        The table, its columns in layout order.
    children_ids : pyarrow.Array
        The children table's ids (plain strings), to find each row's child.
    """
    values: dict[str, NDArray[Any]] = {}
    bad = np.zeros(table.num_rows, dtype=np.bool_)
    for column in LAYOUT[name]:
        if column.name == "id":
            continue
        decoded, column_bad = _decode_column(column, table.column(column.name))
        if decoded is not None:
            values[column.name] = decoded
        bad |= column_bad
    if name == "children":
        child = np.arange(table.num_rows, dtype=np.int64)
        bad |= _bad_ids(table.column("id"))
    else:
        child = child_positions(table.column("id"), children_ids)
    return DecodedTable(name, table, table.num_rows, child, values, bad)


def _bad_ids(ids: Any) -> NDArray[np.bool_]:
    """Ids that are blank or not a well-formed pseudonymous id (the Profile model's rule)."""
    pa, compute = arrow("reading tables")[:2]
    limits = next(column for column in LAYOUT["children"] if column.name == "id").limits
    text = ids.cast(pa.string())
    bad = _nulls(text)
    lengths = _filled(compute.utf8_length(text), 0)
    if limits.min_length is not None:
        bad |= lengths < limits.min_length
    if limits.max_length is not None:
        bad |= lengths > limits.max_length
    if limits.pattern is not None:
        matches = _filled(compute.match_substring_regex(text, limits.pattern), False)
        bad |= ~matches.astype(np.bool_)
    return bad
