"""The jigsaw view of one profile: every agency's account, conflicts, and who knows what.

For each factor the profile holds, the view lists every account (an observation,
or for events factors the dated events an agency listed), the status the
resolution rule scored, and whether agencies disagree: one records the factor
present (or lists events of it) while another records it absent. It also says
which agency holds which factor, which factors no agency knows, and why an
unknown is unknown ("history awaited from a previous area"). None of this
changes a score; the score comes from :mod:`efh_screen._features`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ._factors import FACTOR_BY_EVENT, FACTORS, Agency, EventType
from ._profile import Event, Observation, Profile, Status
from ._resolution import ResolutionRule, can_vouch_absent, resolved_statuses
from ._result import REVIEW_NOTICE, Account, AgencyFactors, FactorAccounts, JigsawView

__all__ = [
    "AgencyPairCount",
    "CohortJigsaw",
    "CohortTally",
    "ExtractLines",
    "FactorCount",
    "ProfileJigsaw",
    "cohort_html",
    "profile_jigsaw",
]

_PRESENT, _ABSENT, _UNKNOWN = Status.PRESENT, Status.ABSENT, Status.UNKNOWN
# The event types that evidence each factor (a domestic abuse incident evidences the ACE too,
# an emergency department attendance for an assault being a victim of violence).
_EVENT_TYPES: dict[str, frozenset[EventType]] = {
    key: frozenset(event for event, factor in FACTOR_BY_EVENT.items() if factor.key == key)
    for key in dict.fromkeys(factor.key for factor in FACTOR_BY_EVENT.values())
}
_SOURCE_NOT_RECORDED = "Source not recorded"


@dataclass(frozen=True, slots=True)
class ProfileJigsaw:
    """Accounts, the jigsaw view and unknown reasons of one profile.

    Attributes
    ----------
    accounts : tuple of FactorAccounts
        Every factor the profile holds an account (or events) of, in catalogue order.
    view : JigsawView
        Who knows what.
    reasons : dict of str to tuple of str
        For each factor, why agencies said it is not known, in plain words.
    """

    accounts: tuple[FactorAccounts, ...]
    view: JigsawView
    reasons: dict[str, tuple[str, ...]]


def _agency_label(agency: Agency | None) -> str:
    return agency.label if agency is not None else _SOURCE_NOT_RECORDED


def _month(date: dt.date | None) -> str:
    return f" {date.year:04d}-{date.month:02d}" if date is not None else ""


def _event_accounts(key: str, events: Iterable[Event]) -> list[Account]:
    """One account per agency that listed events evidencing the factor."""
    types = _EVENT_TYPES.get(key)
    if not types:
        return []
    by_agency: dict[Agency | None, list[Event]] = {}
    for event in events:
        if event.type in types:
            by_agency.setdefault(event.source, []).append(event)
    accounts: list[Account] = []
    for agency, listed in by_agency.items():
        latest = max(listed, key=lambda event: event.date)
        note = latest.note or latest.type.value.replace("_", " ")
        accounts.append(
            Account(
                agency=agency,
                status=_PRESENT,
                recorded=latest.date,
                note=note,
                events=len(listed),
            )
        )
    return accounts


def _observation_account(observation: Observation) -> Account:
    return Account(
        agency=observation.source,
        status=observation.status,
        recorded=observation.recorded,
        note=observation.note,
        reason=observation.reason,
    )


def _account_text(account: Account) -> str:
    label = _agency_label(account.agency)
    if account.status is _PRESENT:
        what = account.note or "recorded present"
        count = f" ({account.events} events, latest shown)" if account.events > 1 else ""
        return f"{label}: {what}{_month(account.recorded)}{count}"
    if account.status is _ABSENT:
        return f"{label}: {account.note or 'no record'}"
    why = account.reason.label if account.reason is not None else account.note or "not known"
    return f"{label}: {why}"


def _factor_accounts(key: str, accounts: list[Account], status: Status) -> FactorAccounts:
    present = {account.agency for account in accounts if account.status is _PRESENT}
    absent = {account.agency for account in accounts if account.status is _ABSENT}
    order = {_PRESENT: 0, _ABSENT: 1, _UNKNOWN: 2}
    # One line per agency and status, its dated events first: an agency's observation and
    # its events usually say the same thing.
    ranked = sorted(accounts, key=lambda account: (order[account.status], not account.events))
    shown: dict[tuple[Agency | None, Status], Account] = {}
    for account in ranked:
        shown.setdefault((account.agency, account.status), account)
    return FactorAccounts(
        factor=key,
        label=FACTORS[key].label,
        status=status,
        accounts=tuple(accounts),
        conflict=bool(present) and bool(absent),
        summary="; ".join(_account_text(account) for account in shown.values()),
    )


def _status_with_events(status: Status | None, accounts: list[Account]) -> Status:
    """Events are evidence of presence whatever the observations say (as the features read them)."""
    if any(account.events for account in accounts):
        return _PRESENT
    return status if status is not None else _UNKNOWN


def profile_jigsaw(profile: Profile, rule: ResolutionRule) -> ProfileJigsaw:
    """Assemble the jigsaw view of one profile.

    Parameters
    ----------
    profile : Profile
        A validated profile.
    rule : ResolutionRule
        The weightings' resolution rule (the status each factor scored with).

    Returns
    -------
    ProfileJigsaw
        Every account with conflicts marked, who knows what, and unknown reasons.
    """
    statuses = resolved_statuses(profile.factors, rule)
    listed: list[FactorAccounts] = []
    reasons: dict[str, tuple[str, ...]] = {}
    for key in FACTORS:
        observations = profile.factors.get(key, ())
        accounts = [_observation_account(item) for item in observations]
        accounts += _event_accounts(key, profile.events)
        if not accounts:
            continue
        status = _status_with_events(statuses.get(key), accounts)
        listed.append(_factor_accounts(key, accounts, status))
        why = tuple(_account_text(account) for account in accounts if account.reason is not None)
        if why:
            reasons[key] = why
    return ProfileJigsaw(tuple(listed), _view(profile, listed, rule), reasons)


def _view(profile: Profile, listed: list[FactorAccounts], rule: ResolutionRule) -> JigsawView:
    """Say who knows what.

    An account the rule can score (present, events, or an absent it accepts from that
    agency) is knowing; an absent the rule does not accept from that agency is not.
    """
    known_by: dict[str, dict[Agency | None, None]] = {}
    for item in listed:
        for account in item.accounts:
            absent_not_accepted = (
                account.status is _ABSENT
                and not account.events
                and not (can_vouch_absent(item.factor, account.agency, rule))
            )
            if account.status is not _UNKNOWN and not absent_not_accepted:
                known_by.setdefault(item.factor, {})[account.agency] = None
    for period in profile.attendance:  # attendance records are their holder's account
        known_by.setdefault("school_attendance", {})[period.source] = None
    held: dict[Agency, list[str]] = {}
    for key in FACTORS:
        for agency in known_by.get(key, ()):
            if agency is not None:
                held.setdefault(agency, []).append(key)
    order = list(Agency)
    return JigsawView(
        agencies=profile.agencies,
        held_by=tuple(
            AgencyFactors(agency=agency, label=agency.label, factors=tuple(factors))
            for agency, factors in sorted(held.items(), key=lambda pair: order.index(pair[0]))
        ),
        known_to_one_agency=tuple(key for key in FACTORS if len(known_by.get(key, ())) == 1),
        unknown_to_all=tuple(key for key in FACTORS if key not in known_by),
        conflicts=tuple(item.factor for item in listed if item.conflict),
    )


# ---------------------------------------------------------------------------------------------
# The cohort's jigsaw: who knows what across many children.


class FactorCount(NamedTuple):
    """How many children a finding holds for, for one factor."""

    factor: str
    label: str
    children: int


class AgencyPairCount(NamedTuple):
    """How often two agencies disagree (one records a factor present, the other absent)."""

    first: Agency | None
    second: Agency | None
    disagreements: int


class ExtractLines(NamedTuple):
    """Where one extract's lines went, for the cohort page."""

    name: str
    lines: int
    assembled: int
    rejected: int
    set_aside: int


@dataclass(frozen=True, slots=True)
class CohortJigsaw:
    """Who knows what across a cohort.

    Attributes
    ----------
    children : int
        Children counted.
    children_with_single_agency_factor : int
        Children with at least one factor known to one agency alone.
    known_to_one_agency : tuple of FactorCount
        Per factor, children for whom only one agency knows it (most first).
    unknown_to_all : tuple of FactorCount
        Per factor, children for whom no agency knows it (most first).
    conflicts : tuple of FactorCount
        Per factor, children on whom agencies disagree (most first).
    disagreeing_pairs : tuple of AgencyPairCount
        Agency pairs by how often they disagree (most first).
    """

    children: int
    children_with_single_agency_factor: int
    known_to_one_agency: tuple[FactorCount, ...]
    unknown_to_all: tuple[FactorCount, ...]
    conflicts: tuple[FactorCount, ...]
    disagreeing_pairs: tuple[AgencyPairCount, ...]


_AGENCY_ORDER = {agency: index for index, agency in enumerate(Agency)}


def _agency_rank(agency: Agency | None) -> int:
    return _AGENCY_ORDER[agency] if agency is not None else len(_AGENCY_ORDER)


class CohortTally:
    """Counts who knows what, one child at a time (memory: one counter per factor and pair).

    Parameters
    ----------
    rule : ResolutionRule
        The resolution rule, for the status each factor scores with.
    """

    def __init__(self, rule: ResolutionRule) -> None:
        self.rule = rule
        self.children = 0
        self.with_single = 0
        self.single: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.conflicts: Counter[str] = Counter()
        self.pairs: Counter[tuple[Agency | None, Agency | None]] = Counter()

    def add(self, profile: Profile) -> None:
        """Count one child."""
        jigsaw = profile_jigsaw(profile, self.rule)
        view = jigsaw.view
        self.children += 1
        self.with_single += bool(view.known_to_one_agency)
        self.single.update(view.known_to_one_agency)
        self.unknown.update(view.unknown_to_all)
        self.conflicts.update(view.conflicts)
        for item in jigsaw.accounts:
            if item.conflict:
                self.pairs.update(_pairs(item))

    def result(self) -> CohortJigsaw:
        """Return the cohort's jigsaw so far."""
        return CohortJigsaw(
            children=self.children,
            children_with_single_agency_factor=self.with_single,
            known_to_one_agency=_ranked(self.single),
            unknown_to_all=_ranked(self.unknown),
            conflicts=_ranked(self.conflicts),
            disagreeing_pairs=tuple(
                AgencyPairCount(first, second, count)
                for (first, second), count in sorted(
                    self.pairs.items(),
                    key=lambda pair: (-pair[1], _agency_rank(pair[0][0]), _agency_rank(pair[0][1])),
                )
            ),
        )


def _pairs(item: FactorAccounts) -> set[tuple[Agency | None, Agency | None]]:
    present = {account.agency for account in item.accounts if account.status is _PRESENT}
    absent = {account.agency for account in item.accounts if account.status is _ABSENT}
    return {
        (first, second) if _agency_rank(first) <= _agency_rank(second) else (second, first)
        for first in present
        for second in absent
        if first != second
    }


def _ranked(counter: Counter[str]) -> tuple[FactorCount, ...]:
    order = {key: index for index, key in enumerate(FACTORS)}
    return tuple(
        FactorCount(key, FACTORS[key].label, count)
        for key, count in sorted(counter.items(), key=lambda item: (-item[1], order[item[0]]))
    )


_PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#111}table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid "
    "#999;padding:0.25rem 0.5rem;text-align:left}td.n{text-align:right}.notice{font-weight:600}"
)


def _table(headings: Sequence[str], rows: Iterable[Sequence[object]], *, table_id: str) -> str:
    head = "".join(f"<th>{html.escape(text)}</th>" for text in headings)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='n'>{cell}</td>"
            if isinstance(cell, int)
            else f"<td>{html.escape(str(cell))}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table id='{table_id}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cohort_html(cohort: CohortJigsaw, extracts: Sequence[ExtractLines]) -> str:
    """Render the cohort's jigsaw as a self-contained HTML page (no external assets).

    Parameters
    ----------
    cohort : CohortJigsaw
        Who knows what across the cohort.
    extracts : sequence of ExtractLines
        Where each extract's lines went.

    Returns
    -------
    str
        The page.
    """
    pairs = [
        (_agency_label(pair.first), _agency_label(pair.second), pair.disagreements)
        for pair in cohort.disagreeing_pairs
    ]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>The jigsaw: who knows what</title>",
        f"<style>{_PAGE_STYLE}</style></head><body>",
        "<h1>The jigsaw: who knows what</h1>",
        f"<p id='children'>{cohort.children} children assembled; "
        f"{cohort.children_with_single_agency_factor} have at least one factor known to one "
        "agency alone.</p>",
        "<h2>Extracts</h2>",
        _table(
            ("extract", "lines", "assembled", "rejected", "set aside"),
            [tuple(item) for item in extracts],
            table_id="extracts",
        ),
        "<h2>Factors known to one agency alone</h2>",
        _table(
            ("factor", "children"),
            [(i.label, i.children) for i in cohort.known_to_one_agency],
            table_id="single",
        ),
        "<h2>Agencies that most often disagree</h2>",
        _table(("agency", "agency", "disagreements"), pairs, table_id="pairs"),
        "<h2>Factors on which agencies disagree</h2>",
        _table(
            ("factor", "children"),
            [(i.label, i.children) for i in cohort.conflicts],
            table_id="conflicts",
        ),
        "<h2>Factors no agency knows</h2>",
        _table(
            ("factor", "children"),
            [(i.label, i.children) for i in cohort.unknown_to_all],
            table_id="unknown",
        ),
        f"<p class='notice'>{html.escape(REVIEW_NOTICE)}</p>",
        "</body></html>\n",
    ]
    return "".join(parts)
