"""Since last screen: each child's change between two runs, and different weightings refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from efh_screen import (
    Change,
    InputError,
    Screener,
    Weights,
    compare_screens,
    parse_profile,
    read_results,
)
from efh_screen.__main__ import main

AS_OF = dt.date(2026, 9, 1)
BANDS = [band.key for band in Weights.default().bands]


def child(identifier: str, **factors: Any) -> dict[str, Any]:
    return {"id": identifier, "date_of_birth": "2012-01-01", "factors": factors}


def results(*profiles: dict[str, Any], weights: Weights | None = None) -> list[dict[str, Any]]:
    screener = Screener(weights)
    return [
        json.loads(screener.screen(parse_profile(p), as_of=AS_OF).model_dump_json())
        for p in profiles
    ]


LAST = [
    child("A"),
    child("B", child_criminal_exploitation={"status": "present", "source": "police"}),
    child("C", adhd={"status": "present", "source": "camhs"}),
]
NOW = [
    child("A", child_criminal_exploitation={"status": "present", "source": "police"}),
    child("B", child_criminal_exploitation={"status": "absent", "source": "childrens_social_care"}),
    child("C", adhd={"status": "present", "source": "camhs"}),
    child("D"),
]


def test_each_child_is_marked_with_what_changed() -> None:
    summary = compare_screens(results(*LAST), results(*NOW), bands=BANDS)
    kinds = {change.id: change.kind for change in summary.changes}
    assert kinds == {
        "A": Change.NEWLY_FLAGGED,
        "B": Change.NO_LONGER_FLAGGED,
        "C": Change.UNCHANGED,
        "D": Change.NEW,
    }
    (a,) = [change for change in summary.changes if change.id == "A"]
    assert "child_criminal_exploitation" in a.new_reasons
    assert "child_criminal_exploitation" in a.resolved_unknowns
    assert "new accounts: Child criminal exploitation concern: police" in a.describe()
    assert summary.counts[Change.NEWLY_FLAGGED] == 1 and summary.counts[Change.BAND_UP] == 0
    assert summary.not_screened_now == 0


def test_band_moves_within_the_flag_are_up_or_down() -> None:
    low = child("A", domestic_abuse={"status": "present", "source": "police"},
                weapon_incident={"status": "absent", "source": "police"})  # fmt: skip
    high = copy.deepcopy(low)
    high["factors"]["child_criminal_exploitation"] = {"status": "present", "source": "police"}
    # Youth justice corroborates the concern, so its override applies (a police label alone
    # would not override).
    low["factors"]["gang_association"] = {"status": "present", "source": "youth_justice"}
    up = compare_screens(results(low), results(high), bands=BANDS).changes[0]
    down = compare_screens(results(high), results(low), bands=BANDS).changes[0]
    assert (up.kind, down.kind) == (Change.BAND_UP, Change.BAND_DOWN)


def test_runs_with_different_weightings_are_refused_unless_asked() -> None:
    data = Weights.default().model_dump(mode="json")
    data["version"] = "9.9.9"
    other = Weights.from_dict(data)
    with pytest.raises(InputError, match="same weightings"):
        compare_screens(results(*LAST), results(*NOW, weights=other))
    allowed = compare_screens(
        results(*LAST), results(*NOW, weights=other), allow_different_weights=True
    )
    assert len(allowed.changes) == 4


def write(path: Path, profiles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in profiles))
    return path


def test_screen_previous_prints_since_last_screen_and_counts_each_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last, now = write(tmp_path / "last.jsonl", LAST), write(tmp_path / "now.jsonl", NOW)
    last_results = tmp_path / "last-results.jsonl"
    assert main(["screen", str(last), "--as-of", "2026-09-01", "--out", str(last_results)]) == 0
    capsys.readouterr()
    changes = tmp_path / "changes.jsonl"
    code = main(["screen", str(now), "--as-of", "2026-09-01", "--previous", str(last_results),
                 "--changes", str(changes)])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "since last screen: newly flagged" in captured.out
    assert "1 new, 1 newly flagged, 1 no longer flagged, 0 band up" in captured.err
    assert str(tmp_path) not in captured.err.replace(str(changes), "")  # no temporary paths
    kinds = [json.loads(line)["since_last_screen"] for line in changes.read_text().splitlines()]
    assert kinds == ["newly_flagged", "no_longer_flagged", "unchanged", "new"]


def test_screen_previous_with_other_weightings_exits_2_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = tmp_path / "last.jsonl"
    version = f'"version": "{Weights.default().version}"'
    lines = "".join(json.dumps(r) + "\n" for r in results(*LAST))
    assert version in lines
    last.write_text(lines.replace(version, '"version": "0.9"'))
    out = tmp_path / "out.jsonl"
    now = write(tmp_path / "now.jsonl", NOW)
    args = ["screen", str(now), "--as-of", "2026-09-01", "--previous", str(last)]
    assert main([*args, "--out", str(out)]) == 2
    assert "same weightings" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--allow-different-weights", "--quiet"]) == 0


def test_the_review_files_show_since_last_screen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last, now = write(tmp_path / "last.jsonl", LAST), write(tmp_path / "now.jsonl", NOW)
    last_results = tmp_path / "last-results.jsonl"
    assert main(["screen", str(last), "--as-of", "2026-09-01", "--out", str(last_results)]) == 0
    review, page = tmp_path / "review.csv", tmp_path / "review.html"
    code = main(["screen", str(now), "--as-of", "2026-09-01", "--previous", str(last_results),
                 "--review", str(review), "--html", str(page), "--quiet"])  # fmt: skip
    assert code == 0
    header, first = review.read_text().splitlines()[:2]
    assert header.endswith(",since_last_screen") and first.endswith(",newly flagged")
    assert "since last screen: newly flagged" in page.read_text()
    assert main(["screen", str(now), "--as-of", "2026-09-01", "--review", str(review)]) == 0
    assert "since_last_screen" not in review.read_text()  # no comparison, no column


def test_changes_without_previous_is_a_plain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = write(tmp_path / "now.jsonl", NOW)
    args = ["screen", str(now), "--as-of", "2026-09-01", "--changes", str(tmp_path / "c.jsonl")]
    assert main(args) == 2
    assert "needs --previous" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Screening with --previous.


def screen_since(now: Path, last_results: Path, *options: str) -> list[str]:
    return ["screen", str(now), "--as-of", "2026-09-01", "--previous", str(last_results),
            "--quiet", *options]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# A malformed --previous file is refused before anything is screened, naming line and field.


def compact_results(tmp_path: Path) -> list[dict[str, Any]]:
    last = write(tmp_path / "last.jsonl", LAST)
    out = tmp_path / "last-results.jsonl"
    assert main(["screen", str(last), "--as-of", "2026-09-01", "--out", str(out), "--quiet"]) == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


SECRET = "Jane-Doe-secret"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("score", "high", "line 2: score must be a whole number"),
        ("score", True, "line 2: score must be a whole number"),
        ("id", [SECRET], "line 2: id must be text"),
        ("flag", SECRET, "line 2: flag must be true or false"),
        ("band", 3, "line 2: band must be text"),
        ("top_reasons", [{}], "line 2: top_reasons[0].indicator is missing"),
        ("top_reasons", [{"indicator": 1, "points": 2}], "line 2: top_reasons[0].indicator must"),
        ("top_reasons", SECRET, "line 2: top_reasons must be a list"),
        ("main_missing", 5, "line 2: main_missing must be a list"),
        ("main_missing", [5], "line 2: main_missing[0] must be text"),
        ("as_of", SECRET, "line 2: as_of must be a date"),
        ("weights", [SECRET], "line 2: weights must be an object"),
        ("contributions", [{"indicator": "x"}], "line 2: contributions[0].points is missing"),
        ("missing_information", [{}], "line 2: missing_information[0].key is missing"),
        ("accounts", [{"label": "x", "accounts": [5]}], "line 2: accounts[0].accounts[0] must"),
        ("score", None, "line 2: score must be a whole number"),
    ],
)
def test_a_malformed_previous_file_is_refused_before_screening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object, named: str
) -> None:
    lines = compact_results(tmp_path)
    lines[1][field] = value
    last_results = tmp_path / "bad-results.jsonl"
    last_results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    now = write(tmp_path / "now.jsonl", NOW)
    out, changes = tmp_path / "out.jsonl", tmp_path / "changes.jsonl"
    argv = screen_since(now, last_results, "--out", str(out), "--changes", str(changes))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"--previous: {named}" in err
    assert SECRET not in err and "Traceback" not in err
    assert not out.exists() and not changes.exists()
    with pytest.raises(InputError, match=re.escape(named)):
        read_results(last_results)


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    lines = compact_results(tmp_path)
    del lines[0]["flag"]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(InputError, match=re.escape("line 1: flag is missing")):
        read_results(path)


@pytest.mark.parametrize("line", [b"[1, 2]\n", b"not json\n", b"[" * 100_000 + b"\n", b"5\n"])
def test_a_line_that_is_not_a_result_is_named(tmp_path: Path, line: bytes) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n" + line)
    with pytest.raises(InputError, match="line 2 is not a screening result"):
        read_results(path)


# ---------------------------------------------------------------------------------------------
# --previous is read with a bound, and must be a regular file.


def test_a_huge_line_in_previous_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.jsonl"
    path.write_bytes(b'{"id": "' + b"x" * 2_000_000 + b'"}\n')
    with pytest.raises(InputError, match="line 1 is longer than 1,000,000 bytes"):
        read_results(path)
    now = write(tmp_path / "now.jsonl", NOW)
    out = tmp_path / "out.jsonl"
    assert main(screen_since(now, path, "--out", str(out))) == 2
    assert "--previous: line 1 is longer than 1,000,000 bytes" in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_as_previous_is_named_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--previous: is a folder"):
        read_results(tmp_path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_previous_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    now = write(tmp_path / "now.jsonl", NOW)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "efh_screen",
               *screen_since(now, Path("/dev/zero"), "--out", str(out))]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "--previous: is not a regular file" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def test_full_results_of_last_screen_are_read_and_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last, now = write(tmp_path / "last.jsonl", LAST), write(tmp_path / "now.jsonl", NOW)
    last_full = tmp_path / "last-full.jsonl"
    argv = ["screen", str(last), "--as-of", "2026-09-01", "--full", "--out", str(last_full)]
    assert main(argv) == 0
    assert [item["id"] for item in read_results(last_full)] == ["A", "B", "C"]
    changes = tmp_path / "changes.jsonl"
    argv = screen_since(now, last_full, "--full", "--changes", str(changes))
    assert main(argv) == 0
    (a, *_) = [json.loads(line) for line in changes.read_text().splitlines()]
    assert a["new_accounts"] == ["Child criminal exploitation concern: police"]


# ---------------------------------------------------------------------------------------------
# --previous and --changes keep the output-file rules: refused before any work, all or none.


@pytest.fixture
def last_month(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """Screen last month's caseload; return this month's caseload and its results."""
    last, now = write(tmp_path / "last.jsonl", LAST), write(tmp_path / "now.jsonl", NOW)
    last_results = tmp_path / "last-results.jsonl"
    assert main(["screen", str(last), "--as-of", "2026-09-01", "--out", str(last_results)]) == 0
    capsys.readouterr()
    return now, last_results


def files_in(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--changes", "{now}"], "changes: is the input file"),
        (["--out", "{last}"], "results: is the input file"),
        (["--changes", "{last}"], "changes: is the input file"),
        (["--review", "{last}"], "review_csv: is the input file"),
        (["--out", "{out}", "--changes", "{out}"], "changes: is the same file as results"),
        (["--errors", "{out}", "--changes", "{out}"], "changes: is the same file as errors"),
    ],
)
def test_changes_and_previous_follow_the_output_rules(
    last_month: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    now, last_results = last_month
    folder = now.parent
    before = files_in(folder)
    paths = {"now": now, "last": last_results, "out": folder / "out.jsonl"}
    argv = screen_since(now, last_results, *(option.format(**paths) for option in options))
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert files_in(folder) == before  # nothing written, the caseload and last results as they were


def test_changes_that_cannot_be_written_leave_no_results(
    last_month: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    now, last_results = last_month
    folder = now.parent
    before = files_in(folder)
    out, review = folder / "out.jsonl", folder / "review.csv"
    argv = screen_since(now, last_results, "--out", str(out), "--review", str(review),
                        "--changes", str(folder / "nodir" / "changes.jsonl"))  # fmt: skip
    assert main(argv) == 2
    assert "cannot use" in capsys.readouterr().err
    assert files_in(folder) == before  # all or none: no results, no review list


def test_changes_and_results_are_committed_together(
    last_month: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    now, last_results = last_month
    folder = now.parent
    out, changes, errors = folder / "out.jsonl", folder / "changes.jsonl", folder / "errors.jsonl"
    plain = folder / "plain.jsonl"
    assert main(["screen", str(now), "--as-of", "2026-09-01", "--out", str(plain)]) == 0
    argv = screen_since(now, last_results, "--out", str(out), "--changes", str(changes),
                        "--errors", str(errors))  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert out.read_bytes() == plain.read_bytes()  # the same results as without --previous
    assert len(changes.read_text().splitlines()) == len(NOW) and errors.read_text() == ""
    assert f"wrote results to {out}" in err
    assert not [path for path in folder.iterdir() if path.name.endswith(".efh-tmp")]


# ---------------------------------------------------------------------------------------------
# Results given in Python are checked as a file's lines are: plain errors, never a traceback.


@pytest.mark.parametrize(
    ("previous", "current", "field", "words"),
    [
        (None, [], "previous", "must be a list of result lines"),
        ({"id": "p-1"}, [], "previous", "must be a list of result lines"),
        ([1], [], "previous", "item 1 is not a screening result"),
        ([], [{"id": "p-1", "band": "b", "flag": True}], "current", "item 1: score is missing"),
        (
            [],
            [{"id": "p-1", "band": "b", "flag": True, "score": "SECRET-TEXT"}],
            "current",
            "item 1: score must be a whole number",
        ),
        (
            [],
            [{"id": "p-1", "band": "b", "flag": True, "score": 1, "x": object()}],
            "current",
            "item 1 is not a screening result",
        ),
    ],
)
def test_results_given_in_python_are_checked_with_plain_errors(
    previous: Any, current: Any, field: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        compare_screens(previous, current)
    (problem,) = caught.value.problems
    assert problem.field == field
    assert words in problem.reason
    assert "SECRET" not in str(caught.value)


def test_results_without_a_weightings_stamp_compare_with_each_other() -> None:
    before = [{"id": "p-1", "band": "low", "flag": False, "score": 1, "as_of": dt.date(2026, 1, 1)}]
    now = [{"id": "p-1", "band": "low", "flag": False, "score": 1, "as_of": "2026-02-01"}]
    summary = compare_screens(before, now)
    assert summary.counts[Change.UNCHANGED] == 1


def known_absent(identifier: str) -> dict[str, Any]:
    """A child about whom most is known, and nothing of concern."""
    status = {key: {"status": "absent"} for key in (
        "domestic_abuse", "physical_abuse", "emotional_abuse", "sexual_abuse", "physical_neglect",
        "emotional_neglect", "household_substance_misuse", "household_mental_illness",
        "parental_separation", "household_imprisonment", "child_criminal_exploitation",
        "child_sexual_exploitation", "gang_association", "violence_history",
        "substance_misuse", "missing_episodes", "police_contact", "weapon_incident",
        "violence_victim", "suspensions", "permanent_exclusion", "alternative_provision",
    )}  # fmt: skip
    return child(identifier, **status)


def test_crossing_the_coverage_rule_is_said_not_ranked_by_score() -> None:
    little = child("A")
    enough = known_absent("A")
    (little_result,), (enough_result,) = results(little), results(enough)
    assert little_result["band"] == "not_enough_known" and not little_result["flag"]
    assert enough_result["band"] == "no_concern" and enough_result["coverage"]["enough"]
    now_known = compare_screens([little_result], [enough_result], bands=BANDS).changes[0]
    now_unknown = compare_screens([enough_result], [little_result], bands=BANDS).changes[0]
    assert now_known.kind is Change.ENOUGH_KNOWN_NOW
    assert now_unknown.kind is Change.TOO_LITTLE_KNOWN_NOW
    assert now_known.describe().startswith("enough known now")
    # Weightings without a coverage rule (results without coverage) rank by band and score.
    bare = [{k: v for k, v in r.items() if k != "coverage"} for r in (little_result, enough_result)]
    assert compare_screens([bare[0]], [bare[1]]).changes[0].kind is Change.UNCHANGED
    # A flagged child is never "too little known": the flag moved, and that is what is said.
    flagged = results(child("A", child_criminal_exploitation={"status": "present"}))
    assert compare_screens(flagged, [little_result]).changes[0].kind is Change.NO_LONGER_FLAGGED


def test_the_review_list_says_when_enough_is_known_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # B was not enough known last month; now enough is known and it could still be flagged.
    maybe = known_absent("B")
    del maybe["factors"]["child_criminal_exploitation"]
    last, now = write(tmp_path / "last.jsonl", [child("B")]), write(tmp_path / "now.jsonl", [maybe])
    last_results = tmp_path / "last-results.jsonl"
    assert main(["screen", str(last), "--as-of", "2026-09-01", "--out", str(last_results)]) == 0
    review, changes = tmp_path / "review.csv", tmp_path / "changes.jsonl"
    code = main(["screen", str(now), "--as-of", "2026-09-01", "--previous", str(last_results),
                 "--review", str(review), "--changes", str(changes)])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "B                enough known now" in captured.out
    assert "1 enough known now, 0 too little known now" in captured.err
    assert review.read_text().splitlines()[1].endswith(",enough known now")
    assert json.loads(changes.read_text())["since_last_screen"] == "enough_known_now"
