"""Weightings: the embedded default, validation of malformed files, hashing, round trips."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import efh_screen
from efh_screen import INDICATORS, Screener, Weights, WeightsError, parse_profile


def default_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Weights.default().canonical_json)
    return data


def test_default_is_illustrative_and_covers_every_indicator() -> None:
    w = Weights.default()
    assert w.status == "illustrative"
    assert "not" in w.description.lower() and "validated" in w.description.lower()
    assert set(w.points) == {ind.key for ind in INDICATORS}
    for key, entry in w.points.items():
        assert entry.rationale
        assert entry.evidence, f"{key} cites no evidence"
        for ref in entry.evidence:
            assert ref in w.references


def test_hash_is_sha256_of_canonical_json() -> None:
    w = Weights.default()
    expected = hashlib.sha256(w.canonical_json.encode()).hexdigest()
    assert w.sha256 == expected
    assert w.stamp.sha256 == expected


def test_hash_changes_when_a_point_changes() -> None:
    data = default_data()
    data["points"]["adhd"]["points"] = 2
    assert Weights.model_validate(data).sha256 != Weights.default().sha256


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    Weights.default().save(path)
    again = Weights.load(path)
    assert again == Weights.default()
    assert again.sha256 == Weights.default().sha256
    assert not list(tmp_path.glob("*.tmp"))


MALFORMED: list[tuple[str, Any, str]] = [
    ("risk points negative", ("points", "adhd", "points", -1), "points.adhd.points"),
    ("protective points positive", ("points", "mentor", "points", 2), "points.mentor.points"),
    (
        "unknown indicator",
        ("points", "astrology", {"points": 1, "rationale": "x"}),
        "points.astrology",
    ),
    ("points not whole", ("points", "adhd", "points", 1.5), "points.adhd.points"),
    ("points too large", ("points", "adhd", "points", 50), "points.adhd.points"),
    (
        "evidence not in references",
        ("points", "adhd", "evidence", ["nowhere2020"]),
        "points.adhd.evidence",
    ),
    ("first band flags", ("bands", 0, "flag", True), "bands[0]"),
    ("bands out of order", ("bands", 2, "min_score", 3), "bands[2].min_score"),
    ("override to unknown band", ("overrides", 0, "band", "urgent"), "overrides[0].band"),
    ("override on protective", ("overrides", 0, "indicator", "mentor"), "overrides[0].indicator"),
    ("negative cap", ("protective_cap", -1), "protective_cap"),
    ("bad status", ("status", "final"), "status"),
    ("unknown field", ("colour", "red"), "colour"),
    ("window of zero days", ("windows", "recent_days", 0), "windows.recent_days"),
]


def _set(data: dict[str, Any], path: tuple[Any, ...]) -> None:
    target: Any = data
    for key in path[:-2]:
        target = target[key]
    target[path[-2]] = path[-1]


@pytest.mark.parametrize(("name", "change", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_weights_are_rejected_naming_the_field(
    name: str, change: tuple[Any, ...], field: str
) -> None:
    data = default_data()
    _set(data, change)
    with pytest.raises(WeightsError) as info:
        Weights.from_json(json.dumps(data))
    assert field in info.value.fields, str(info.value)


def test_missing_required_field_is_named() -> None:
    data = default_data()
    del data["bands"]
    with pytest.raises(WeightsError) as info:
        Weights.from_json(json.dumps(data))
    assert "bands" in info.value.fields


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(WeightsError, match="not valid JSON"):
        Weights.load(bad)
    with pytest.raises(WeightsError, match="cannot be read"):
        Weights.load(tmp_path / "absent.json")


def test_screener_uses_custom_weights_and_stamps_them() -> None:
    data = default_data()
    data["name"] = "local-test"
    data["points"]["adhd"]["points"] = 7
    data["needs_cap"] = None  # else the needs cap keeps ADHD to 2 points
    weights = Weights.model_validate(data)
    profile = parse_profile(
        {"id": "SYN-W1", "date_of_birth": "2011-01-01", "factors": {"adhd": {"status": "present"}}}
    )
    result = Screener(weights).screen(profile, as_of=dt.date(2026, 9, 1))
    assert result.score == 7
    assert result.flag  # 7 >= 6
    assert result.weights.name == "local-test"
    assert result.weights.sha256 == weights.sha256


def test_from_dict_gives_plain_errors() -> None:
    data = default_data()
    data["points"]["adhd"]["points"] = -3
    with pytest.raises(WeightsError) as info:
        Weights.from_dict(data)
    assert info.value.fields == ("points.adhd.points",)
    assert Weights.from_dict(default_data()) == Weights.default()


@pytest.mark.parametrize(
    ("status", "words"),
    [("illustrative", "not been validated"), ("validated", None), ("retired", "retired")],
)
def test_notice_says_how_far_the_weights_can_be_relied_on(status: str, words: str | None) -> None:
    data = default_data()
    data["status"] = status
    weights = Weights.from_dict(data)
    profile = parse_profile({"id": "SYN-W2", "date_of_birth": "2011-01-01"})
    if status == "retired":
        with pytest.warns(UserWarning, match="retired"):
            screener = Screener(weights)
    else:
        screener = Screener(weights)
    notice = screener.screen(profile, as_of=dt.date(2026, 9, 1)).notice
    assert notice.startswith("A flag is a prompt for an early-help review by a person")
    if words is None:
        assert notice == efh_screen.REVIEW_NOTICE
    else:
        assert words in notice


def test_the_needs_cap_and_coverage_rule_are_checked_field_by_field() -> None:
    data = default_data()
    data["needs_cap"] = {"points": -1, "rationale": "x", "evidence": ["nosuch"]}
    data["coverage"] = {"min_known_percent": 0, "rationale": "x", "key": "no_concern"}
    with pytest.raises(WeightsError) as info:
        Weights.from_dict(data)
    assert {"needs_cap.points", "coverage.min_known_percent"} <= set(info.value.fields)
    data["needs_cap"] = {"points": 2, "rationale": "x", "evidence": ["nosuch"]}
    data["coverage"] = {"min_known_percent": 50, "rationale": "x", "key": "no_concern"}
    with pytest.raises(WeightsError) as info:
        Weights.from_dict(data)
    assert set(info.value.fields) == {"needs_cap.evidence", "coverage.key"}
    del data["coverage"]["rationale"]
    with pytest.raises(WeightsError, match=r"coverage\.rationale: is required"):
        Weights.from_dict(data)


def test_a_file_without_the_later_rules_keeps_its_hash_and_its_text(tmp_path: Path) -> None:
    old_file = Path(__file__).parent / "data" / "weights_efh_default_1_1_0.json"
    old = Weights.load(old_file)
    assert old.needs_cap is None and old.coverage is None
    assert "needs_cap" not in old.canonical_json and "coverage" not in old.canonical_json
    assert json.loads(old.json_text()) == json.loads(old_file.read_text())
    old.save(tmp_path / "again.json")
    assert Weights.load(tmp_path / "again.json").sha256 == old.sha256
    new = Weights.default()
    assert new.needs_cap is not None and new.coverage is not None
    assert json.loads(new.canonical_json)["needs_cap"]["points"] == 2
    for rule in (new.needs_cap, new.coverage):
        assert rule.rationale and rule.evidence
        assert all(reference in new.references for reference in rule.evidence)
