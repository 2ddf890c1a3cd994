"""Since last screen: each child's change between two runs, and different weightings refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
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
    low["factors"]["gang_association"] = {"status": "present", "source": "police"}
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
    last.write_text("".join(json.dumps(r) + "\n" for r in results(*LAST)).replace("1.1.0", "0.9"))
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
