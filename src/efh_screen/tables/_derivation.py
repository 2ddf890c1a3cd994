"""Indicators derived column-wise: the same :class:`~efh_screen.FeatureMatrix` as ``_derive``.

Each step below mirrors the step of :func:`efh_screen._features._derive` with the same name,
over every child at once: group-by-child is a ``numpy.bincount`` or a scatter into a
(children x factors) grid; the only Python loops are over rules and columns. Where the
row-wise path reads a rule table (:data:`~efh_screen._features.STATUS_COLUMNS`,
:data:`~efh_screen._features.EVENT_RULES`, :data:`~efh_screen._features.ESCALATION_SOURCES`,
:data:`~efh_screen._features.HISTORY_KNOWN_COLUMNS`,
:data:`~efh_screen._features.VIOLENT_EVENT_TYPES`, the catalogue's ACE keys and event
types), this path reads the same table, and where it judges one event by a rule
(:func:`~efh_screen._features.violence_seriousness`) this path asks that rule once for every
combination of the event's words and looks the answers up. The few steps written out by hand
in ``_derive`` (corroboration, cross-borough moves, absence, the ACE count, escalation, the
trajectory) are written out here too, named alike; corroboration reads
:data:`~efh_screen._features.CORROBORATED_LABELS` and
:data:`~efh_screen._features.NON_CORROBORATING_AGENCIES`.

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
from .._factors import ACE_KEYS, FACTOR_BY_EVENT, Agency, EventType, Weapon
from .._features import (
    CORROBORATED_LABELS,
    ESCALATION_SOURCES,
    EVENT_RULES,
    HISTORY_KNOWN_COLUMNS,
    INDICATOR_INDEX,
    INDICATORS,
    NON_CORROBORATING_AGENCIES,
    STATUS_COLUMNS,
    VIOLENT_EVENT_TYPES,
    CountThresholds,
    EventRule,
    FeatureMatrix,
    Windows,
    violence_seriousness,
)
from .._profile import Event, Status
from .._resolution import ResolutionRule, can_vouch_absent
from ._checks import FACTOR_CODES, STATUS_CODES, CodedTables, days_of, vocabulary
from ._decoding import NULL

__all__ = ["DERIVED_COLUMNS", "DERIVED_INDICATORS", "derive_matrix"]

_N_INDICATORS = len(INDICATORS)
_N_FACTORS = len(FACTOR_CODES)
_EVENT_CODES = {EventType(word): code for code, word in enumerate(vocabulary("events", "type"))}
_WEAPONS = tuple(Weapon(word) for word in vocabulary("events", "weapon"))
_AGENCIES = tuple(Agency(word) for word in vocabulary("observations", "source"))
_PRESENT, _ABSENT = STATUS_CODES[Status.PRESENT], STATUS_CODES[Status.ABSENT]
_FREQUENT_MOVES = INDICATOR_INDEX["frequent_moves"]
_CROSS_BOROUGH = INDICATOR_INDEX["cross_borough_move"]
_PERSISTENT, _SEVERE = INDICATOR_INDEX["persistent_absence"], INDICATOR_INDEX["severe_absence"]
_ATTENDANCE_FACTOR = FACTOR_CODES[INDICATORS[_PERSISTENT].group]
_ACE_COLUMNS = np.array([INDICATOR_INDEX[key] for key in ACE_KEYS], dtype=np.intp)
_ACE_COUNT = INDICATOR_INDEX["ace_count_4_plus"]
_ESCALATION = INDICATOR_INDEX["escalation"]
_TRAJECTORY = INDICATOR_INDEX["rising_trajectory"]
_SERIOUS_VIOLENCE = INDICATOR_INDEX["serious_violence"]
# Each corroboration indicator's column and its label's factor code.
_CORROBORATIONS: tuple[tuple[int, int], ...] = tuple(
    (INDICATOR_INDEX[key], FACTOR_CODES[label]) for key, label in CORROBORATED_LABELS.items()
)
# By source code + 1 (0: no named agency), whether an account can corroborate a label.
_CORROBORATING_SOURCES = np.array(
    [False, *(agency not in NON_CORROBORATING_AGENCIES for agency in _AGENCIES)], dtype=np.bool_
)
# Status factors that an event type also evidences, at any date (a domestic abuse incident
# evidences the domestic abuse ACE): read off the catalogue.
_INCIDENT_COLUMNS: tuple[tuple[int, int], ...] = tuple(
    (_EVENT_CODES[event_type], STATUS_COLUMNS[factor.key])
    for event_type, factor in FACTOR_BY_EVENT.items()
    if factor.evidence == "status" and factor.key in STATUS_COLUMNS
)
# Escalation and the trajectory are known exactly when every source's history is.
_ESCALATION_KNOWN = [HISTORY_KNOWN_COLUMNS[factor_key] for factor_key, _ in ESCALATION_SOURCES]
_VIOLENCE_HISTORY = HISTORY_KNOWN_COLUMNS["violence_victim"]
_VIOLENT_TYPES = np.zeros(len(_EVENT_CODES), dtype=np.bool_)
_VIOLENT_TYPES[[_EVENT_CODES[event_type] for event_type in VIOLENT_EVENT_TYPES]] = True

_SERIOUS, _UNDECIDED = 1, -1  # and 0: recorded as not serious


def _seriousness_table() -> NDArray[np.int8]:
    """Return the row-wise rule for a violent event's seriousness as a look-up table.

    Indexed by (event type code, weapon code + 1, serious injury + 1), so a blank weapon
    or serious injury (:data:`NULL`, -1) is index 0; each cell is 1 (serious), 0 (recorded as
    not serious) or -1 (not recorded enough to say), found by asking
    :func:`~efh_screen._features.violence_seriousness` itself about an event with those
    details, so the two paths cannot judge an event differently.
    """
    table = np.full((len(_EVENT_CODES), len(_WEAPONS) + 1, 3), _UNDECIDED, dtype=np.int8)
    for event_type, type_code in _EVENT_CODES.items():
        if event_type not in VIOLENT_EVENT_TYPES:
            continue
        for weapon_index, weapon in enumerate((None, *_WEAPONS)):
            for injury_index, injury in enumerate((None, False, True)):
                event = Event.model_construct(
                    type=event_type,
                    date=dt.date(2000, 1, 1),
                    weapon=weapon,
                    serious_injury=injury,
                )
                seriousness = violence_seriousness(event)
                table[type_code, weapon_index, injury_index] = (
                    _UNDECIDED if seriousness is None else int(seriousness)
                )
    return table


_SERIOUSNESS = _seriousness_table()

DERIVED_COLUMNS: frozenset[int] = frozenset(
    {
        *STATUS_COLUMNS.values(),
        *(rule.column for rule in EVENT_RULES),
        *(column for _, column in _INCIDENT_COLUMNS),
        *(column for column, _ in _CORROBORATIONS),
        _CROSS_BOROUGH,
        _PERSISTENT,
        _SEVERE,
        _ACE_COUNT,
        _SERIOUS_VIOLENCE,
        _ESCALATION,
        _TRAJECTORY,
    }
)
"""Every matrix column the column-wise path derives."""

DERIVED_INDICATORS: frozenset[str] = frozenset(INDICATORS[column].key for column in DERIVED_COLUMNS)
"""Keys of the indicators the column-wise path derives (every one of :data:`INDICATORS`)."""

# The fields of _features' event rules this path reads; a rule that grows another field
# (a new kind of condition) must be taught here before the path runs again.
_RULE_FIELDS = ("column", "factor", "event_types", "window", "until", "threshold")


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
    """Events as parallel columns: each one's child (matrix row), type code and day."""

    child: NDArray[np.int64]
    type: NDArray[np.int16]
    date: NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class _EventColumns:
    """The screened children's events, as listed and without repeats."""

    listed: _Events
    """Every event row, in table order."""
    details: dict[str, NDArray[np.int16] | NDArray[np.int8]]
    """The listed events' ``cross_borough``, ``weapon`` and ``serious_injury``, decoded."""
    distinct: _Events
    """One entry per child, type and date, sorted by child, type and date."""
    dates: dict[tuple[EventType, ...], tuple[NDArray[np.int64], NDArray[np.int32]]]
    """Memo of :meth:`dates_of`."""

    def dates_of(
        self, event_types: tuple[EventType, ...]
    ) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
        """Each child's distinct dates of events of any of the types: (child, day) pairs.

        An event is its date: one recorded as two of the types (a victim of violence and an
        emergency department attendance on one day) is one date, as in ``_dates_of``.
        """
        found = self.dates.get(event_types)
        if found is not None:
            return found
        codes = np.array([_EVENT_CODES[event_type] for event_type in event_types], np.int16)
        chosen = np.isin(self.distinct.type, codes)
        child, date = self.distinct.child[chosen], self.distinct.date[chosen]
        if len(event_types) > 1 and len(child):
            key = np.unique((child << 32) + (date.astype(np.int64) + 2**31))
            child, date = key >> 32, ((key & 0xFFFFFFFF) - 2**31).astype(np.int32)
        self.dates[event_types] = (child, date)
        return child, date


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


@dataclass(frozen=True, slots=True)
class _Accounts:
    """The screened children's accounts as parallel columns."""

    child: NDArray[np.int64]
    """The account's child (matrix row)."""
    factor: NDArray[np.int64]
    status: NDArray[np.int16]
    source: NDArray[np.int64]
    """The source's code + 1 (0: no named agency)."""

    def where(self, rows: NDArray[np.bool_]) -> _Accounts:
        """Return the accounts of the given rows only."""
        return _Accounts(self.child[rows], self.factor[rows], self.status[rows], self.source[rows])


def _accounts(tables: CodedTables, new_position: NDArray[np.int64]) -> _Accounts:
    rows, child = _kept_rows(tables.observations.child, new_position)
    values = tables.observations.values
    return _Accounts(
        child=child,
        factor=values["factor"][rows].astype(np.int64),
        status=values["status"][rows],
        source=values["source"][rows].astype(np.int64) + 1,  # NULL (no named agency) -> 0
    )


def _resolve_statuses(
    accounts: _Accounts, n: int, rule: ResolutionRule
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Every factor's accounts resolved to present / absent (neither: unknown or not listed)."""
    vouching = np.array(
        [
            [can_vouch_absent(key, agency, rule) for agency in (None, *_AGENCIES)]
            for key in FACTOR_CODES
        ],
        dtype=np.bool_,
    )
    cell = accounts.child * _N_FACTORS + accounts.factor
    present_cells = np.zeros(n * _N_FACTORS, dtype=np.bool_)
    present_cells[cell[accounts.status == _PRESENT]] = True
    vouched_cells = np.zeros(n * _N_FACTORS, dtype=np.bool_)
    vouching_absent = (accounts.status == _ABSENT) & vouching[accounts.factor, accounts.source]
    vouched_cells[cell[vouching_absent]] = True
    present = present_cells.reshape(n, _N_FACTORS)
    return present, vouched_cells.reshape(n, _N_FACTORS) & ~present


def _read_status_observations(grid: _Grid) -> None:
    """Status factors: present or absent as resolved; otherwise unknown."""
    for key, column in STATUS_COLUMNS.items():
        code = FACTOR_CODES[key]
        grid.values[:, column] = grid.present[:, code]
        grid.known[:, column] = grid.present[:, code] | grid.absent[:, code]


def _check_corroboration(grid: _Grid, accounts: _Accounts, rule: ResolutionRule) -> None:
    """Whether an agency other than the police records a label present.

    A label resolved present is corroborated, known uncorroborated or unknown as its
    accounts from named agencies other than the police alone resolve; a label resolved
    absent is known uncorroborated, and an unknown one leaves it unknown.
    """
    if not _CORROBORATIONS:
        return
    present, absent = _resolve_statuses(
        accounts.where(_CORROBORATING_SOURCES[accounts.source]), grid.n, rule
    )
    for column, code in _CORROBORATIONS:
        label_present = grid.present[:, code]
        grid.values[:, column] = label_present & present[:, code]
        grid.known[:, column] = (label_present & (present[:, code] | absent[:, code])) | (
            grid.absent[:, code]
        )


def _window_mask(
    date: NDArray[np.int32], rule: EventRule, *, as_of_day: int, windows: Windows
) -> NDArray[np.bool_] | None:
    """Whether each date is in a rule's window (``_window_bounds``); None: every date is."""
    if rule.window is None and rule.until is None:
        return None
    inside = np.ones(len(date), dtype=np.bool_)
    if rule.window is not None:
        inside &= date > as_of_day - getattr(windows, rule.window)
    if rule.until is not None:
        inside &= date <= as_of_day - getattr(windows, rule.until)
    return inside


def _count_events_in_windows(
    grid: _Grid, events: _EventColumns, *, as_of_day: int, windows: Windows, counts: CountThresholds
) -> None:
    """Count each rule's events in its window: an event is its date, once across its types.

    With none of its events listed, a rule is known only when its factor was observed.
    """
    for rule in EVENT_RULES:
        child, date = events.dates_of(rule.event_types)
        listed = np.bincount(child, minlength=grid.n) > 0
        inside = _window_mask(date, rule, as_of_day=as_of_day, windows=windows)
        count = np.bincount(child if inside is None else child[inside], minlength=grid.n)
        needed = 1 if rule.threshold is None else getattr(counts, rule.threshold)
        code = FACTOR_CODES[rule.factor]
        grid.known[:, rule.column] = listed | grid.present[:, code] | grid.absent[:, code]
        grid.values[:, rule.column] = listed & (count >= needed)


def _check_cross_borough_moves(
    grid: _Grid, events: _EventColumns, *, as_of_day: int, windows: Windows
) -> None:
    """Whether any home move in the history window crossed a borough boundary."""
    listed, crossed = events.listed, events.details["cross_borough"]
    moves = (listed.type == _EVENT_CODES[EventType.HOME_MOVE]) & (
        listed.date > as_of_day - windows.history_days
    )
    any_crossed = np.bincount(listed.child[moves & (crossed == 1)], minlength=grid.n) > 0
    any_blank = np.bincount(listed.child[moves & (crossed == NULL)], minlength=grid.n) > 0
    grid.values[:, _CROSS_BOROUGH] = any_crossed
    grid.known[:, _CROSS_BOROUGH] = any_crossed | (grid.known[:, _FREQUENT_MOVES] & ~any_blank)


def _count_domestic_abuse_incidents(grid: _Grid, events: _EventColumns) -> None:
    """Incidents evidence their status factor (domestic abuse) at any date."""
    distinct = events.distinct
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


def _check_serious_violence(
    grid: _Grid, events: _EventColumns, *, as_of_day: int, windows: Windows
) -> None:
    """Serious violence against the child in the history window, however it was recorded.

    Known when present, or when the violence history is known and every violent event
    listed in the window says whether it was serious (:data:`_SERIOUSNESS`).
    """
    listed = events.listed
    in_window = _VIOLENT_TYPES[listed.type] & (listed.date > as_of_day - windows.history_days)
    rows = np.flatnonzero(in_window)
    weapon = events.details["weapon"][rows].astype(np.intp) + 1  # blank (NULL) -> 0
    injury = events.details["serious_injury"][rows].astype(np.intp) + 1
    seriousness = _SERIOUSNESS[listed.type[rows], weapon, injury]
    child = listed.child[rows]
    serious = np.bincount(child[seriousness == _SERIOUS], minlength=grid.n) > 0
    undecided = np.bincount(child[seriousness == _UNDECIDED], minlength=grid.n) > 0
    grid.values[:, _SERIOUS_VIOLENCE] = serious
    grid.known[:, _SERIOUS_VIOLENCE] = serious | (grid.known[:, _VIOLENCE_HISTORY] & ~undecided)


def _incident_ages(
    events: _EventColumns, *, as_of_day: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each incident escalation and the trajectory count: (child, age in days) pairs.

    Each source's events are counted once per date, however many types record them.
    """
    children, ages = [], []
    for _, event_types in ESCALATION_SOURCES:
        child, date = events.dates_of(event_types)
        children.append(child)
        ages.append(as_of_day - date.astype(np.int64))
    return np.concatenate(children), np.concatenate(ages)


def _check_escalation(
    grid: _Grid, incidents: tuple[NDArray[np.int64], NDArray[np.int64]], *, windows: Windows
) -> None:
    """Escalation: more incidents in the last half-window than in the one before.

    Known only when every source's history is.
    """
    child, age = incidents
    half = windows.escalation_days
    last = np.bincount(child[age < half], minlength=grid.n)
    previous = np.bincount(child[(age >= half) & (age < 2 * half)], minlength=grid.n)
    known = grid.known[:, _ESCALATION_KNOWN].all(axis=1)
    grid.known[:, _ESCALATION] = known
    grid.values[:, _ESCALATION] = known & (last > previous)


def _check_trajectory(
    grid: _Grid,
    incidents: tuple[NDArray[np.int64], NDArray[np.int64]],
    *,
    windows: Windows,
    counts: CountThresholds,
) -> None:
    """Rising trajectory: more incidents in each successive period than in the one before.

    Known only when every source's history is.
    """
    child, age = incidents
    periods = counts.trajectory_periods
    period = age // windows.trajectory_days  # 0 is the latest period
    counted = period < periods
    per_period = np.bincount(
        child[counted] * periods + period[counted], minlength=grid.n * periods
    ).reshape(grid.n, periods)
    rising = (per_period[:, :-1] > per_period[:, 1:]).all(axis=1)
    known = grid.known[:, _ESCALATION_KNOWN].all(axis=1)
    grid.known[:, _TRAJECTORY] = known
    grid.values[:, _TRAJECTORY] = known & rising


def _events(tables: CodedTables, new_position: NDArray[np.int64]) -> _EventColumns:
    """Return the screened children's events as listed, and without repeats.

    An event is its type and its date; each listed event's details come too.
    """
    rows, child = _kept_rows(tables.events.child, new_position)
    values = tables.events.values
    kind = values["type"][rows]
    date = values["date"][rows]
    n_types = len(_EVENT_CODES)
    key = ((child * n_types + kind.astype(np.int64)) << 32) + (date.astype(np.int64) + 2**31)
    key.sort()
    unique = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
    distinct = _Events(
        child=(unique >> 32) // n_types,
        type=((unique >> 32) % n_types).astype(np.int16),
        date=((unique & 0xFFFFFFFF) - 2**31).astype(np.int32),
    )
    details = {name: values[name][rows] for name in ("cross_borough", "weapon", "serious_injury")}
    return _EventColumns(_Events(child, kind, date), details, distinct, {})


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
    accounts = _accounts(tables, new_position)
    present, absent = _resolve_statuses(accounts, n, resolution)
    grid = _Grid(
        n,
        np.zeros((n, _N_INDICATORS), np.bool_),
        np.zeros((n, _N_INDICATORS), np.bool_),
        present,
        absent,
    )
    events = _events(tables, new_position)
    _read_status_observations(grid)
    _check_corroboration(grid, accounts, resolution)
    _count_events_in_windows(grid, events, as_of_day=as_of_day, windows=windows, counts=counts)
    _check_cross_borough_moves(grid, events, as_of_day=as_of_day, windows=windows)
    _count_domestic_abuse_incidents(grid, events)
    _measure_absence(grid, tables, new_position, as_of_day=as_of_day, windows=windows)
    ace_present, ace_unknown = _count_aces(grid, counts)
    _check_serious_violence(grid, events, as_of_day=as_of_day, windows=windows)
    incidents = _incident_ages(events, as_of_day=as_of_day)
    _check_escalation(grid, incidents, windows=windows)
    _check_trajectory(grid, incidents, windows=windows, counts=counts)
    return FeatureMatrix(
        ids=ids,
        as_of=as_of,
        values=grid.values.astype(np.float32),
        known=grid.known,
        ace_present=ace_present,
        ace_unknown=ace_unknown,
    )
