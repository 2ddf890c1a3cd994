"""The words of each rejection, from the Profile model itself.

For each child :mod:`efh_screen.tables._checks` found, the child's rows are gathered into
the profile they stand for (rows in table order; a factor with one account written as an
object, with several as a list) and handed to the Profile model and
:func:`~efh_screen._profile.date_problems`, exactly as the JSONL and CSV paths do. Each
problem keeps the model's field path (``events[2].date``, ``factors.adhd[1].reason``) and
reason, and is placed at the table and row it came from. Cell text is never repeated: the
id only when it is a well-formed pseudonymous id, and nothing else.

This is the only place the engine makes Python objects per row: for children that are
rejected, and (:func:`child_profiles`) for the cases whose points cards a review page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from .._errors import FieldProblem
from .._profile import Profile, date_problems, problems_from_validation_error
from .._records import safe_id
from ._checks import CodedTables
from ._decoding import EPOCH_ORDINAL, INVALID_DATE, NULL, NULL_DATE, DecodedTable
from ._layout import AUDIT_COLUMNS, LAYOUT, PROFILE_COLUMNS

__all__ = [
    "REASON_DUPLICATE_ROWS",
    "REASON_NO_CHILD",
    "REASON_NO_FACTOR",
    "REASON_NO_ID",
    "TableProblem",
    "child_profiles",
    "duplicate_problems",
    "orphan_problems",
    "word_problems",
]

REASON_NO_CHILD = (
    "no child in the children table has this id; add the child to the children table or "
    "remove the row"
)
REASON_NO_ID = "is blank, so the row belongs to no child; give the child's id"
REASON_NO_FACTOR = "is blank; give the factor key of this account (efh-screen factors lists them)"
REASON_DUPLICATE_ROWS = (
    "duplicate id: it is on rows {rows} of the children table, so the other tables' rows "
    "cannot be told apart; each young person must appear once — merge the rows"
)


class TableProblem(NamedTuple):
    """One problem with one row of one table.

    Attributes
    ----------
    id : str or None
        The child's pseudonymous id, when it is well formed.
    table : str
        The table the row is in.
    row : int
        The row's position in its table, from 0.
    field : str
        The field path the Profile model names (e.g. ``"events[2].date"``), or ``"id"``.
    reason : str
        Plain-English reason, saying how to fix it.
    """

    id: str | None
    table: str
    row: int
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class _ChildRows:
    """Row positions of one child in each table, in table order."""

    child: int
    observations: list[int]
    events: list[int]
    attendance: list[int]


def _rows_by_child(table: DecodedTable, children: NDArray[np.int64]) -> dict[int, list[int]]:
    """Row positions of each of ``children`` in ``table``, in table order."""
    wanted = np.zeros(max(int(table.child.max(initial=-1)) + 1, 1), dtype=np.bool_)
    inside = children[children < len(wanted)]
    wanted[inside] = True
    owner = table.child
    rows = np.flatnonzero((owner != NULL) & wanted[np.where(owner != NULL, owner, 0)])
    by_child: dict[int, list[int]] = {}
    for row, child in zip(rows.tolist(), owner[rows].tolist(), strict=True):
        by_child.setdefault(child, []).append(row)
    return by_child


def _cells(table: DecodedTable, rows: Sequence[int]) -> list[dict[str, Any]]:
    """Return the given rows as dicts of Python values, blank cells left out.

    Dates come from the decoded days (a date no profile can hold becomes text the model
    refuses), so no out-of-range date is ever turned into a Python date.
    """
    if not rows:
        return []
    dates = [column.name for column in LAYOUT[table.name] if column.kind == "date"]
    others = [column.name for column in LAYOUT[table.name] if column.kind != "date"]
    taken = table.table.select(others).take(rows).to_pylist()
    for position, cells in zip(rows, taken, strict=True):
        for name in dates:
            day = int(table.values[name][position])
            if day == INVALID_DATE:
                cells[name] = "(not a calendar date)"
            elif day != NULL_DATE:
                cells[name] = dt.date.fromordinal(day + EPOCH_ORDINAL)
    return [{key: value for key, value in cells.items() if value is not None} for cells in taken]


def _profile_data(
    tables: CodedTables, rows: _ChildRows
) -> tuple[dict[str, Any], dict[str, list[int]], list[TableProblem]]:
    """Return the profile a child's rows stand for, and where each factor's accounts came from.

    Also the problems the model cannot see (an account with no factor).
    """
    (child,) = _cells(tables.children, [rows.child])
    data: dict[str, Any] = {key: child[key] for key in PROFILE_COLUMNS if key in child}
    audit = {key: child[key] for key in AUDIT_COLUMNS if key in child}
    if audit:
        data["audit"] = audit
    factors: dict[str, list[dict[str, Any]]] = {}
    origin: dict[str, list[int]] = {}
    extra: list[TableProblem] = []
    for row, cells in zip(
        rows.observations, _cells(tables.observations, rows.observations), strict=True
    ):
        cells.pop("id", None)
        key = cells.pop("factor", None)
        if key is None:
            extra.append(TableProblem(None, "observations", row, "factor", REASON_NO_FACTOR))
            continue
        factors.setdefault(key, []).append(cells)
        origin.setdefault(key, []).append(row)
    if factors:
        data["factors"] = {
            key: accounts[0] if len(accounts) == 1 else accounts
            for key, accounts in factors.items()
        }
    for name in ("events", "attendance"):
        listed = [
            {key: value for key, value in cells.items() if key != "id"}
            for cells in _cells(getattr(tables, name), getattr(rows, name))
        ]
        if listed:
            data[name] = listed
    return data, origin, extra


_INDEXED = re.compile(r"^(events|attendance)\[(\d+)\]")
_FACTOR = re.compile(r"^factors\.(\(key (\d+)\)|[A-Za-z0-9_]+)(?:\[(\d+)\])?")


def _place(field: str, rows: _ChildRows, origin: dict[str, list[int]]) -> tuple[str, int]:
    """Return the table and row a model field path points into."""
    indexed = _INDEXED.match(field)
    if indexed is not None:
        table, index = indexed.group(1), int(indexed.group(2))
        table_rows: list[int] = getattr(rows, table)
        if index < len(table_rows):
            return table, table_rows[index]
    factor = _FACTOR.match(field)
    if factor is not None:
        keys = list(origin)
        if factor.group(2) is not None:
            position = int(factor.group(2)) - 1
            key = keys[position] if 0 <= position < len(keys) else None
        else:
            key = factor.group(1)
        if key in origin:
            index = int(factor.group(3) or 0)
            accounts = origin[key]
            return "observations", accounts[index] if index < len(accounts) else accounts[0]
    return "children", rows.child


def _word_child(tables: CodedTables, rows: _ChildRows, as_of: dt.date) -> list[TableProblem]:
    data, origin, problems = _profile_data(tables, rows)
    child_id = safe_id(data.get("id"))
    found: list[FieldProblem]
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        found = problems_from_validation_error(exc, data)
    else:
        found = [] if problems else date_problems(profile, as_of)
    problems = [problem._replace(id=child_id) for problem in problems]
    for problem in found:
        table, row = _place(problem.field, rows, origin)
        problems.append(TableProblem(child_id, table, row, problem.field, problem.reason))
    return problems


def word_problems(
    tables: CodedTables, children: NDArray[np.int64], *, as_of: dt.date
) -> dict[int, list[TableProblem]]:
    """Ask the Profile model what is wrong with each of the given children.

    Parameters
    ----------
    tables : CodedTables
        The four tables decoded.
    children : numpy.ndarray of int
        Positions in the children table of the children to word.
    as_of : datetime.date
        The screening date.

    Returns
    -------
    dict of int to list of TableProblem
        Each child's problems, by position; a child the model finds nothing wrong with
        has an empty list (and is screened).
    """
    return {rows.child: _word_child(tables, rows, as_of) for rows in _each_child(tables, children)}


def _each_child(tables: CodedTables, children: NDArray[np.int64]) -> list[_ChildRows]:
    """Return the rows of each of the given children, in the order given."""
    by_table = {table.name: _rows_by_child(table, children) for table in tables.rows()}
    return [
        _ChildRows(
            child,
            by_table["observations"].get(child, []),
            by_table["events"].get(child, []),
            by_table["attendance"].get(child, []),
        )
        for child in children.tolist()
    ]


def child_profiles(tables: CodedTables, children: NDArray[np.int64]) -> list[Profile]:
    """Return the profiles the given children's rows stand for, as the model reads them.

    For a few screened children (the review page's points cards), never for every child.

    Parameters
    ----------
    tables : CodedTables
        The four tables decoded.
    children : numpy.ndarray of int
        Positions in the children table of children that were screened.

    Returns
    -------
    list of Profile
        One per child, in the order given.
    """
    return [
        Profile.model_validate(_profile_data(tables, rows)[0])
        for rows in _each_child(tables, children)
    ]


def orphan_problems(table: DecodedTable) -> list[TableProblem]:
    """One problem for each row whose id is blank or matches no child."""
    rows = np.flatnonzero(table.child == NULL)
    if not len(rows):
        return []
    ids = table.table.column("id").take(rows).to_pylist()
    return [
        TableProblem(
            safe_id(value),
            table.name,
            row,
            "id",
            REASON_NO_ID if value is None else REASON_NO_CHILD,
        )
        for row, value in zip(rows.tolist(), ids, strict=True)
    ]


def duplicate_problems(children: DecodedTable, duplicated: NDArray[np.bool_]) -> list[TableProblem]:
    """One problem for each children row whose id is on more than one row."""
    rows = np.flatnonzero(duplicated)
    if not len(rows):
        return []
    ids = children.table.column("id").take(rows).to_pylist()
    together: dict[str, list[int]] = {}
    for row, value in zip(rows.tolist(), ids, strict=True):
        together.setdefault(value, []).append(row)
    return [
        TableProblem(
            safe_id(value),
            "children",
            row,
            "id",
            REASON_DUPLICATE_ROWS.format(rows=", ".join(map(str, together[value]))),
        )
        for row, value in zip(rows.tolist(), ids, strict=True)
    ]
