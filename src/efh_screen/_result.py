"""The result of screening one profile: plain, frozen models.

Scoring lives in :mod:`efh_screen._scoring`; these models only hold what it found.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from ._factors import Agency
from ._profile import Status, UnknownReason
from ._weights import WeightsStamp

__all__ = [
    "NEEDS_CAP_KEY",
    "PROTECTIVE_CAP_KEY",
    "REVIEW_NOTICE",
    "Account",
    "AceCount",
    "AgencyFactors",
    "AgencyGap",
    "BandRange",
    "Contribution",
    "Coverage",
    "Evidence",
    "FactorAccounts",
    "JigsawView",
    "MissingInformation",
    "ScoreRange",
    "ScreeningResult",
    "TriggeredOverride",
]

REVIEW_NOTICE = (
    "A flag is a prompt for an early-help review by a person, not a decision about a child."
)
"""Shown on every result, card, list and page."""

PROTECTIVE_CAP_KEY = "protective_cap"
"""Contribution key of the points the protective cap adds back."""

NEEDS_CAP_KEY = "needs_cap"
"""Contribution key of the points the needs cap takes off (a negative number)."""

_CONFIG = ConfigDict(frozen=True, extra="forbid")


class Evidence(BaseModel):
    """Where a point came from: the agency, the date and a short note."""

    model_config = _CONFIG

    source: Agency | None
    date: dt.date | None
    note: str


class Contribution(BaseModel):
    """Points from one indicator (or the needs or protective cap), with the evidence behind them."""

    model_config = _CONFIG

    indicator: str
    factor: str
    label: str
    points: int
    evidence: tuple[Evidence, ...] = ()


class ScoreRange(BaseModel):
    """Lowest and highest score the unknowns allow."""

    model_config = _CONFIG

    low: int
    high: int


class Coverage(BaseModel):
    """How much of what the screen weighs is known, under the weightings' coverage rule.

    ``known_points`` of ``total_points`` (the risk points whose indicators are known,
    of all the risk points the weightings can give); ``enough`` is False when they
    fall short of ``min_known_percent``. A case that is not flagged is then "not
    enough known to screen" rather than "no concern indicated".
    """

    model_config = _CONFIG

    known_points: int
    total_points: int
    known_percent: int
    """``known_points`` as a whole percentage of ``total_points``, rounded down."""
    min_known_percent: int
    enough: bool


class BandRange(BaseModel):
    """Lowest and highest band the unknowns allow (band keys)."""

    model_config = _CONFIG

    low: str
    high: str


class AceCount(BaseModel):
    """ACE categories recorded present, and the most there could be."""

    model_config = _CONFIG

    known: int
    max: int


class TriggeredOverride(BaseModel):
    """An override rule that put the case into at least a band."""

    model_config = _CONFIG

    indicator: str
    label: str
    band: str
    reason: str


class MissingInformation(BaseModel):
    """Information that is unknown and could move the score.

    ``max_change`` is how far knowing it could move the score (positive for risk
    information, negative for protective); ``could_change_flag`` says whether
    knowing it alone could change the flag.
    """

    model_config = _CONFIG

    key: str
    label: str
    indicators: tuple[str, ...]
    max_change: int
    could_change_flag: bool
    agencies: tuple[Agency, ...]
    reasons: tuple[str, ...] = ()
    """Why it is not known, as the agencies said (e.g. "Housing: history awaited from a
    previous area"). Never scored."""


class AgencyGap(BaseModel):
    """Missing information an agency could supply."""

    model_config = _CONFIG

    agency: Agency
    label: str
    items: tuple[str, ...]
    points_at_stake: int


class Account(BaseModel):
    """One agency's account of a factor, as shown to the worker.

    ``events`` counts the dated events the agency listed that evidence the factor
    (for events factors an agency's events are its account even with no
    observation); ``recorded`` is then the latest event's date.
    """

    model_config = _CONFIG

    agency: Agency | None
    status: Status
    recorded: dt.date | None = None
    note: str = ""
    reason: UnknownReason | None = None
    events: int = 0


class FactorAccounts(BaseModel):
    """Every account of one factor, the status that was scored, and any conflict.

    ``summary`` reads like "Police: weapon-related incident 2021-09; GP: no record".
    A conflict is one agency recording the factor present while another records
    it absent.
    """

    model_config = _CONFIG

    factor: str
    label: str
    status: Status
    accounts: tuple[Account, ...]
    conflict: bool
    summary: str


class AgencyFactors(BaseModel):
    """The factors one agency gave a known account of (present or absent, or events)."""

    model_config = _CONFIG

    agency: Agency
    label: str
    factors: tuple[str, ...]


class JigsawView(BaseModel):
    """Who knows what about one young person.

    Attributes
    ----------
    agencies : tuple of Agency
        Agencies that contributed to the profile.
    held_by : tuple of AgencyFactors
        Which agency holds which factor.
    known_to_one_agency : tuple of str
        Factors only one agency knows.
    unknown_to_all : tuple of str
        Catalogue factors no agency knows.
    conflicts : tuple of str
        Factors on which agencies disagree (see :attr:`ScreeningResult.accounts`).
    """

    model_config = _CONFIG

    agencies: tuple[Agency, ...]
    held_by: tuple[AgencyFactors, ...]
    known_to_one_agency: tuple[str, ...]
    unknown_to_all: tuple[str, ...]
    conflicts: tuple[str, ...]


class ScreeningResult(BaseModel):
    """The result of screening one profile as of a date.

    Attributes
    ----------
    id : str
        The profile's pseudonymous id.
    as_of : datetime.date
        The screening date.
    score : int
        Points, with unknowns counted as not present.
    score_range : ScoreRange
        Lowest and highest score the unknowns allow.
    band, band_label : str
        Band key and plain words; for a case that is not flagged and of which not
        enough is known, the coverage rule's key and label instead (e.g.
        ``not_enough_known``, "not enough known to screen").
    band_range : BandRange
        Lowest and highest score band the unknowns allow.
    flag : bool
        Whether the case is flagged for an early-help review by a person.
    flag_could_change : bool
        Whether the flag could change once the unknowns are known.
    coverage : Coverage, optional
        How much of what the screen weighs is known; None when the weightings
        have no coverage rule.
    overrides : tuple of TriggeredOverride
        Override rules triggered.
    ace_count : AceCount
        ACE categories known present, and the most there could be.
    contributions : tuple of Contribution
        Every point, with evidence, and the needs and protective caps where they
        bite; they sum exactly to ``score``.
    protective_factors : tuple of str
        Protective factors recognised (indicator keys).
    missing_information : tuple of MissingInformation
        Unknowns that could move the score, most important first.
    missing_by_agency : tuple of AgencyGap
        The same, grouped by the agency that could supply it. ``points_at_stake``
        adds up the items' ``max_change`` magnitudes, so it ranks agencies; it is
        not a change the score could make (items can overlap, e.g. an unknown ACE
        and the ACE count).
    accounts : tuple of FactorAccounts
        Every agency's account of every factor the profile holds, with the status
        that was scored and any conflict between agencies.
    jigsaw : JigsawView, optional
        Which agency holds which factor, which no agency knows, which are in conflict.
    cin_codes_not_scored : tuple of str
        Children in Need census codes recorded for the child that the screen does not
        score (e.g. ``"21"``, no factors identified), so the review sees them.
    weights : WeightsStamp
        Name, version, status and SHA-256 of the weightings used.
    library_version : str
        efh_screen version.
    notice : str
        A flag is a prompt for review, not a decision; and how far the weightings
        can be relied on.
    """

    model_config = _CONFIG

    id: str
    as_of: dt.date
    score: int
    score_range: ScoreRange
    band: str
    band_label: str
    band_range: BandRange
    flag: bool
    flag_could_change: bool
    coverage: Coverage | None = None
    overrides: tuple[TriggeredOverride, ...]
    ace_count: AceCount
    contributions: tuple[Contribution, ...]
    protective_factors: tuple[str, ...]
    missing_information: tuple[MissingInformation, ...]
    missing_by_agency: tuple[AgencyGap, ...]
    accounts: tuple[FactorAccounts, ...] = ()
    jigsaw: JigsawView | None = None
    cin_codes_not_scored: tuple[str, ...] = ()
    weights: WeightsStamp
    library_version: str
    notice: str = REVIEW_NOTICE
