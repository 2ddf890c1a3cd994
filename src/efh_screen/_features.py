"""Indicators derived from a profile as of an explicit date.

This module is the one definition of every indicator the screen scores. The
single-profile path (:func:`derive_features`) and the batch path
(:func:`feature_matrix`) both call :func:`_derive`, so they cannot drift apart.

Each indicator is 0/1 with a *known* flag. An indicator is known when the
profile says enough to decide it; otherwise it is unknown (value 0, known
False) and the screen reports the score range it allows. Unknown is not absent.

Rules, as of the screening date ``as_of`` (windows end on ``as_of`` inclusive):

* status factors: known when observed ``present`` or ``absent``;
* events factors: the count of events in the window; known when any event of
  the type is listed, or the factor is observed (``absent`` = "checked: none");
* attendance: missed / possible sessions over periods that overlap the
  attendance window; known when there are possible sessions, or the factor is
  observed ``absent``; persistent absence is 10% or more missed, severe 50%;
* ``domestic_abuse`` is also present when a domestic abuse incident is listed;
* ``ace_count_4_plus``: known when the ACEs recorded present already reach the
  threshold, or when present + unknown cannot reach it;
* ``escalation``: more incidents (police contact, missing, suspension,
  violence, weapon) in the last ``escalation_days`` than in the same span
  before; known only when all five sources are known.

The scoring code never reads :attr:`Profile.audit`, :attr:`Profile.date_of_birth`
is not scored (age is a protected characteristic), and nothing reads a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from ._factors import FACTORS, Agency, Domain, EventType
from ._profile import Profile, Status

__all__ = [
    "INDICATORS",
    "CountThresholds",
    "EvidenceItem",
    "FeatureMatrix",
    "FeatureVector",
    "Indicator",
    "Windows",
    "derive_features",
    "feature_matrix",
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
        Longer history (home moves, weapon incidents).
    health_days : int
        Health appointments the child was not brought to.
    attendance_days : int
        Attendance periods that overlap this window are summed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    recent_days: int = Field(365, ge=1, le=3650)
    escalation_days: int = Field(182, ge=1, le=1825)
    history_days: int = Field(1095, ge=1, le=7300)
    health_days: int = Field(730, ge=1, le=7300)
    attendance_days: int = Field(365, ge=1, le=3650)


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
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    repeated_suspensions: int = Field(3, ge=1, le=100)
    frequent_moves: int = Field(3, ge=1, le=100)
    missed_appointments: int = Field(2, ge=1, le=100)
    repeated_missing: int = Field(3, ge=1, le=100)
    repeated_police_contact: int = Field(2, ge=1, le=100)
    ace_count: int = Field(4, ge=1, le=10)


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
        indicators derived from several factors. Missing information is grouped
        by this.
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
        seen: dict[Agency, None] = {}
        for key in self.factors:
            for agency in FACTORS[key].agencies:
                seen.setdefault(agency, None)
        return tuple(seen)


_ACE_KEYS = tuple(f.key for f in FACTORS.values() if f.domain is Domain.ACE)
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
    *(_status(k) for k in _ACE_KEYS),
    Indicator("ace_count_4_plus", "Four or more ACEs", "ace_count", _ACE_KEYS),
    Indicator("persistent_absence", "Persistent absence (10%+ sessions missed)",
              "school_attendance", ("school_attendance",)),
    Indicator("severe_absence", "Severe absence (50%+ sessions missed)",
              "school_attendance", ("school_attendance",)),
    Indicator("suspension_recent", "Suspended in the recent window", "suspensions",
              ("suspensions",)),
    Indicator("suspensions_repeated", "Repeated suspensions in the recent window",
              "suspensions", ("suspensions",)),
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
    Indicator("violence_victim_recent", "Victim of violence in the recent window",
              "violence_victim", ("violence_victim",)),
    Indicator("weapon_incident", "Weapon-related incident", "weapon_incident",
              ("weapon_incident",)),
    _status("gang_association"),
    _status("child_sexual_exploitation"),
    _status("child_criminal_exploitation"),
    _status("trafficking"),
    _status("substance_misuse"),
    _status("self_harm"),
    _status("challenging_behaviour_home"),
    _status("peer_concerns"),
    Indicator("escalation", "Escalating incidents (more in the latest period than the one before)",
              "escalation", _ESCALATION_FACTORS),
    *(_status(f.key) for f in FACTORS.values() if f.domain is Domain.DEVELOPMENTAL),
    *(_status(f.key) for f in FACTORS.values() if f.domain is Domain.PROTECTIVE),
)  # fmt: skip
"""Every indicator, in matrix column order."""

INDICATOR_INDEX: dict[str, int] = {ind.key: i for i, ind in enumerate(INDICATORS)}
_I = INDICATOR_INDEX
_N = len(INDICATORS)
# Columns read straight from a status observation (events/attendance factors are derived).
_STATUS_INDEX: dict[str, int] = {
    ind.key: i
    for i, ind in enumerate(INDICATORS)
    if ind.factors == (ind.key,) and FACTORS[ind.key].evidence == "status"
}
_ACE_COLUMNS = tuple(_I[k] for k in _ACE_KEYS)
_PRESENT, _ABSENT, _UNKNOWN = Status.PRESENT, Status.ABSENT, Status.UNKNOWN
_HOME_MOVE = EventType.HOME_MOVE
_FREQUENT_MOVES = _I["frequent_moves"]
_ace_items = itemgetter(*_ACE_COLUMNS)
_DOMESTIC_ABUSE_INCIDENT = EventType.DOMESTIC_ABUSE_INCIDENT
# Enum members are looked up once here: this module's _derive runs for every record.
_ESCALATION_SOURCES: tuple[tuple[str, EventType], ...] = tuple(
    (key, event_type)
    for key in _ESCALATION_FACTORS
    if (event_type := FACTORS[key].event_type) is not None
)
# (column, factor key, event type, window attribute or None for "ever", count-threshold
# attribute or None for "at least one"): indicators that count events in a window.
_EVENT_RULES: tuple[tuple[int, str, EventType, str | None, str | None], ...] = (
    (_I["suspension_recent"], "suspensions", EventType.SUSPENSION, "recent_days", None),
    (_I["suspensions_repeated"], "suspensions", EventType.SUSPENSION, "recent_days",
     "repeated_suspensions"),
    (_I["permanent_exclusion"], "permanent_exclusion", EventType.PERMANENT_EXCLUSION, None, None),
    (_I["missing_recent"], "missing_episodes", EventType.MISSING_EPISODE, "recent_days", None),
    (_I["missing_repeated"], "missing_episodes", EventType.MISSING_EPISODE, "recent_days",
     "repeated_missing"),
    (_I["police_contact_recent"], "police_contact", EventType.POLICE_CONTACT, "recent_days",
     None),
    (_I["police_contact_repeated"], "police_contact", EventType.POLICE_CONTACT, "recent_days",
     "repeated_police_contact"),
    (_I["violence_victim_recent"], "violence_victim", EventType.VIOLENCE_VICTIM, "recent_days",
     None),
    (_I["weapon_incident"], "weapon_incident", EventType.WEAPON_INCIDENT, "history_days", None),
    (_I["missed_health_appointments"], "missed_health_appointments",
     EventType.MISSED_HEALTH_APPOINTMENT, "health_days", "missed_appointments"),
    (_I["frequent_moves"], "home_moves", EventType.HOME_MOVE, "history_days", "frequent_moves"),
)  # fmt: skip
_escalation_known = itemgetter(
    *(
        next(col for col, key, *_ in _EVENT_RULES if key == factor_key)
        for factor_key, _ in _ESCALATION_SOURCES
    )
)


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
            ind.key: (v if k else None)
            for ind, v, k in zip(INDICATORS, self.values, self.known, strict=True)
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


def _describe_event(event_type: EventType) -> str:
    return event_type.value.replace("_", " ")


def _derive(
    profile: Profile,
    as_of_ordinal: int,
    windows: Windows,
    counts: CountThresholds,
    evidence: dict[str, list[EvidenceItem]] | None,
) -> tuple[list[int], list[bool], int, int]:
    """Compute indicator values and known flags for one profile.

    The one definition shared by the scalar and batch paths. When ``evidence``
    is a dict it is filled with the evidence behind each present indicator.
    """
    values = [0] * _N
    known = [False] * _N
    factors = profile.factors

    # Status observations (ACEs, contextual status factors, developmental, protective).
    # (Names bound locally: this loop runs for every factor of every record in a batch.)
    column_of, present, absent = _STATUS_INDEX.get, _PRESENT, _ABSENT
    for key, obs in factors.items():
        col = column_of(key)
        if col is None:
            continue
        status = obs.status
        if status is present:
            values[col] = 1
            known[col] = True
            if evidence is not None:
                evidence[key] = [EvidenceItem(obs.source, obs.recorded, obs.note or "recorded")]
        elif status is absent:
            known[col] = True

    # Events: ordinals by type.
    by_type: dict[EventType, list[int]] = {}
    for event in profile.events:
        by_type.setdefault(event.type, []).append(event.date.toordinal())

    # Counts of events in a window: present when the count reaches the rule's threshold.
    # With no events of the type listed, the count is known (zero) only when the factor was
    # observed: "absent" means "checked: none".
    for col, factor_key, event_type, window, threshold in _EVENT_RULES:
        dates = by_type.get(event_type)
        if dates is None:
            observed = factors.get(factor_key)
            known[col] = observed is not None and observed.status is not _UNKNOWN
            continue
        if window is None:
            n = len(dates)
        else:
            start = as_of_ordinal - getattr(windows, window)
            n = sum(1 for d in dates if d > start)
        need = 1 if threshold is None else getattr(counts, threshold)
        known[col] = True
        if n >= need:
            values[col] = 1

    # Home moves: frequency, and whether any crossed a borough boundary.
    moves_known = known[_FREQUENT_MOVES]  # known exactly when the move history is
    move_start = as_of_ordinal - windows.history_days
    moves = [
        e
        for e in (profile.events if _HOME_MOVE in by_type else ())
        if e.type is _HOME_MOVE and e.date.toordinal() > move_start
    ]
    col = _I["cross_borough_move"]
    if any(m.cross_borough for m in moves):
        values[col], known[col] = 1, True
    else:
        known[col] = moves_known and all(m.cross_borough is not None for m in moves)

    # Domestic abuse incidents evidence the domestic abuse ACE at any date.
    if _DOMESTIC_ABUSE_INCIDENT in by_type:
        col = _I["domestic_abuse"]
        values[col], known[col] = 1, True

    # Attendance over periods overlapping the window.
    att_start = as_of_ordinal - windows.attendance_days
    possible = missed = 0
    for rec in profile.attendance:
        if rec.end.toordinal() > att_start:
            possible += rec.possible_sessions
            missed += rec.missed_sessions
    pcol, scol = _I["persistent_absence"], _I["severe_absence"]
    if possible > 0:
        values[pcol] = 1 if missed * 10 >= possible else 0
        values[scol] = 1 if missed * 2 >= possible else 0
        known[pcol] = known[scol] = True
    else:
        attendance_obs = factors.get("school_attendance")
        if attendance_obs is not None and attendance_obs.status is _ABSENT:
            known[pcol] = known[scol] = True

    # ACE count.
    ace_present = sum(_ace_items(values))
    ace_unknown = len(_ACE_COLUMNS) - sum(_ace_items(known))
    col = _I["ace_count_4_plus"]
    if ace_present >= counts.ace_count:
        values[col], known[col] = 1, True
    else:
        known[col] = ace_present + ace_unknown < counts.ace_count

    # Escalation: last half-window against the one before.
    half = windows.escalation_days
    last = previous = 0
    for _, event_type in _ESCALATION_SOURCES:
        for d in by_type.get(event_type, ()):
            age = as_of_ordinal - d
            if age < half:
                last += 1
            elif age < 2 * half:
                previous += 1
    col = _I["escalation"]
    # Each source's history is known exactly when its first count rule's column is known.
    known[col] = all(_escalation_known(known))
    # Unknown indicators are 0: unknown sources could add incidents to either half.
    values[col] = 1 if known[col] and last > previous else 0

    if evidence is not None:
        _collect_event_evidence(profile, as_of_ordinal, windows, values, evidence, last, previous,
                                missed, possible)  # fmt: skip
    return values, known, ace_present, ace_unknown


_EVENT_INDICATORS: dict[str, tuple[EventType, str]] = {
    INDICATORS[col].key: (event_type, window or "")
    for col, _, event_type, window, _ in _EVENT_RULES
}
_EVENT_INDICATORS["cross_borough_move"] = (EventType.HOME_MOVE, "history_days")


def _collect_event_evidence(
    profile: Profile,
    as_of_ordinal: int,
    windows: Windows,
    values: list[int],
    evidence: dict[str, list[EvidenceItem]],
    last: int,
    previous: int,
    missed: int,
    possible: int,
) -> None:
    """Fill evidence for present event-, attendance- and count-based indicators."""
    for key, (event_type, window) in _EVENT_INDICATORS.items():
        if not values[_I[key]]:
            continue
        start = as_of_ordinal - getattr(windows, window) if window else -1
        items = [
            EvidenceItem(e.source, e.date, e.note or _describe_event(e.type))
            for e in profile.events
            if e.type is event_type
            and e.date.toordinal() > start
            and (key != "cross_borough_move" or e.cross_borough)
        ]
        evidence[key] = items
    if values[_I["domestic_abuse"]]:
        incidents = [
            EvidenceItem(e.source, e.date, e.note or "domestic abuse incident")
            for e in profile.events
            if e.type is EventType.DOMESTIC_ABUSE_INCIDENT
        ]
        evidence["domestic_abuse"] = evidence.get("domestic_abuse", []) + incidents
    for key in ("persistent_absence", "severe_absence"):
        if values[_I[key]]:
            att_start = as_of_ordinal - windows.attendance_days
            periods = [r for r in profile.attendance if r.end.toordinal() > att_start]
            pct = 100.0 * missed / possible
            evidence[key] = [
                EvidenceItem(
                    periods[-1].source if periods else Agency.SCHOOL,
                    max(r.end for r in periods) if periods else None,
                    f"{missed} of {possible} sessions missed ({pct:.1f}%) over "
                    f"{len(periods)} attendance period(s)",
                )
            ]
    if values[_I["ace_count_4_plus"]]:
        present = [FACTORS[k].label for k in _ACE_KEYS if values[_I[k]]]
        evidence["ace_count_4_plus"] = [
            EvidenceItem(None, None, f"{len(present)} ACEs recorded: " + ", ".join(present))
        ]
    if values[_I["escalation"]]:
        evidence["escalation"] = [
            EvidenceItem(
                None,
                None,
                f"{last} incidents in the last {windows.escalation_days} days against "
                f"{previous} in the {windows.escalation_days} days before",
            )
        ]


def derive_features(
    profile: Profile,
    *,
    as_of: dt.date,
    windows: Windows | None = None,
    counts: CountThresholds | None = None,
) -> FeatureVector:
    """Derive the indicators of one profile as of a date, with their evidence.

    Parameters
    ----------
    profile : Profile
        A validated profile.
    as_of : datetime.date
        The screening date. Nothing reads today's clock.
    windows, counts : optional
        Windows and count thresholds; the embedded defaults when omitted
        (a :class:`~efh_screen.Screener` passes its weightings' own).

    Returns
    -------
    FeatureVector
        Values, known flags and evidence, in :data:`INDICATORS` order.
    """
    evidence: dict[str, list[EvidenceItem]] = {}
    values, known, ace_present, ace_unknown = _derive(
        profile, as_of.toordinal(), windows or Windows(), counts or CountThresholds(), evidence
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
) -> FeatureMatrix:
    """Derive the indicators of many profiles into a matrix with a known-mask.

    Parameters
    ----------
    profiles : iterable of Profile
        Validated profiles.
    as_of : datetime.date
        The screening date.
    windows, counts : optional
        As for :func:`derive_features`.

    Returns
    -------
    FeatureMatrix
        ``values`` and ``known`` of shape (n_profiles, n_indicators).
    """
    w = windows or Windows()
    c = counts or CountThresholds()
    ordinal = as_of.toordinal()
    ids: list[str] = []
    rows: list[list[int]] = []
    masks: list[list[bool]] = []
    aces: list[tuple[int, int]] = []
    for profile in profiles:
        values, known, ace_present, ace_unknown = _derive(profile, ordinal, w, c, None)
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
    n = len(ids)
    # Rows hold only 0/1 and True/False: packing them as bytes is twice as fast as
    # np.array on a list of lists, which matters at batch scale.
    values = (
        np.frombuffer(bytes(chain.from_iterable(rows)), dtype=np.uint8)
        .reshape(n, _N)
        .astype(np.float32)
    )
    known = np.frombuffer(bytes(chain.from_iterable(masks)), dtype=np.bool_).reshape(n, _N).copy()
    ace = np.array(aces, dtype=np.int16).reshape(n, 2)
    return FeatureMatrix(
        ids=ids,
        as_of=as_of,
        values=values,
        known=known,
        ace_present=ace[:, 0].copy(),
        ace_unknown=ace[:, 1].copy(),
    )
