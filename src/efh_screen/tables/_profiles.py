"""Profiles to tables, and one wide DataFrame to tables through a column mapping.

:func:`profiles_to_tables` spreads validated profiles over the four tables of the layout
(rows in profile order; a factor's accounts, events and attendance periods in the order the
profile lists them), so screening the tables gives the same results as screening the
profiles. :func:`tables_from_frame` reads a wide DataFrame (one row per young person, the
flat CSV layout or any export with a :class:`~efh_screen.ColumnMapping`) through the CSV
reader's own row reading, so a DataFrame is read exactly as the same cells in a CSV file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from .._csv import ColumnMapping, read_cells
from .._profile import Profile
from .._records import InputRecord, RejectedRecord
from ._arrow import arrow
from ._layout import AUDIT_COLUMNS, LAYOUT, PROFILE_COLUMNS, TABLE_NAMES, arrow_schemas
from ._results import rejected_schema

__all__ = ["CaseTables", "FrameTables", "profiles_to_tables", "tables_from_frame"]
# arrow_rows and tables_from_rows are shared with _batch (wide Parquet files), not public.


class CaseTables(NamedTuple):
    """The four tables of the columnar layout (``docs/tables.md``).

    Attributes
    ----------
    children, observations, events, attendance : pyarrow.Table
        One row per young person, per agency's account of a factor, per dated event and
        per attendance period.
    """

    children: Any
    observations: Any
    events: Any
    attendance: Any


class FrameTables(NamedTuple):
    """A wide DataFrame read into the four tables, with the rows that could not be read.

    Attributes
    ----------
    tables : CaseTables
        The rows that were read, as the four tables.
    rejected : pyarrow.Table
        One row per problem of each row that could not be read, with the columns of
        :attr:`TableScreening.rejected <efh_screen.tables.TableScreening.rejected>`
        (``table`` is ``"frame"``; ``row`` counts the frame's rows from 0; ``field`` names
        the frame's column).
    """

    tables: CaseTables
    rejected: Any


def _rows(profiles: Iterable[Profile]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_NAMES}
    for profile in profiles:
        child: dict[str, Any] = {}
        for name in PROFILE_COLUMNS:
            value = getattr(profile, name)
            child[name] = [_plain(item) for item in value] if isinstance(value, tuple) else value
        audit = profile.audit
        for name in AUDIT_COLUMNS:
            value = getattr(audit, name) if audit is not None else None
            child[name] = None if value is None else value.value
        rows["children"].append(child)
        for key, accounts in profile.factors.items():
            for account in accounts:
                cells = account.model_dump(mode="python")
                rows["observations"].append({"id": profile.id, "factor": key, **cells})
        for event in profile.events:
            rows["events"].append({"id": profile.id, **event.model_dump(mode="python")})
        for period in profile.attendance:
            rows["attendance"].append({"id": profile.id, **period.model_dump(mode="python")})
    return rows


def _plain(value: object) -> object:
    """Return an enum member as its word, anything else as it is."""
    inner = getattr(value, "value", None)
    return inner if isinstance(inner, str) else value


def profiles_to_tables(profiles: Iterable[Profile]) -> CaseTables:
    """Spread validated profiles over the four tables of the columnar layout.

    Parameters
    ----------
    profiles : iterable of Profile
        Validated profiles. ``audit.other`` is not part of the layout and is left out;
        everything the screen reads is kept.

    Returns
    -------
    CaseTables
        The four tables, with the schemas of :func:`arrow_schemas`.

    Examples
    --------
    >>> from efh_screen import parse_profile
    >>> from efh_screen.tables import profiles_to_tables
    >>> tables = profiles_to_tables([parse_profile({"id": "YP-1", "date_of_birth": "2012-03-04",
    ...     "factors": {"adhd": {"status": "present", "source": "camhs"}}})])
    >>> tables.children.num_rows, tables.observations.column("factor").to_pylist()
    (1, ['adhd'])
    """
    pa = arrow("profiles_to_tables").pa
    schemas = arrow_schemas()
    rows = _rows(profiles)
    tables = []
    for name in TABLE_NAMES:
        names = [column.name for column in LAYOUT[name]]
        columns = {column: [_plain(row[column]) for row in rows[name]] for column in names}
        arrays = [
            pa.array(columns[field.name], type=field.type.value_type).dictionary_encode()
            if pa.types.is_dictionary(field.type)
            else pa.array(columns[field.name], type=field.type)
            for field in schemas[name]
        ]
        tables.append(pa.Table.from_arrays(arrays, schema=_with_index_types(schemas[name], arrays)))
    return CaseTables(*tables)


def _with_index_types(schema: Any, arrays: list[Any]) -> Any:
    """Return the schema with each dictionary field's index type as encoded."""
    pa = arrow("profiles_to_tables").pa
    fields = []
    for field, array in zip(schema, arrays, strict=True):
        if pa.types.is_dictionary(field.type):
            array = array.cast(field.type)
        fields.append(field.with_type(array.type))
    return pa.schema(fields)


def _cell_text(value: object) -> str:
    """Return a DataFrame cell as the text a CSV export would hold: blank for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if type(value).__name__ in ("NaTType", "NAType"):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def tables_from_frame(frame: Any, *, mapping: ColumnMapping | None = None) -> FrameTables:
    """Read a wide DataFrame (one row per young person) into the four tables.

    Each row is read exactly as the same cells would be read from a CSV file by
    :func:`~efh_screen.read_csv`: the flat layout, or an export's own columns through a
    :class:`~efh_screen.ColumnMapping`. Cells are taken as text: a blank (``None``, NaN)
    is an empty cell, a date is written ``YYYY-MM-DD`` (so leave the mapping's
    ``date_format`` at its default for date columns), and a whole float is written as a
    whole number (pandas turns an integer column with blanks into floats).

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table; its column names are the header.
    mapping : ColumnMapping, optional
        How to read an export with its own column names and words.

    Returns
    -------
    FrameTables
        The rows read, as the four tables, and one problem per field of each row that
        could not be read.

    Raises
    ------
    InputError
        If the header cannot be used (as for :func:`~efh_screen.read_csv`).
    """
    header = [str(name) for name in frame.columns]
    return tables_from_rows(header, frame.itertuples(index=False), mapping=mapping)


def arrow_rows(table: Any) -> Iterator[Sequence[object]]:
    """Yield an Arrow table's (or record batch's) rows as the values pandas would give."""
    if not table.num_columns:
        return iter([()] * table.num_rows)
    return zip(*(column.to_pylist() for column in table.columns), strict=True)


def tables_from_rows(
    header: list[str], rows: Iterable[Sequence[object]], *, mapping: ColumnMapping | None
) -> FrameTables:
    """Read wide rows, as a DataFrame or an Arrow table holds them, into the four tables.

    The work of :func:`tables_from_frame`, for rows of values in the header's order (a
    wide Parquet file is read through :func:`arrow_rows`, without pandas).
    """
    pa = arrow("tables_from_frame").pa
    cells = ([_cell_text(value) for value in row] for row in rows)
    profiles: list[Profile] = []
    problems: list[dict[str, Any]] = []
    for record in _records(header, cells, mapping):
        if isinstance(record, InputRecord):
            profiles.append(record.profile)
            continue
        for problem in record.problems:
            problems.append(
                {
                    "id": record.id,
                    "table": "frame",
                    "row": record.line,
                    "field": problem.field,
                    "reason": problem.reason,
                }
            )
    rejected = pa.Table.from_pylist(problems, schema=rejected_schema())
    return FrameTables(profiles_to_tables(profiles), rejected)


def _records(
    header: list[str], rows: Iterator[list[str]], mapping: ColumnMapping | None
) -> Iterator[InputRecord | RejectedRecord]:
    """Read the frame's rows into records, numbered from 0 like the frame's positions."""
    return read_cells(header, rows, mapping=mapping, first=0)
