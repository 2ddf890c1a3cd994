"""Assembling agency extracts: the audit's example, nothing lost, same bytes, order-free."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh_screen import (
    Agency,
    Extract,
    InputError,
    InputRecord,
    Screener,
    ScreeningResult,
    assemble,
    parse_profile,
    read_jsonl,
)
from efh_screen.__main__ import main
from strategies import AS_OF, profile_dicts

AUDIT_AS_OF = dt.date(2023, 9, 1)


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    with open(path, "w", encoding="utf-8") as stream:
        for row in rows:
            stream.write((row if isinstance(row, str) else json.dumps(row)) + "\n")
    return path


def assembled(path: Path) -> list[InputRecord]:
    records = list(read_jsonl(path))
    assert all(isinstance(record, InputRecord) for record in records)
    return [record for record in records if isinstance(record, InputRecord)]


def gp_and_police(folder: Path) -> list[Extract]:
    gp = write_jsonl(
        folder / "gp.jsonl",
        [
            {
                "id": "YP-AUDIT",
                "date_of_birth": "2007-03-01",
                "factors": {
                    "weapon_incident": {"status": "absent", "note": "no record"},
                    "adhd": {"status": "present", "recorded": "2015-06-01"},
                },
                "events": [{"type": "missed_health_appointment", "date": "2022-01-10"}],
            }
        ],
    )
    police = write_jsonl(
        folder / "police.jsonl",
        [
            {
                "id": "YP-AUDIT",
                "date_of_birth": "2007-03-01",
                "factors": {
                    "weapon_incident": {
                        "status": "present",
                        "recorded": "2021-09-20",
                        "note": "weapon-related incident",
                    }
                },
                "events": [
                    {
                        "type": "weapon_incident",
                        "date": "2021-09-20",
                        "note": "weapon-related incident",
                    }
                ],
            }
        ],
    )
    return [Extract(gp, Agency.GP), Extract(police, Agency.POLICE)]


def test_the_audits_gp_and_police_extracts_assemble_into_one_profile(tmp_path: Path) -> None:
    out = tmp_path / "profiles.jsonl"
    summary = assemble(gp_and_police(tmp_path), out=out)
    assert summary.children == 1 and summary.accounted_for
    (record,) = assembled(out)
    profile = record.profile
    assert {a.source for a in profile.factors["weapon_incident"]} == {Agency.GP, Agency.POLICE}
    assert set(profile.agencies) == {Agency.GP, Agency.POLICE}
    result = Screener().screen(profile, as_of=AUDIT_AS_OF)
    assert "weapon_incident" in [c.indicator for c in result.contributions]
    (weapon,) = [item for item in result.accounts if item.factor == "weapon_incident"]
    assert weapon.conflict
    assert weapon.summary == "Police: weapon-related incident 2021-09; GP: no record"


def bad_extracts(folder: Path) -> list[Extract]:
    school = write_jsonl(
        folder / "school.jsonl",
        [
            {"id": "A", "date_of_birth": "2012-01-01", "factors": {"adhd": {"status": "maybe"}}},
            {"id": "B", "date_of_birth": "2012-01-01"},
            "{not json",
            "",
            {"id": "C", "date_of_birth": "2012-01-01"},
            {"id": "B", "date_of_birth": "2012-01-01"},  # the same child twice in one extract
        ],
    )
    police = write_jsonl(
        folder / "police.jsonl",
        [
            {"id": "B", "date_of_birth": "2012-01-01"},
            {"id": "C", "date_of_birth": "2012-05-05"},  # disagrees: a possible mis-link
            {"id": "D"},
            {"id": "E", "date_of_birth": "2012-01-01", "events": [{"type": "knife"}]},
        ],
    )
    csv = folder / "housing.csv"
    csv.write_text("id,date_of_birth,home_moves\nB,2012-01-01,absent\nF,31/02/2012,absent\n")
    return [Extract(school, Agency.SCHOOL), Extract(police, Agency.POLICE), Extract(csv)]


def test_codes_recorded_not_scored_from_every_extract_are_kept(tmp_path: Path) -> None:
    child = {"id": "YP-CIN", "date_of_birth": "2011-02-01"}
    social_care = write_jsonl(tmp_path / "csc.jsonl", [{**child, "cin_codes_not_scored": ["21"]}])
    early_help = write_jsonl(
        tmp_path / "eh.jsonl", [{**child, "cin_codes_not_scored": ["21", "7A"]}]
    )
    out = tmp_path / "out.jsonl"
    assemble(
        [
            Extract(social_care, Agency.CHILDRENS_SOCIAL_CARE),
            Extract(early_help, Agency.EARLY_HELP),
        ],
        out=out,
    )
    (record,) = assembled(out)
    assert record.profile.cin_codes_not_scored == ("7A", "21")  # once each, in census order


def test_every_line_of_every_extract_is_accounted_for(tmp_path: Path) -> None:
    errors = tmp_path / "errors.jsonl"
    summary = assemble(bad_extracts(tmp_path), out=tmp_path / "out.jsonl", errors=errors)
    counts = {count.name: count for count in summary.extracts}
    assert (counts["school.jsonl"].lines, counts["police.jsonl"].lines) == (6, 4)
    assert counts["housing.csv"].lines == 2
    assert summary.accounted_for
    assert [c.assembled for c in summary.extracts] == [1, 1, 1]  # child B, from all three
    assert summary.children == 1 and summary.set_aside == 1
    lines = [json.loads(line) for line in errors.read_text().splitlines()]
    where = {(item["extract"], item["line"], item["outcome"]) for item in lines}
    assert where == {
        ("school.jsonl", 1, "rejected"),
        ("school.jsonl", 3, "rejected"),
        ("school.jsonl", 4, "rejected"),
        ("school.jsonl", 6, "rejected"),
        ("school.jsonl", 5, "set_aside"),
        ("police.jsonl", 2, "set_aside"),
        ("police.jsonl", 3, "rejected"),
        ("police.jsonl", 4, "rejected"),
        ("housing.csv", 3, "rejected"),
    }
    set_aside = [item for item in lines if item["outcome"] == "set_aside"]
    assert all("possible mis-link" in item["reason"] for item in set_aside)
    assert all(item["field"] for item in lines)


def test_the_same_extracts_give_the_same_bytes_in_any_order(tmp_path: Path) -> None:
    gp, _ = gp_and_police(tmp_path)
    extracts = [gp, *bad_extracts(tmp_path)]  # (bad_extracts writes its own police.jsonl)
    first, second, third = (tmp_path / f"out{i}.jsonl" for i in range(3))
    assemble(extracts, out=first)
    assemble(extracts, out=second, chunk_bytes=200)  # many small sorted runs
    assemble(list(reversed(extracts)), out=third)
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def test_no_extracts_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        assemble([], out=tmp_path / "out.jsonl")


def headline(result: ScreeningResult) -> tuple[object, ...]:
    return (
        result.score,
        result.score_range,
        result.band,
        result.band_range,
        result.flag,
        result.flag_could_change,
        sorted((c.indicator, c.points) for c in result.contributions),
        [(m.key, m.max_change) for m in result.missing_information],
    )


def credited(piece: dict[str, Any], agency: str) -> dict[str, Any]:
    """One agency's piece: every account, event and attendance period is that agency's."""
    piece = copy.deepcopy(piece)
    for account in piece["factors"].values():
        account["source"] = agency
    for item in piece["events"] + piece["attendance"]:
        item["source"] = agency
    piece.pop("audit", None)
    piece["agencies"] = []
    return piece


def whole(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole profile the pieces split: every account, event and period together."""
    factors: dict[str, list[dict[str, Any]]] = {}
    for piece in pieces:
        for key, account in piece["factors"].items():
            factors.setdefault(key, []).append(account)
    return {
        "id": pieces[0]["id"],
        "date_of_birth": pieces[0]["date_of_birth"],
        "factors": factors,
        "events": [event for piece in pieces for event in piece["events"]],
        "attendance": [period for piece in pieces for period in piece["attendance"]],
    }


AGENCY_NAMES = [agency.value for agency in Agency]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(profile_dicts(max_extra_accounts=0, max_events=6), min_size=1, max_size=4),
    st.lists(st.sampled_from(AGENCY_NAMES), min_size=4, max_size=4, unique=True),
    st.randoms(use_true_random=False),
)
def test_splitting_a_profile_across_extracts_and_assembling_it_screens_the_same(
    parts: list[dict[str, Any]], agencies: list[str], random: Any
) -> None:
    dates = [part["date_of_birth"] for part in parts]
    for part in parts:  # one child: the pieces share the id and the earliest date of birth
        part["id"], part["date_of_birth"] = "CHILD-1", min(dates)
    pieces = [credited(part, agency) for part, agency in zip(parts, agencies, strict=False)]
    expected = Screener().screen(parse_profile(whole(pieces)), as_of=AS_OF)
    with tempfile.TemporaryDirectory() as folder:
        paths = [
            write_jsonl(Path(folder) / f"{agency}.jsonl", [piece])
            for piece, agency in zip(pieces, agencies, strict=False)
        ]
        extracts = [Extract(path, Agency(path.stem)) for path in paths]
        random.shuffle(extracts)
        out = Path(folder) / "out.jsonl"
        summary = assemble(extracts, out=out, chunk_bytes=random.choice([100, 10**6]))
        assert summary.children == 1, summary
        (record,) = assembled(out)
    assert headline(Screener().screen(record.profile, as_of=AS_OF)) == headline(expected)


# ---------------------------------------------------------------------------------------------
# The command line and the cohort page.


def test_assemble_command_writes_profiles_errors_and_the_jigsaw_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gp, police = (str(extract.path) for extract in gp_and_police(tmp_path))
    out, report = tmp_path / "profiles.jsonl", tmp_path / "jigsaw.html"
    code = main(["assemble", f"gp={gp}", f"police={police}", "--out", str(out), "--report",
                 str(report)])  # fmt: skip
    assert code == 0
    assert "1 children assembled from 2 lines" in capsys.readouterr().err
    page = report.read_text()
    assert "Police" in page and "GP" in page and "http" not in page.replace("http-equiv", "")
    assert main(["assemble", f"nobody={gp}", "--out", str(out)]) == 2
    assert "not in the vocabulary" in capsys.readouterr().err


def test_assemble_command_exits_1_when_lines_are_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(extract.path) for extract in bad_extracts(tmp_path)]
    code = main(["assemble", *paths, "--out", str(tmp_path / "out.jsonl")])
    assert code == 1
    assert "set aside 1" in capsys.readouterr().err


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed")
def test_the_jigsaw_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    report = tmp_path / "jigsaw.html"
    assemble(gp_and_police(tmp_path), out=tmp_path / "out.jsonl", report=report)
    browser = chromium()
    assert browser is not None
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert 'id="pairs"' in dom and "Weapon-related incident" in dom
    assert "1 children assembled" in dom


def test_pieces_that_contradict_each_other_are_set_aside_not_merged(tmp_path: Path) -> None:
    school = write_jsonl(
        tmp_path / "school.jsonl",
        [
            {
                "id": "A",
                "date_of_birth": "2010-01-01",
                "events": [{"type": "weapon_incident", "date": "2022-01-01", "source": "police"}],
            }
        ],
    )
    police = write_jsonl(
        tmp_path / "police.jsonl",
        [
            {
                "id": "A",
                "date_of_birth": "2010-01-01",
                "factors": {"weapon_incident": {"status": "absent"}},
            }
        ],
    )
    errors = tmp_path / "errors.jsonl"
    extracts = [Extract(school, Agency.SCHOOL), Extract(police, Agency.POLICE)]
    summary = assemble(extracts, out=tmp_path / "out.jsonl", errors=errors)
    assert (summary.children, summary.set_aside) == (0, 1)
    reasons = [json.loads(line)["reason"] for line in errors.read_text().splitlines()]
    assert len(reasons) == 2 and all("contradicts itself" in reason for reason in reasons)


def test_a_csv_extract_is_credited_to_the_agency_its_mapping_names(tmp_path: Path) -> None:
    export = tmp_path / "school-export.csv"
    export.write_text("Pupil,DOB,ADHD\nYP-1,2012-01-01,present\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"columns": {"Pupil": "id", "DOB": "date_of_birth", "ADHD": "adhd"}, "agency": "school"}
        )
    )
    out = tmp_path / "out.jsonl"
    code = main(["assemble", str(export), "--mapping", f"{export}={mapping}", "--out", str(out)])
    assert code == 0
    (record,) = assembled(out)
    assert record.profile.factors["adhd"][0].source is Agency.SCHOOL
    assert record.profile.agencies == (Agency.SCHOOL,)


# ---------------------------------------------------------------------------------------------
# The accounting does not depend on the order the extracts are given in.


def test_errors_and_report_are_the_same_bytes_whatever_the_order_of_the_extracts(
    tmp_path: Path,
) -> None:
    gp, _ = gp_and_police(tmp_path)
    extracts = [gp, *bad_extracts(tmp_path)]  # (bad_extracts writes its own police.jsonl)
    outputs = []
    for order, ordered in enumerate([extracts, list(reversed(extracts))]):
        out, errors, report = (tmp_path / f"{name}{order}" for name in ("out", "errors", "report"))
        assemble(ordered, out=out, errors=errors, report=report)
        outputs.append((out.read_bytes(), errors.read_bytes(), report.read_bytes()))
    assert outputs[0] == outputs[1]
    lines = [json.loads(line) for line in outputs[0][1].decode().splitlines()]
    where = [(item["extract"], item["line"]) for item in lines]
    assert where == sorted(where)  # by extract name, then line
    (mislink,) = {item["reason"] for item in lines if item["outcome"] == "set_aside"}
    assert "(police.jsonl, school.jsonl)" in mislink


def test_the_command_writes_the_same_errors_whatever_the_order_of_the_extracts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    school, police, _ = (str(extract.path) for extract in bad_extracts(tmp_path))
    written = []
    for order, arguments in enumerate([[f"school={school}", f"police={police}"],
                                       [f"police={police}", f"school={school}"]]):  # fmt: skip
        out, errors = tmp_path / f"out{order}", tmp_path / f"errors{order}"
        assert main(["assemble", *arguments, "--out", str(out), "--errors", str(errors)]) == 1
        written.append((out.read_bytes(), errors.read_bytes()))
    capsys.readouterr()
    assert written[0] == written[1]


# ---------------------------------------------------------------------------------------------
# Each extract once, each with a name of its own.


def test_the_same_file_given_twice_is_refused(tmp_path: Path) -> None:
    gp, _ = gp_and_police(tmp_path)
    spelt_otherwise = Extract(tmp_path / "." / "gp.jsonl", Agency.POLICE)
    for second in (gp, spelt_otherwise):
        with pytest.raises(InputError) as caught:
            assemble([gp, second], out=tmp_path / "out.jsonl")
        (problem,) = caught.value.problems
        assert problem.field == "extracts[1]"
        assert "same file (gp.jsonl) as extracts[0]" in problem.reason
    assert not (tmp_path / "out.jsonl").exists()


def test_two_extracts_with_the_same_file_name_are_refused(tmp_path: Path) -> None:
    gp, police = gp_and_police(tmp_path)
    for folder, extract in zip(("a", "b"), (gp, police), strict=True):
        (tmp_path / folder).mkdir()
        shutil.copy(extract.path, tmp_path / folder / "extract.jsonl")
    extracts = [Extract(tmp_path / folder / "extract.jsonl", Agency.GP) for folder in "ab"]
    with pytest.raises(InputError) as caught:
        assemble(extracts, out=tmp_path / "out.jsonl")
    (problem,) = caught.value.problems
    assert problem.field == "extracts[1]"
    assert "same file name (extract.jsonl) as extracts[0]" in problem.reason
    assert "rename" in problem.reason


def test_the_command_names_the_extract_given_twice_by_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gp, police = (str(extract.path) for extract in gp_and_police(tmp_path))
    out = tmp_path / "out.jsonl"
    assert main(["assemble", f"gp={gp}", f"police={police}", f"gp={gp}", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"EXTRACT 3 (gp={gp})" in err and "EXTRACT 1" in err
    assert "Traceback" not in err and not out.exists()


# ---------------------------------------------------------------------------------------------
# Arguments of the wrong kind are plain errors naming the parameter.


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"temporary_folder": "/nonexistent/efh-screen"}, "temporary_folder"),
        ({"temporary_folder": "FILE"}, "temporary_folder"),
        ({"temporary_folder": 3}, "temporary_folder"),
        ({"chunk_bytes": "big"}, "chunk_bytes"),
        ({"chunk_bytes": 1.5}, "chunk_bytes"),
        ({"chunk_bytes": True}, "chunk_bytes"),
        ({"errors": 7}, "errors"),
    ],
)
def test_arguments_of_the_wrong_kind_are_plain_errors(
    tmp_path: Path, arguments: dict[str, Any], field: str
) -> None:
    if arguments.get("temporary_folder") == "FILE":
        arguments = {"temporary_folder": write_jsonl(tmp_path / "a-file", [])}
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError) as caught:
        assemble(gp_and_police(tmp_path), out=out, **arguments)
    assert caught.value.fields == (field,)
    assert not out.exists()


@pytest.mark.parametrize(
    ("extract", "field"),
    [
        ("EXTRACT_PATH", "extracts[1]"),
        ("AGENCY_AS_TEXT", "extracts[1].agency"),
        # (an Agency is a str, so a path: one that names no file)
        ("ARGUMENTS_SWAPPED", "extracts[1].path extracts[1].agency"),
        ("NO_PATH", "extracts[1].path"),
        ("MAPPING_AS_TEXT", "extracts[1].mapping"),
        ("MISSING_FILE", "extracts[1].path"),
        ("FOLDER", "extracts[1].path"),
    ],
)
def test_extracts_of_the_wrong_kind_are_plain_errors(
    tmp_path: Path, extract: str, field: str
) -> None:
    gp, police = gp_and_police(tmp_path)
    wrong: Any = {
        "EXTRACT_PATH": police.path,
        "AGENCY_AS_TEXT": Extract(police.path, "police"),  # type: ignore[arg-type]
        "ARGUMENTS_SWAPPED": Extract(Agency.POLICE, police.path),  # type: ignore[arg-type]
        "NO_PATH": Extract(None, Agency.POLICE),  # type: ignore[arg-type]
        "MAPPING_AS_TEXT": Extract(police.path, Agency.POLICE, "mapping.json"),  # type: ignore[arg-type]
        "MISSING_FILE": Extract(tmp_path / "no-such-extract.jsonl", Agency.POLICE),
        "FOLDER": Extract(tmp_path, Agency.POLICE),
    }[extract]
    with pytest.raises(InputError) as caught:
        assemble([gp, wrong], out=tmp_path / "out.jsonl")
    assert caught.value.fields == tuple(field.split())
    assert "no-such-extract" not in str(caught.value)


def test_one_extract_not_in_a_list_is_a_plain_error(tmp_path: Path) -> None:
    gp, _ = gp_and_police(tmp_path)
    with pytest.raises(InputError) as caught:
        assemble(gp, out=tmp_path / "out.jsonl")  # type: ignore[arg-type]
    assert caught.value.fields == ("extracts",)


def test_audit_fields_the_extracts_agree_on_are_kept(tmp_path: Path) -> None:
    def piece(child: str, audit: dict[str, str]) -> dict[str, Any]:
        return {"id": child, "date_of_birth": "2012-01-01", "audit": audit}

    school = write_jsonl(
        tmp_path / "school.jsonl",
        [piece("A", {"sex": "male", "disability": "yes"}), piece("B", {"disability": "yes"})],
    )
    health = write_jsonl(
        tmp_path / "health.jsonl",
        [piece("A", {"disability": "yes"}), piece("B", {"disability": "no"})],
    )
    out = tmp_path / "out.jsonl"
    assemble([Extract(school, Agency.SCHOOL), Extract(health, Agency.GP)], out=out)
    audits = {record.profile.id: record.profile.audit for record in assembled(out)}
    assert audits["A"] is not None
    assert audits["A"].model_dump(exclude_defaults=True) == {"sex": "male", "disability": "yes"}
    assert audits["B"] is not None
    assert audits["B"].disability is None  # the extracts disagree: not recorded
