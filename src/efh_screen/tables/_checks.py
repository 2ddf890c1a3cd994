"""Which children the Profile model would reject, found column-wise.

:func:`find_rejected` applies every rule of :mod:`efh_screen._profile` to whole columns at
once: the rules on one cell (blank where required, a word not in the vocabulary, bounds),
which :func:`~efh_screen.tables._decoding.decode_table` has already applied; the rules
across fields (attendance over 100%, a period that ends before it starts, an event before
the date of birth, an event detail the model refuses on that type of event — found by
asking the model about each type and value once — a reason on an
account that is not ``unknown``, an account that contradicts the events or attendance
listed); and the rules as of the screening date (:func:`~efh_screen._profile.date_problems`).

It only finds *which* children break a rule. The words of each problem come from the
Profile model itself (:mod:`efh_screen.tables._wording`), so the two paths cannot word a
problem differently. Rows whose id matches no child, and children whose id is on more than
one row, are found here too.
"""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from .._factors import FACTOR_BY_EVENT, FACTORS, EventType
from .._profile import Profile, Status, date_problems
from ._decoding import (
    EPOCH_ORDINAL,
    INVALID_DATE,
    NULL,
    NULL_COUNT,
    NULL_DATE,
    DecodedTable,
    child_positions,
)
from ._layout import LAYOUT

__all__ = [
    "ATTENDANCE_FACTORS",
    "EVENT_FACTOR_CODES",
    "FACTOR_CODES",
    "STATUS_CODES",
    "CodedTables",
    "Findings",
    "days_of",
    "find_rejected",
    "vocabulary",
]


def vocabulary(table: str, column: str) -> tuple[str, ...]:
    """Return the words of an enum column of the layout, in code order."""
    return next(c.vocabulary for c in LAYOUT[table] if c.name == column)


FACTOR_CODES: dict[str, int] = {
    key: code for code, key in enumerate(vocabulary("observations", "factor"))
}
"""Code of each factor key in the observations table's ``factor`` column."""
STATUS_CODES: dict[Status, int] = {
    Status(word): code for code, word in enumerate(vocabulary("observations", "status"))
}
"""Code of each status in the ``status`` column."""
_EVENT_CODES = {EventType(word): code for code, word in enumerate(vocabulary("events", "type"))}
EVENT_FACTOR_CODES = np.array(
    [FACTOR_CODES[FACTOR_BY_EVENT[event_type].key] for event_type in _EVENT_CODES],
    dtype=np.int64,
)
"""The factor code each event type code evidences, of shape (n_event_types,)."""
ATTENDANCE_FACTORS = np.array(
    [factor.evidence == "attendance" for factor in FACTORS.values()], dtype=np.bool_
)
"""Whether each factor (by code) is evidenced by attendance records."""
_EVENTS_FACTORS = np.array(
    [factor.evidence == "events" for factor in FACTORS.values()], dtype=np.bool_
)
_CROSS_CHECKED = np.array(
    [
        factor.evidence == "attendance" or factor.key in {f.key for f in FACTOR_BY_EVENT.values()}
        for factor in FACTORS.values()
    ],
    dtype=np.bool_,
)


def _refused_details() -> dict[str, NDArray[np.bool_]]:
    """Return which values of each optional event detail the Profile model refuses, by type.

    The details are the optional word and true/false columns of the events table. Each
    entry is of shape (n_event_types, n_values), indexed by the decoded codes (a word's
    position in the vocabulary; 0 false, 1 true). It is found by asking the model about one
    event of each type with each value, so every rule of the model that ties an event's
    detail to its type (``cross_borough`` on home moves only, a ``weapon`` on violent
    events, never ``none`` on a weapon incident, ``serious_injury``) is checked here without
    being written out again.
    """
    refused: dict[str, NDArray[np.bool_]] = {}
    for column in LAYOUT["events"]:
        if column.required or column.kind not in ("enum", "bool"):
            continue
        values: tuple[object, ...] = column.vocabulary or (False, True)
        table = np.zeros((len(_EVENT_CODES), len(values)), dtype=np.bool_)
        for event_type, code in _EVENT_CODES.items():
            for position, value in enumerate(values):
                event = {"type": event_type.value, "date": "2001-01-01", column.name: value}
                try:
                    Profile.model_validate(
                        {"id": "probe", "date_of_birth": "2000-01-01", "events": [event]}
                    )
                except ValidationError:
                    table[code, position] = True
        if table.any():
            refused[column.name] = table
    return refused


_REFUSED_DETAILS = _refused_details()
_PRESENT, _ABSENT, _UNKNOWN = (
    STATUS_CODES[s] for s in (Status.PRESENT, Status.ABSENT, Status.UNKNOWN)
)
_MAX_AGE_YEARS: int = inspect.signature(date_problems).parameters["max_age_years"].default


def days_of(day: dt.date) -> int:
    """Return a date as days since 1970-01-01, as the decoded date columns hold it."""
    return day.toordinal() - EPOCH_ORDINAL


@dataclass(frozen=True, slots=True)
class CodedTables:
    """The four tables decoded."""

    children: DecodedTable
    observations: DecodedTable
    events: DecodedTable
    attendance: DecodedTable

    def rows(self) -> tuple[DecodedTable, DecodedTable, DecodedTable]:
        """Return the three tables of rows that belong to a child."""
        return (self.observations, self.events, self.attendance)


@dataclass(frozen=True, slots=True)
class Findings:
    """What :func:`find_rejected` found.

    Attributes
    ----------
    suspect : numpy.ndarray of shape (n_children,), bool
        Children the Profile model (or the screening-date check) would reject.
    duplicated : numpy.ndarray of shape (n_children,), bool
        Children rows whose id is on more than one row of the children table.
    """

    suspect: NDArray[np.bool_]
    duplicated: NDArray[np.bool_]


def _oldest_birth_day(as_of: dt.date) -> int:
    """Return the last birth day that makes a young person older than the oldest plausible age."""
    year = as_of.year - _MAX_AGE_YEARS - 1
    try:
        cutoff = as_of.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        cutoff = dt.date(year, 2, 28)
    return days_of(cutoff)


def _mark(suspect: NDArray[np.bool_], table: DecodedTable, rows: NDArray[np.bool_]) -> None:
    """Mark the children of ``rows`` (rows with no child are accounted for elsewhere)."""
    children = table.child[rows & (table.child != NULL)]
    suspect[children] = True


def _children_problems(children: DecodedTable, as_of_day: int) -> NDArray[np.bool_]:
    birth = children.values["date_of_birth"]
    known = (birth != NULL_DATE) & (birth != INVALID_DATE)
    late = known & (birth > as_of_day)
    old = known & (birth <= _oldest_birth_day(dt.date.fromordinal(as_of_day + EPOCH_ORDINAL)))
    return np.asarray(children.bad | late | old, dtype=np.bool_)


def _events_problems(
    events: DecodedTable, birth: NDArray[np.int32], as_of_day: int
) -> NDArray[np.bool_]:
    date = events.values["date"]
    owner_birth = birth[np.where(events.child == NULL, 0, events.child)] if len(birth) else date
    valid = (date != NULL_DATE) & (date != INVALID_DATE)
    born = (owner_birth != NULL_DATE) & (owner_birth != INVALID_DATE)
    before_birth = valid & born & (date < owner_birth)
    late = valid & (date > as_of_day)
    return np.asarray(events.bad | before_birth | late | _misplaced_details(events), dtype=np.bool_)


def _misplaced_details(events: DecodedTable) -> NDArray[np.bool_]:
    """Event details the Profile model refuses on the event's type (:func:`_refused_details`)."""
    kind = events.values["type"]
    typed = kind >= 0  # a blank or unknown type is a problem of its own cell
    known_kind = np.where(typed, kind, 0)
    misplaced = np.zeros(events.rows, dtype=np.bool_)
    for name, refused in _REFUSED_DETAILS.items():
        value = events.values[name]
        given = typed & (value >= 0)  # blank: not recorded; a word not listed: its own cell
        misplaced |= given & refused[known_kind, np.where(given, value, 0)]
    return misplaced


def _attendance_problems(attendance: DecodedTable, as_of_day: int) -> NDArray[np.bool_]:
    values = attendance.values
    possible, missed = values["possible_sessions"], values["missed_sessions"]
    start, end = values["start"], values["end"]
    counted = (possible != NULL_COUNT) & (missed != NULL_COUNT)
    dated = (start > INVALID_DATE) & (end > INVALID_DATE)
    over = counted & (missed > possible)
    backwards = dated & (end < start)
    late = (start > INVALID_DATE) & (start > as_of_day)
    return np.asarray(attendance.bad | over | backwards | late, dtype=np.bool_)


def _observation_problems(tables: CodedTables, as_of_day: int) -> NDArray[np.bool_]:
    observations = tables.observations
    values = observations.values
    status, reason, recorded = values["status"], values["reason"], values["recorded"]
    late = (recorded > INVALID_DATE) & (recorded > as_of_day)
    stray_reason = (reason != NULL) & (status >= 0) & (status != _UNKNOWN)
    return np.asarray(
        observations.bad | late | stray_reason | _contradictions(tables), dtype=np.bool_
    )


def _found_in(keys: NDArray[np.int64], among: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each key is among ``among`` (a sorted search: no hash table of ``among``)."""
    if not len(keys) or not len(among):
        return np.zeros(len(keys), dtype=np.bool_)
    ordered = np.sort(among)
    position = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    return np.asarray(ordered[position] == keys, dtype=np.bool_)


def _contradictions(tables: CodedTables) -> NDArray[np.bool_]:
    """Accounts that contradict the events or attendance listed (the model's cross-check).

    ``absent`` contradicts events of the factor from the same agency (or both from no named
    agency); ``present`` of an events-evidenced factor needs at least one such event;
    ``present`` of an attendance-evidenced factor needs attendance records.
    """
    observations, events = tables.observations, tables.events
    n_children = tables.children.rows
    n_factors = len(FACTOR_CODES)
    n_sources = len(vocabulary("events", "source")) + 1  # and "no named agency"
    factor, status = observations.values["factor"], observations.values["status"]
    owner = observations.child
    # Only accounts of factors evidenced by events or attendance are cross-checked.
    rows = np.flatnonzero(
        _CROSS_CHECKED[np.where(factor >= 0, factor, 0)]
        & (factor >= 0)
        & (owner != NULL)
        & ((status == _PRESENT) | (status == _ABSENT))
    )
    factor, status, owner = factor[rows].astype(np.int64), status[rows], owner[rows]
    event_ok = (events.child != NULL) & (events.values["type"] >= 0)
    event_child = events.child[event_ok]
    event_factor = EVENT_FACTOR_CODES[events.values["type"][event_ok]]
    event_source = events.values["source"][event_ok].astype(np.int64) + 1  # NULL -> 0
    has_events = np.zeros(n_children * n_factors, dtype=np.bool_)
    has_events[event_child * n_factors + event_factor] = True
    own_key = (event_child * n_factors + event_factor) * (n_sources + 1) + event_source
    row_key = owner * n_factors + factor
    listed = has_events[row_key]
    # Only an absent account of a factor whose events are listed can clash with their source.
    candidates = np.flatnonzero((status == _ABSENT) & listed)
    source = observations.values["source"][rows[candidates]].astype(np.int64) + 1
    clashing = _found_in(row_key[candidates] * (n_sources + 1) + source, own_key)
    wrong = np.zeros(len(rows), dtype=np.bool_)
    wrong[candidates[clashing]] = True
    wrong |= (status == _PRESENT) & _EVENTS_FACTORS[factor] & ~listed
    has_attendance = (
        np.bincount(tables.attendance.child[tables.attendance.child != NULL], minlength=n_children)
        > 0
    )
    wrong |= ATTENDANCE_FACTORS[factor] & (status == _PRESENT) & ~has_attendance[owner]
    bad = np.zeros(observations.rows, dtype=np.bool_)
    bad[rows[wrong]] = True
    return bad


def find_rejected(tables: CodedTables, children_ids: object, *, as_of: dt.date) -> Findings:
    """Find the children that cannot be screened, column-wise.

    Parameters
    ----------
    tables : CodedTables
        The four tables decoded.
    children_ids : pyarrow.Array
        The children table's ids as plain strings.
    as_of : datetime.date
        The screening date.

    Returns
    -------
    Findings
        Children that break a rule of the Profile model or the screening-date check, and
        children whose id is on more than one row.
    """
    as_of_day = days_of(as_of)
    children = tables.children
    suspect = _children_problems(children, as_of_day).copy()
    birth = children.values["date_of_birth"]
    _mark(suspect, tables.events, _events_problems(tables.events, birth, as_of_day))
    _mark(suspect, tables.attendance, _attendance_problems(tables.attendance, as_of_day))
    _mark(suspect, tables.observations, _observation_problems(tables, as_of_day))
    first = child_positions(children.table.column("id"), children_ids)
    known = first != NULL
    copies = np.bincount(first[known], minlength=children.rows)
    duplicated = np.zeros(children.rows, dtype=np.bool_)
    duplicated[known] = copies[first[known]] > 1
    return Findings(suspect=suspect, duplicated=duplicated)
