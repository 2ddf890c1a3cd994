"""Screening in several processes (``jobs``) gives exactly what one process gives.

Every comparison screens the same file with ``jobs=1`` and ``jobs=2`` and asserts that the
results, the rejections, the review CSV and HTML, the summary, the progress counts and the
exit code are the same, byte for byte. A block holds 32 chunks (at most 4,096 records), so
a small ``chunk_size`` cuts a small file into many blocks and the workers really run; a file
of one block is screened in the calling process. No test here measures time.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from efh_screen import BatchSummary, ColumnMapping, InputError, screen_file
from efh_screen.__main__ import (
    EXIT_INTERRUPTED,
    EXIT_REJECTED,
    EXIT_TERMINATED,
    EXIT_UNUSABLE,
    main,
)
from efh_screen.synth import generate_cohort
from fuzz_corpus import AS_OF, csv_corpus, jsonl_corpus

OUTPUTS = {
    "results": "results.jsonl",
    "errors": "errors.jsonl",
    "review_csv": "review.csv",
    "review_html": "review.html",
}


def screen_with_jobs(source: Path, folder: Path, jobs: int, **options: Any) -> BatchSummary:
    folder.mkdir()
    counts: list[int] = []
    outputs: dict[str, Any] = {kind: folder / name for kind, name in OUTPUTS.items()}
    summary = screen_file(
        source,
        as_of=AS_OF,
        jobs=jobs,
        progress=lambda read, done, total: counts.append(read),
        **outputs,
        **options,
    )
    (folder / "progress.json").write_text(json.dumps(counts), encoding="utf-8")
    return summary


def assert_same_with_two_jobs(source: Path, tmp_path: Path, **options: Any) -> BatchSummary:
    """Screen ``source`` with one and with two jobs; everything must be the same."""
    one = screen_with_jobs(source, tmp_path / "one", 1, **options)
    two = screen_with_jobs(source, tmp_path / "two", 2, **options)
    assert dataclasses.replace(two, outputs={}) == dataclasses.replace(one, outputs={})
    for name in [*OUTPUTS.values(), "progress.json"]:
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    assert one.read == one.screened + one.rejected
    return two


def write_lines(path: Path, lines: list[bytes], header: str | None = None) -> Path:
    body = b"".join(line + b"\n" for line in lines)
    path.write_bytes((header.encode() + b"\n" if header is not None else b"") + body)
    return path


def profile_line(rid: str, **fields: Any) -> bytes:
    return json.dumps({"id": rid, "date_of_birth": "2012-01-01", **fields}).encode()


# ---------------------------------------------------------------------------------------------
# The same outputs.


@pytest.fixture(scope="module")
def cohort_lines() -> list[bytes]:
    cohort = generate_cohort(150, seed=12, as_of=AS_OF, population="early-help")
    return [c.profile.model_dump_json(exclude_defaults=True).encode() for c in cohort]


@pytest.mark.parametrize("full", [False, True], ids=["compact", "full"])
def test_a_cohort_is_screened_the_same_in_two_processes(
    cohort_lines: list[bytes], tmp_path: Path, full: bool
) -> None:
    source = write_lines(tmp_path / "cohort.jsonl", cohort_lines)
    summary = assert_same_with_two_jobs(source, tmp_path, chunk_size=2, full=full)
    assert summary.screened == 150
    assert summary.review  # the review page and its points cards came from the workers


def test_the_fuzz_corpus_is_accounted_for_the_same_in_two_processes(tmp_path: Path) -> None:
    cases = jsonl_corpus(n_bad=300, n_good=100, seed=20261201)
    source = write_lines(tmp_path / "corpus.jsonl", [case.text for case in cases])
    summary = assert_same_with_two_jobs(source, tmp_path, chunk_size=4)
    assert summary.read == len(cases)
    assert summary.rejected == sum(not case.valid for case in cases)
    assert summary.duplicates > 0


def test_the_csv_fuzz_corpus_is_accounted_for_the_same_in_two_processes(tmp_path: Path) -> None:
    header, cases = csv_corpus(n_bad=200, n_good=80, seed=20261201)
    source = write_lines(tmp_path / "corpus.csv", [case.text for case in cases], header)
    summary = assert_same_with_two_jobs(source, tmp_path, chunk_size=4)
    assert summary.read == len(cases)
    assert summary.rejected == sum(not case.valid for case in cases)


def test_duplicates_across_blocks_are_rejected_as_one_process_rejects_them(
    tmp_path: Path,
) -> None:
    lines = [profile_line(f"P{number}") for number in range(1, 201)]  # lines 1-200
    # chunk_size=2 makes blocks of 64 lines: 1-64, 65-128, 129-192, 193-200.
    lines[69] = profile_line("P10")  # line 70: a valid repeat of line 10, in the next block
    lines[19] = profile_line("D2", date_of_birth="2030-01-01")  # line 20: impossible, rejected
    lines[79] = profile_line("D2")  # line 80: so this one is screened
    lines[139] = profile_line("D2")  # line 140: and this one is its duplicate
    lines[89] = profile_line("P30", date_of_birth="2030-01-01")  # line 90: repeat AND impossible
    lines[99] = profile_line("P40", factors={"adhd": "maybe"})  # line 100: bad content
    lines[63] = lines[64] = profile_line("EDGE")  # lines 64 and 65, either side of a boundary
    source = write_lines(tmp_path / "caseload.jsonl", lines)
    summary = assert_same_with_two_jobs(source, tmp_path, chunk_size=2)

    rejected: dict[int, str] = {}
    for row in map(json.loads, (tmp_path / "two" / "errors.jsonl").read_text().splitlines()):
        rejected[row["line"]] = row["reason"]
    assert sorted(rejected) == [20, 65, 70, 90, 100, 140]
    assert rejected[70].startswith("duplicate id; first seen on line 10;")
    assert rejected[140].startswith("duplicate id; first seen on line 80;")
    assert rejected[90].startswith("duplicate id; first seen on line 30;")  # not its dates
    assert rejected[65].startswith("duplicate id; first seen on line 64;")
    assert not rejected[100].startswith("duplicate")  # rejected for its content
    assert summary.duplicates == 4


def test_csv_with_multi_line_cells_is_cut_only_between_rows(tmp_path: Path) -> None:
    mapping = ColumnMapping(multiline_cells=True)
    rows = []
    for number in range(1, 121):
        comment = f'"seen at home\nand at school {number}"' if number % 3 == 0 else "none"
        if number % 17 == 0:
            comment = '"a quote that never closes'  # runs over 20 lines: its first is rejected
        if number % 29 == 0:
            comment = '"three\nline\ncomment"'
        rows.append(f"C{number},2012-01-0{1 + number % 9},present,{comment}")
    rows.append('C999,2012-01-01,present,"open to the end of the file')
    header = "id,date_of_birth,adhd,comment"
    source = write_lines(tmp_path / "export.csv", [row.encode() for row in rows], header)
    summary = assert_same_with_two_jobs(source, tmp_path, chunk_size=1, mapping=mapping)
    assert summary.rejected > 0
    assert summary.screened > 80


def test_empty_input_gives_empty_outputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,date_of_birth\n", encoding="utf-8")
    for source in (empty, header_only):
        folder = tmp_path / source.suffix.lstrip(".")
        folder.mkdir()
        summary = assert_same_with_two_jobs(source, folder)
        assert summary.read == 0


def test_a_file_with_no_header_is_refused_alike(tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(b"")
    for jobs in (1, 2):
        with pytest.raises(InputError, match="the file is empty"):
            screen_file(source, as_of=AS_OF, results=tmp_path / "results.jsonl", jobs=jobs)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["empty.csv"]


def test_input_smaller_than_one_block_and_every_core(tmp_path: Path) -> None:
    lines = [profile_line("A1"), profile_line("A2", date_of_birth="2030-01-01"), b"{", b""]
    source = write_lines(tmp_path / "small.jsonl", [*lines, profile_line("A1")])
    summary = assert_same_with_two_jobs(source, tmp_path)
    assert (summary.read, summary.screened, summary.duplicates) == (5, 1, 1)
    every_core = screen_file(source, as_of=AS_OF, jobs=0)
    assert dataclasses.replace(every_core, outputs={}) == dataclasses.replace(summary, outputs={})


@pytest.mark.parametrize("jobs", [-1, 65, True, 1.5, "2", None])
def test_a_bad_number_of_jobs_is_refused_plainly(tmp_path: Path, jobs: Any) -> None:
    source = write_lines(tmp_path / "caseload.jsonl", [profile_line("A1")])
    with pytest.raises(InputError, match=r"- jobs: must be a whole number of processes"):
        screen_file(source, as_of=AS_OF, jobs=jobs)


def test_screening_in_workers_changes_nothing_process_wide(
    cohort_lines: list[bytes], tmp_path: Path
) -> None:
    source = write_lines(tmp_path / "cohort.jsonl", cohort_lines)
    start_method = multiprocessing.get_start_method(allow_none=True)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    screen_file(source, as_of=AS_OF, chunk_size=1, jobs=2)
    assert multiprocessing.get_start_method(allow_none=True) == start_method
    assert {number: signal.getsignal(number) for number in handlers} == handlers
    assert not multiprocessing.active_children()


# ---------------------------------------------------------------------------------------------
# The command line.


def test_the_command_line_prints_and_writes_the_same_with_two_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = jsonl_corpus(n_bad=40, n_good=160, seed=3)
    source = write_lines(tmp_path / "mixed.jsonl", [case.text for case in cases])
    seen = []
    for jobs in ("1", "2"):
        folder = tmp_path / jobs
        folder.mkdir()
        monkeypatch.chdir(folder)
        argv = ["screen", str(source), "--as-of", AS_OF.isoformat(), "--jobs", jobs]
        argv += ["--out", "r.jsonl", "--review", "v.csv", "--html", "v.html", "--limit", "0"]
        code = main(argv)
        captured = capsys.readouterr()
        files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
        seen.append((code, captured.out, captured.err, files))
    assert seen[0] == seen[1]
    assert seen[0][0] == EXIT_REJECTED


def test_the_command_line_refuses_a_bad_number_of_jobs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["screen", "--sample", "--as-of", "2026-09-01", "--jobs", "many"]) == 2
    assert "argument --jobs: must be a whole number of processes" in capsys.readouterr().err


def _child_environment() -> dict[str, str]:
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _worker_pids(parent: int) -> list[int]:
    """Process ids of the spawned workers of ``parent`` (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def long_caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A caseload that takes two workers a few seconds (with the review page)."""
    path = tmp_path_factory.mktemp("long") / "caseload.jsonl"
    cohort = generate_cohort(2000, seed=2, as_of=AS_OF, population="early-help")
    profiles = [c.profile.model_dump(mode="json") for c in cohort]
    copies = [
        {**profile, "id": f"{profile['id']}-{copy}"} for copy in range(4) for profile in profiles
    ]
    write_lines(path, [json.dumps(profile).encode() for profile in copies])
    return path


def start_with_workers(caseload: Path, folder: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """Start ``screen --jobs 2`` in its own session; return it once both workers exist."""
    command = [sys.executable, "-m", "efh_screen", "screen", str(caseload), "--quiet"]
    command += ["--as-of", AS_OF.isoformat(), "--jobs", "2", "--out", str(folder / "r.jsonl")]
    command += ["--html", str(folder / "review.html")]
    child = subprocess.Popen(
        command, stderr=subprocess.PIPE, env=_child_environment(), start_new_session=True
    )
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        workers = _worker_pids(child.pid)
    if len(workers) < 2:
        child.kill()
        child.communicate()
        pytest.skip("the run ended before both workers were seen")
    return child, workers


def finish(child: subprocess.Popen[bytes]) -> bytes:
    try:
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return stderr


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    ("how", "code", "words"),
    [
        ("SIGTERM to the command", EXIT_TERMINATED, b"terminated; no output was written"),
        ("Ctrl-C to the process group", EXIT_INTERRUPTED, b"interrupted"),
        (
            "SIGKILL to a worker",
            EXIT_UNUSABLE,
            b"a worker process stopped unexpectedly (exit code -9); no output was written",
        ),
    ],
)
def test_a_stopped_run_stops_its_workers_and_leaves_no_file(
    long_caseload: Path, tmp_path: Path, how: str, code: int, words: bytes
) -> None:
    child, workers = start_with_workers(long_caseload, tmp_path)
    if how.startswith("SIGTERM"):
        child.send_signal(signal.SIGTERM)
    elif how.startswith("Ctrl-C"):
        os.killpg(child.pid, signal.SIGINT)
    else:
        os.kill(workers[0], signal.SIGKILL)
    stderr = finish(child)
    assert child.returncode == code, stderr[-2000:]
    assert words in stderr
    assert b"Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
    assert not [pid for pid in workers if _running(pid)]
