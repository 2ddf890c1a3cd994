"""Serious violence: a stabbing victim alone is flagged, however the event was recorded.

Every route is checked through the public API: a JSON profile, the flat CSV layout, a case
system's export read with a mapping, agency extracts assembled into one profile, and the batch
path against the scalar one. Then the rule itself: when serious violence is known, when it is
unknown, and its window.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from efh_screen import (
    Agency,
    ColumnMapping,
    Extract,
    InputRecord,
    Profile,
    Screener,
    ScreeningResult,
    Weights,
    assemble,
    derive_features,
    parse_profile,
    read_csv,
    screen_file,
    screen_records,
    write_csv,
)

AS_OF = dt.date(2026, 9, 1)
STABBED = "2026-03-14"  # 171 days before the screening date
LONG_AGO = "2024-10-01"  # 700 days before: outside the recent window, inside the history window
SCREENER = Screener()

# One knife assault on one child, recorded each way an agency might record it, nothing else known.
RECORDINGS: dict[str, list[dict[str, Any]]] = {
    "victim of violence with a knife": [
        {"type": "violence_victim", "date": STABBED, "source": "police", "weapon": "knife"}
    ],
    "victim of violence seriously injured": [
        {"type": "violence_victim", "date": STABBED, "source": "gp", "serious_injury": True}
    ],
    "victim of violence with a gun, long ago": [
        {"type": "violence_victim", "date": LONG_AGO, "source": "police", "weapon": "gun"}
    ],
    "weapon incident, child seriously injured": [
        {"type": "weapon_incident", "date": STABBED, "source": "police", "serious_injury": True}
    ],
    "weapon incident, child seriously injured, long ago": [
        {"type": "weapon_incident", "date": LONG_AGO, "weapon": "knife", "serious_injury": True}
    ],
    "emergency department attendance for an assault": [
        {"type": "emergency_department_assault", "date": STABBED, "source": "emergency_department"}
    ],
    "emergency department attendance for an assault, long ago": [
        {"type": "emergency_department_assault", "date": LONG_AGO}
    ],
    "police and hospital records of the same assault": [
        {"type": "violence_victim", "date": STABBED, "source": "police", "weapon": "knife"},
        {"type": "emergency_department_assault", "date": STABBED, "source": "emergency_department"},
    ],
}


def stabbing_victim(recording: str, *, profile_id: str = "SYN-S001") -> dict[str, Any]:
    return {"id": profile_id, "date_of_birth": "2010-04-02", "events": RECORDINGS[recording]}


def assert_flagged_for_serious_violence(result: ScreeningResult) -> None:
    assert result.flag, result.band
    assert result.band == "consider_review"
    assert not result.flag_could_change
    assert "serious_violence" in [override.indicator for override in result.overrides]
    points = {c.indicator: c.points for c in result.contributions}
    assert points["serious_violence"] == 4


@pytest.mark.parametrize("recording", RECORDINGS)
def test_a_stabbing_victim_alone_is_flagged_from_a_json_profile(recording: str) -> None:
    profile = parse_profile(json.dumps(stabbing_victim(recording)))
    assert_flagged_for_serious_violence(SCREENER.screen(profile, as_of=AS_OF))


@pytest.mark.parametrize("recording", RECORDINGS)
def test_the_batch_path_flags_the_stabbing_victim_as_the_scalar_path_does(recording: str) -> None:
    profile = parse_profile(stabbing_victim(recording))
    result = SCREENER.screen(profile, as_of=AS_OF)
    batch = SCREENER.screen_many([profile], as_of=AS_OF)
    assert (int(batch.score[0]), bool(batch.flag[0]), batch.band_keys()[0]) == (
        result.score,
        result.flag,
        result.band,
    )
    assert (int(batch.score_low[0]), int(batch.score_high[0])) == (
        result.score_range.low,
        result.score_range.high,
    )
    assert ("serious_violence", 4) in batch.top_reasons(3)[0]


@pytest.mark.parametrize("recording", RECORDINGS)
def test_the_flat_csv_layout_keeps_the_weapon_and_the_injury(recording: str) -> None:
    profile = parse_profile(stabbing_victim(recording))
    buffer = io.StringIO()
    write_csv([profile], buffer)
    buffer.seek(0)
    (record,) = read_csv(buffer)
    assert isinstance(record, InputRecord)
    assert sorted(record.profile.events, key=repr) == sorted(profile.events, key=repr)
    assert_flagged_for_serious_violence(SCREENER.screen(record.profile, as_of=AS_OF))


EXPORT = """\
Case ref,Born,Assaulted on,Assault recorded by,Weapon used,Hospital treatment,ED assault visits
YP-1,02/04/2010,14/03/2026,police,Knife,,
YP-2,02/04/2010,14/03/2026,gp,,Y,
YP-3,02/04/2010,,,,,14/03/2026
YP-4,02/04/2010,14/03/2026,police,,,
YP-5,02/04/2010,14/03/2026,police,machete,,
YP-6,02/04/2010,14/03/2026,police,knife,maybe,
YP-7,02/04/2010,14/03/2026,police,none,N,none
"""
MAPPING = {
    "columns": {
        "Case ref": "id",
        "Born": "date_of_birth",
        "Assaulted on": "violence_victim_dates",
        "Assault recorded by": "violence_victim_sources",
        "Weapon used": "violence_victim_weapons",
        "Hospital treatment": "violence_victim_serious_injury",
        "ED assault visits": "emergency_department_assault_dates",
    },
    "date_format": "%d/%m/%Y",
    "sources": {"ED assault visits": "emergency_department"},
}


def test_a_mapped_export_reads_weapons_and_injuries_in_its_own_words() -> None:
    mapping = ColumnMapping.model_validate(MAPPING)
    records = list(read_csv(io.StringIO(EXPORT, newline=""), mapping=mapping))
    screened = {r.profile.id: r.profile for r in records if isinstance(r, InputRecord)}
    rejected = {r.line: r for r in records if not isinstance(r, InputRecord)}
    for child in ("YP-1", "YP-2", "YP-3"):
        assert_flagged_for_serious_violence(SCREENER.screen(screened[child], as_of=AS_OF))
    (event,) = screened["YP-3"].events
    assert event.source is Agency.EMERGENCY_DEPARTMENT
    # A victim of violence with nothing said about the weapon or the injury: not flagged on
    # what is known, but serious violence is unknown, not absent, and could flag the child.
    unknown = SCREENER.screen(screened["YP-4"], as_of=AS_OF)
    assert not unknown.flag and unknown.flag_could_change
    gap = next(m for m in unknown.missing_information if "serious_violence" in m.indicators)
    assert gap.key == "violence_victim" and gap.could_change_flag
    assert Agency.EMERGENCY_DEPARTMENT in gap.agencies
    # "none" for the weapon and "N" for the injury: known not serious. "none" in the
    # emergency department column is not a statement that the child was never a victim.
    known = SCREENER.screen(screened["YP-7"], as_of=AS_OF)
    assert "serious_violence" not in {i for m in known.missing_information for i in m.indicators}
    assert known.score == 3 and not known.flag
    # Words the mapping does not know reject the row, naming the export's column.
    assert {problem.field for problem in rejected[6].problems} == {"Weapon used"}
    assert {problem.field for problem in rejected[7].problems} == {"Hospital treatment"}


def test_assembled_police_and_hospital_extracts_count_one_assault(tmp_path: Path) -> None:
    police, hospital = tmp_path / "police.jsonl", tmp_path / "hospital.jsonl"
    base = {"id": "SYN-S009", "date_of_birth": "2010-04-02"}
    police.write_text(
        json.dumps({**base, "events": [{"type": "violence_victim", "date": STABBED}]}) + "\n"
    )
    hospital.write_text(
        json.dumps({**base, "events": [{"type": "emergency_department_assault", "date": STABBED}]})
        + "\n"
    )
    out = tmp_path / "assembled.jsonl"
    assemble(
        [Extract(police, Agency.POLICE), Extract(hospital, Agency.EMERGENCY_DEPARTMENT)], out=out
    )
    profile = Profile.model_validate_json(out.read_text().splitlines()[0])
    result = SCREENER.screen(profile, as_of=AS_OF)
    assert_flagged_for_serious_violence(result)
    # The police's undetailed record alone would leave serious violence unknown; the hospital's
    # settles it. Recorded by two agencies, the assault is still one incident and one point set.
    evidence = {c.indicator: c.evidence for c in result.contributions}
    assert [e.source for e in evidence["serious_violence"]] == [Agency.EMERGENCY_DEPARTMENT]
    assert len(evidence["violence_victim_recent"]) == 2
    assert result.score == 7


def test_screen_file_and_screen_records_flag_the_stabbing_victim(tmp_path: Path) -> None:
    lines = [
        json.dumps(stabbing_victim(recording, profile_id=f"SYN-S{i:03d}"))
        for i, recording in enumerate(RECORDINGS)
    ]
    source = tmp_path / "caseload.jsonl"
    source.write_text("\n".join(lines) + "\n")
    results = tmp_path / "results.jsonl"
    summary = screen_file(source, as_of=AS_OF, results=results)
    assert summary.screened == len(RECORDINGS) and summary.flagged == len(RECORDINGS)
    written = [json.loads(line) for line in results.read_text().splitlines()]
    assert all(record["band"] == "consider_review" for record in written)
    buffer = io.StringIO()
    summary = screen_records([json.loads(line) for line in lines], as_of=AS_OF, results=buffer)
    assert summary.flagged == len(RECORDINGS)


def test_without_the_new_points_a_weightings_file_means_what_it_meant() -> None:
    # A file written before serious violence existed leaves it out: it scores 0 and overrides
    # nothing, so a stabbing victim recorded as a victim of violence is "no concern", as before.
    data = Weights.default().model_dump(mode="json")
    for key in ("serious_violence", "suspension_earlier", "police_contact_earlier"):
        del data["points"][key]
    del data["points"]["rising_trajectory"]
    data["overrides"] = [o for o in data["overrides"] if o["indicator"] != "serious_violence"]
    del data["windows"]["trajectory_days"]
    del data["counts"]["trajectory_periods"]
    data["needs_cap"] = data["coverage"] = None  # nor the rules added beside it
    before = Screener(Weights.model_validate(data))
    profile = parse_profile(stabbing_victim("victim of violence with a knife"))
    result = before.screen(profile, as_of=AS_OF)
    assert (result.score, result.band, result.flag) == (3, "no_concern", False)
    assert [c.indicator for c in result.contributions] == ["violence_victim_recent"]
    assert not any("serious_violence" in m.indicators for m in result.missing_information)


# The rule, event by event: (events, violence_victim observed, expected value or None if unknown).
CASES: list[tuple[str, list[dict[str, Any]], str | None, int | None]] = [
    ("nothing known", [], None, None),
    ("violence checked: none", [], "absent", 0),
    ("punched, no weapon, not seriously injured", [
        {"type": "violence_victim", "date": STABBED, "weapon": "none", "serious_injury": False}
    ], None, 0),
    ("assaulted with a bat, not seriously injured", [
        {"type": "violence_victim", "date": STABBED, "weapon": "other", "serious_injury": False}
    ], None, 0),
    ("assaulted with a bat, seriously injured", [
        {"type": "violence_victim", "date": STABBED, "weapon": "other", "serious_injury": True}
    ], None, 1),
    ("threatened with a knife, not injured", [
        {"type": "violence_victim", "date": STABBED, "weapon": "knife", "serious_injury": False}
    ], None, 1),
    ("no weapon recorded, not seriously injured", [
        {"type": "violence_victim", "date": STABBED, "serious_injury": False}
    ], None, None),
    ("no weapon used, injury not recorded", [
        {"type": "violence_victim", "date": STABBED, "weapon": "none"}
    ], None, None),
    ("weapon incident, child not injured", [
        {"type": "weapon_incident", "date": STABBED, "weapon": "knife", "serious_injury": False}
    ], "absent", 0),
    # A child seriously injured in it would be a victim of violence, recorded absent here; and
    # listing the incident must not widen the range the unlisted incident allowed.
    ("weapon incident, injury not recorded, violence checked: none", [
        {"type": "weapon_incident", "date": STABBED, "weapon": "knife"}
    ], "absent", 0),
    ("weapon incident, child not injured, violence history unknown", [
        {"type": "weapon_incident", "date": STABBED, "serious_injury": False}
    ], None, None),
    ("one undetailed event does not hide a serious one", [
        {"type": "violence_victim", "date": "2025-01-05"},
        {"type": "violence_victim", "date": STABBED, "weapon": "gun"},
    ], None, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("events", "observed", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_serious_violence_is_known_only_when_the_record_says(
    events: list[dict[str, Any]], observed: str | None, expected: int | None
) -> None:
    data: dict[str, Any] = {"id": "SYN-S100", "date_of_birth": "2010-04-02", "events": events}
    if observed is not None:
        data["factors"] = {"violence_victim": {"status": observed, "source": "police"}}
    features = derive_features(parse_profile(data), as_of=AS_OF).as_dict()
    assert features["serious_violence"] == expected


@pytest.mark.parametrize(
    ("days_ago", "inside"),
    [(0, True), (364, True), (365, True), (1094, True), (1095, False), (1500, False)],
)
def test_the_serious_violence_window_is_the_history_window(days_ago: int, inside: bool) -> None:
    when = (AS_OF - dt.timedelta(days=days_ago)).isoformat()
    # (The police have checked violence against the child, so an old weapon incident leaves
    # serious violence known and absent rather than unknown.)
    checked = {"violence_victim": {"status": "absent", "source": "police"}}
    for event, factors in (
        ({"type": "emergency_department_assault", "date": when}, {}),
        ({"type": "violence_victim", "date": when, "weapon": "knife"}, {}),
        ({"type": "weapon_incident", "date": when, "serious_injury": True}, checked),
    ):
        data = {"id": "SYN-S200", "date_of_birth": "2005-01-01", "events": [event]}
        features = derive_features(parse_profile({**data, "factors": factors}), as_of=AS_OF)
        assert features.as_dict()["serious_violence"] == (1 if inside else 0), event["type"]


def test_the_evidence_says_what_made_it_serious() -> None:
    profile = parse_profile(stabbing_victim("victim of violence with a knife"))
    vector = derive_features(profile, as_of=AS_OF)
    (item,) = vector.evidence["serious_violence"]
    assert (item.source, item.date, item.note) == (
        Agency.POLICE,
        dt.date(2026, 3, 14),
        "violence victim (knife)",
    )
    hospital = parse_profile(stabbing_victim("emergency department attendance for an assault"))
    (item,) = derive_features(hospital, as_of=AS_OF).evidence["serious_violence"]
    assert item.note == "emergency department attendance for an assault"
