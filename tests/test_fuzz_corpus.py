"""Nothing lost, nothing leaked: a seeded corpus of malformed records on every input path.

For the JSONL file path, the CSV file path, the Python API and the command line, every run
must: raise nothing; account for every record (``read == screened + rejected``); reject
exactly the malformed records, each at its own line with the right id (or none, when the id
cannot be read safely); give the valid records results byte-identical to screening them
alone; never repeat personal text; and exit with the documented code.

The quick corpus runs in every test run; the full corpus (over 10,000 malformed records of
51 kinds) is marked ``slow`` and runs in CI (deselect it locally with ``-m "not slow"``).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from efh_screen import Profile, screen_file, screen_records
from efh_screen.__main__ import EXIT_OK, EXIT_REJECTED, main
from fuzz_corpus import AS_OF, CSV_KINDS, JSONL_KINDS, PERSONAL, Case, csv_corpus, jsonl_corpus

QUICK = {"n_bad": 720, "n_good": 240}
FULL = {"n_bad": 10_800, "n_good": 3_000}


def write_lines(path: Path, lines: list[bytes], header: str | None = None) -> Path:
    body = b"\n".join(lines) + b"\n"
    path.write_bytes((header.encode() + b"\n" if header is not None else b"") + body)
    return path


def rejections_by_line(errors: Path) -> dict[int, set[str | None]]:
    found: dict[int, set[str | None]] = {}
    text = errors.read_text(encoding="utf-8")
    assert PERSONAL not in text
    for row in map(json.loads, text.splitlines()):
        found.setdefault(row["line"], set()).add(row["id"])
    return found


def check_file_path(tmp_path: Path, cases: list[Case], *, header: str | None, suffix: str) -> None:
    offset = 2 if header is not None else 1  # physical line of the first case
    source = write_lines(tmp_path / f"corpus{suffix}", [case.text for case in cases], header)
    summary = screen_file(
        source,
        as_of=AS_OF,
        results=tmp_path / "results.jsonl",
        errors=tmp_path / "errors.jsonl",
        review_csv=tmp_path / "review.csv",
        chunk_size=97,
    )
    bad = {offset + i: case for i, case in enumerate(cases) if not case.valid}
    assert summary.read == len(cases) == summary.screened + summary.rejected
    assert summary.rejected == len(bad)
    found = rejections_by_line(tmp_path / "errors.jsonl")
    assert set(found) == set(bad)
    for line, case in bad.items():
        assert found[line] == {case.expected_id}, (case.kind, line)
    assert PERSONAL not in (tmp_path / "review.csv").read_text(encoding="utf-8")

    valid = [case.text for case in cases if case.valid]
    alone = write_lines(tmp_path / f"valid{suffix}", valid, header)
    screen_file(alone, as_of=AS_OF, results=tmp_path / "alone.jsonl")
    assert (tmp_path / "results.jsonl").read_bytes() == (tmp_path / "alone.jsonl").read_bytes()


ID_PATTERN = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")  # the documented pseudonymous id


def _readable_id(data: object) -> str | None:
    """The id a rejection of this mapping must carry: a well-formed id, else none."""
    if isinstance(data, dict):
        value = data.get("id", data.get("profile", {}).get("id") if "profile" in data else None)
        if isinstance(value, str) and ID_PATTERN.fullmatch(value):
            return value
    return None


def api_items(cases: list[Case]) -> tuple[list[object], list[tuple[bool, str | None]]]:
    """The JSONL corpus as a case system might pass it: profiles, mappings and junk."""
    items: list[object] = []
    expected: list[tuple[bool, str | None]] = []
    for index, case in enumerate(cases):
        if case.kind.startswith("duplicate") or case.kind.startswith("outcome"):
            continue  # a mapping cannot hold a repeated key; labels are a file format
        try:
            data: Any = json.loads(case.text)
        except (ValueError, RecursionError):
            items.append(case.text)  # bytes: not a profile
            expected.append((False, None))
            continue
        # Valid records alternate between Profile objects and mappings.
        items.append(Profile.model_validate(data) if case.valid and index % 2 else data)
        expected.append((case.valid, _readable_id(data)))
    return items, expected


def test_the_corpus_covers_at_least_thirty_kinds() -> None:
    cases = jsonl_corpus(**QUICK, seed=1)
    _, csv_cases = csv_corpus(**QUICK, seed=1)
    kinds = {case.kind for case in cases + csv_cases if not case.valid}
    assert len(JSONL_KINDS) + len(CSV_KINDS) >= 30
    assert len(kinds) >= 30
    assert Counter(case.valid for case in cases)[False] >= QUICK["n_bad"]


def test_the_corpus_is_the_same_for_the_same_seed() -> None:
    assert jsonl_corpus(**QUICK, seed=5) == jsonl_corpus(**QUICK, seed=5)
    assert csv_corpus(**QUICK, seed=5) == csv_corpus(**QUICK, seed=5)


@pytest.mark.parametrize(
    "size", [pytest.param(QUICK, id="quick"), pytest.param(FULL, id="full", marks=pytest.mark.slow)]
)
def test_jsonl_path_accounts_for_every_line(size: dict[str, int], tmp_path: Path) -> None:
    check_file_path(tmp_path, jsonl_corpus(**size, seed=20261127), header=None, suffix=".jsonl")


@pytest.mark.parametrize(
    "size", [pytest.param(QUICK, id="quick"), pytest.param(FULL, id="full", marks=pytest.mark.slow)]
)
def test_csv_path_accounts_for_every_row(size: dict[str, int], tmp_path: Path) -> None:
    header, cases = csv_corpus(**size, seed=20261127)
    check_file_path(tmp_path, cases, header=header, suffix=".csv")


@pytest.mark.parametrize(
    "size", [pytest.param(QUICK, id="quick"), pytest.param(FULL, id="full", marks=pytest.mark.slow)]
)
def test_python_api_accounts_for_every_item(size: dict[str, int]) -> None:
    cases = jsonl_corpus(**size, seed=20261127)
    items, expected = api_items(cases)
    errors = io.StringIO()
    results = io.StringIO()
    junk_included: Any = items  # bytes and numbers on purpose: they must be rejected, not raise
    summary = screen_records(
        junk_included, as_of=AS_OF, errors=errors, results=results, chunk_size=89
    )
    assert summary.read == len(items) == summary.screened + summary.rejected
    found: dict[int, set[str | None]] = {}
    for row in map(json.loads, errors.getvalue().splitlines()):
        found.setdefault(row["line"], set()).add(row["id"])
    wanted = {i + 1: expected_id for i, (valid, expected_id) in enumerate(expected) if not valid}
    assert set(found) == set(wanted)
    for line, expected_id in wanted.items():
        assert found[line] == {expected_id}, line
    assert PERSONAL not in errors.getvalue()

    valid = [Profile.model_validate_json(case.text) for case in cases if case.valid]
    alone = io.StringIO()
    screen_records(valid, as_of=AS_OF, results=alone)
    assert results.getvalue() == alone.getvalue()


def test_the_command_line_exits_as_documented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = jsonl_corpus(**QUICK, seed=7)
    mixed = write_lines(tmp_path / "mixed.jsonl", [case.text for case in cases])
    valid = write_lines(tmp_path / "valid.jsonl", [c.text for c in cases if c.valid])
    errors = tmp_path / "errors.jsonl"
    assert main(["screen", str(mixed), "--as-of", AS_OF.isoformat(), "--errors", str(errors)]) == (
        EXIT_REJECTED
    )
    assert main(["screen", str(valid), "--as-of", AS_OF.isoformat(), "--quiet"]) == EXIT_OK
    captured = capsys.readouterr()
    assert PERSONAL not in captured.out + captured.err + errors.read_text(encoding="utf-8")
    assert "Traceback" not in captured.err
