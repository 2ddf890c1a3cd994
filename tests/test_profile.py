"""Profiles: validation, plain errors that name the field, JSON round trips."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from efh_screen import (
    Disability,
    LabelledProfile,
    Profile,
    ProfileError,
    Screener,
    parse_profile,
)
from strategies import profile_dicts

DATA = json.loads((Path(__file__).parent / "data" / "malformed_profiles.json").read_text())


def _build(case: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(DATA["base"])
    for key in case.get("drop", []):
        data.pop(key)
    data.update(copy.deepcopy(case.get("set", {})))
    return data


def test_there_are_at_least_15_malformed_cases() -> None:
    assert len(DATA["cases"]) >= 15


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_malformed_profile_is_rejected_naming_the_field(case: dict[str, Any]) -> None:
    data = _build(case)
    with pytest.raises(ProfileError) as info:
        profile = parse_profile(data)
        if "as_of" not in case:
            pytest.fail("profile was accepted at parse time")
        Screener().screen(profile, as_of=dt.date.fromisoformat(case["as_of"]))
    err = info.value
    assert case["field"] in err.fields, str(err)
    message = str(err)
    assert case["field"] in message
    problem = next(p for p in err.problems if p.field == case["field"])
    # Says how to fix it, in words, not a traceback or a pydantic URL.
    assert len(problem.reason) > 10
    assert "https://" not in message and "Traceback" not in message
    if "secret" in case:
        assert case["secret"] not in message


def test_parse_from_json_text_and_bytes() -> None:
    text = json.dumps(DATA["base"])
    assert parse_profile(text) == parse_profile(text.encode()) == parse_profile(DATA["base"])


def test_invalid_json_text_is_a_profile_error() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile('{"id": "SYN-1", ')
    assert "valid JSON" in str(info.value)


def test_error_names_the_record_id_but_nothing_else_personal() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile({"id": "SYN-77", "date_of_birth": "not a date"})
    assert info.value.record_id == "SYN-77"
    assert "not a date" not in str(info.value)


def test_profile_is_frozen() -> None:
    profile = parse_profile(DATA["base"])
    with pytest.raises(ValueError, match="frozen"):
        profile.id = "other"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(profile_dicts())
def test_profile_round_trips_through_json(data: dict[str, Any]) -> None:
    profile = Profile.model_validate(data)
    again = Profile.model_validate_json(profile.model_dump_json())
    assert again == profile
    assert again.model_dump_json() == profile.model_dump_json()


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(profile_dicts())
def test_labelled_profile_round_trips(data: dict[str, Any]) -> None:
    line = LabelledProfile(profile=Profile.model_validate(data), outcome=1)
    assert LabelledProfile.model_validate_json(line.model_dump_json()) == line


def test_labelled_outcome_must_be_zero_or_one() -> None:
    with pytest.raises(ValueError, match="outcome"):
        LabelledProfile.model_validate({"profile": DATA["base"], "outcome": 2})


def test_disability_is_an_optional_audit_field() -> None:
    old = parse_profile({**DATA["base"], "audit": {"ethnicity": "white", "sex": "male"}})
    assert old.audit is not None
    assert old.audit.disability is None
    new = parse_profile({**DATA["base"], "audit": {"disability": "yes"}})
    assert new.audit is not None
    assert new.audit.disability is Disability.YES
    assert '"audit":{"disability":"yes"}' in new.model_dump_json(exclude_defaults=True)
    with pytest.raises(ProfileError) as info:
        parse_profile({**DATA["base"], "audit": {"disability": "true"}})
    assert info.value.fields == ("audit.disability",)
