"""Shared Hypothesis strategies for profiles, weights and screening dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from efh_screen import (
    FACTOR_BY_EVENT,
    FACTORS,
    Agency,
    Domain,
    EventType,
    Profile,
    UnknownReason,
    Weapon,
    Weights,
)

AS_OF = dt.date(2026, 9, 1)
STATUSES = ("present", "absent", "unknown")
REASONS = [reason.value for reason in UnknownReason]
AGENCIES = [a.value for a in Agency]
EVENT_TYPES = [e.value for e in EventType]
# The factor each event type evidences, from the public catalogue (see docs/factors.md).
EVENT_FACTOR = {event.value: factor.key for event, factor in FACTOR_BY_EVENT.items()}
assert set(EVENT_FACTOR) == set(EVENT_TYPES), "every event type evidences one factor"
# The event types that may say which weapon was used, and whether the child was seriously
# injured (docs/batch.md); None is "not recorded".
WEAPON_EVENTS = {"violence_victim", "weapon_incident", "emergency_department_assault"}
INJURY_EVENTS = {"violence_victim", "weapon_incident"}
WEAPONS = [None, *(weapon.value for weapon in Weapon)]


@st.composite
def violence_details(draw: st.DrawFn, event_type: str) -> dict[str, Any]:
    """The optional weapon and serious-injury details a violent event of this type may carry."""
    details: dict[str, Any] = {}
    if event_type in WEAPON_EVENTS:
        weapon = draw(st.sampled_from(WEAPONS))
        if weapon == "none" and event_type == "weapon_incident":
            weapon = None
        if weapon is not None:
            details["weapon"] = weapon
    if event_type in INJURY_EVENTS:
        injury = draw(st.sampled_from([True, False, None]))
        if injury is not None:
            details["serious_injury"] = injury
    return details


@st.composite
def further_accounts(draw: st.DrawFn, key: str, *, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Another agency's account of a factor, consistent with the events listed."""
    status = draw(st.sampled_from(STATUSES))
    source = draw(st.sampled_from(AGENCIES))
    own_events = any(
        EVENT_FACTOR[event["type"]] == key and event.get("source") == source for event in events
    )
    listed = any(EVENT_FACTOR[event["type"]] == key for event in events)
    if status == "absent" and own_events:
        status = "unknown"
    if status == "present" and FACTORS[key].evidence == "events" and not listed:
        status = "absent"
    account: dict[str, Any] = {"status": status, "source": source}
    if status == "unknown" and draw(st.booleans()):
        account["reason"] = draw(st.sampled_from(REASONS))
    return account


@st.composite
def profile_dicts(
    draw: st.DrawFn, *, as_of: dt.date = AS_OF, max_events: int = 12, max_extra_accounts: int = 2
) -> dict[str, Any]:
    """A valid profile as a dict, plausible as of ``as_of``; some factors have several accounts."""
    age_days = draw(st.integers(min_value=8 * 365, max_value=18 * 365))
    dob = as_of - dt.timedelta(days=age_days)
    events: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, max_events))):
        etype = draw(st.sampled_from(EVENT_TYPES))
        back = draw(st.integers(0, min(age_days, 5 * 365)))
        event: dict[str, Any] = {
            "type": etype,
            "date": (as_of - dt.timedelta(days=back)).isoformat(),
        }
        if draw(st.booleans()):
            event["source"] = draw(st.sampled_from(AGENCIES))
        if etype == "home_move":
            event["cross_borough"] = draw(st.sampled_from([True, False, None]))
        event.update(draw(violence_details(etype)))
        events.append(event)
    event_factors = {EVENT_FACTOR[e["type"]] for e in events}
    factors: dict[str, Any] = {}
    keys = draw(st.lists(st.sampled_from(list(FACTORS)), unique=True, max_size=len(FACTORS)))
    for key in keys:
        factor = FACTORS[key]
        status = draw(st.sampled_from(STATUSES))
        if key in event_factors and status == "absent":
            status = "present"
        if factor.evidence == "events" and key not in event_factors and status == "present":
            status = "absent"
        obs: dict[str, Any] = {"status": status}
        if draw(st.booleans()):
            obs["source"] = draw(st.sampled_from(AGENCIES))
            obs["recorded"] = (as_of - dt.timedelta(days=draw(st.integers(0, 1000)))).isoformat()
        extra = [
            draw(further_accounts(key, events=events))
            for _ in range(draw(st.integers(0, max_extra_accounts)))
        ]
        factors[key] = [obs, *extra] if extra else obs
    attendance: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 4))):
        end = as_of - dt.timedelta(days=120 * i + draw(st.integers(0, 30)))
        possible = draw(st.integers(0, 140))
        attendance.append(
            {
                "start": (end - dt.timedelta(days=90)).isoformat(),
                "end": end.isoformat(),
                "possible_sessions": possible,
                "missed_sessions": draw(st.integers(0, possible)),
            }
        )
    if not attendance and "school_attendance" in factors:
        accounts = factors["school_attendance"]
        for account in accounts if isinstance(accounts, list) else [accounts]:
            if account["status"] == "present":
                account["status"] = "unknown"
    data: dict[str, Any] = {
        "id": f"T-{draw(st.integers(0, 10**6))}",
        "date_of_birth": dob.isoformat(),
        "factors": factors,
        "events": events,
        "attendance": attendance,
        "agencies": draw(st.lists(st.sampled_from(AGENCIES), unique=True, max_size=4)),
    }
    if draw(st.booleans()):
        data["audit"] = {
            "ethnicity": draw(st.sampled_from(["white", "mixed", "asian", "black", "other"])),
            "sex": draw(st.sampled_from(["female", "male"])),
        }
        if draw(st.booleans()):
            data["audit"]["disability"] = draw(st.sampled_from(["yes", "no"]))
    return data


def profiles(**kwargs: Any) -> st.SearchStrategy[Profile]:
    """Validated profiles."""
    return profile_dicts(**kwargs).map(Profile.model_validate)


@st.composite
def points_problems(draw: st.DrawFn) -> dict[str, Any]:
    """A small 0/1 indicator matrix with outcomes and limits for the points search.

    Keys: ``indicators``, ``outcomes``, ``signs``, ``max_points``,
    ``max_indicators``, ``forced_in``, ``forced_out``, ``floor``.
    """
    import numpy as np

    n = draw(st.integers(min_value=40, max_value=300))
    p = draw(st.integers(min_value=1, max_value=8))
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    prevalence = rng.uniform(0.0, 1.0, p)
    indicators = (rng.random((n, p)) < prevalence).astype(np.int8)
    truth = rng.normal(0.0, 1.5, p)
    outcomes = (rng.random(n) < 1 / (1 + np.exp(-(indicators @ truth - 1.0)))).astype(np.int8)
    outcomes[:2] = (0, 1)  # both outcomes occur
    columns = list(range(p))
    forced_in = draw(st.lists(st.sampled_from(columns), max_size=min(p, 2), unique=True))
    rest = [j for j in columns if j not in forced_in]
    forced_out = draw(st.lists(st.sampled_from(rest), max_size=2, unique=True)) if rest else []
    max_indicators = draw(st.integers(min_value=max(len(forced_in), 1), max_value=p))
    return {
        "indicators": indicators,
        "outcomes": outcomes,
        "signs": draw(st.lists(st.sampled_from([1, -1]), min_size=p, max_size=p)),
        "max_points": draw(st.integers(min_value=1, max_value=5)),
        "max_indicators": max_indicators,
        "forced_in": forced_in,
        "forced_out": forced_out,
        "floor": draw(st.booleans()),
    }


NEEDS = [key for key, factor in FACTORS.items() if factor.domain is Domain.DEVELOPMENTAL]


@st.composite
def weights_with_rules(draw: st.DrawFn) -> Weights:
    """The default weightings with the needs cap, coverage rule and corroboration varied.

    Each rule is on or off (``None``, the old behaviour), with its number drawn; the
    developmental and gang association points are drawn too, and the gang association
    override either needs corroboration or not.
    """
    data = Weights.default().model_dump(mode="json")
    why = "Drawn for a property test."
    cap = draw(st.one_of(st.none(), st.integers(0, 6)))
    data["needs_cap"] = None if cap is None else {"points": cap, "rationale": why}
    share = draw(st.one_of(st.none(), st.integers(1, 100)))
    data["coverage"] = None if share is None else {"min_known_percent": share, "rationale": why}
    data["protective_cap"] = draw(st.integers(0, 8))
    for key in [*NEEDS, "gang_association", "gang_association_corroborated"]:
        data["points"][key] = {"points": draw(st.integers(0, 4)), "rationale": why}
    corroborated = draw(st.booleans())
    gang = "gang_association_corroborated" if corroborated else "gang_association"
    data["overrides"] = [
        {**rule, "indicator": gang} if rule["indicator"].startswith("gang_association") else rule
        for rule in data["overrides"]
    ]
    return Weights.from_dict(data)
