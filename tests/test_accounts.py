"""Several agencies' accounts of a factor: resolution, conflicts, reasons for not knowing."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh_screen import (
    ProfileError,
    ResolutionRule,
    Screener,
    ScreeningResult,
    Status,
    Weights,
    parse_profile,
    points_card_markdown,
    summary_text,
)
from strategies import AS_OF, profile_dicts

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def audit_profile() -> dict[str, Any]:
    """The audit's example: the GP has no record of the knife incident the police hold."""
    return {
        "id": "YP-AUDIT",
        "date_of_birth": "2007-03-01",
        "agencies": ["gp", "police"],
        "factors": {
            "weapon_incident": [
                {"status": "absent", "source": "gp", "note": "no record"},
                {
                    "status": "present",
                    "source": "police",
                    "recorded": "2021-09-20",
                    "note": "weapon-related incident",
                },
            ],
        },
        "events": [
            {
                "type": "weapon_incident",
                "date": "2021-09-20",
                "source": "police",
                "note": "weapon-related incident",
            }
        ],
    }


def screen(data: dict[str, Any], *, as_of: dt.date = dt.date(2023, 9, 1)) -> ScreeningResult:
    return Screener().screen(parse_profile(data), as_of=as_of)


def test_the_audits_example_shows_both_accounts_the_conflict_and_scores_the_incident() -> None:
    result = screen(audit_profile())
    (weapon,) = [item for item in result.accounts if item.factor == "weapon_incident"]
    assert weapon.conflict
    assert weapon.status is Status.PRESENT
    assert weapon.summary == "Police: weapon-related incident 2021-09; GP: no record"
    assert {account.agency for account in weapon.accounts} == {"gp", "police"}
    assert "weapon_incident" in [c.indicator for c in result.contributions]
    assert result.jigsaw is not None and result.jigsaw.conflicts == ("weapon_incident",)
    text = summary_text(result)
    assert "Agencies disagree: Weapon-related incident: Police: weapon-related incident" in text
    assert "GP: no record" in points_card_markdown(result)


def test_a_single_observation_is_a_list_of_one_and_is_written_back_as_an_object() -> None:
    profile = parse_profile(
        {"id": "A", "date_of_birth": "2012-01-01", "factors": {"adhd": {"status": "present"}}}
    )
    assert len(profile.factors["adhd"]) == 1
    assert profile.model_dump(mode="json")["factors"]["adhd"]["status"] == "present"
    assert parse_profile(profile.model_dump_json()) == profile
    several = parse_profile(
        {
            "id": "A",
            "date_of_birth": "2012-01-01",
            "factors": {"adhd": [{"status": "present"}, {"status": "absent", "source": "gp"}]},
        }
    )
    assert isinstance(several.model_dump(mode="json")["factors"]["adhd"], list)
    assert parse_profile(several.model_dump_json()) == several


@pytest.mark.parametrize(
    ("accounts", "expected"),
    [
        ([{"status": "present", "source": "school"}, {"status": "absent", "source": "camhs"}],
         "present"),
        ([{"status": "absent", "source": "police"}], "unknown"),  # police do not hold ADHD
        ([{"status": "absent", "source": "camhs"}], "absent"),
        ([{"status": "absent"}], "absent"),  # no named agency: the assembled view
        ([{"status": "unknown", "source": "camhs"}, {"status": "absent", "source": "police"}],
         "unknown"),
    ],
)  # fmt: skip
def test_the_default_rule_needs_a_usual_holder_to_say_absent(
    accounts: list[dict[str, Any]], expected: str
) -> None:
    profile = parse_profile(
        {"id": "A", "date_of_birth": "2012-01-01", "factors": {"adhd": accounts}}
    )
    assert ResolutionRule().resolve("adhd", profile.factors["adhd"]).value == expected


def test_the_rule_is_part_of_the_weightings_and_changes_the_stamp() -> None:
    default = Weights.default()
    assert default.resolution == ResolutionRule()
    data = default.model_dump(mode="json")
    data["resolution"] = {"absent": "any_account"}
    lenient = Weights.from_dict(data)
    assert lenient.sha256 != default.sha256
    profile = {
        "id": "A",
        "date_of_birth": "2012-01-01",
        "factors": {"adhd": {"status": "absent", "source": "police"}},
    }
    strict = Screener().screen(parse_profile(profile), as_of=AS_OF)
    loose = Screener(lenient).screen(parse_profile(profile), as_of=AS_OF)
    assert "adhd" in [item.key for item in strict.missing_information]
    assert "adhd" not in [item.key for item in loose.missing_information]


def test_a_reason_only_belongs_on_an_unknown_account() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(
            {
                "id": "A",
                "date_of_birth": "2012-01-01",
                "factors": {"adhd": {"status": "present", "reason": "not_shared"}},
            }
        )
    assert [problem.field for problem in caught.value.problems] == ["factors.adhd.reason"]


def test_unknown_reasons_flow_into_the_missing_information() -> None:
    data = {
        "id": "A",
        "date_of_birth": "2012-01-01",
        "factors": {
            "child_criminal_exploitation": [
                {"status": "unknown", "source": "housing", "reason": "history_awaited"}
            ]
        },
    }
    result = screen(data)
    (item,) = [m for m in result.missing_information if m.key == "child_criminal_exploitation"]
    assert item.reasons == ("Housing: history awaited from a previous area",)
    assert "history awaited from a previous area" in points_card_markdown(result)


def test_another_agencys_absent_account_is_a_conflict_not_an_error() -> None:
    data = audit_profile()
    data["factors"]["weapon_incident"] = [{"status": "absent", "source": "gp"}]
    assert screen(data).jigsaw is not None  # the police's events alone speak for presence
    data["events"][0]["source"] = "gp"
    with pytest.raises(ProfileError):  # the same agency cannot say both
        parse_profile(data)


def headline(result: ScreeningResult) -> tuple[object, ...]:
    return (
        result.score,
        result.score_range,
        result.band,
        result.band_range,
        result.flag,
        result.flag_could_change,
        [(c.indicator, c.points) for c in result.contributions],
        [(m.key, m.max_change) for m in result.missing_information],
    )


@SETTINGS
@given(profile_dicts(), st.integers(0, 2**32 - 1))
def test_resolution_is_independent_of_the_order_of_accounts(
    data: dict[str, Any], seed: int
) -> None:
    shuffled = copy.deepcopy(data)
    rng = random.Random(seed)
    for accounts in shuffled["factors"].values():
        if isinstance(accounts, list):
            rng.shuffle(accounts)
    assert headline(screen(shuffled, as_of=AS_OF)) == headline(screen(data, as_of=AS_OF))


@SETTINGS
@given(profile_dicts())
def test_unknown_reasons_never_change_the_score(data: dict[str, Any]) -> None:
    stripped = copy.deepcopy(data)
    for accounts in stripped["factors"].values():
        for account in accounts if isinstance(accounts, list) else [accounts]:
            account.pop("reason", None)
    assert headline(screen(stripped, as_of=AS_OF)) == headline(screen(data, as_of=AS_OF))


def test_one_event_recorded_by_several_agencies_counts_once() -> None:
    """The same home move from housing, the school and social care is one move, not three."""
    moves = [
        {"type": "home_move", "date": "2026-06-01", "source": source}
        for source in ("housing", "school", "childrens_social_care")
    ]
    profile = parse_profile({"id": "A1", "date_of_birth": "2012-01-01", "events": moves})
    result = Screener().screen(profile, as_of=dt.date(2026, 9, 1))
    assert result.score == 0
    assert "frequent_moves" not in {c.indicator for c in result.contributions}
    batch = Screener().screen_many([profile], as_of=dt.date(2026, 9, 1))
    assert int(batch.score[0]) == 0


def test_old_events_are_not_called_scored_in_the_explanation() -> None:
    """A 2015 suspension and a police 'absent': the card must not say it scored present."""
    profile = parse_profile(
        {
            "id": "A1",
            "date_of_birth": "2008-01-01",
            "factors": {"suspensions": [{"status": "absent", "source": "police"}]},
            "events": [{"type": "suspension", "date": "2015-03-01", "source": "school"}],
        }
    )
    result = Screener().screen(profile, as_of=dt.date(2024, 9, 1))
    assert result.score == 0
    text = points_card_markdown(result)
    assert "scored present" not in text and "taken as present" not in text
    assert "events listed; they count only within their look-back windows" in text


def test_an_absent_the_rule_does_not_accept_is_not_knowing_in_the_jigsaw() -> None:
    profile = parse_profile(
        {
            "id": "A1",
            "date_of_birth": "2012-01-01",
            "factors": {"domestic_abuse": {"status": "absent", "source": "school"}},
        }
    )
    result = Screener().screen(profile, as_of=dt.date(2026, 9, 1))
    assert result.jigsaw is not None
    assert "domestic_abuse" not in result.jigsaw.known_to_one_agency
    assert "domestic_abuse" in {item.key for item in result.missing_information}
