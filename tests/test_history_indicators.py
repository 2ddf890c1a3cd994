"""Patterns over time: earlier suspensions and police contact, and a rising trajectory.

The earlier window is the part of the history window before the recent window, so the recent
and the earlier indicators never count the same event; window ends are inclusive exactly as the
other windows' are (an event is in the last 365 days when it is 0 to 364 days old).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efh_screen import (
    INDICATORS,
    CountThresholds,
    Screener,
    Windows,
    derive_features,
    feature_matrix,
    parse_profile,
)

AS_OF = dt.date(2026, 9, 1)
SOURCES_CHECKED = {
    key: {"status": "absent", "source": "police"}
    for key in ("missing_episodes", "violence_victim", "weapon_incident")
}
"""The three incident sources not listed below, checked: none (so the trajectory is known)."""


def days_ago(days: int) -> str:
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def indicators(
    events: list[dict[str, Any]],
    *,
    factors: dict[str, Any] | None = None,
    windows: Windows | None = None,
    counts: CountThresholds | None = None,
) -> dict[str, int | None]:
    profile = parse_profile(
        {
            "id": "SYN-T001",
            "date_of_birth": "2005-01-01",
            "events": events,
            "factors": factors or {},
        }
    )
    vector = derive_features(profile, as_of=AS_OF, windows=windows, counts=counts)
    return vector.as_dict()


@pytest.mark.parametrize("event_type", ["suspension", "police_contact"])
@pytest.mark.parametrize(
    ("age", "recent", "earlier"),
    [(0, 1, 0), (364, 1, 0), (365, 0, 1), (700, 0, 1), (1094, 0, 1), (1095, 0, 0), (2000, 0, 0)],
)
def test_an_event_is_recent_or_earlier_never_both(
    event_type: str, age: int, recent: int, earlier: int
) -> None:
    key = "suspension" if event_type == "suspension" else "police_contact"
    found = indicators([{"type": event_type, "date": days_ago(age)}])
    assert (found[f"{key}_recent"], found[f"{key}_earlier"]) == (recent, earlier)


def test_the_earlier_window_follows_the_weightings_windows() -> None:
    windows = Windows(recent_days=180, history_days=400)
    for age, expected in ((179, 0), (180, 1), (399, 1), (400, 0)):
        found = indicators([{"type": "suspension", "date": days_ago(age)}], windows=windows)
        assert found["suspension_earlier"] == expected, age


def test_earlier_history_is_unknown_until_the_factor_is_known() -> None:
    assert indicators([])["suspension_earlier"] is None
    assert indicators([])["police_contact_earlier"] is None
    checked = {"suspensions": {"status": "absent", "source": "school"}}
    assert indicators([], factors=checked)["suspension_earlier"] == 0
    # Listing a recent suspension makes the history known, as for the recent indicators.
    assert indicators([{"type": "suspension", "date": days_ago(10)}])["suspension_earlier"] == 0


def test_suspensions_two_years_ago_and_an_exclusion_since_both_count() -> None:
    events = [
        {"type": "suspension", "date": days_ago(age), "source": "school"} for age in (711, 655, 599)
    ]
    events.append({"type": "permanent_exclusion", "date": days_ago(457), "source": "school"})
    profile = parse_profile({"id": "SYN-T002", "date_of_birth": "2010-09-15", "events": events})
    result = Screener().screen(profile, as_of=AS_OF)
    points = {c.indicator: c.points for c in result.contributions}
    assert points == {"permanent_exclusion": 3, "suspension_earlier": 1}
    (evidence,) = [c.evidence for c in result.contributions if c.indicator == "suspension_earlier"]
    assert [str(e.date) for e in evidence] == ["2024-09-20", "2024-11-15", "2025-01-10"]


@settings(max_examples=150, deadline=None)
@given(
    ages=st.lists(st.integers(min_value=0, max_value=1500), max_size=8),
    recent_days=st.integers(min_value=1, max_value=800),
    history_extra=st.integers(min_value=0, max_value=800),
)
def test_recent_and_earlier_windows_partition_the_history(
    ages: list[int], recent_days: int, history_extra: int
) -> None:
    windows = Windows(recent_days=recent_days, history_days=recent_days + history_extra)
    events = [{"type": "police_contact", "date": days_ago(age)} for age in ages]
    found = indicators(events, windows=windows)
    if not ages:  # nothing listed and nothing observed: unknown, not absent
        assert found["police_contact_recent"] is found["police_contact_earlier"] is None
        return
    history = windows.history_days
    assert found["police_contact_recent"] == (1 if any(a < recent_days for a in ages) else 0)
    expected_earlier = any(recent_days <= a < history for a in ages)
    assert found["police_contact_earlier"] == (1 if expected_earlier else 0)


def trajectory(events: list[dict[str, Any]], **kwargs: Any) -> int | None:
    """The rising trajectory with every incident source known (checked: none where unlisted)."""
    listed = {event["type"] for event in events}
    factors = dict(SOURCES_CHECKED)
    for key, event_type, holder in (
        ("suspensions", "suspension", "school"),
        ("police_contact", "police_contact", "police"),
    ):
        if event_type not in listed:
            factors[key] = {"status": "absent", "source": holder}
    return indicators(events, factors=factors, **kwargs)["rising_trajectory"]


def incidents(*ages: int) -> list[dict[str, Any]]:
    """Police contacts and suspensions at these ages (alternately, to mix the sources)."""
    kinds = ("police_contact", "suspension")
    return [{"type": kinds[i % 2], "date": days_ago(age)} for i, age in enumerate(ages)]


@pytest.mark.parametrize(
    ("ages", "rising"),
    [
        ((), 0),
        ((10,), 0),  # 0, 0, 1: the middle year does not rise
        ((400, 10, 20), 1),  # 0, 1, 2
        ((800, 400, 410, 10, 20, 30), 1),  # 1, 2, 3
        ((800, 400, 10), 0),  # 1, 1, 1
        ((800, 810, 400, 410, 10, 20, 30), 0),  # 2, 2, 3
        ((1094, 729, 728, 364, 0, 1), 1),  # 1, 2, 3 with each period's last and first days
        ((730, 365, 366, 364, 363, 0), 1),  # 730 days old is the oldest period, 365 the middle
        ((730, 365, 364, 363), 0),  # so 1, 1, 2 does not rise in every period
        ((1095, 400, 10, 20), 1),  # 1095 days is outside the three periods: 0, 1, 2
    ],
)
def test_the_trajectory_rises_in_every_period(ages: tuple[int, ...], rising: int) -> None:
    assert trajectory(incidents(*ages)) == rising


def test_the_same_incident_from_two_types_counts_once() -> None:
    # A police record and a hospital record of one assault are one incident on that day.
    events = [
        *incidents(400, 10),
        {"type": "violence_victim", "date": days_ago(20)},
        {"type": "emergency_department_assault", "date": days_ago(20)},
    ]
    factors = {key: value for key, value in SOURCES_CHECKED.items() if key != "violence_victim"}
    found = indicators(events, factors=factors)
    assert found["rising_trajectory"] == 1  # 0, 1, 2 (not 0, 1, 3: either way rising)
    events.append({"type": "violence_victim", "date": days_ago(410)})
    events.append({"type": "emergency_department_assault", "date": days_ago(410)})
    assert indicators(events, factors=factors)["rising_trajectory"] == 0  # 0, 2, 2


def test_the_trajectory_is_unknown_while_any_incident_source_is() -> None:
    assert indicators(incidents(400, 10, 20))["rising_trajectory"] is None
    assert trajectory(incidents(400, 10, 20)) == 1


def test_the_trajectory_follows_the_weightings_periods() -> None:
    two_years = CountThresholds(trajectory_periods=2)
    assert trajectory(incidents(800, 400, 10), counts=two_years) == 0  # 1, 1 over two years
    assert trajectory(incidents(400, 10, 20), counts=two_years) == 1  # 1, 2
    half_years = Windows(trajectory_days=182)
    assert trajectory(incidents(300, 100, 150), windows=half_years) == 1  # 0, 1, 2
    assert trajectory(incidents(300, 100, 150)) == 0  # 0, 0, 3 in whole years


def test_the_trajectory_evidence_counts_each_period() -> None:
    profile = parse_profile(
        {
            "id": "SYN-T003",
            "date_of_birth": "2005-01-01",
            "factors": SOURCES_CHECKED,
            "events": incidents(800, 400, 410, 10, 20, 30),
        }
    )
    (item,) = derive_features(profile, as_of=AS_OF).evidence["rising_trajectory"]
    assert item.note.startswith("1, 2, 3 incidents in successive periods of 365 days")


def test_history_indicators_have_their_factors_missing_information_groups() -> None:
    group = {indicator.key: indicator.group for indicator in INDICATORS}
    assert group["suspension_earlier"] == "suspensions"
    assert group["police_contact_earlier"] == "police_contact"
    assert group["rising_trajectory"] == "escalation"
    assert group["serious_violence"] == "violence_victim"
    result = Screener().screen(
        parse_profile({"id": "SYN-T004", "date_of_birth": "2010-01-01"}), as_of=AS_OF
    )
    missing = {m.key: m.indicators for m in result.missing_information}
    assert "suspension_earlier" in missing["suspensions"]
    assert "police_contact_earlier" in missing["police_contact"]
    assert missing["escalation"] == ("escalation", "rising_trajectory")
    assert missing["violence_victim"] == ("violence_victim_recent", "serious_violence")


def test_the_batch_matrix_agrees_with_the_scalar_features() -> None:
    profiles = [
        parse_profile(
            {
                "id": f"SYN-T1{i}",
                "date_of_birth": "2005-01-01",
                "events": events,
                "factors": SOURCES_CHECKED,
            }
        )
        for i, events in enumerate(
            [incidents(400, 10, 20), incidents(800, 400, 10), incidents(1000, 500), []]
        )
    ]
    matrix = feature_matrix(profiles, as_of=AS_OF)
    for row, profile in enumerate(profiles):
        vector = derive_features(profile, as_of=AS_OF)
        assert tuple(int(v) for v in matrix.values[row]) == vector.values
        assert tuple(bool(k) for k in matrix.known[row]) == vector.known
