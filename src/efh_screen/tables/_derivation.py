"""Indicators derived column-wise: the same :class:`~efh_screen.FeatureMatrix` as ``_derive``.

Each step below mirrors the step of :func:`efh_screen._features._derive` with the same name,
over every child at once: group-by-child is a ``numpy.bincount`` or a scatter into a
(children x factors) grid; the only Python loops are over rules and columns. Where the
row-wise path reads a rule table (:data:`~efh_screen._features.STATUS_COLUMNS`,
:data:`~efh_screen._features.EVENT_RULES`, :data:`~efh_screen._features.ESCALATION_SOURCES`,
the catalogue's ACE keys and event types), this path reads the same table; the few steps
written out by hand in ``_derive`` are written out here too, named alike.

:data:`DERIVED_COLUMNS` lists every matrix column this path fills; an indicator added to
:data:`~efh_screen.INDICATORS` that it does not fill stops it with an error (and fails a
test) rather than leaving the column unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._errors import EfhScreenError
from .._factors import ACE_KEYS, FACTOR_BY_EVENT, Agency, EventType
from .._features import (
    ESCALATION_SOURCES,
    EVENT_RULES,
    INDICATOR_INDEX,
    INDICATORS,
    STATUS_COLUMNS,
    CountThresholds,
    EventRule,
    FeatureMatrix,
    Windows,
)
from .._profile import Status
from .._resolution import ResolutionRule, can_vouch_absent
from ._checks import FACTOR_CODES, STATUS_CODES, CodedTables, days_of, vocabulary
from ._decoding import NULL

__all__ = ["DERIVED_COLUMNS", "DERIVED_INDICATORS", "derive_matrix"]

_N_INDICATORS = len(INDICATORS)
_N_FACTORS = len(FACTOR_CODES)
_EVENT_CODES = {EventType(word): code for code, word in enumerate(vocabulary("events", "type"))}
_AGENCIES = tuple(Agency(word) for word in vocabulary("observations", "source"))
_PRESENT, _ABSENT = STATUS_CODES[Status.PRESENT], STATUS_CODES[Status.ABSENT]
_FREQUENT_MOVES = INDICATOR_INDEX["frequent_moves"]
_CROSS_BOROUGH = INDICATOR_INDEX["cross_borough_move"]
_PERSISTENT, _SEVERE = INDICATOR_INDEX["persistent_absence"], INDICATOR_INDEX["severe_absence"]
_ATTENDANCE_FACTOR = FACTOR_CODES[INDICATORS[_PERSISTENT].group]
_ACE_COLUMNS = np.array([INDICATOR_INDEX[key] for key in ACE_KEYS], dtype=np.intp)
_ACE_COUNT = INDICATOR_INDEX["ace_count_4_plus"]
_ESCALATION = INDICATOR_INDEX["escalation"]
# Status factors that an event type also evidences, at any date (a domestic abuse incident
# evidences the domestic abuse ACE): read off the catalogue.
_INCIDENT_COLUMNS: tuple[tuple[int, int], ...] = tuple(
    (_EVENT_CODES[event_type], STATUS_COLUMNS[factor.key])
    for event_type, factor in FACTOR_BY_EVENT.items()
    if factor.evidence == "status" and factor.key in STATUS_COLUMNS
)
_ESCALATION_TYPES = np.zeros(len(_EVENT_CODES), dtype=np.bool_)
_ESCALATION_TYPES[[_EVENT_CODES[event_type] for _, event_type in ESCALATION_SOURCES]] = True
# Each escalation source's history is known exactly when its first count rule's column is.
_ESCALATION_KNOWN = tuple(
    next(rule.column for rule in EVENT_RULES if rule.factor == factor_key)
    for factor_key, _ in ESCALATION_SOURCES
)

DERIVED_COLUMNS: frozenset[int] = frozenset(
    {
        *STATUS_COLUMNS.values(),
        *(rule.column for rule in EVENT_RULES),
        *(column for _, column in _INCIDENT_COLUMNS),
        _CROSS_BOROUGH,
        _PERSISTENT,
        _SEVERE,
        _ACE_COUNT,
        _ESCALATION,
    }
)
"""Every matrix column the column-wise path derives."""

DERIVED_INDICATORS: frozenset[str] = frozenset(INDICATORS[column].key for column in DERIVED_COLUMNS)
"""Keys of the indicators the column-wise path derives (every one of :data:`INDICATORS`)."""

# The fields of _features' event rules this path reads; a rule that grows another field
# (a new kind of condition) must be taught here before the path runs again.
_RULE_FIELDS = ("column", "factor", "event_type", "window", "threshold")


@dataclass(slots=True)
class _Grid:
    """Every screened child's indicators while the steps fill them in."""

    n: int
    values: NDArray[np.bool_]
    known: NDArray[np.bool_]
    present: NDArray[np.bool_]
    """(children x factors): resolved ``present``."""
    absent: NDArray[np.bool_]
    """(children x factors): resolved ``absent``."""


@dataclass(frozen=True, slots=True)
class _Events:
    child: NDArray[np.int64]
    type: NDArray[np.int16]
    date: NDArray[np.int32]


def _kept_rows(
    owner: NDArray[np.int64], new_position: NDArray[np.int64]
) -> tuple[NDArray[np.intp] | slice, NDArray[np.int64]]:
    """Rows whose child is screened (a slice when every row is), and that child's matrix row."""
    if len(owner) and owner.min() >= 0:
        mapped = new_position[owner]
        if mapped.min() >= 0:
            return slice(None), mapped
    else:
        mapped = np.where(owner != NULL, new_position[np.where(owner != NULL, owner, 0)], NULL)
    rows = np.flatnonzero(mapped != NULL)
    return rows, mapped[rows]


def _resolve_statuses(
    tables: CodedTables, new_position: NDArray[np.int64], n: int, rule: ResolutionRule
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Every factor's accounts resolved to present / absent (neither: unknown or not listed)."""
    rows, child = _kept_rows(tables.observations.child, new_position)
    values = tables.observations.values
    factor = values["factor"][rows].astype(np.int64)
    status = values["status"][rows]
    source = values["source"][rows].astype(np.int64) + 1  # NULL (no named agency) -> 0
    vouching = np.array(
        [
            [can_vouch_absent(key, agency, rule) for agency in (None, *_AGENCIES)]
            for key in FACTOR_CODES
        ],
        dtype=np.bool_,
    )
    cell = child * _N_FACTORS + factor
    present_cells = np.zeros(n * _N_FACTORS, dtype=np.bool_)
    present_cells[cell[status == _PRESENT]] = True
    vouched_cells = np.zeros(n * _N_FACTORS, dtype=np.bool_)
    vouched_cells[cell[(status == _ABSENT) & vouching[factor, source]]] = True
    present = present_cells.reshape(n, _N_FACTORS)
    return present, vouched_cells.reshape(n, _N_FACTORS) & ~present


def _read_status_observations(grid: _Grid) -> None:
    """Status factors: present or absent as resolved; otherwise unknown."""
    for key, column in STATUS_COLUMNS.items():
        code = FACTOR_CODES[key]
        grid.values[:, column] = grid.present[:, code]
        grid.known[:, column] = grid.present[:, code] | grid.absent[:, code]


def _count_events_in_windows(
    grid: _Grid, distinct: _Events, *, as_of_day: int, windows: Windows, counts: CountThresholds
) -> None:
    """Count each rule's events in its window (an event is its type and date)."""
    for rule in EVENT_RULES:
        of_type = distinct.type == _EVENT_CODES[rule.event_type]
        listed = np.bincount(distinct.child[of_type], minlength=grid.n) > 0
        if rule.window is None:
            counted = of_type
        else:
            counted = of_type & (distinct.date > as_of_day - getattr(windows, rule.window))
        count = np.bincount(distinct.child[counted], minlength=grid.n)
        needed = 1 if rule.threshold is None else getattr(counts, rule.threshold)
        code = FACTOR_CODES[rule.factor]
        grid.known[:, rule.column] = listed | grid.present[:, code] | grid.absent[:, code]
        grid.values[:, rule.column] = listed & (count >= needed)


def _check_cross_borough_moves(
    grid: _Grid, events: _Events, crossed: NDArray[np.int8], *, as_of_day: int, windows: Windows
) -> None:
    """Whether any home move in the history window crossed a borough boundary."""
    moves = (events.type == _EVENT_CODES[EventType.HOME_MOVE]) & (
        events.date > as_of_day - windows.history_days
    )
    any_crossed = np.bincount(events.child[moves & (crossed == 1)], minlength=grid.n) > 0
    any_blank = np.bincount(events.child[moves & (crossed == NULL)], minlength=grid.n) > 0
    grid.values[:, _CROSS_BOROUGH] = any_crossed
    grid.known[:, _CROSS_BOROUGH] = any_crossed | (grid.known[:, _FREQUENT_MOVES] & ~any_blank)


def _count_domestic_abuse_incidents(grid: _Grid, distinct: _Events) -> None:
    """Incidents evidence their status factor (domestic abuse) at any date."""
    for event_code, column in _INCIDENT_COLUMNS:
        listed = np.bincount(distinct.child[distinct.type == event_code], minlength=grid.n) > 0
        grid.values[:, column] |= listed
        grid.known[:, column] |= listed


def _measure_absence(
    grid: _Grid,
    tables: CodedTables,
    new_position: NDArray[np.int64],
    *,
    as_of_day: int,
    windows: Windows,
) -> None:
    """Measure persistent (10%+) and severe (50%+) absence over the attendance window."""
    rows, child = _kept_rows(tables.attendance.child, new_position)
    values = tables.attendance.values
    in_window = values["end"][rows] > as_of_day - windows.attendance_days
    child = child[in_window]
    possible = np.bincount(
        child, weights=values["possible_sessions"][rows][in_window], minlength=grid.n
    ).astype(np.int64)
    missed = np.bincount(
        child, weights=values["missed_sessions"][rows][in_window], minlength=grid.n
    ).astype(np.int64)
    measured = possible > 0
    grid.values[:, _PERSISTENT] = measured & (missed * 10 >= possible)
    grid.values[:, _SEVERE] = measured & (missed * 2 >= possible)
    checked = measured | grid.absent[:, _ATTENDANCE_FACTOR]
    grid.known[:, _PERSISTENT] = checked
    grid.known[:, _SEVERE] = checked


def _count_aces(
    grid: _Grid, counts: CountThresholds
) -> tuple[NDArray[np.int16], NDArray[np.int16]]:
    """ACE categories recorded present and unknown, and whether they reach the threshold."""
    ace_present = grid.values[:, _ACE_COLUMNS].sum(axis=1, dtype=np.int16)
    ace_unknown = (len(_ACE_COLUMNS) - grid.known[:, _ACE_COLUMNS].sum(axis=1)).astype(np.int16)
    reached = ace_present >= counts.ace_count
    grid.values[:, _ACE_COUNT] = reached
    grid.known[:, _ACE_COUNT] = reached | (ace_present + ace_unknown < counts.ace_count)
    return ace_present, ace_unknown


def _check_escalation(grid: _Grid, distinct: _Events, *, as_of_day: int, windows: Windows) -> None:
    """Check escalation: more incidents in the last half-window than in the one before.

    Known only when every source's history is.
    """
    half = windows.escalation_days
    sources = _ESCALATION_TYPES[distinct.type]
    age = as_of_day - distinct.date
    last = np.bincount(distinct.child[sources & (age < half)], minlength=grid.n)
    previous = np.bincount(
        distinct.child[sources & (age >= half) & (age < 2 * half)], minlength=grid.n
    )
    known = grid.known[:, list(_ESCALATION_KNOWN)].all(axis=1)
    grid.known[:, _ESCALATION] = known
    grid.values[:, _ESCALATION] = known & (last > previous)


def _events(
    tables: CodedTables, new_position: NDArray[np.int64]
) -> tuple[_Events, _Events, NDArray[np.int8]]:
    """Return the screened children's events as listed, and without repeats.

    An event is its type and its date; each listed event's ``cross_borough`` comes too.
    """
    rows, child = _kept_rows(tables.events.child, new_position)
    values = tables.events.values
    kind = values["type"][rows]
    date = values["date"][rows]
    listed = _Events(child, kind, date)
    n_types = len(_EVENT_CODES)
    key = ((child * n_types + kind.astype(np.int64)) << 32) + (date.astype(np.int64) + 2**31)
    key.sort()
    unique = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
    distinct = _Events(
        child=(unique >> 32) // n_types,
        type=((unique >> 32) % n_types).astype(np.int16),
        date=((unique & 0xFFFFFFFF) - 2**31).astype(np.int32),
    )
    return listed, distinct, values["cross_borough"][rows]


def derive_matrix(
    tables: CodedTables,
    screened: NDArray[np.intp],
    ids: list[str],
    *,
    as_of: dt.date,
    windows: Windows,
    counts: CountThresholds,
    resolution: ResolutionRule,
) -> FeatureMatrix:
    """Derive the indicators of the screened children, column-wise.

    Parameters
    ----------
    tables : CodedTables
        The four tables decoded.
    screened : numpy.ndarray of int
        Positions in the children table of the children to screen, in order.
    ids : list of str
        Their ids, one per position.
    as_of : datetime.date
        The screening date.
    windows, counts, resolution
        The weightings' windows, count thresholds and resolution rule.

    Returns
    -------
    FeatureMatrix
        Equal to :func:`~efh_screen.feature_matrix` of the profiles the rows stand for.

    Raises
    ------
    EfhScreenError
        If an indicator exists that this path does not derive.
    """
    if EventRule._fields != _RULE_FIELDS:
        raise EfhScreenError(
            "the event rules have fields the column-wise path does not read "
            f"({', '.join(EventRule._fields)}); screen with screen_file instead"
        )
    missing = sorted(set(range(_N_INDICATORS)) - DERIVED_COLUMNS)
    if missing:
        keys = ", ".join(INDICATORS[column].key for column in missing)
        raise EfhScreenError(
            f"the column-wise path does not derive the indicators {keys}; "
            "screen with screen_file instead"
        )
    n = len(screened)
    new_position = np.full(tables.children.rows, NULL, dtype=np.int64)
    new_position[screened] = np.arange(n, dtype=np.int64)
    as_of_day = days_of(as_of)
    present, absent = _resolve_statuses(tables, new_position, n, resolution)
    grid = _Grid(
        n,
        np.zeros((n, _N_INDICATORS), np.bool_),
        np.zeros((n, _N_INDICATORS), np.bool_),
        present,
        absent,
    )
    listed, distinct, crossed = _events(tables, new_position)
    _read_status_observations(grid)
    _count_events_in_windows(grid, distinct, as_of_day=as_of_day, windows=windows, counts=counts)
    _check_cross_borough_moves(grid, listed, crossed, as_of_day=as_of_day, windows=windows)
    _count_domestic_abuse_incidents(grid, distinct)
    _measure_absence(grid, tables, new_position, as_of_day=as_of_day, windows=windows)
    ace_present, ace_unknown = _count_aces(grid, counts)
    _check_escalation(grid, distinct, as_of_day=as_of_day, windows=windows)
    return FeatureMatrix(
        ids=ids,
        as_of=as_of,
        values=grid.values.astype(np.float32),
        known=grid.known,
        ace_present=ace_present,
        ace_unknown=ace_unknown,
    )
