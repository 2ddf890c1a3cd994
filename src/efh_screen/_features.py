"""Indicators derived from a profile as of an explicit date.

This module is the one definition of every indicator the screen scores. The
single-profile path (:func:`derive_features`) and the batch path
(:func:`feature_matrix`) both call :func:`_derive`, so they cannot drift apart.

Each indicator is 0/1 with a *known* flag. An indicator is known when the
profile says enough to decide it; otherwise it is unknown (value 0, known
False) and the screen reports the score range it allows. Unknown is not absent.

Every factor's accounts are first resolved to one status by the weightings'
resolution rule (:mod:`efh_screen._resolution`), here and only here, so both
paths score the same status. Rules, as of the screening date ``as_of``
(windows end on ``as_of`` inclusive):

* status factors: known when resolved ``present`` or ``absent``; the evidence
  of a present factor is every account that records it present;
* events factors: the count of events in the window, an event being its date (the
  same event recorded by several agencies, or as two types that evidence the same
  factor, counts once); known when any event of the factor is listed, or the factor
  is observed (``absent`` = "checked: none"). A window ends on ``as_of`` unless it
  is an *earlier* window, which ends where the recent window starts: the two never
  count the same event;
* attendance: missed / possible sessions over periods that overlap the
  attendance window; known when there are possible sessions, or the factor is
  observed ``absent``; persistent absence is 10% or more missed, severe 50%;
* ``domestic_abuse`` is also present when a domestic abuse incident is listed;
* ``ace_count_4_plus``: known when the ACEs recorded present already reach the
  threshold, or when present + unknown cannot reach it;
* ``escalation``: more incidents (police contact, missing, suspension,
  violence, weapon) in the last ``escalation_days`` than in the same span
  before; known only when all five sources are known;
* ``rising_trajectory``: more of the same incidents in each of
  ``trajectory_periods`` successive periods of ``trajectory_days`` than in the
  one before (the latest period ending on ``as_of``); known only when all five
  sources are known;
* ``serious_violence``: in the history window, an emergency department
  attendance for an assault, a victim-of-violence event with a knife or gun or
  a serious injury, or a weapon incident in which the child was seriously
  injured. Known when present, or when the violence history is known and every
  victim-of-violence event listed in the window says whether it was serious
  (both the weapon and the injury recorded). A weapon incident, listed or not,
  whose injury is not recorded cannot hide one: a child seriously injured in
  it is a victim of violence, whose history is then known.
* ``gang_association_corroborated`` (its points, and any override, come from
  the weightings): the gang association label recorded present
  by a named agency other than the police (see
  :data:`NON_CORROBORATING_AGENCIES`). It is the label's status resolved, by
  the weightings' resolution rule, from the accounts of those agencies alone:
  known absent when the label is absent, or when it is present only on the
  police's (or an unnamed) account and an agency that can vouch for its
  absence records it absent; unknown while another agency could still
  corroborate it. Events never corroborate a label (docs/scoring.md says why).

The scoring code never reads :attr:`Profile.audit`, :attr:`Profile.date_of_birth`
is not scored (age is a protected characteristic), and nothing reads a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from ._factors import (
    ACE_KEYS,
    FACTOR_BY_EVENT,
    FACTORS,
    Agency,
    Domain,
    EventType,
    Weapon,
    agencies_holding,
)
from ._profile import AttendanceRecord, Event, Profile, Status, check_as_of
from ._resolution import ResolutionRule, resolved_statuses

__all__ = [
    "CORROBORATED_LABELS",
    "ESCALATION_SOURCES",
    "EVENT_RULES",
    "HISTORY_KNOWN_COLUMNS",
    "INDICATORS",
    "INDICATOR_INDEX",
    "NON_CORROBORATING_AGENCIES",
    "STATUS_COLUMNS",
    "VIOLENT_EVENT_TYPES",
    "CountThresholds",
    "EventRule",
    "EvidenceItem",
    "FeatureMatrix",
    "FeatureVector",
    "Indicator",
    "Windows",
    "attendance_in_window",
    "corroborating_agencies",
    "derive_features",
    "feature_matrix",
    "violence_seriousness",
]


class Windows(BaseModel):
    """Look-back windows in days, each ending on the screening date.

    Parameters
    ----------
    recent_days : int
        "Recent" events (suspensions, missing, police contact, violence).
    escalation_days : int
        Half-window for escalation: the last ``escalation_days`` against the
        same span before.
    history_days : int
        Longer history (home moves, weapon incidents, serious violence). Its
        part before the recent window is the *earlier* window of suspensions
        and police contact.
    health_days : int
        Health appointments the child was not brought to.
    attendance_days : int
        Attendance periods that overlap this window are summed.
    trajectory_days : int
        Length of each successive period compared for a rising trajectory
        (default a year; see :attr:`CountThresholds.trajectory_periods`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    recent_days: int = Field(365, ge=1, le=3650)
    escalation_days: int = Field(182, ge=1, le=1825)
    history_days: int = Field(1095, ge=1, le=7300)
    health_days: int = Field(730, ge=1, le=7300)
    attendance_days: int = Field(365, ge=1, le=3650)
    trajectory_days: int = Field(365, ge=1, le=3650)


class CountThresholds(BaseModel):
    """How many events in a window make a pattern.

    Parameters
    ----------
    repeated_suspensions, frequent_moves, missed_appointments, repeated_missing,
    repeated_police_contact : int
        Minimum counts in the relevant window.
    ace_count : int
        ACE count at or above which ``ace_count_4_plus`` is present (default 4,
        the cut used by the England national ACE survey).
    trajectory_periods : int
        How many successive periods of :attr:`Windows.trajectory_days` must each
        hold more incidents than the one before for ``rising_trajectory``
        (default 3: three years, each worse than the last).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    repeated_suspensions: int = Field(3, ge=1, le=100)
    frequent_moves: int = Field(3, ge=1, le=100)
    missed_appointments: int = Field(2, ge=1, le=100)
    repeated_missing: int = Field(3, ge=1, le=100)
    repeated_police_contact: int = Field(2, ge=1, le=100)
    ace_count: int = Field(4, ge=1, le=10)
    trajectory_periods: int = Field(3, ge=2, le=10)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One scored indicator.

    Attributes
    ----------
    key : str
        Stable key used in weightings files.
    label : str
        Plain label for cards.
    group : str
        The factor key it belongs to, or ``"ace_count"`` / ``"escalation"`` for
        indicators derived from several factors (``rising_trajectory`` is in the
        escalation group: the same incident histories decide both). Missing
        information is grouped by this.
    factors : tuple of str
        Catalogue factors it is derived from.
    protective : bool
        Whether it can only lower a score.
    """

    key: str
    label: str
    group: str
    factors: tuple[str, ...]
    protective: bool = False

    @property
    def agencies(self) -> tuple[Agency, ...]:
        """Agencies that usually hold the information behind it, most likely first."""
        return agencies_holding(self.factors)


_ESCALATION_FACTORS = (
    "police_contact",
    "missing_episodes",
    "suspensions",
    "violence_victim",
    "weapon_incident",
)


def _status(key: str) -> Indicator:
    factor = FACTORS[key]
    return Indicator(key, factor.label, key, (key,), factor.is_protective)


INDICATORS: tuple[Indicator, ...] = (
    *(_status(key) for key in ACE_KEYS),
    Indicator("ace_count_4_plus", "Four or more ACEs", "ace_count", ACE_KEYS),
    Indicator("persistent_absence", "Persistent absence (10%+ sessions missed)",
              "school_attendance", ("school_attendance",)),
    Indicator("severe_absence", "Severe absence (50%+ sessions missed)",
              "school_attendance", ("school_attendance",)),
    Indicator("suspension_recent", "Suspended in the recent window", "suspensions",
              ("suspensions",)),
    Indicator("suspensions_repeated", "Repeated suspensions in the recent window",
              "suspensions", ("suspensions",)),
    Indicator("suspension_earlier", "Suspended earlier in the history window", "suspensions",
              ("suspensions",)),
    Indicator("permanent_exclusion", "Permanently excluded", "permanent_exclusion",
              ("permanent_exclusion",)),
    _status("alternative_provision"),
    Indicator("frequent_moves", "Frequent home moves", "home_moves", ("home_moves",)),
    Indicator("cross_borough_move", "Moved across a borough boundary", "home_moves",
              ("home_moves",)),
    Indicator("missed_health_appointments", "Repeatedly not brought to health appointments",
              "missed_health_appointments", ("missed_health_appointments",)),
    _status("not_registered_gp"),
    Indicator("missing_recent", "Went missing in the recent window", "missing_episodes",
              ("missing_episodes",)),
    Indicator("missing_repeated", "Repeated missing episodes", "missing_episodes",
              ("missing_episodes",)),
    Indicator("police_contact_recent", "Police contact in the recent window", "police_contact",
              ("police_contact",)),
    Indicator("police_contact_repeated", "Repeated police contact", "police_contact",
              ("police_contact",)),
    Indicator("police_contact_earlier", "Police contact earlier in the history window",
              "police_contact", ("police_contact",)),
    Indicator("violence_victim_recent", "Victim of violence in the recent window",
              "violence_victim", ("violence_victim",)),
    Indicator("serious_violence", "Seriously hurt by violence (knife, gun or serious injury)",
              "violence_victim", ("violence_victim", "weapon_incident")),
    Indicator("weapon_incident", "Weapon-related incident", "weapon_incident",
              ("weapon_incident",)),
    _status("gang_association"),
    Indicator("gang_association_corroborated",
              "Gang association recorded by an agency other than the police",
              "gang_association", ("gang_association",)),
    _status("child_sexual_exploitation"),
    _status("child_criminal_exploitation"),
    _status("trafficking"),
    _status("substance_misuse"),
    _status("self_harm"),
    _status("challenging_behaviour_home"),
    _status("peer_concerns"),
    Indicator("escalation", "Escalating incidents (more in the latest period than the one before)",
              "escalation", _ESCALATION_FACTORS),
    Indicator("rising_trajectory", "Rising incidents year on year", "escalation",
              _ESCALATION_FACTORS),
    *(_status(key) for key, factor in FACTORS.items() if factor.domain is Domain.DEVELOPMENTAL),
    *(_status(key) for key, factor in FACTORS.items() if factor.domain is Domain.PROTECTIVE),
    # Added after the first release, at the end so every earlier column keeps its place.
    _status("domestic_abuse_of_child"),
    _status("violence_history"),
    _status("care_experience"),
    _status("early_caregiver_disruption"),
    _status("poor_school_achievement"),
    _status("place_concerns"),
    _status("online_contact_concerns"),
)  # fmt: skip
"""Every indicator, in matrix column order (later additions at the end)."""

INDICATOR_INDEX: dict[str, int] = {ind.key: i for i, ind in enumerate(INDICATORS)}

CORROBORATED_LABELS: dict[str, str] = {"gang_association_corroborated": "gang_association"}
"""Each corroboration indicator and the label (a factor key) it corroborates.

A label the police record, above all gang association, has been applied
disproportionately to young Black men; its corroboration by another agency is
a separate indicator so that weightings can require it (docs/scoring.md)."""

NON_CORROBORATING_AGENCIES: frozenset[Agency] = frozenset({Agency.POLICE, Agency.OTHER})
"""Agencies whose account cannot corroborate a label: the police, whose label it is, and
"other", which cannot be told apart from them. An account with no named agency cannot
corroborate either."""


def corroborating_agencies(label: str) -> tuple[Agency, ...]:
    """Agencies that usually hold a label and could corroborate it, most likely first.

    Parameters
    ----------
    label : str
        A factor key (a value of :data:`CORROBORATED_LABELS`).

    Returns
    -------
    tuple of Agency
        The catalogue's usual holders other than :data:`NON_CORROBORATING_AGENCIES`
        (all of them, should none be left).
    """
    holders = FACTORS[label].agencies
    others = tuple(agency for agency in holders if agency not in NON_CORROBORATING_AGENCIES)
    return others or holders


_COLUMN = INDICATOR_INDEX
_N_INDICATORS = len(INDICATORS)
# Columns read straight from a status observation (events/attendance factors are derived).
_STATUS_INDEX: dict[str, int] = {
    ind.key: i
    for i, ind in enumerate(INDICATORS)
    if ind.factors == (ind.key,) and FACTORS[ind.key].evidence == "status"
}
_ACE_COLUMNS = tuple(_COLUMN[key] for key in ACE_KEYS)
_PRESENT, _ABSENT, _UNKNOWN = Status.PRESENT, Status.ABSENT, Status.UNKNOWN
_HOME_MOVE = EventType.HOME_MOVE
_FREQUENT_MOVES = _COLUMN["frequent_moves"]
_ace_items = itemgetter(*_ACE_COLUMNS)
_DOMESTIC_ABUSE_INCIDENT = EventType.DOMESTIC_ABUSE_INCIDENT


def _event_types_of(factor_key: str) -> tuple[EventType, ...]:
    """Every event type that evidences a factor, its own type first."""
    return tuple(event for event, factor in FACTOR_BY_EVENT.items() if factor.key == factor_key)


# Enum members are looked up once here: this module's _derive runs for every record.
_ESCALATION_SOURCES: tuple[tuple[str, tuple[EventType, ...]], ...] = tuple(
    (key, _event_types_of(key)) for key in _ESCALATION_FACTORS
)
"""Each escalation source's factor and the event types that evidence it."""
_VIOLENCE_TYPES = _event_types_of("violence_victim")


class _EventRule(NamedTuple):
    """An indicator present when enough events of a factor fall in a window.

    The window runs from ``window`` days before the screening date (exclusive) to
    ``until`` days before it (inclusive; the screening date itself when None): an
    event ``age`` days old is counted when ``until <= age < window``, so an
    earlier window with ``until="recent_days"`` starts exactly where the recent
    window ends and no event is counted by both.
    """

    column: int
    """The indicator's matrix column."""
    factor: str
    """The factor whose observation says "checked: none" when no events are listed."""
    event_types: tuple[EventType, ...]
    """The events it counts: an event is its date, once however many types record it."""
    window: str | None = None
    """The :class:`Windows` attribute of the look-back window; None for "ever"."""
    until: str | None = None
    """The :class:`Windows` attribute at which the window stops; None for the screening date."""
    threshold: str | None = None
    """The :class:`CountThresholds` attribute of the count needed; None for "at least one"."""


_SUSPENSION, _POLICE_CONTACT = (EventType.SUSPENSION,), (EventType.POLICE_CONTACT,)
_MISSING, _WEAPON = (EventType.MISSING_EPISODE,), (EventType.WEAPON_INCIDENT,)
_EVENT_RULES: tuple[_EventRule, ...] = (
    _EventRule(_COLUMN["suspension_recent"], "suspensions", _SUSPENSION, window="recent_days"),
    _EventRule(_COLUMN["suspensions_repeated"], "suspensions", _SUSPENSION,
               window="recent_days", threshold="repeated_suspensions"),
    _EventRule(_COLUMN["suspension_earlier"], "suspensions", _SUSPENSION,
               window="history_days", until="recent_days"),
    _EventRule(_COLUMN["permanent_exclusion"], "permanent_exclusion",
               (EventType.PERMANENT_EXCLUSION,)),
    _EventRule(_COLUMN["missing_recent"], "missing_episodes", _MISSING, window="recent_days"),
    _EventRule(_COLUMN["missing_repeated"], "missing_episodes", _MISSING,
               window="recent_days", threshold="repeated_missing"),
    _EventRule(_COLUMN["police_contact_recent"], "police_contact", _POLICE_CONTACT,
               window="recent_days"),
    _EventRule(_COLUMN["police_contact_repeated"], "police_contact", _POLICE_CONTACT,
               window="recent_days", threshold="repeated_police_contact"),
    _EventRule(_COLUMN["police_contact_earlier"], "police_contact", _POLICE_CONTACT,
               window="history_days", until="recent_days"),
    _EventRule(_COLUMN["violence_victim_recent"], "violence_victim", _VIOLENCE_TYPES,
               window="recent_days"),
    _EventRule(_COLUMN["weapon_incident"], "weapon_incident", _WEAPON, window="history_days"),
    _EventRule(_COLUMN["missed_health_appointments"], "missed_health_appointments",
               (EventType.MISSED_HEALTH_APPOINTMENT,), window="health_days",
               threshold="missed_appointments"),
    _EventRule(_COLUMN["frequent_moves"], "home_moves", (EventType.HOME_MOVE,),
               window="history_days", threshold="frequent_moves"),
)  # fmt: skip
"""Indicators that count events in a window."""

# Each factor's event history is known exactly when its first count rule's column is.
_HISTORY_KNOWN_COLUMN: dict[str, int] = {
    rule.factor: rule.column for rule in reversed(_EVENT_RULES)
}
_escalation_known = itemgetter(*(_HISTORY_KNOWN_COLUMN[key] for key, _ in _ESCALATION_SOURCES))

_SERIOUS_WEAPONS = frozenset({Weapon.KNIFE, Weapon.GUN})
_VIOLENT_EVENTS = frozenset({*_VIOLENCE_TYPES, EventType.WEAPON_INCIDENT})


def _violence_seriousness(event: Event) -> bool | None:
    """Whether a violent event seriously hurt the child: True, False, or None (not recorded).

    An emergency department attendance for an assault is serious; a victim of violence is
    when a knife or gun was used or the child was seriously injured (not serious only when
    both the weapon and the injury are recorded and neither is); a weapon incident is when
    the child was seriously injured in it.
    """
    if event.type is EventType.EMERGENCY_DEPARTMENT_ASSAULT or event.serious_injury:
        return True
    if event.type is EventType.WEAPON_INCIDENT:
        # Not recorded counts as not serious here: a child seriously injured in a weapon
        # incident is a victim of violence, and that history must be known for the
        # indicator to be. Calling it undecided would let a listed incident widen the
        # range that the same incident, unlisted, was inside.
        return False
    if event.weapon in _SERIOUS_WEAPONS:
        return True
    return None if event.serious_injury is None or event.weapon is None else False


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence behind an indicator.

    Attributes
    ----------
    source : Agency or None
        The agency that recorded it.
    date : datetime.date or None
        When it was recorded or happened.
    note : str
        What it is, in plain words.
    """

    source: Agency | None
    date: dt.date | None
    note: str


@dataclass(frozen=True, slots=True)
class FeatureVector:
    """Indicators of one profile as of a date.

    Attributes
    ----------
    id : str
        The profile's pseudonymous id.
    as_of : datetime.date
        The screening date.
    values : tuple of int
        0/1 per indicator, in :data:`INDICATORS` order (0 where unknown).
    known : tuple of bool
        Whether each indicator is known.
    ace_present, ace_unknown : int
        How many of the ten ACE categories are recorded present / unknown.
    evidence : dict of str to tuple of EvidenceItem
        Evidence behind each present indicator.
    """

    id: str
    as_of: dt.date
    values: tuple[int, ...]
    known: tuple[bool, ...]
    ace_present: int
    ace_unknown: int
    evidence: dict[str, tuple[EvidenceItem, ...]]

    def as_dict(self) -> dict[str, Any]:
        """Return ``{indicator: 1 | 0 | None}`` with None for unknown."""
        return {
            indicator.key: (value if is_known else None)
            for indicator, value, is_known in zip(INDICATORS, self.values, self.known, strict=True)
        }


@dataclass(frozen=True, slots=True)
class FeatureMatrix:
    """Indicators of many profiles, for the vectorised path.

    Attributes
    ----------
    ids : list of str
        Pseudonymous ids, one per row.
    as_of : datetime.date
        The screening date.
    values : numpy.ndarray of shape (n_profiles, n_indicators), float32
        0/1 per indicator (0 where unknown). Stored as float32 so scoring runs
        as one BLAS matrix product; small integer sums are exact in float32.
    known : numpy.ndarray of shape (n_profiles, n_indicators), bool
        Whether each indicator is known.
    ace_present, ace_unknown : numpy.ndarray of shape (n_profiles,), int16
        ACE categories recorded present / unknown.
    """

    ids: list[str]
    as_of: dt.date
    values: NDArray[np.float32]
    known: NDArray[np.bool_]
    ace_present: NDArray[np.int16]
    ace_unknown: NDArray[np.int16]

    @property
    def indicator_keys(self) -> tuple[str, ...]:
        """Indicator keys, one per column."""
        return tuple(ind.key for ind in INDICATORS)

    def __len__(self) -> int:
        return len(self.ids)


_EVENT_DESCRIPTIONS = {
    EventType.EMERGENCY_DEPARTMENT_ASSAULT: "emergency department attendance for an assault",
}


def _describe_event(event_type: EventType) -> str:
    return _EVENT_DESCRIPTIONS.get(event_type) or event_type.value.replace("_", " ")


def _describe_violence(event: Event) -> str:
    """Describe a violent event, with what made it serious (the weapon, the injury)."""
    details: list[str] = []
    if event.weapon is not None and event.weapon is not Weapon.NONE:
        details.append(event.weapon.value)
    if event.serious_injury:
        details.append("seriously injured")
    what = event.note or _describe_event(event.type)
    return f"{what} ({', '.join(details)})" if details else what


@dataclass(slots=True)
class _Derivation:
    """One profile's indicators while :func:`_derive` works through its named steps."""

    profile: Profile
    as_of_ordinal: int
    windows: Windows
    counts: CountThresholds
    values: list[int]
    """0/1 per indicator, filled in by the steps."""
    known: list[bool]
    """Whether each indicator is known, filled in by the steps."""
    dates_by_type: dict[EventType, list[int]]
    """Date ordinals of the profile's events, by event type."""
    statuses: dict[str, Status]
    """Each factor's accounts resolved to the status that is scored."""
    resolution: ResolutionRule
    """The weightings' resolution rule (corroboration resolves a subset of accounts)."""


class _AttendanceTally(NamedTuple):
    """Sessions over the attendance periods that overlap the attendance window."""

    missed: int
    possible: int


class _IncidentTally(NamedTuple):
    """Escalation incidents in the last half-window and in the one before."""

    last: int
    previous: int


class _Tallies(NamedTuple):
    """What the counting steps found, for the evidence of the indicators they set."""

    attendance: _AttendanceTally
    incidents: _IncidentTally
    trajectory: tuple[int, ...]
    """Incidents in each trajectory period, oldest first."""
    serious_violence: list[Event]
    """The violent events in the history window that seriously hurt the child."""


def attendance_in_window(
    profile: Profile, *, as_of_ordinal: int, windows: Windows
) -> list[AttendanceRecord]:
    """Attendance periods that overlap the attendance window ending on the screening date.

    Parameters
    ----------
    profile : Profile
        A validated profile.
    as_of_ordinal : int
        The screening date as a proleptic Gregorian ordinal (``date.toordinal()``).
    windows : Windows
        Look-back windows; ``attendance_days`` is used.

    Returns
    -------
    list of AttendanceRecord
        The periods ending after the window starts, in profile order.
    """
    window_start = as_of_ordinal - windows.attendance_days
    return [period for period in profile.attendance if period.end.toordinal() > window_start]


def _derive(
    profile: Profile,
    as_of_ordinal: int,
    windows: Windows,
    counts: CountThresholds,
    resolution: ResolutionRule,
    evidence: dict[str, list[EvidenceItem]] | None,
) -> tuple[list[int], list[bool], int, int]:
    """Compute indicator values and known flags for one profile.

    The one definition shared by the scalar and batch paths. When ``evidence``
    is a dict it is filled with the evidence behind each present indicator.
    """
    state = _Derivation(
        profile=profile,
        as_of_ordinal=as_of_ordinal,
        windows=windows,
        counts=counts,
        values=[0] * _N_INDICATORS,
        known=[False] * _N_INDICATORS,
        dates_by_type=_event_dates_by_type(profile),
        statuses=resolved_statuses(profile.factors, resolution),
        resolution=resolution,
    )
    _read_status_observations(state, evidence)
    _check_corroboration(state, evidence)
    _count_events_in_windows(state)
    _check_cross_borough_moves(state)
    _count_domestic_abuse_incidents(state)
    attendance = _measure_absence(state)
    ace_present, ace_unknown = _count_aces(state)
    serious = _check_serious_violence(state)
    incident_ages = _incident_ages(state)
    incidents = _check_escalation(state, incident_ages)
    trajectory = _check_trajectory(state, incident_ages)
    if evidence is not None:
        tallies = _Tallies(attendance, incidents, trajectory, serious)
        _collect_event_evidence(state, evidence, tallies)
    return state.values, state.known, ace_present, ace_unknown


def _event_dates_by_type(profile: Profile) -> dict[EventType, list[int]]:
    """Return the distinct dates of each type of event, in order.

    One event recorded by several agencies (the same home move from housing, school and
    social care, say) counts once: an event is its type and its date.
    """
    dates_by_type: dict[EventType, set[int]] = {}
    for event in profile.events:
        dates_by_type.setdefault(event.type, set()).add(event.date.toordinal())
    return {event_type: sorted(dates) for event_type, dates in dates_by_type.items()}


def _read_status_observations(
    state: _Derivation, evidence: dict[str, list[EvidenceItem]] | None
) -> None:
    """Status factors: ACEs, contextual status factors, developmental, protective."""
    values, known = state.values, state.known
    # (Names bound locally: this loop runs for every factor of every record in a batch.)
    column_of, present, absent = _STATUS_INDEX.get, _PRESENT, _ABSENT
    for key, status in state.statuses.items():
        column = column_of(key)
        if column is None:
            continue
        if status is present:
            values[column] = 1
            known[column] = True
            if evidence is not None:
                evidence[key] = [
                    EvidenceItem(account.source, account.recorded, account.note or "recorded")
                    for account in state.profile.factors[key]
                    if account.status is present
                ]
        elif status is absent:
            known[column] = True


_CORROBORATIONS: tuple[tuple[int, str], ...] = tuple(
    (_COLUMN[key], label) for key, label in CORROBORATED_LABELS.items()
)


def _check_corroboration(
    state: _Derivation, evidence: dict[str, list[EvidenceItem]] | None
) -> None:
    """Whether an agency other than the police records a label present.

    The label's status, resolved from the accounts of named agencies other than the
    police alone: present corroborates; absent (from an agency that can vouch for it)
    is known uncorroborated; with no such account it is unknown, since another agency
    could still corroborate. An absent or unknown label leaves it absent or unknown.
    """
    values, known = state.values, state.known
    for column, label in _CORROBORATIONS:
        status = state.statuses.get(label)
        if status is _PRESENT:
            accounts = tuple(
                account
                for account in state.profile.factors[label]
                if account.source is not None and account.source not in NON_CORROBORATING_AGENCIES
            )
            status = state.resolution.resolve(label, accounts) if accounts else _UNKNOWN
            if status is _PRESENT and evidence is not None:
                evidence[INDICATORS[column].key] = [
                    EvidenceItem(account.source, account.recorded, account.note or "recorded")
                    for account in accounts
                    if account.status is _PRESENT
                ]
        values[column] = 1 if status is _PRESENT else 0
        known[column] = status is _PRESENT or status is _ABSENT


def _count_events_in_windows(state: _Derivation) -> None:
    """Count events in each rule's window: present when the count reaches its threshold.

    With no events of the type listed, the count is known (zero) only when the factor was
    observed: "absent" means "checked: none".
    """
    values, known, statuses = state.values, state.known, state.statuses
    for rule in _EVENT_RULES:
        column = rule.column
        dates = _dates_of(state.dates_by_type, rule.event_types)
        if dates is None:
            status = statuses.get(rule.factor)
            known[column] = status is not None and status is not _UNKNOWN
            continue
        if rule.window is None:
            count = len(dates)
        else:
            start, end = _window_bounds(state, rule)
            count = sum(1 for date in dates if start < date <= end)
        needed = 1 if rule.threshold is None else getattr(state.counts, rule.threshold)
        known[column] = True
        if count >= needed:
            values[column] = 1


def _dates_of(
    dates_by_type: dict[EventType, list[int]], event_types: tuple[EventType, ...]
) -> list[int] | None:
    """Return the distinct dates of events of any of the types, in order (None: none listed)."""
    if len(event_types) == 1:
        return dates_by_type.get(event_types[0])
    listed = [dates for event_type in event_types if (dates := dates_by_type.get(event_type))]
    if len(listed) <= 1:
        return listed[0] if listed else None
    return sorted(set().union(*listed))


def _window_bounds(state: _Derivation, rule: _EventRule) -> tuple[int, int]:
    """Return a rule's window as ordinals: dates after the start, up to and including the end.

    A rule with no look-back window counts every date (ordinals start at 1).
    """
    windows, as_of = state.windows, state.as_of_ordinal
    start = as_of - getattr(windows, rule.window) if rule.window else 0
    end = as_of - getattr(windows, rule.until) if rule.until else as_of
    return start, end


def _check_cross_borough_moves(state: _Derivation) -> None:
    """Whether any home move in the history window crossed a borough boundary."""
    moves_known = state.known[_FREQUENT_MOVES]  # known exactly when the move history is
    window_start = state.as_of_ordinal - state.windows.history_days
    moves = [
        event
        for event in (state.profile.events if _HOME_MOVE in state.dates_by_type else ())
        if event.type is _HOME_MOVE and event.date.toordinal() > window_start
    ]
    column = _COLUMN["cross_borough_move"]
    if any(move.cross_borough for move in moves):
        state.values[column], state.known[column] = 1, True
    else:
        state.known[column] = moves_known and all(move.cross_borough is not None for move in moves)


def _count_domestic_abuse_incidents(state: _Derivation) -> None:
    """Domestic abuse incidents evidence the domestic abuse ACE at any date."""
    if _DOMESTIC_ABUSE_INCIDENT in state.dates_by_type:
        column = _COLUMN["domestic_abuse"]
        state.values[column], state.known[column] = 1, True


def _measure_absence(state: _Derivation) -> _AttendanceTally:
    """Measure persistent (10%+) and severe (50%+) absence over the attendance window."""
    periods = attendance_in_window(
        state.profile, as_of_ordinal=state.as_of_ordinal, windows=state.windows
    )
    possible = missed = 0
    for period in periods:
        possible += period.possible_sessions
        missed += period.missed_sessions
    persistent, severe = _COLUMN["persistent_absence"], _COLUMN["severe_absence"]
    values, known = state.values, state.known
    if possible > 0:
        values[persistent] = 1 if missed * 10 >= possible else 0
        values[severe] = 1 if missed * 2 >= possible else 0
        known[persistent] = known[severe] = True
    else:
        if state.statuses.get("school_attendance") is _ABSENT:
            known[persistent] = known[severe] = True
    return _AttendanceTally(missed=missed, possible=possible)


def _count_aces(state: _Derivation) -> tuple[int, int]:
    """ACE categories recorded present and unknown, and whether they reach the threshold."""
    ace_present = sum(_ace_items(state.values))
    ace_unknown = len(_ACE_COLUMNS) - sum(_ace_items(state.known))
    column = _COLUMN["ace_count_4_plus"]
    if ace_present >= state.counts.ace_count:
        state.values[column], state.known[column] = 1, True
    else:
        state.known[column] = ace_present + ace_unknown < state.counts.ace_count
    return ace_present, ace_unknown


def _check_serious_violence(state: _Derivation) -> list[Event]:
    """Serious violence against the child in the history window, however it was recorded.

    Returns the events that show it. Known when present, or when the violence history is
    known and every violent event listed in the window says whether it was serious.
    """
    column = _COLUMN["serious_violence"]
    history_known = state.known[_HISTORY_KNOWN_COLUMN["violence_victim"]]
    if _VIOLENT_EVENTS.isdisjoint(state.dates_by_type):
        state.known[column] = history_known
        return []
    window_start = state.as_of_ordinal - state.windows.history_days
    serious: list[Event] = []
    undecided = False
    for event in state.profile.events:
        if event.type in _VIOLENT_EVENTS and event.date.toordinal() > window_start:
            seriousness = _violence_seriousness(event)
            if seriousness:
                serious.append(event)
            elif seriousness is None:
                undecided = True
    if serious:
        state.values[column], state.known[column] = 1, True
    else:
        state.known[column] = history_known and not undecided
    return serious


def _incident_ages(state: _Derivation) -> list[int]:
    """Ages in days of the incidents escalation and the trajectory count.

    Each source's events are counted once per date, however many types record them.
    """
    as_of = state.as_of_ordinal
    return [
        as_of - date
        for _, event_types in _ESCALATION_SOURCES
        for date in _dates_of(state.dates_by_type, event_types) or ()
    ]


def _check_escalation(state: _Derivation, incident_ages: list[int]) -> _IncidentTally:
    """Escalation: incidents in the last half-window against the one before."""
    half = state.windows.escalation_days
    last = previous = 0
    for age in incident_ages:
        if age < half:
            last += 1
        elif age < 2 * half:
            previous += 1
    column = _COLUMN["escalation"]
    known = all(_escalation_known(state.known))
    state.known[column] = known
    # Unknown indicators are 0: unknown sources could add incidents to either half.
    state.values[column] = 1 if known and last > previous else 0
    return _IncidentTally(last=last, previous=previous)


def _check_trajectory(state: _Derivation, incident_ages: list[int]) -> tuple[int, ...]:
    """Rising trajectory: more incidents in each successive period than in the one before.

    Returns the incidents in each period, oldest first.
    """
    length, periods = state.windows.trajectory_days, state.counts.trajectory_periods
    latest_first = [0] * periods
    for age in incident_ages:
        period = age // length
        if period < periods:
            latest_first[period] += 1
    column = _COLUMN["rising_trajectory"]
    known = all(_escalation_known(state.known))
    state.known[column] = known
    rising = all(latest_first[i] > latest_first[i + 1] for i in range(periods - 1))
    # Unknown indicators are 0: unknown sources could add incidents to any period.
    state.values[column] = 1 if known and rising else 0
    return tuple(reversed(latest_first))


_EVENT_INDICATORS: dict[str, _EventRule] = {
    INDICATORS[rule.column].key: rule for rule in _EVENT_RULES
} | {
    "cross_borough_move": _EventRule(
        _COLUMN["cross_borough_move"], "home_moves", (EventType.HOME_MOVE,), window="history_days"
    )
}
"""The events behind each present event indicator (cross-borough moves: those that crossed)."""


def _collect_event_evidence(
    state: _Derivation, evidence: dict[str, list[EvidenceItem]], tallies: _Tallies
) -> None:
    """Fill evidence for present event-, attendance- and count-based indicators."""
    values = state.values
    for key, rule in _EVENT_INDICATORS.items():
        if values[rule.column]:
            start, end = _window_bounds(state, rule)
            evidence[key] = [
                EvidenceItem(event.source, event.date, event.note or _describe_event(event.type))
                for event in state.profile.events
                if event.type in rule.event_types
                and start < event.date.toordinal() <= end
                and (key != "cross_borough_move" or event.cross_borough)
            ]
    if values[_COLUMN["serious_violence"]]:
        evidence["serious_violence"] = [
            EvidenceItem(event.source, event.date, _describe_violence(event))
            for event in tallies.serious_violence
        ]
    if values[_COLUMN["domestic_abuse"]]:
        incident_items = [
            EvidenceItem(event.source, event.date, event.note or "domestic abuse incident")
            for event in state.profile.events
            if event.type is EventType.DOMESTIC_ABUSE_INCIDENT
        ]
        evidence["domestic_abuse"] = evidence.get("domestic_abuse", []) + incident_items
    for key in ("persistent_absence", "severe_absence"):
        if values[_COLUMN[key]]:
            evidence[key] = [_absence_evidence(state, tallies.attendance)]
    if values[_COLUMN["ace_count_4_plus"]]:
        present = [FACTORS[key].label for key in ACE_KEYS if values[_COLUMN[key]]]
        evidence["ace_count_4_plus"] = [
            EvidenceItem(None, None, f"{len(present)} ACEs recorded: " + ", ".join(present))
        ]
    if values[_COLUMN["escalation"]]:
        days, incidents = state.windows.escalation_days, tallies.incidents
        evidence["escalation"] = [
            EvidenceItem(
                None,
                None,
                f"{incidents.last} incidents in the last {days} days against "
                f"{incidents.previous} in the {days} days before",
            )
        ]
    if values[_COLUMN["rising_trajectory"]]:
        counts = ", ".join(str(count) for count in tallies.trajectory)
        evidence["rising_trajectory"] = [
            EvidenceItem(
                None,
                None,
                f"{counts} incidents in successive periods of {state.windows.trajectory_days} "
                "days, oldest first, ending on the screening date",
            )
        ]


def _absence_evidence(state: _Derivation, attendance: _AttendanceTally) -> EvidenceItem:
    periods = attendance_in_window(
        state.profile, as_of_ordinal=state.as_of_ordinal, windows=state.windows
    )
    missed, possible = attendance.missed, attendance.possible
    percent = 100.0 * missed / possible
    return EvidenceItem(
        periods[-1].source if periods else Agency.SCHOOL,
        max(period.end for period in periods) if periods else None,
        f"{missed} of {possible} sessions missed ({percent:.1f}%) over "
        f"{len(periods)} attendance period(s)",
    )


def derive_features(
    profile: Profile,
    *,
    as_of: dt.date,
    windows: Windows | None = None,
    counts: CountThresholds | None = None,
    resolution: ResolutionRule | None = None,
) -> FeatureVector:
    """Derive the indicators of one profile as of a date, with their evidence.

    Parameters
    ----------
    profile : Profile
        A validated profile.
    as_of : datetime.date
        The screening date. Nothing reads today's clock.
    windows, counts, resolution : optional
        Windows, count thresholds and the resolution rule for several accounts
        of a factor; the embedded defaults when omitted (a
        :class:`~efh_screen.Screener` passes its weightings' own).

    Returns
    -------
    FeatureVector
        Values, known flags and evidence, in :data:`INDICATORS` order.
    """
    as_of = check_as_of(as_of)
    evidence: dict[str, list[EvidenceItem]] = {}
    values, known, ace_present, ace_unknown = _derive(
        profile,
        as_of.toordinal(),
        windows or Windows(),
        counts or CountThresholds(),
        resolution or ResolutionRule(),
        evidence,
    )
    return FeatureVector(
        id=profile.id,
        as_of=as_of,
        values=tuple(values),
        known=tuple(known),
        ace_present=ace_present,
        ace_unknown=ace_unknown,
        evidence={k: tuple(v) for k, v in evidence.items()},
    )


def feature_matrix(
    profiles: Iterable[Profile],
    *,
    as_of: dt.date,
    windows: Windows | None = None,
    counts: CountThresholds | None = None,
    resolution: ResolutionRule | None = None,
) -> FeatureMatrix:
    """Derive the indicators of many profiles into a matrix with a known-mask.

    Parameters
    ----------
    profiles : iterable of Profile
        Validated profiles.
    as_of : datetime.date
        The screening date.
    windows, counts, resolution : optional
        As for :func:`derive_features`.

    Returns
    -------
    FeatureMatrix
        ``values`` and ``known`` of shape (n_profiles, n_indicators).
    """
    windows = windows or Windows()
    counts = counts or CountThresholds()
    resolution = resolution or ResolutionRule()
    ordinal = check_as_of(as_of).toordinal()
    ids: list[str] = []
    rows: list[list[int]] = []
    masks: list[list[bool]] = []
    aces: list[tuple[int, int]] = []
    for profile in profiles:
        values, known, ace_present, ace_unknown = _derive(
            profile, ordinal, windows, counts, resolution, None
        )
        ids.append(profile.id)
        rows.append(values)
        masks.append(known)
        aces.append((ace_present, ace_unknown))
    return _matrix_from_rows(ids, as_of, rows, masks, aces)


def _matrix_from_rows(
    ids: list[str],
    as_of: dt.date,
    rows: Sequence[Sequence[int]],
    masks: Sequence[Sequence[bool]],
    aces: Sequence[tuple[int, int]],
) -> FeatureMatrix:
    n_rows = len(ids)
    # Rows hold only 0/1 and True/False: packing them as bytes is twice as fast as
    # np.array on a list of lists, which matters at batch scale.
    values = (
        np.frombuffer(bytes(chain.from_iterable(rows)), dtype=np.uint8)
        .reshape(n_rows, _N_INDICATORS)
        .astype(np.float32)
    )
    known = (
        np.frombuffer(bytes(chain.from_iterable(masks)), dtype=np.bool_)
        .reshape(n_rows, _N_INDICATORS)
        .copy()
    )
    ace = np.array(aces, dtype=np.int16).reshape(n_rows, 2)
    return FeatureMatrix(
        ids=ids,
        as_of=as_of,
        values=values,
        known=known,
        ace_present=ace[:, 0].copy(),
        ace_unknown=ace[:, 1].copy(),
    )


# The rule tables of _derive, under plain names for the column-wise path (efh_screen.tables),
# which derives the same indicators from the same tables; a test there fails when an
# indicator is added that it does not derive.
EventRule = _EventRule
EVENT_RULES: tuple[EventRule, ...] = _EVENT_RULES
"""Indicators that count events in a window (see :class:`EventRule`)."""
STATUS_COLUMNS: dict[str, int] = _STATUS_INDEX
"""Matrix column of each indicator read straight from a status factor, by factor key."""
ESCALATION_SOURCES: tuple[tuple[str, tuple[EventType, ...]], ...] = _ESCALATION_SOURCES
"""The factors (and the event types that evidence each) whose incidents count towards
escalation and the rising trajectory."""
HISTORY_KNOWN_COLUMNS: dict[str, int] = _HISTORY_KNOWN_COLUMN
"""By factor key: the matrix column that is known exactly when the factor's event history is."""
VIOLENT_EVENT_TYPES: frozenset[EventType] = _VIOLENT_EVENTS
"""The event types ``serious_violence`` reads (see :func:`violence_seriousness`)."""
violence_seriousness = _violence_seriousness
