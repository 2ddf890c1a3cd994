"""Pydantic models of a young person's profile.

A profile holds what partner agencies know about one young person, as data:
tri-state factor observations with provenance, dated events, school attendance,
which agencies contributed, and audit-only demographics. Models hold data only;
the scoring code derives indicators from them in :mod:`efh_screen._features`
and never reads :attr:`Profile.audit`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._errors import FieldProblem, InputError, ProfileError, location_to_path
from ._factors import CIN_CODES, FACTOR_BY_EVENT, FACTORS, Agency, EventType

__all__ = [
    "SCHEMA_WORDS",
    "Accounts",
    "AttendanceRecord",
    "Audit",
    "Disability",
    "Ethnicity",
    "Event",
    "LabelledProfile",
    "Observation",
    "Profile",
    "Sex",
    "Status",
    "UnknownReason",
    "account_path",
    "check_as_of",
    "date_problems",
    "parse_profile",
    "problems_from_validation_error",
    "record_id",
]

if TYPE_CHECKING:
    FactorKey = str
    NotScoredCinCode = str
else:
    # Validated natively by pydantic-core; the catalogue is the one source of truth.
    FactorKey = Literal[tuple(FACTORS)]
    NotScoredCinCode = Literal[tuple(code for code, entry in CIN_CODES.items() if not entry.scored)]

_CONSISTENCY_ERROR = "profile_consistency"

_EVENTS_FOR_FACTOR: dict[str, tuple[EventType, ...]] = {}
for _event_type, _factor in FACTOR_BY_EVENT.items():
    _EVENTS_FOR_FACTOR[_factor.key] = (*_EVENTS_FOR_FACTOR.get(_factor.key, ()), _event_type)

_MODEL_CONFIG = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

Note = Annotated[str, Field(max_length=280)]
"""A short free-text note. Keep personal details out: use the case system for those."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Accept a date or ``YYYY-MM-DD`` text only: no timestamps, times or other spellings."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD")


def _whole_number_only(value: object) -> object:
    """Accept a JSON integer only (``true``, ``1.0`` and ``"1"`` are not whole numbers)."""
    if type(value) is int:
        return value
    raise PydanticCustomError("int_type", "must be a whole number")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
"""A calendar date, given as a date or as ``YYYY-MM-DD`` text and nothing else."""

SessionCount = Annotated[int, Field(strict=True, ge=0, le=1000)]
"""A whole number of school sessions, given as a JSON integer (never text or a float)."""

YesNo = Annotated[bool, Field(strict=True)]
"""``true`` or ``false`` only (never ``"yes"``, ``1`` or ``"false"``)."""

_ID_CHARACTER = r"[A-Za-z0-9_.:\-]"
_ID_MAX_LENGTH = 64
# The one definition of a pseudonymous id: the model's field and record_id both use it.
PseudonymousId = Annotated[
    str, Field(min_length=1, max_length=_ID_MAX_LENGTH, pattern=rf"^{_ID_CHARACTER}+$")
]


class Status(StrEnum):
    """Whether a factor is known to be present, known to be absent, or not known."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class UnknownReason(StrEnum):
    """Why an agency's account of a factor is ``unknown`` (a small fixed vocabulary).

    The reason is shown to the worker with the missing information; it never
    changes a score.
    """

    NOT_RECORDED = "not_recorded"
    NOT_SHARED = "not_shared"
    HISTORY_AWAITED = "history_awaited"
    CONSENT_DECLINED = "consent_declined"
    NOT_ASKED = "not_asked"

    @property
    def label(self) -> str:
        """Plain words for the reason."""
        return _REASON_LABELS[self]


_REASON_LABELS = {
    UnknownReason.NOT_RECORDED: "not recorded",
    UnknownReason.NOT_SHARED: "not shared",
    UnknownReason.HISTORY_AWAITED: "history awaited from a previous area",
    UnknownReason.CONSENT_DECLINED: "consent to share declined",
    UnknownReason.NOT_ASKED: "not asked",
}


class Ethnicity(StrEnum):
    """High-level ethnic groups (ONS / DfE major groups), for fairness audits only."""

    WHITE = "white"
    MIXED = "mixed"
    ASIAN = "asian"
    BLACK = "black"
    OTHER = "other"
    NOT_RECORDED = "not_recorded"


class Sex(StrEnum):
    """Recorded sex, for fairness audits only."""

    FEMALE = "female"
    MALE = "male"
    NOT_RECORDED = "not_recorded"


class Disability(StrEnum):
    """Whether a young person has a disability, as recorded; for fairness audits only.

    ``yes`` when recorded as disabled (e.g. under the Equality Act 2010
    definition), ``no`` when recorded as not disabled.
    """

    YES = "yes"
    NO = "no"
    NOT_RECORDED = "not_recorded"


class Observation(BaseModel):
    """One agency's account of a factor: its status, with where and when it came from.

    Parameters
    ----------
    status : Status
        ``present``, ``absent`` or ``unknown``. Unknown is not absent.
    source : Agency, optional
        The agency that recorded it.
    recorded : datetime.date, optional
        When it was recorded.
    note : str
        A short note (at most 280 characters, no personal details).
    reason : UnknownReason, optional
        For an ``unknown`` account only: why it is not known (e.g.
        ``history_awaited``). Shown with the missing information; never scored.
    """

    model_config = _MODEL_CONFIG

    status: Status
    source: Agency | None = None
    recorded: IsoDate | None = None
    note: Note = ""
    reason: UnknownReason | None = None


if TYPE_CHECKING:
    Accounts = tuple[Observation, ...]
else:
    # Validated natively as either form, object first (a Python call per factor, or a
    # "smart" union, would cost a batch a third of its parsing time); Profile's validator
    # turns a single observation into a tuple of one before anything reads it.
    Accounts = Annotated[Observation | tuple[Observation, ...], Field(union_mode="left_to_right")]
"""Every agency's account of one factor. A single observation object is read as a list of one
(and a single account is written as an object); an empty list is the same as leaving the
factor out."""


class Event(BaseModel):
    """A dated event, e.g. a suspension, a home move or a missing episode.

    Parameters
    ----------
    type : EventType
        What happened.
    date : datetime.date
        When it happened.
    source : Agency, optional
        The agency that recorded it.
    cross_borough : bool, optional
        For ``home_move`` only: whether the move crossed a borough boundary.
    note : str
        A short note (at most 280 characters, no personal details).
    """

    model_config = _MODEL_CONFIG

    type: EventType
    date: IsoDate
    source: Agency | None = None
    cross_borough: YesNo | None = None
    note: Note = ""


class AttendanceRecord(BaseModel):
    """School attendance over one period, in sessions (two sessions a school day).

    Parameters
    ----------
    start, end : datetime.date
        First and last day of the period.
    possible_sessions : int
        Sessions the child could have attended (0 or more).
    missed_sessions : int
        Sessions missed, authorised or not (0 to ``possible_sessions``).
    source : Agency
        The agency that recorded it, usually the school.
    """

    model_config = _MODEL_CONFIG

    start: IsoDate
    end: IsoDate
    possible_sessions: SessionCount
    missed_sessions: SessionCount
    source: Agency = Agency.SCHOOL


class Audit(BaseModel):
    """Audit-only demographics. Never scored; read only by the fairness tools.

    Parameters
    ----------
    ethnicity : Ethnicity, optional
        High-level ethnic group.
    sex : Sex, optional
        Recorded sex.
    disability : Disability, optional
        Whether the young person has a disability, as recorded. Audit only: a
        disability is never scored (developmental needs such as ADHD are
        factors in their own right, recorded by the agencies that hold them).
    other : dict of str to str
        Further audit attributes a partnership wants to examine (e.g.
        ``{"looked_after": "yes"}``). Keys are lower-case words. Never scored, whatever the
        key: to have care experience screened, record the factor ``care_experience``.
    """

    model_config = _MODEL_CONFIG

    ethnicity: Ethnicity | None = None
    sex: Sex | None = None
    disability: Disability | None = None
    other: dict[
        Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")],
        Annotated[str, Field(max_length=64)],
    ] = Field(default_factory=dict)


class Profile(BaseModel):
    """What partner agencies know about one young person.

    Parameters
    ----------
    id : str
        Pseudonymous id (letters, digits, ``_ . : -``; at most 64 characters).
        Never a name or any other personal identifier.
    date_of_birth : datetime.date
        Date of birth (used to check the profile is plausible; age is not scored).
    factors : dict of str to tuple of Observation
        Each agency's account of a factor, keyed by factor key (see
        ``efh-screen factors``). A single observation object is read as a list
        of one. A factor left out is unknown. The weightings' resolution rule
        turns the accounts into the status that is scored.
    events : tuple of Event
        Dated events.
    attendance : tuple of AttendanceRecord
        School attendance periods.
    agencies : tuple of Agency
        Agencies that contributed to this profile.
    audit : Audit, optional
        Audit-only demographics for the fairness tools; never scored.
    cin_codes_not_scored : tuple of str
        Children in Need census factor codes recorded for the child that the screen does
        not score (e.g. ``"21"``, no factors identified; ``"7A"``, young carer), kept so
        the review sees them. A code that records a catalogue factor is recorded as that
        factor instead (the CSV reader puts every code in its place); see
        ``efh-screen factors --cin``.
    """

    model_config = _MODEL_CONFIG

    id: PseudonymousId
    date_of_birth: IsoDate
    factors: dict[FactorKey, Accounts] = Field(default_factory=dict)
    events: tuple[Event, ...] = ()
    attendance: tuple[AttendanceRecord, ...] = ()
    agencies: tuple[Agency, ...] = ()
    audit: Audit | None = None
    cin_codes_not_scored: tuple[NotScoredCinCode, ...] = ()

    @field_serializer("factors", mode="wrap")
    def _write_accounts(
        self, factors: dict[str, Accounts], handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        # A single account is written as an object, so one-account profiles keep their form
        # (and files written before several accounts existed round-trip byte for byte).
        written: dict[str, Any] = handler(factors)
        return {key: value[0] if len(value) == 1 else value for key, value in written.items()}

    @model_validator(mode="after")
    def _check_consistency(self) -> Profile:
        reasons_given = False
        factors = self.factors
        for key, accounts in factors.items():
            written: object = accounts  # validated as an object or a tuple of them
            if isinstance(written, Observation):
                factors[key] = (written,)  # a single observation is a list of one
                reasons_given = reasons_given or written.reason is not None
            else:
                reasons_given = reasons_given or any(a.reason is not None for a in accounts)
        problems = _consistency_problems(self)
        if reasons_given:
            problems += _reason_problems(self)
        if problems:
            # Carried in the error context so each problem keeps its own field path.
            raise PydanticCustomError(
                _CONSISTENCY_ERROR,
                "profile is inconsistent",
                {"problems": [[problem.field, problem.reason] for problem in problems]},
            )
        return self


_PRESENT, _ABSENT, _UNKNOWN = Status.PRESENT, Status.ABSENT, Status.UNKNOWN
_HOME_MOVE = EventType.HOME_MOVE
# (factor key, event types that evidence it, evidence kind) for every factor that needs a
# cross-field check; precomputed because this runs for every record of a batch.
_CROSS_CHECKED: tuple[tuple[str, tuple[EventType, ...], str], ...] = tuple(
    (key, _EVENTS_FOR_FACTOR.get(key, ()), factor.evidence)
    for key, factor in FACTORS.items()
    if key in _EVENTS_FOR_FACTOR or factor.evidence == "attendance"
)


def _consistency_problems(profile: Profile) -> list[FieldProblem]:
    """List problems that need more than one field (independent of the screening date)."""
    problems = _attendance_problems(profile)
    problems += _event_problems(profile)
    if profile.factors:
        problems += _factor_evidence_problems(profile)
    return problems


def _attendance_problems(profile: Profile) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for i, period in enumerate(profile.attendance):
        if period.missed_sessions > period.possible_sessions:
            problems.append(
                FieldProblem(
                    f"attendance[{i}].missed_sessions",
                    f"missed sessions ({period.missed_sessions}) exceed possible sessions "
                    f"({period.possible_sessions}), i.e. attendance over 100%; check both counts",
                )
            )
        if period.end < period.start:
            problems.append(
                FieldProblem(f"attendance[{i}].end", "ends before it starts; swap start and end")
            )
    return problems


def _event_problems(profile: Profile) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    date_of_birth = profile.date_of_birth
    for i, event in enumerate(profile.events):
        if event.date < date_of_birth:
            problems.append(
                FieldProblem(
                    f"events[{i}].date",
                    "is before the date of birth; correct the event date or the date of birth",
                )
            )
        if event.cross_borough is not None and event.type is not _HOME_MOVE:
            problems.append(
                FieldProblem(
                    f"events[{i}].cross_borough",
                    "only applies to home_move events; remove it",
                )
            )
    return problems


def account_path(key: str, index: int, count: int, field: str) -> str:
    """Name one account's field: ``factors.KEY.FIELD``, or ``factors.KEY[i].FIELD`` of many."""
    if count == 1:
        return f"factors.{key}.{field}"
    return f"factors.{key}[{index}].{field}"


def _factor_evidence_problems(profile: Profile) -> list[FieldProblem]:
    """Accounts that contradict themselves or the events or attendance listed.

    Only factors evidenced by events or attendance need cross-field checks. An
    ``absent`` account contradicts the events only when the same agency (or no
    named agency) listed them: two agencies' different accounts are a conflict
    to show the worker, not an error.
    """
    problems: list[FieldProblem] = []
    factors = profile.factors
    event_types: set[EventType] | None = None
    # (This runs for every record of a batch: paths are only built for a problem found.)
    for key, evidencing, evidence in _CROSS_CHECKED:
        accounts = factors.get(key)
        if accounts is None:
            continue
        for index, observation in enumerate(accounts):
            status = observation.status
            if status is _UNKNOWN:
                continue
            if evidence == "attendance":
                if status is _PRESENT and not profile.attendance:
                    field = account_path(key, index, len(accounts), "status")
                    problems.append(FieldProblem(field, _PRESENT_WITHOUT_ATTENDANCE))
                continue
            if event_types is None:
                event_types = {event.type for event in profile.events}
            has_events = not event_types.isdisjoint(evidencing)
            if has_events if status is _ABSENT else (evidence == "events" and not has_events):
                problem = _event_contradiction(profile, observation, evidencing, has_events)
                if problem:
                    field = account_path(key, index, len(accounts), "status")
                    problems.append(FieldProblem(field, problem))
    return problems


def _event_contradiction(
    profile: Profile,
    observation: Observation,
    evidencing: tuple[EventType, ...],
    has_events: bool,
) -> str:
    """Why an account contradicts the events listed, or an empty string."""
    names = "/".join(event_type.value for event_type in evidencing)
    if observation.status is _ABSENT:
        if has_events and any(
            event.type in evidencing and event.source == observation.source
            for event in profile.events
        ):
            return (
                f"is 'absent' but '{names}' events are listed; remove the events or "
                "correct the observation"
            )
    elif not has_events:
        return (
            f"is 'present' but no '{names}' events are listed; add each one to "
            "events with its date, or mark the factor unknown"
        )
    return ""


def _reason_problems(profile: Profile) -> list[FieldProblem]:
    """Find reasons for not knowing on accounts that are not ``unknown``."""
    return [
        FieldProblem(
            account_path(key, index, len(accounts), "reason"),
            "only applies to an 'unknown' account; remove it or mark the account unknown",
        )
        for key, accounts in profile.factors.items()
        for index, observation in enumerate(accounts)
        if observation.reason is not None and observation.status is not _UNKNOWN
    ]


_PRESENT_WITHOUT_ATTENDANCE = (
    "is 'present' but no attendance records are listed; add the "
    "attendance periods (possible and missed sessions) instead"
)


def check_as_of(as_of: object) -> dt.date:
    """Return ``as_of`` if it is a calendar date; raise a plain error otherwise.

    A ``datetime`` is refused too: a screen is as of a day, and comparing a datetime with
    the profile's dates would fail part-way through a batch.

    Raises
    ------
    InputError
        If ``as_of`` is not a :class:`datetime.date` (or is a :class:`datetime.datetime`).
    """
    if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime):
        return as_of
    raise InputError(
        [
            FieldProblem(
                "as_of",
                "must be a datetime.date such as datetime.date(2026, 9, 1), not text or a "
                "datetime; on the command line use --as-of YYYY-MM-DD",
            )
        ]
    )


def date_problems(
    profile: Profile, as_of: dt.date, *, max_age_years: int = 25
) -> list[FieldProblem]:
    """List problems that depend on the screening date.

    Parameters
    ----------
    profile : Profile
        The profile to check.
    as_of : datetime.date
        The screening date.
    max_age_years : int
        Oldest plausible age (young people up to 25 are in scope of leaving-care
        and SEND duties).

    Returns
    -------
    list of FieldProblem
        Empty when the profile is plausible as of ``as_of``.
    """
    problems: list[FieldProblem] = []
    date_of_birth = profile.date_of_birth
    if date_of_birth > as_of:
        problems.append(
            FieldProblem(
                "date_of_birth",
                f"is after the screening date {as_of.isoformat()}; check the date of birth "
                "or the --as-of date",
            )
        )
    else:
        before_birthday = (as_of.month, as_of.day) < (date_of_birth.month, date_of_birth.day)
        age = as_of.year - date_of_birth.year - before_birthday
        if age > max_age_years:
            problems.append(
                FieldProblem(
                    "date_of_birth",
                    f"makes the young person {age} on {as_of.isoformat()}, older than "
                    f"{max_age_years}; check the date of birth (YYYY-MM-DD)",
                )
            )
    # Comprehensions first (the common case finds nothing), then one problem per finding.
    late_events = [i for i, event in enumerate(profile.events) if event.date > as_of]
    late_periods = [i for i, period in enumerate(profile.attendance) if period.start > as_of]
    late_records = [
        account_path(key, accounts.index(observation), len(accounts), "recorded")
        for key, accounts in profile.factors.items()
        for observation in accounts
        if (recorded := observation.recorded) is not None and recorded > as_of
    ]
    for i in late_events:
        problems.append(
            FieldProblem(
                f"events[{i}].date",
                f"is after the screening date {as_of.isoformat()}; an event cannot be "
                "screened before it happens: check the date or the --as-of date",
            )
        )
    for i in late_periods:
        problems.append(
            FieldProblem(
                f"attendance[{i}].start",
                f"is after the screening date {as_of.isoformat()}; check the period",
            )
        )
    for path in late_records:
        problems.append(
            FieldProblem(
                path,
                f"is after the screening date {as_of.isoformat()}; check the date",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Turning pydantic's errors into plain ones that name the field and say how to fix it.

_FIXES: dict[str, str] = {
    "missing": "is required; add it",
    "extra_forbidden": "is not a recognised field; remove it or check its spelling against "
    "the Profile schema (efh-screen schema)",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_type": "must be a date written YYYY-MM-DD",
    "iso_date": "must be a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time, written YYYY-MM-DD",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "greater_than_equal": "must not be negative",
    "less_than_equal": "is implausibly large; check the count",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "string_too_long": "is too long; keep notes short and free of personal details",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "has characters that are not allowed; use letters, digits and "
    "_ . : - only",
    "model_type": "must be an object with named fields",
    "factor_accounts_type": "must be an observation object, or a list of them (one per agency)",
    "model_attributes_type": "must be an object with named fields",
    "dict_type": "must be an object mapping keys to values",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "json_invalid": "is not valid JSON; check quotes, commas and brackets",
    "json_type": "must be JSON text",
}


_ID_FIXES = {
    "string_too_long": "is too long; a pseudonymous id has at most 64 characters",
}
_AUDIT_OTHER_FIXES = {
    "string_pattern_mismatch": "must be a lower-case word: a letter a-z, then a-z, 0-9 or _, "
    "at most 40 characters",
    "string_too_long": "is too long; an audit value has at most 64 characters",
}


def _field_fix(kind: str, path: str) -> str | None:
    """Return the fix for a field whose rule differs from the generic one (ids, audit)."""
    if path in ("id", "profile.id"):
        return _ID_FIXES.get(kind)
    if path.startswith(("audit.other", "profile.audit.other")):
        return _AUDIT_OTHER_FIXES.get(kind)
    return None


def _known_words() -> frozenset[str]:
    """Every key a profile may hold: model field names and catalogue factor keys."""
    words: set[str] = set(FACTORS)
    for model in (Observation, Event, AttendanceRecord, Audit, Profile, LabelledProfile):
        words.update(model.model_fields)
    return frozenset(words)


def _child(node: object, part: object) -> object:
    """Return the value at ``part`` in ``node`` (a mapping's key or a list's index), if any."""
    if isinstance(node, Mapping) and part in node:
        return node[part]
    if isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _position(node: object, key: object) -> int | None:
    """Return the position (from 1) of ``key`` among the keys of the mapping ``node``."""
    if isinstance(node, Mapping):
        for position, candidate in enumerate(node, start=1):
            if candidate == key:
                return position
    return None


def _safe_location(location: tuple[Any, ...], data: object) -> tuple[Any, ...]:
    """Replace every key that is not a schema word by its position: never echo its text.

    A number is kept only where it indexes a list; a number used as a key (an NHS number,
    say) is a key like any other.
    """
    safe: list[Any] = []
    node = data
    for part in location:
        is_index = isinstance(part, int) and (node is None or isinstance(node, list | tuple))
        if is_index or part == "[key]" or (isinstance(part, str) and part in SCHEMA_WORDS):
            safe.append(part)
        else:
            position = _position(node, part)
            safe.append(f"(key {position})" if position is not None else "(unrecognised key)")
        node = _child(node, part)
    return tuple(safe)


def _problem_from_pydantic(error: Mapping[str, Any], data: object) -> FieldProblem:
    location = tuple(error.get("loc", ()))
    kind = str(error.get("type", ""))
    if len(location) >= 3 and location[-1] == "[key]" and location[0] == "factors":
        safe = _safe_location(location[:-1], data)
        return FieldProblem(
            location_to_path(safe),
            "is not a factor key; run 'efh-screen factors' to list valid keys",
        )
    safe = _safe_location(location, data)
    path = location_to_path(tuple(part for part in safe if part != "[key]"))
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return FieldProblem(path, f"is not an allowed value; use one of {expected}")
    reason = _field_fix(kind, path) or _FIXES.get(kind)
    if reason is None:
        reason = str(error.get("msg", "is not valid")).rstrip(".").lower()
        reason = f"{reason}; check the value against the Profile schema"
    return FieldProblem(path, reason)


# A factor's accounts are one observation object or a list of them: pydantic reports an
# error under each form it tried, named by these tags in the error location.
_ONE_ACCOUNT, _SEVERAL_ACCOUNTS = "Observation", "tuple[Observation, ...]"
_FORM_MISMATCH = {(_ONE_ACCOUNT, "model_type"), (_SEVERAL_ACCOUNTS, "tuple_type")}


def _without_account_forms(errors: list[Any]) -> list[Any]:
    """Keep the errors of the form the input was written in, named as written.

    A factor given as an object reports ``factors.KEY.FIELD``; as a list,
    ``factors.KEY[i].FIELD``. A value that is neither gets one plain error.
    """
    kept: list[Any] = []
    mismatched: dict[tuple[Any, ...], int] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if len(loc) < 3 or loc[0] != "factors" or loc[2] not in (_ONE_ACCOUNT, _SEVERAL_ACCOUNTS):
            kept.append(error)
        elif (loc[2], error.get("type")) in _FORM_MISMATCH and len(loc) == 3:
            mismatched[loc[:2]] = mismatched.get(loc[:2], 0) + 1
        else:
            kept.append({**error, "loc": (*loc[:2], *loc[3:])})
    for loc, count in mismatched.items():
        if count == 2:  # neither form: say what is expected
            kept.append({"loc": loc, "type": "factor_accounts_type", "msg": ""})
    return kept


def problems_from_validation_error(exc: ValidationError, data: object = None) -> list[FieldProblem]:
    """Translate a pydantic error into field problems without echoing values or unknown keys.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised while validating a profile.
    data : object, optional
        The input as parsed (a mapping), used to describe an unrecognised key by its
        position in its object ("(key 3)"); without it such a key reads
        "(unrecognised key)". Its text is never repeated.

    Returns
    -------
    list of FieldProblem
        One or more problems. Field paths hold schema words, list indices and key
        positions only; values are never echoed (they may be personal).
    """
    problems: list[FieldProblem] = []
    for error in _without_account_forms(exc.errors(include_url=False, include_input=False)):
        if error.get("type") == _CONSISTENCY_ERROR:
            prefix = location_to_path(_safe_location(tuple(error.get("loc", ())), data))
            prefix = "" if prefix == "(record)" else prefix + "."
            for field, reason in error.get("ctx", {}).get("problems", []):
                problems.append(FieldProblem(prefix + field, reason))
        else:
            problems.append(_problem_from_pydantic(error, data))
    return problems


_ID_PATTERN = re.compile(rf"^{_ID_CHARACTER}{{1,{_ID_MAX_LENGTH}}}$")


def record_id(data: object) -> str | None:
    """Return the record's id if it is a valid pseudonymous id, else None.

    Only a well-formed id is ever repeated in an error message; anything else
    could be personal data (a name typed into the id field).
    """
    if isinstance(data, Mapping):
        value = data.get("id")
        if isinstance(value, str) and _ID_PATTERN.match(value):
            return value
    return None


def parse_profile(data: Mapping[str, Any] | str | bytes) -> Profile:
    """Validate one profile, raising a plain error that names each bad field.

    Parameters
    ----------
    data : mapping, str or bytes
        A profile as a dict, or as JSON text.

    Returns
    -------
    Profile
        The validated, frozen profile.

    Raises
    ------
    ProfileError
        If the profile is malformed or impossible; ``.problems`` lists each
        field with the reason and the fix.

    Examples
    --------
    >>> from efh_screen import parse_profile
    >>> p = parse_profile({"id": "YP-1", "date_of_birth": "2011-04-02"})
    >>> p.factors
    {}
    """
    try:
        if isinstance(data, str | bytes):
            return Profile.model_validate_json(data)
        return Profile.model_validate(data)
    except ValidationError as exc:
        parsed = _parsed_for_errors(data)
        raise ProfileError(
            problems_from_validation_error(exc, parsed), record_id=record_id(parsed)
        ) from None


def _parsed_for_errors(data: Mapping[str, Any] | str | bytes) -> object:
    """Return the input as a mapping, to word errors by key position (None if not JSON)."""
    if not isinstance(data, str | bytes):
        return data
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


class LabelledProfile(BaseModel):
    """A profile with a known outcome, one line of a labelled cohort file.

    Parameters
    ----------
    profile : Profile
        The young person's profile as of the screening date.
    outcome : {0, 1}
        1 when a serious youth violence or exploitation concern was recorded in
        the follow-up period after the screening date, else 0.
    """

    model_config = _MODEL_CONFIG

    profile: Profile
    outcome: Annotated[Literal[0, 1], BeforeValidator(_whole_number_only)]


SCHEMA_WORDS = _known_words()
"""Every key a profile may hold; any other key is described by its position, never its text."""
