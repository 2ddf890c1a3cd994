"""Assembling in bounded resources: memory does not grow with repeats, open files are capped."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from efh_screen import Agency, Extract, assemble


def repeated_extract(path: Path, repeats: int) -> Extract:
    """One child's line ``repeats`` times (each repeat is rejected), beside a few other children."""
    line = {
        "id": "YP-REPEATED",
        "date_of_birth": "2010-01-01",
        "factors": {"adhd": {"status": "present", "note": "diagnosed " * 20}},
        "events": [{"type": "missed_health_appointment", "date": "2022-01-10"}],
    }
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(10):
            stream.write(json.dumps(line | {"id": f"YP-{number:03d}"}) + "\n")
        stream.write((json.dumps(line) + "\n") * repeats)
    return Extract(path, Agency.GP)


def peak_memory(extract: Extract, folder: Path) -> int:
    """The most bytes Python held while assembling one extract (in small sorted runs)."""
    if tracemalloc.is_tracing():
        pytest.skip("memory is already being traced")
    tracemalloc.start()
    try:
        summary = assemble(
            [extract], out=folder / "out.jsonl", errors=folder / "errors.jsonl", chunk_bytes=256_000
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.children == 11 and summary.accounted_for
    return peak


def test_memory_does_not_grow_with_repeats_of_one_id(tmp_path: Path) -> None:
    few = peak_memory(repeated_extract(tmp_path / "few.jsonl", 1_000), tmp_path)
    many = peak_memory(repeated_extract(tmp_path / "many.jsonl", 10_000), tmp_path)
    assert many < 1.5 * few, (few, many)  # ten times the repeats, not ten times the memory


def distinct_children(path: Path, children: int) -> Extract:
    """Short lines, each its own child; every tenth repeats an id, every 25th is bad."""
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(children):
            if number % 25 == 24:
                stream.write("{not json\n")
                continue
            child = number - 1 if number % 10 == 9 else number
            stream.write(json.dumps({"id": f"YP-{child:05d}", "date_of_birth": "2010-01-01"}))
            stream.write("\n")
    return Extract(path, Agency.GP)


def test_hundreds_of_sorted_runs_give_the_same_bytes(tmp_path: Path) -> None:
    extract = distinct_children(tmp_path / "gp.jsonl", 500)
    written = []
    for chunk_bytes in (1, 10**6):  # a run per line; everything in one run
        out, errors = tmp_path / f"out-{chunk_bytes}", tmp_path / f"errors-{chunk_bytes}"
        assemble([extract], out=out, errors=errors, chunk_bytes=chunk_bytes)
        written.append((out.read_bytes(), errors.read_bytes()))
    assert written[0] == written[1]
    assert written[0][1].count(b"\n") == 20 + 40  # bad lines; repeats (of lines not bad)


LOW_OPEN_FILES = """
import resource, sys
from efh_screen import Agency, Extract, assemble
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (100, hard))
extract, out, errors = sys.argv[1:]
assemble([Extract(extract, Agency.GP)], out=out, errors=errors, chunk_bytes=1)
"""


def test_a_run_per_line_assembles_under_a_low_limit_of_open_files(tmp_path: Path) -> None:
    resource = pytest.importorskip("resource")
    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 100:
        pytest.skip("the hard limit of open files is already below 100")
    extract = distinct_children(tmp_path / "gp.jsonl", 800)
    assemble([extract], out=tmp_path / "expected", errors=tmp_path / "expected-errors")
    out, errors = tmp_path / "out", tmp_path / "errors"
    run = subprocess.run(
        [sys.executable, "-c", LOW_OPEN_FILES, str(extract.path), str(out), str(errors)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.read_bytes() == (tmp_path / "expected").read_bytes()
    assert errors.read_bytes() == (tmp_path / "expected-errors").read_bytes()
