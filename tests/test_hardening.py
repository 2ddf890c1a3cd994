"""Nothing lost, nothing leaked: every input path against the inputs a fuzzed corpus found.

One section per finding, each reproducing what went wrong as a test of what must happen now:

1. a CSV quote that does not close never swallows the rows after it;
2. a rejected record does not use up its id;
3. a labelled line is told from a bare profile by its keys, not by its first bytes;
4. bad arguments get plain errors, never tracebacks;
5. inputs that should be small are bounded;
6. personal values are never echoed in errors;
7. no CSV the tool writes can run as a spreadsheet formula;
8. output paths: no clashes, modes kept, all outputs or none, no temporary files left;
9. no loose coercion: JSON means what it says.

The rules themselves are in ``docs/batch.md`` ("Strictness rules", "Output files") and
``docs/responsible-use.md`` ("Threat model").
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from efh_screen import (
    ColumnMapping,
    InputError,
    InputRecord,
    LabelledProfile,
    Profile,
    ProfileError,
    RejectedRecord,
    Screener,
    Weights,
    WeightsError,
    derive_features,
    feature_matrix,
    parse_profile,
    read_csv,
    read_jsonl,
    screen_file,
    screen_records,
    write_csv,
    write_review_csv,
)
from efh_screen.__main__ import EXIT_OK, EXIT_REJECTED, EXIT_TERMINATED, EXIT_UNUSABLE, main
from efh_screen.synth import generate_cohort
from efh_screen.validation import fit_weights, read_cohort, score_cohort

AS_OF = dt.date(2026, 9, 1)
AS_OF_TEXT = AS_OF.isoformat()
# The documented temporary-file name carries a short hash of the machine's name.
THIS_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
ROOT = Path(__file__).resolve().parents[1]
PERSONAL = "John Smith 1 High St"


class CliRun(NamedTuple):
    code: int
    out: str
    err: str


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> CliRun:
    code = main(argv)
    captured = capsys.readouterr()
    return CliRun(code, captured.out, captured.err)


def profile_line(**fields: Any) -> str:
    """A JSONL line of a bare profile: a valid one, changed by ``fields``."""
    return json.dumps({"id": "A1", "date_of_birth": "2012-01-01", **fields})


def read_one(line: str | bytes) -> InputRecord | RejectedRecord:
    raw = line.encode() if isinstance(line, str) else line
    records = list(read_jsonl(io.BytesIO(raw + b"\n")))
    assert len(records) == 1
    return records[0]


def rejected_lines(path: Path) -> dict[int, list[str]]:
    """Line number -> fields of the errors file's problems."""
    found: dict[int, list[str]] = {}
    for text in path.read_text(encoding="utf-8").splitlines():
        problem = json.loads(text)
        found.setdefault(problem["line"], []).append(problem["field"])
    return found


def leftovers(folder: Path) -> list[str]:
    """Hidden files (temporary outputs) in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def caseload(tmp_path: Path) -> Path:
    path = tmp_path / "caseload.jsonl"
    lines = [profile_line(id=f"A{number}") for number in range(1, 4)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# 1. A CSV quote that does not close never swallows the rows after it.

ISSUE_CSV = (
    "id,date_of_birth,notes\n"
    "A1,2012-01-01,ok\n"
    'A2,2012-01-01,"5 ft\n'
    "A3,2012-01-01,ok\n"
    "A4,2012-01-01,ok\n"
)


def write_mapping(folder: Path, text: str = "{}") -> Path:
    path = folder / "mapping.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_unclosed_quote_rejects_its_row_and_reads_every_later_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "q.csv"
    source.write_text(ISSUE_CSV, encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    argv = ["screen", str(source), "--mapping", str(write_mapping(tmp_path))]
    run = run_cli([*argv, "--as-of", AS_OF_TEXT, "--errors", str(errors), "--quiet"], capsys)
    assert run.code == EXIT_REJECTED
    assert "read 4, screened 3, rejected 1 " in run.err
    [problem] = [json.loads(line) for line in errors.read_text().splitlines()]
    assert (problem["line"], problem["id"], problem["field"]) == (3, "A2", "(row)")
    assert "quoted cell that does not close on its line" in problem["reason"]


def _long_export(folder: Path) -> Path:
    """2,000 rows: an unclosed quote on row 100, impossible dates on rows 1,500 and 1,900."""
    rows = ["id,date_of_birth,notes"]
    for number in range(1, 2001):
        notes = '"5 ft' if number == 100 else "ok"
        birth = "2027-01-01" if number in (1500, 1900) else "2012-01-01"
        rows.append(f"A{number:04d},{birth},{notes}")
    path = folder / "export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("mapping_text", ["{}", '{"multiline_cells": true}'])
def test_unclosed_quote_in_a_long_file_loses_no_row_and_keeps_line_numbers(
    tmp_path: Path, mapping_text: str
) -> None:
    errors = tmp_path / "errors.jsonl"
    summary = screen_file(
        _long_export(tmp_path),
        as_of=AS_OF,
        mapping=ColumnMapping.from_json(mapping_text),
        errors=errors,
    )
    assert (summary.read, summary.screened, summary.rejected) == (2000, 1997, 3)
    # Physical lines: the header is line 1, so row N is line N + 1.
    assert rejected_lines(errors) == {
        101: ["(row)"],
        1501: ["date_of_birth"],
        1901: ["date_of_birth"],
    }


def test_multiline_quote_running_to_end_of_file_rejects_only_its_first_line() -> None:
    text = 'id,date_of_birth,notes\nA1,2012-01-01,ok\nA2,2012-01-01,"5 ft\nA3,2012-01-01,ok\n'
    records = list(read_csv(io.StringIO(text), mapping=ColumnMapping(multiline_cells=True)))
    assert [(type(r).__name__, r.line) for r in records] == [
        ("InputRecord", 2),
        ("RejectedRecord", 3),
        ("InputRecord", 4),
    ]
    rejected = records[1]
    assert isinstance(rejected, RejectedRecord)
    assert rejected.id == "A2"
    assert "within 20 lines (or before the end of the file)" in rejected.problems[0].reason


def test_multiline_cell_is_one_row_numbered_by_its_first_physical_line() -> None:
    text = 'id,date_of_birth,notes\nA1,2012-01-01,"two\nlines"\nA2,2027-01-01,ok\n'
    records = list(read_csv(io.StringIO(text), mapping=ColumnMapping(multiline_cells=True)))
    assert [(type(r).__name__, r.line) for r in records] == [
        ("InputRecord", 2),
        ("InputRecord", 4),  # physical line 4, not "row 3"
    ]
    first = records[0]
    assert isinstance(first, InputRecord)
    assert first.profile.id == "A1"


def test_multiline_row_of_the_wrong_width_is_rejected_and_reading_resumes() -> None:
    text = (
        'id,date_of_birth,notes\nA1,2012-01-01,"5 ft\nA2,2012-01-01,ok",extra\nA3,2012-01-01,ok\n'
    )
    records = list(read_csv(io.StringIO(text), mapping=ColumnMapping(multiline_cells=True)))
    assert [r.line for r in records] == [2, 3, 4]
    assert isinstance(records[0], RejectedRecord)
    assert isinstance(records[2], InputRecord)


# ---------------------------------------------------------------------------------------------
# 2. A rejected record does not use up its id.


def test_rejected_record_does_not_use_up_its_id_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "caseload.jsonl"
    lines = [profile_line(date_of_birth="2027-01-01"), profile_line()]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results, errors = tmp_path / "results.jsonl", tmp_path / "errors.jsonl"
    argv = ["screen", str(source), "--as-of", AS_OF_TEXT, "--quiet"]
    run = run_cli([*argv, "--out", str(results), "--errors", str(errors)], capsys)
    assert run.code == EXIT_REJECTED
    assert "read 2, screened 1, rejected 1 (of which 0 duplicate ids)" in run.err
    assert rejected_lines(errors) == {1: ["date_of_birth"]}
    assert [json.loads(line)["id"] for line in results.read_text().splitlines()] == ["A1"]


def test_rejected_record_does_not_use_up_its_id_in_screen_records() -> None:
    born_later = Profile(id="A1", date_of_birth=dt.date(2027, 1, 1))
    valid = Profile(id="A1", date_of_birth=dt.date(2012, 1, 1))
    summary = screen_records([born_later, valid, valid], as_of=AS_OF)
    assert (summary.read, summary.screened, summary.rejected, summary.duplicates) == (3, 1, 2, 1)
    assert [(record.line, record.problems[0].field) for record in summary.rejected_sample] == [
        (1, "date_of_birth"),
        (3, "id"),  # the duplicate is the third record, of the second (valid) one
    ]
    assert "first seen on line 2" in summary.rejected_sample[1].problems[0].reason


# ---------------------------------------------------------------------------------------------
# 3. A labelled line is told from a bare profile by its keys, not by its first 32 bytes.

LABELLED_WITH_SPACE = "{" + " " * 40 + '"profile": ' + profile_line(id="A2") + ', "outcome": 1}'


def test_profile_whose_id_is_profile_is_a_bare_profile() -> None:
    record = read_one(profile_line(id="profile"))
    assert isinstance(record, InputRecord)
    assert record.profile.id == "profile"
    assert record.outcome is None


def test_labelled_line_with_whitespace_before_profile_is_labelled() -> None:
    record = read_one(LABELLED_WITH_SPACE)
    assert isinstance(record, InputRecord)
    assert (record.profile.id, record.outcome) == ("A2", 1)


def test_validate_reads_a_cohort_of_such_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort = tmp_path / "cohort.jsonl"
    lines = [
        LABELLED_WITH_SPACE,
        json.dumps({"profile": json.loads(profile_line(id="profile")), "outcome": 0}),
        *(
            json.dumps({"profile": json.loads(profile_line(id=f"B{n}")), "outcome": n % 2})
            for n in range(1, 9)
        ),
    ]
    cohort.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [item.profile.id for item in read_cohort(cohort)][:2] == ["A2", "profile"]
    argv = ["validate", str(cohort), "--as-of", AS_OF_TEXT, "--n-boot", "20", "--group", "sex"]
    run = run_cli(argv, capsys)
    assert run.code == EXIT_OK, run.err


# ---------------------------------------------------------------------------------------------
# 4. Plain errors, never tracebacks.


@pytest.mark.parametrize(
    ("date_format", "reason"),
    [
        ("%d/%m/%Y%d", "is not a usable strptime date format"),  # re.error: %d twice
        ("%d/%m", "must give the day, month and year"),
    ],
)
def test_unusable_date_format_is_refused_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], date_format: str, reason: str
) -> None:
    text = json.dumps({"date_format": date_format})
    with pytest.raises(InputError) as caught:
        ColumnMapping.from_json(text)
    assert [p.field for p in caught.value.problems] == ["mapping.date_format"]
    assert reason in caught.value.problems[0].reason
    source = tmp_path / "export.csv"
    source.write_text("id,date_of_birth\nA1,01/01/2012\n", encoding="utf-8")
    mapping = write_mapping(tmp_path, text)
    run = run_cli(["screen", str(source), "--mapping", str(mapping), "--as-of", AS_OF_TEXT], capsys)
    assert run.code == EXIT_UNUSABLE
    assert "mapping.date_format: " in run.err
    assert "Traceback" not in run.err


@pytest.fixture(scope="module")
def small_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cohort") / "cohort.jsonl"
    lines = [item.model_dump_json() for item in generate_cohort(150, seed=3, as_of=AS_OF)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [("--name", "n" * 101, "name"), ("--version", "v" * 41, "version")],
    ids=["name", "version"],
)
def test_fit_with_an_overlong_name_or_version_is_refused_plainly(
    small_cohort: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    field: str,
) -> None:
    out = tmp_path / "fitted.json"
    argv = ["fit", str(small_cohort), "--as-of", AS_OF_TEXT, "--out", str(out), "--folds", "2"]
    run = run_cli([*argv, option, value], capsys)
    assert run.code == EXIT_UNUSABLE
    assert f"{field}: string should have at most" in run.err
    assert value not in run.err
    assert not out.exists()


def test_fit_weights_with_an_overlong_name_raises_a_weights_error(small_cohort: Path) -> None:
    scored = score_cohort(read_cohort(small_cohort), as_of=AS_OF)
    with pytest.raises(WeightsError) as caught:
        fit_weights(scored, fitted_on=AS_OF, folds=2, name="n" * 101)
    assert [p.field for p in caught.value.problems] == ["name"]


_PROFILE = Profile(id="A1", date_of_birth=dt.date(2012, 1, 1))
_AS_OF_CALLS: dict[str, Callable[[Any], object]] = {
    "Screener.screen": lambda as_of: Screener().screen(_PROFILE, as_of=as_of),
    "Screener.check": lambda as_of: Screener().check(_PROFILE, as_of=as_of),
    "Screener.features": lambda as_of: Screener().features(_PROFILE, as_of=as_of),
    "Screener.feature_matrix": lambda as_of: Screener().feature_matrix([_PROFILE], as_of=as_of),
    "Screener.screen_many": lambda as_of: Screener().screen_many([_PROFILE], as_of=as_of),
    "derive_features": lambda as_of: derive_features(_PROFILE, as_of=as_of),
    "feature_matrix": lambda as_of: feature_matrix([_PROFILE], as_of=as_of),
    "screen_records": lambda as_of: screen_records([_PROFILE], as_of=as_of),
    "score_cohort": lambda as_of: score_cohort(
        [LabelledProfile(profile=_PROFILE, outcome=1)], as_of=as_of
    ),
}


@pytest.mark.parametrize("as_of", [dt.datetime(2026, 9, 1, 12, 0), "2026-09-01"], ids=repr)
@pytest.mark.parametrize("call", sorted(_AS_OF_CALLS))
def test_as_of_must_be_a_date(call: str, as_of: object) -> None:
    with pytest.raises(InputError) as caught:
        _AS_OF_CALLS[call](as_of)
    assert [p.field for p in caught.value.problems] == ["as_of"]
    assert "datetime.date(2026, 9, 1)" in caught.value.problems[0].reason


@pytest.mark.parametrize("as_of", [dt.datetime(2026, 9, 1, 12, 0), "2026-09-01"], ids=repr)
def test_screen_file_as_of_must_be_a_date(caseload: Path, as_of: object) -> None:
    with pytest.raises(InputError) as caught:
        screen_file(caseload, as_of=as_of)  # type: ignore[arg-type]
    assert [p.field for p in caught.value.problems] == ["as_of"]
    assert leftovers(caseload.parent) == []


def test_screen_records_validates_mappings_and_rejects_anything_else() -> None:
    items: list[Any] = [
        {"id": "A1", "date_of_birth": "2012-01-01"},
        {"id": "A2", "date_of_birth": "01/01/2012"},
        42,
    ]
    summary = screen_records(items, as_of=AS_OF)
    assert (summary.read, summary.screened, summary.rejected) == (3, 1, 2)
    assert [(r.line, r.id, r.problems[0].field) for r in summary.rejected_sample] == [
        (2, "A2", "date_of_birth"),
        (3, None, "(record)"),
    ]
    assert "is not a profile" in summary.rejected_sample[1].problems[0].reason


@pytest.mark.parametrize("limit", [-1, 0, True, 2.5])
def test_read_jsonl_refuses_an_unusable_line_bound_when_called(limit: Any) -> None:
    with pytest.raises(InputError) as caught:
        read_jsonl(io.BytesIO(profile_line().encode()), max_line_bytes=limit)  # not iterated
    assert [p.field for p in caught.value.problems] == ["max_line_bytes"]


# ---------------------------------------------------------------------------------------------
# 5. Inputs that should be small are bounded.

TOO_BIG = 1_000_001  # one byte over the 1 MB bound on case, weightings and mapping files


def _padded(text: str) -> str:
    """Valid JSON text padded with trailing spaces to just over the bound."""
    return text + " " * (TOO_BIG - len(text.encode()))


def _limited_memory() -> None:  # pragma: no cover - runs in the child process
    two_gigabytes = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (two_gigabytes, two_gigabytes))


def _child_environment() -> dict[str, str]:
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def test_explain_refuses_an_endless_file() -> None:
    # In a child process with a memory limit, so a regression fails instead of filling memory.
    command = [sys.executable, "-m", "efh_screen", "explain", "/dev/zero", "--as-of", AS_OF_TEXT]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env=_child_environment(),
        preexec_fn=_limited_memory,
        check=False,
    )
    assert done.returncode == EXIT_UNUSABLE, done.stderr[-2000:]
    assert "/dev/zero: is larger than 1,000,000 bytes, so it was not read" in done.stderr


def test_explain_refuses_a_case_file_over_one_megabyte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.json"
    case.write_text(_padded(profile_line()), encoding="utf-8")
    run = run_cli(["explain", str(case), "--as-of", AS_OF_TEXT], capsys)
    assert run.code == EXIT_UNUSABLE
    assert "is larger than 1,000,000 bytes, so it was not read" in run.err


def test_weights_and_mapping_files_over_one_megabyte_are_refused(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = tmp_path / "weights.json"
    weights.write_text(_padded(Weights.default().model_dump_json()), encoding="utf-8")
    with pytest.raises(WeightsError) as weights_error:
        Weights.load(weights)
    assert "is larger than 1,000,000 bytes" in str(weights_error.value)
    mapping = write_mapping(tmp_path, _padded("{}"))
    with pytest.raises(InputError) as mapping_error:
        ColumnMapping.load(mapping)
    assert [p.field for p in mapping_error.value.problems] == ["mapping"]
    for option, path in (("--weights", weights), ("--mapping", mapping)):
        run = run_cli(["screen", str(caseload), "--as-of", AS_OF_TEXT, option, str(path)], capsys)
        assert run.code == EXIT_UNUSABLE
        assert "is larger than 1,000,000 bytes" in run.err


def test_a_huge_csv_line_is_rejected_without_being_held(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    with source.open("w", encoding="utf-8") as stream:
        stream.write("id,date_of_birth\n" + "A" * 20_000_000 + "\nA2,2012-01-01\n")
    tracemalloc.start()
    try:
        with source.open(encoding="utf-8", newline="") as stream:
            records = list(read_csv(stream))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(type(r).__name__, r.line) for r in records] == [
        ("RejectedRecord", 2),
        ("InputRecord", 3),
    ]
    assert peak < 4_000_000


def test_synth_refuses_a_huge_n_before_writing_anything(tmp_path: Path) -> None:
    out = tmp_path / "cohort.jsonl"
    command = [sys.executable, "-m", "efh_screen", "synth", "--n", "99999999999999999999"]
    command += ["--seed", "1", "--as-of", AS_OF_TEXT, "--out", str(out)]
    # In a child process, so a regression is stopped by the timeout instead of filling the disk.
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=30, env=_child_environment()
        )
    except subprocess.TimeoutExpired:
        pytest.fail("synth --n 99999999999999999999 was accepted and ran for 30 s")
    assert done.returncode == EXIT_UNUSABLE, done.stderr[-2000:]
    assert "n: must be a whole number of profiles from 0 to 10,000,000" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("n", [10_000_001, 99999999999999999999])
def test_generators_refuse_more_than_ten_million_profiles(n: int) -> None:
    with pytest.raises(InputError) as caught:
        next(iter(generate_cohort(n, seed=1, as_of=AS_OF)))
    assert [p.field for p in caught.value.problems] == ["n"]


# ---------------------------------------------------------------------------------------------
# 6. Personal values are never echoed: fields are named from the schema, other keys by position.

UNKNOWN_KEY_LINE = json.dumps({"id": "A1", "date_of_birth": "2012-01-01", PERSONAL: 1})


@pytest.mark.parametrize("errors_file", [True, False], ids=["errors-file", "stderr"])
def test_unknown_key_is_named_by_position_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], errors_file: bool
) -> None:
    source = tmp_path / "caseload.jsonl"
    source.write_text(UNKNOWN_KEY_LINE + "\n", encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    argv = ["screen", str(source), "--as-of", AS_OF_TEXT, "--review", str(tmp_path / "r.csv")]
    run = run_cli([*argv, "--errors", str(errors)] if errors_file else argv, capsys)
    assert run.code == EXIT_REJECTED
    written = errors.read_text(encoding="utf-8") if errors_file else ""
    if errors_file:
        assert '"field": "(key 3)", "reason": "is not a recognised field' in written
    else:
        assert "line 1 id A1: (key 3): is not a recognised field" in run.err
    for text in (run.out, run.err, written, (tmp_path / "r.csv").read_text(encoding="utf-8")):
        assert "John" not in text
        assert "High St" not in text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "A1", "date_of_birth": "2012-01-01", PERSONAL: 1}, "(key 3)"),
        (
            {
                "id": "A1",
                "date_of_birth": "2012-01-01",
                "factors": {PERSONAL: {"status": "present"}},
            },
            "factors.(key 1)",
        ),
        (
            {
                "id": "A1",
                "date_of_birth": "2012-01-01",
                "events": [{"type": "suspension", "date": "2025-01-01", PERSONAL: "x"}],
            },
            "events[0].(key 3)",
        ),
    ],
    ids=["top level", "factor key", "nested"],
)
def test_unknown_key_is_never_echoed_by_parse_profile(data: dict[str, Any], field: str) -> None:
    for given in (data, json.dumps(data)):
        with pytest.raises(ProfileError) as caught:
            parse_profile(given)
        assert [p.field for p in caught.value.problems] == [field]
        assert "John" not in str(caught.value)
        assert "John" not in repr(caught.value.problems)
    summary = screen_records([data], as_of=AS_OF)
    assert [p.field for p in summary.rejected_sample[0].problems] == [field]
    assert "John" not in repr(summary.rejected_sample)


def test_duplicate_unknown_key_is_named_by_position() -> None:
    key = json.dumps(PERSONAL)
    line = f'{{"id": "A1", "date_of_birth": "2012-01-01", {key}: 1, {key}: 2}}'
    record = read_one(line)
    assert isinstance(record, RejectedRecord)
    assert [(p.field, record.id) for p in record.problems] == [("(key 4)", "A1")]
    assert "John" not in repr(record)


HEADERLESS_CSV = "A1,2012-01-01,John Smith,1 High St\nA2,2012-02-02,Jane Doe,2 Low Rd\n"


def test_headerless_csv_never_echoes_its_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "export.csv"
    source.write_text(HEADERLESS_CSV, encoding="utf-8")
    run = run_cli(["screen", str(source), "--as-of", AS_OF_TEXT], capsys)
    assert run.code == EXIT_UNUSABLE
    assert "id: no column holds it" in run.err
    assert "(columns 1, 2, 3, 4, counting from 1)" in run.err
    with pytest.raises(InputError) as caught:
        list(read_csv(io.StringIO(HEADERLESS_CSV)))
    for text in (run.out, run.err, str(caught.value)):
        for personal in ("A1", "2012-01-01", "John", "High St"):
            assert personal not in text


# ---------------------------------------------------------------------------------------------
# 7. No CSV the tool writes can run as a spreadsheet formula (the OWASP rule).

FORMULA_LABEL = '=HYPERLINK("https://example.invalid","open")'


def _review_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_review_csv_neutralises_an_id_starting_with_minus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "caseload.jsonl"
    source.write_text(profile_line(id="-A1") + "\n", encoding="utf-8")
    review = tmp_path / "review.csv"
    run = run_cli(["screen", str(source), "--as-of", AS_OF_TEXT, "--review", str(review)], capsys)
    assert run.code == EXIT_OK
    [row] = _review_rows(review)
    assert row["id"] == "'-A1"


def test_review_csv_neutralises_a_band_label_from_a_weights_file(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((ROOT / "src" / "efh_screen" / "data" / "default_weights.json").read_text())
    for band in data["bands"]:
        band["label"] = FORMULA_LABEL
    data["coverage"]["label"] = FORMULA_LABEL  # shown instead of a band when too little is known
    weights = tmp_path / "weights.json"
    Weights.from_dict(data).save(weights)
    review = tmp_path / "review.csv"
    argv = ["screen", str(caseload), "--as-of", AS_OF_TEXT, "--weights", str(weights)]
    run = run_cli([*argv, "--review", str(review)], capsys)
    assert run.code == EXIT_OK
    rows = _review_rows(review)
    assert len(rows) == 3
    for row in rows:
        assert row["band_label"] == "'" + FORMULA_LABEL
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


@pytest.mark.parametrize(
    "trigger",
    [
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
    ],
    ids=repr,
)
def test_write_review_csv_neutralises_every_trigger(trigger: str) -> None:
    data = Weights.default().model_dump(mode="json")
    data["bands"][0]["label"] = trigger + "SUM(A1:A9)"
    data["coverage"]["label"] = trigger + "SUM(A1:A9)"
    summary = screen_records([_PROFILE], as_of=AS_OF, screener=Screener(Weights.from_dict(data)))
    buffer = io.StringIO()
    write_review_csv(summary.review, buffer)
    [row] = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert row["band_label"] == "'" + trigger + "SUM(A1:A9)"


def test_write_csv_neutralises_an_id_and_read_csv_undoes_it() -> None:
    profiles = [
        Profile(id="-A1", date_of_birth=dt.date(2012, 1, 1)),
        Profile(id="A2", date_of_birth=dt.date(2012, 1, 1)),
    ]
    buffer = io.StringIO()
    write_csv(profiles, buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [row["id"] for row in rows] == ["'-A1", "A2"]
    buffer.seek(0)
    records = list(read_csv(buffer))
    assert [r.profile.id for r in records if isinstance(r, InputRecord)] == ["-A1", "A2"]


# ---------------------------------------------------------------------------------------------
# 8. Output paths: no clashes, modes kept, all outputs or none, no temporary file left behind.


def _screen_argv(source: Path, *options: str | Path) -> list[str]:
    return ["screen", str(source), "--as-of", AS_OF_TEXT, "--quiet", *map(str, options)]


@pytest.mark.parametrize("alias", ["same path", "symbolic link"])
def test_two_outputs_on_one_path_are_refused(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str], alias: str
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("kept\n", encoding="utf-8")
    other = out
    if alias == "symbolic link":
        other = tmp_path / "link.jsonl"
        other.symlink_to(out)
    run = run_cli(_screen_argv(caseload, "--out", out, "--errors", other), capsys)
    assert run.code == EXIT_UNUSABLE
    assert "errors: is the same file as results; give each output its own file" in run.err
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["validate", "fit"])
def test_research_commands_refuse_an_output_on_the_cohort(
    small_cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_bytes(small_cohort.read_bytes())
    argv = [command, str(cohort), "--as-of", AS_OF_TEXT]
    if command == "validate":
        argv += ["--n-boot", "10", "--json", str(cohort)]
    else:
        argv += ["--folds", "2", "--out", str(cohort)]
    run = run_cli(argv, capsys)
    assert cohort.read_bytes() == small_cohort.read_bytes()
    assert run.code == EXIT_UNUSABLE


@pytest.mark.parametrize("command", ["validate", "fit"])
def test_research_commands_refuse_two_outputs_on_one_path(
    small_cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    report = tmp_path / "report"
    argv = [command, str(small_cohort), "--as-of", AS_OF_TEXT, "--json", str(report)]
    if command == "validate":
        argv += ["--n-boot", "10", "--html", str(report)]
    else:
        argv += ["--folds", "2", "--out", str(report)]
    run = run_cli(argv, capsys)
    assert run.code == EXIT_UNUSABLE
    assert not report.exists()


@pytest.mark.parametrize("option", ["--out", "--errors", "--review", "--html"])
def test_an_output_on_the_input_is_refused(
    caseload: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    before = caseload.read_bytes()
    run = run_cli(_screen_argv(caseload, option, caseload), capsys)
    assert run.code == EXIT_UNUSABLE
    assert "is the input file; write the output somewhere else" in run.err
    assert caseload.read_bytes() == before


def test_a_replaced_output_keeps_its_permission_bits(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = tmp_path / "review.csv"
    review.write_text("old\n", encoding="utf-8")
    review.chmod(0o600)
    assert run_cli(_screen_argv(caseload, "--review", review), capsys).code == EXIT_OK
    assert review.read_text(encoding="utf-8").startswith("rank,id,")
    assert stat.S_IMODE(review.stat().st_mode) == 0o600


def test_outputs_are_committed_all_or_none(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review, results = tmp_path / "review.csv", tmp_path / "results.jsonl"
    review.write_text("old review\n", encoding="utf-8")
    html = tmp_path / "missing-folder" / "review.html"
    run = run_cli(
        _screen_argv(caseload, "--out", results, "--review", review, "--html", html), capsys
    )
    assert run.code == EXIT_UNUSABLE
    # The message names the file asked for, never a temporary file next to it.
    assert f"cannot use {html}: No such file or directory" in run.err
    assert ".efh-tmp" not in run.err
    assert review.read_text(encoding="utf-8") == "old review\n"
    assert not results.exists()
    assert leftovers(tmp_path) == []


def test_a_folder_given_as_an_output_is_named_not_its_temporary_file(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    run = run_cli(_screen_argv(caseload, "--review", folder), capsys)
    assert run.code == EXIT_UNUSABLE
    assert "review_csv: is a folder; give a file name inside it" in run.err
    assert ".efh-tmp" not in run.err
    assert leftovers(tmp_path) == []
    assert list(folder.iterdir()) == []


def test_a_symbolic_link_is_followed_and_kept(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert run_cli(_screen_argv(caseload, "--review", link), capsys).code == EXIT_OK
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("rank,id,")


def test_a_fifo_is_written_directly_not_replaced(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "review.fifo"
    os.mkfifo(fifo)
    # The read end is opened without blocking first, so the run can open the write end; the
    # review list of three cases fits in the pipe's buffer.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        run = run_cli(_screen_argv(caseload, "--review", fifo), capsys)
        received = b""
        while chunk := _read_available(reader):
            received += chunk
    finally:
        os.close(reader)
    assert run.code == EXIT_OK, run.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received.decode().startswith("rank,id,")
    assert received.decode().count("\n") == 4  # header and three cases
    assert leftovers(tmp_path) == []


def _read_available(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except BlockingIOError:
        return b""


def test_a_device_is_written_directly_not_replaced(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
        device.write_bytes(b"")
    except OSError:
        pytest.skip("cannot make or write a device file here (needs root and a dev mount)")
    assert run_cli(_screen_argv(caseload, "--review", device), capsys).code == EXIT_OK
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert leftovers(tmp_path) == []


def _finished_process_id() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def test_stale_temporary_files_of_a_killed_run_are_swept(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = _finished_process_id()
    host = THIS_HOST
    stale = tmp_path / f".review.csv.{host}.{dead}.abcd1234.efh-tmp"
    running = tmp_path / f".review.csv.{host}.{os.getpid()}.abcd1234.efh-tmp"
    other_target = tmp_path / f".other.csv.{host}.{dead}.abcd1234.efh-tmp"
    not_ours = tmp_path / f".review.csv.{host}.{dead}.abcd1234.tmp"
    other_host = tmp_path / f".review.csv.0000ffff.{dead}.abcd1234.efh-tmp"
    for path in (stale, running, other_target, not_ours, other_host):
        path.write_text("partial", encoding="utf-8")
    review = tmp_path / "review.csv"
    assert run_cli(_screen_argv(caseload, "--review", review), capsys).code == EXIT_OK
    assert not stale.exists()
    assert running.exists()  # its writer is still running
    assert other_target.exists()  # swept only by a run that writes other.csv
    assert not_ours.exists()  # not this tool's name
    assert other_host.exists()  # another machine's run, on a shared folder: never ours to judge


def _start_synth(out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "efh_screen", "synth", "--n", "3000000", "--seed", "1"]
    command += ["--as-of", AS_OF_TEXT, "--out", str(out)]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_child_environment()
    )


def _wait_for_temporary_file(child: subprocess.Popen[bytes], folder: Path) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = leftovers(folder)
        if found:
            time.sleep(0.2)  # let it write a little
            return found
        if child.poll() is not None:
            pytest.skip("synth finished before its temporary file was seen")
        time.sleep(0.02)
    child.kill()
    child.wait()
    pytest.fail("synth wrote no temporary file within 30 s")


def test_sigterm_removes_temporary_files_and_exits_143(tmp_path: Path) -> None:
    out = tmp_path / "cohort.jsonl"
    child = _start_synth(out)
    try:
        _wait_for_temporary_file(child, tmp_path)
        child.send_signal(signal.SIGTERM)
        _, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == EXIT_TERMINATED, stderr[-2000:]
    assert b"terminated; no output was written" in stderr
    assert list(tmp_path.iterdir()) == []


def test_sigkill_leftovers_are_swept_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "cohort.jsonl"
    child = _start_synth(out)
    try:
        left = _wait_for_temporary_file(child, tmp_path)
    finally:
        child.kill()
        child.communicate(timeout=30)
    assert leftovers(tmp_path) == left  # SIGKILL cannot be caught: the file stays
    assert main(["synth", "--n", "1", "--seed", "1", "--as-of", AS_OF_TEXT, "--out", str(out)]) == 0
    assert leftovers(tmp_path) == []
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# 9. No loose coercion: repeated keys and ambiguous values are rejected, naming the field.

_EVENT = {"type": "home_move", "date": "2025-01-01"}
_PERIOD = {"start": "2025-09-01", "end": "2025-12-19", "possible_sessions": 140}


def _attendance(**changes: Any) -> dict[str, Any]:
    return {"attendance": [{**_PERIOD, "missed_sessions": 3, **changes}]}


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        pytest.param(
            '{"id": "A1", "date_of_birth": "2012-01-01", "date_of_birth": "2012-02-02"}',
            "date_of_birth",
            "appears twice in one object",
            id="repeated key",
        ),
        pytest.param(
            '{"id": "A1", "date_of_birth": "2012-01-01",'
            ' "factors": {"adhd": {"status": "absent", "status": "present"}}}',
            "factors.adhd.status",
            "appears twice in one object",
            id="repeated nested key",
        ),
        pytest.param(
            profile_line(**_attendance(possible_sessions="140")),
            "attendance[0].possible_sessions",
            "must be a whole number",
            id="count as text",
        ),
        pytest.param(
            profile_line(**_attendance(missed_sessions=1e3)),
            "attendance[0].missed_sessions",
            "must be a whole number",
            id="count as 1e3",
        ),
        pytest.param(
            profile_line(**_attendance(missed_sessions=3.0)),
            "attendance[0].missed_sessions",
            "must be a whole number",
            id="count as 3.0",
        ),
        pytest.param(
            profile_line(**_attendance(missed_sessions=True)),
            "attendance[0].missed_sessions",
            "must be a whole number",
            id="count as true",
        ),
        pytest.param(
            profile_line(events=[{**_EVENT, "cross_borough": "yes"}]),
            "events[0].cross_borough",
            "",
            id="yes as text",
        ),
        pytest.param(
            profile_line(events=[{**_EVENT, "cross_borough": "false"}]),
            "events[0].cross_borough",
            "",
            id="false as text",
        ),
        pytest.param(
            profile_line(events=[{**_EVENT, "cross_borough": 1}]),
            "events[0].cross_borough",
            "",
            id="yes as 1",
        ),
        pytest.param(
            profile_line(date_of_birth=1325376000),
            "date_of_birth",
            "must be a date written YYYY-MM-DD",
            id="date as Unix timestamp",
        ),
        pytest.param(
            profile_line(date_of_birth="1325376000"),
            "date_of_birth",
            "must be a date written YYYY-MM-DD",
            id="date as timestamp text",
        ),
        pytest.param(
            profile_line(date_of_birth="2012-01-01T00:00:00"),
            "date_of_birth",
            "must be a date written YYYY-MM-DD",
            id="date with a time",
        ),
        pytest.param(
            profile_line(events=[{**_EVENT, "date": 1735689600}]),
            "events[0].date",
            "must be a date written YYYY-MM-DD",
            id="event date as timestamp",
        ),
        pytest.param(
            profile_line(factors={"adhd": {"status": "present", "recorded": 1735689600.0}}),
            "factors.adhd.recorded",
            "must be a date written YYYY-MM-DD",
            id="recorded as timestamp",
        ),
        pytest.param(
            json.dumps({"profile": json.loads(profile_line()), "outcome": 1.0}),
            "outcome",
            "",
            id="outcome as 1.0",
        ),
        pytest.param(
            json.dumps({"profile": json.loads(profile_line()), "outcome": True}),
            "outcome",
            "",
            id="outcome as true",
        ),
    ],
)
def test_ambiguous_json_is_rejected(line: str, field: str, reason: str) -> None:
    record = read_one(line)
    assert isinstance(record, RejectedRecord)
    assert [p.field for p in record.problems] == [field]
    assert reason in record.problems[0].reason
    assert record.id == "A1"


def test_a_repeated_id_key_reports_no_id() -> None:
    record = read_one('{"id": "A1", "id": "A2", "date_of_birth": "2012-01-01"}')
    assert isinstance(record, RejectedRecord)
    assert [(p.field, record.id) for p in record.problems] == [("id", None)]


def test_kept_csv_cells_are_text_so_counts_and_yes_no_words_are_read_from_text() -> None:
    # Kept deliberately: a CSV cell has no types, so the flat layout reads whole numbers
    # written in digits and yes/no words (docs/batch.md, "Strictness rules").
    text = (
        "id,date_of_birth,attendance_start,attendance_end,attendance_possible_sessions,"
        "attendance_missed_sessions,home_move_dates,home_move_cross_borough\n"
        "A1,2012-01-01,2025-09-01,2025-12-19,140,3,2025-01-01,yes\n"
        "A2,2012-01-01,2025-09-01,2025-12-19,1e3,3,2025-01-01,maybe\n"
    )
    first, second = read_csv(io.StringIO(text))
    assert isinstance(first, InputRecord)
    assert first.profile.attendance[0].possible_sessions == 140
    assert first.profile.events[0].cross_borough is True
    assert isinstance(second, RejectedRecord)
    assert sorted(p.field for p in second.problems) == [
        "attendance_possible_sessions",
        "home_move_cross_borough",
    ]


@pytest.mark.parametrize("count", ["+140", "1_000", "١٤٠", " 1e2", "3.5"])
def test_csv_counts_must_be_plain_digits(count: str) -> None:
    header = "id,date_of_birth,attendance_start,attendance_end,attendance_possible_sessions,"
    header += "attendance_missed_sessions"
    text = f"{header}\nA1,2012-01-01,2026-01-05,2026-03-27,{count},3\n"
    (record,) = read_csv(io.StringIO(text, newline=""))
    assert isinstance(record, RejectedRecord)
    assert [problem.field for problem in record.problems] == ["attendance_possible_sessions"]


@pytest.mark.parametrize(
    ("date_format", "text"),
    [("%Y-%m-%d", "2012-1-1"), ("%Y-%m-%d", "2012-01-1"), ("%d/%m/%Y", "1/2/2012")],
)
def test_csv_dates_must_be_written_as_the_format_writes_them(date_format: str, text: str) -> None:
    mapping = ColumnMapping(date_format=date_format)
    (record,) = read_csv(io.StringIO(f"id,date_of_birth\nA1,{text}\n", newline=""), mapping=mapping)
    assert isinstance(record, RejectedRecord)
    assert [problem.field for problem in record.problems] == ["date_of_birth"]


# ---------------------------------------------------------------------------------------------
# Found in review, after the fixes above.


def test_a_target_that_became_a_folder_commits_nothing_and_leaves_no_temporary_file(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All or nothing even when the last target turns into a folder while the run goes on."""
    results, review = tmp_path / "results.jsonl", tmp_path / "review.csv"
    results.write_text("old\n", encoding="utf-8")

    def make_review_a_folder(read: int, bytes_read: int, total: int) -> None:
        if not review.exists():
            review.mkdir()

    with pytest.raises(IsADirectoryError):
        screen_file(
            caseload, as_of=AS_OF, results=results, review_csv=review, progress=make_review_a_folder
        )
    assert results.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".efh-tmp")] == []


def test_validate_scores_with_a_stray_byte_is_a_plain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_bytes(b"score,outcome\n0.5,1\n\xff,0\n")
    run = run_cli(["validate", "--scores", str(scores)], capsys)
    assert run.code == EXIT_UNUSABLE
    assert "is not valid UTF-8 CSV" in run.err and "Traceback" not in run.err


def test_read_csv_from_a_path_rejects_only_the_row_with_a_stray_byte(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes(b"id,date_of_birth\nA1,2012-01-01\nA\xff2,2012-01-01\nA3,2012-01-01\n")
    records = list(read_csv(source))
    assert [(type(r).__name__, r.line) for r in records] == [
        ("InputRecord", 2),
        ("RejectedRecord", 3),
        ("InputRecord", 4),
    ]


def test_read_csv_ignores_a_byte_order_mark_on_an_open_stream() -> None:
    text = "\ufeffid,date_of_birth\nA1,2012-01-01\n"
    (record,) = read_csv(io.StringIO(text, newline=""))
    assert isinstance(record, InputRecord)


def test_a_crlf_line_ending_exactly_at_the_limit_is_not_split() -> None:
    long_row = "A9,2012-01-01," + "x" * (1_000_000 - 16)  # with \r\n: exactly the limit
    text = "id,date_of_birth\r\n" + long_row + "\r\nA2,2012-01-01\r\n"
    records = list(read_csv(io.StringIO(text, newline="")))
    assert [(type(r).__name__, r.line) for r in records] == [
        ("RejectedRecord", 2),  # three cells under a two-column header
        ("InputRecord", 3),
    ]


@pytest.mark.parametrize("pid", ["99999999999999999999", "\u00b2", "12a"])
def test_a_stray_temporary_name_never_stops_a_write(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str], pid: str
) -> None:
    stray = tmp_path / f".review.csv.{THIS_HOST}.{pid}.abcd1234.efh-tmp"
    stray.write_text("?", encoding="utf-8")
    review = tmp_path / "review.csv"
    assert run_cli(_screen_argv(caseload, "--review", review), capsys).code == EXIT_OK
    assert review.exists() and stray.exists()  # not a name this tool writes: left alone


def test_a_number_used_as_a_key_is_described_by_position() -> None:
    errors = io.StringIO()
    nhs_number = 9434765919
    mapping: dict[object, object] = {"id": "A1", "date_of_birth": "2012-01-01", nhs_number: "x"}
    screen_records([mapping], as_of=AS_OF, errors=errors)  # type: ignore[list-item]
    assert str(nhs_number) not in errors.getvalue()
    assert json.loads(errors.getvalue())["field"] == "(key 3)"


def test_csv_errors_name_the_column_they_came_from() -> None:
    header = "id,date_of_birth,attendance_start,attendance_end,attendance_possible_sessions,"
    header += "attendance_missed_sessions"
    (record,) = read_csv(io.StringIO(f"{header}\nA1,2012-01-01,2026-01-05,,120,3\n", newline=""))
    assert isinstance(record, RejectedRecord)
    assert record.problems[0].field == "attendance_end (attendance[0].end)"


def test_csv_items_without_a_date_are_refused_not_dropped() -> None:
    text = "id,date_of_birth,suspension_dates,suspension_sources\nA1,2012-01-01,2020-01-01,"
    text += "police;school\n"
    (record,) = read_csv(io.StringIO(text, newline=""))
    assert isinstance(record, RejectedRecord)
    assert record.problems[0].field == "suspension_sources"


@pytest.mark.parametrize(
    ("profile", "field", "words"),
    [
        ({"id": "Y" * 65}, "id", "at most 64 characters"),
        ({"id": "A1", "audit": {"other": {"Bad Key": "x"}}}, "audit.other.(key 1)", "lower-case"),
    ],
)
def test_a_reason_fits_the_field(profile: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile({"date_of_birth": "2012-01-01", **profile})
    (problem,) = info.value.problems
    assert problem.field == field and words in problem.reason
