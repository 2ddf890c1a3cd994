"""The ``efh-screen screen`` command: exit codes, outputs, --sample, help examples."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from efh_screen.__main__ import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, build_parser, main

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "batch_good.jsonl").read_bytes().splitlines()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "clean.jsonl"
    path.write_bytes(b"\n".join(GOOD) + b"\n")
    return path


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.jsonl"
    lines = [*GOOD[:10], b'{"id": "BAD-1"', b"", GOOD[0]]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_all_screened_exits_0_and_prints_review_list(
    clean: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.jsonl"
    code = main(["screen", str(clean), "--as-of", "2026-09-01", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == EXIT_OK
    assert f"read {len(GOOD)}, screened {len(GOOD)}, rejected 0" in captured.err
    assert "prompt for an early-help review by a person" in captured.err
    assert captured.out.splitlines()[0].split() == ["#", "score", "status", "id"]
    assert "reasons: " in captured.out
    assert len(out.read_text().splitlines()) == len(GOOD)


def test_some_rejected_exits_1_and_still_writes_good_results(
    mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, errors = tmp_path / "r.jsonl", tmp_path / "e.jsonl"
    code = main(
        ["screen", str(mixed), "--as-of", "2026-09-01", "--out", str(out), "--errors", str(errors)]
    )
    captured = capsys.readouterr()
    assert code == EXIT_REJECTED
    assert "read 13, screened 10, rejected 3 (of which 1 duplicate ids)" in captured.err
    assert len(out.read_text().splitlines()) == 10
    lines = {json.loads(x)["line"] for x in errors.read_text().splitlines()}
    assert lines == {11, 12, 13}


def test_rejections_shown_on_stderr_without_errors_file(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["screen", str(mixed), "--as-of", "2026-09-01", "--quiet"]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "line 11" in err
    assert "line 13 id " in err
    assert "duplicate id" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["screen", "missing.jsonl", "--as-of", "2026-09-01"],
        ["screen", "{clean}", "--as-of", "01/09/2026"],
        ["screen", "{clean}"],
        ["screen", "--as-of", "2026-09-01"],
        ["screen", "{clean}", "--as-of", "2026-09-01", "--weights", "{bad}"],
        ["screen", "{clean}", "--as-of", "2026-09-01", "--weights", "missing.json"],
        ["screen", "{clean}", "--as-of", "2026-09-01", "--mapping", "{bad}"],
    ],
)
def test_unusable_invocations_exit_2(
    argv: list[str], clean: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": 3}')
    args = [a.format(clean=clean, bad=bad) for a in argv]
    assert main(args) == EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip()


def test_all_outputs_written(clean: Path, tmp_path: Path) -> None:
    review, page = tmp_path / "review.csv", tmp_path / "review.html"
    code = main(
        [
            "screen",
            str(clean),
            "--as-of",
            "2026-09-01",
            "--review",
            str(review),
            "--html",
            str(page),
            "--quiet",
        ]
    )
    assert code == EXIT_OK
    rows = review.read_text().splitlines()
    assert rows[0].startswith("rank,id,band")
    html = page.read_text()
    for row in rows[1:]:
        assert f"data-id='{row.split(',')[1]}'" in html
    assert "points-card" in html
    assert "never decisions" in html


def test_sample_screens_the_bundled_caseload(capsys: pytest.CaptureFixture[str]) -> None:
    sample = resources.files("efh_screen") / "data" / "sample_caseload.jsonl"
    if not Path(str(sample)).is_file():
        pytest.skip("the bundled sample caseload is not built yet")
    code = main(["screen", "--sample", "--as-of", "2026-09-01"])
    captured = capsys.readouterr()
    assert code == EXIT_OK
    assert captured.out.splitlines()[0].split() == ["#", "score", "status", "id"]
    assert "reasons: " in captured.out
    assert "rejected 0" in captured.err


def test_every_subcommand_help_has_an_example() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        text = command.format_help()
        assert "example" in text, f"efh-screen {name} --help has no example"
        assert f"efh-screen {name}" in text


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path, clean: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "efh_screen", "screen", str(clean), "--as-of", "2026-09-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == EXIT_OK
    assert "\r" not in proc.stderr


def test_review_page_renders_in_headless_chromium(clean: Path, tmp_path: Path) -> None:
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed")
    page = tmp_path / "review.html"
    assert (
        main(["screen", str(clean), "--as-of", "2026-09-01", "--html", str(page), "--quiet"]) == 0
    )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_review_html.py"), str(page)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_progress_bar_drawn_when_stderr_is_a_terminal(
    clean: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["screen", str(clean), "--as-of", "2026-09-01"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "\r[" in err
    assert f"{len(GOOD)} records" in err


def test_a_folder_as_input_is_named_as_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["screen", str(tmp_path), "--as-of", "2026-09-01"]) == EXIT_UNUSABLE
    assert "INPUT: is a folder" in capsys.readouterr().err


def test_review_table_fits_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", "--sample", "--as-of", "2026-09-01", "--limit", "0"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "could be flagged" not in out and "(could be" not in out
    assert "not flagged on what is known" in out
    assert "cannot change the flag" in out


def test_review_table_fits_100_columns_with_long_ids_and_since(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = []
    for i, line in enumerate(GOOD):
        record = json.loads(line)
        record["id"] = f"{'Y' * 60}-{i:03d}"
        records.append(json.dumps(record))
    source = tmp_path / "long.jsonl"
    source.write_text("\n".join(records) + "\n")
    assert main(["screen", str(source), "--as-of", "2026-09-01", "--out",
                 str(tmp_path / "first.jsonl")]) == EXIT_OK  # fmt: skip
    capsys.readouterr()
    assert main(["screen", str(source), "--as-of", "2026-09-01",
                 "--previous", str(tmp_path / "first.jsonl")]) == EXIT_OK  # fmt: skip
    out = capsys.readouterr().out
    assert "since last screen" in out
    assert max(len(line) for line in out.splitlines()) <= 100
