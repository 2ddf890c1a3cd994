"""``efh-screen screen`` on Parquet tables: the same outputs as the JSONL path, column-wise.

A synthetic cohort is written twice, as JSONL lines and as a folder of the four Parquet
tables (``write_tables(profiles_to_tables(...))``), in the same order. Screening either gives
the same result lines, review page, review table and summary, byte for byte; the review
CSV differs only in its position column, which holds the children table's row (from 0,
as ``row`` in the errors) where the JSONL path holds the line (from 1). A wide Parquet file
read through a mapping gives the results of the same cells read as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from efh_screen import ColumnMapping
from efh_screen.__main__ import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, main
from efh_screen.synth import generate_cohort
from efh_screen.tables import (
    TABLE_FILES,
    CaseTables,
    profiles_to_tables,
    read_tables,
    screen_table_files,
    screen_tables,
    write_tables,
)

AS_OF = "2026-09-01"
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "data"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same 150 profiles as a JSONL file and as a folder of Parquet tables."""
    folder = tmp_path_factory.mktemp("cohort")
    profiles = [
        c.profile
        for c in generate_cohort(
            150, seed=31, as_of=dt.date.fromisoformat(AS_OF), population="early-help"
        )
    ]
    lines = folder / "caseload.jsonl"
    lines.write_text("".join(p.model_dump_json(exclude_defaults=True) + "\n" for p in profiles))
    write_tables(profiles_to_tables(profiles), folder / "tables")
    return lines, folder / "tables"


def screen(source: Path, out: Path, *options: str, results: str = "results.jsonl") -> int:
    out.mkdir(exist_ok=True)
    return main(
        ["screen", str(source), "--as-of", AS_OF, "--limit", "0", "--out", str(out / results),
         "--review", str(out / "review.csv"), "--html", str(out / "review.html"),
         "--errors", str(out / "errors.jsonl"), *options]
    )  # fmt: skip


def review_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def assert_same_review_apart_from_position(by_line: Path, by_row: Path, offset: int) -> None:
    """The two review CSVs are equal but for their ``line`` column: line == row + offset."""
    lines, rows = review_rows(by_line), review_rows(by_row)
    assert lines[0] == rows[0]
    at = lines[0].index("line")

    def others(table: list[list[str]]) -> list[list[str]]:
        return [row[:at] + row[at + 1 :] for row in table]

    assert others(lines) == others(rows)
    assert [int(row[at]) for row in lines[1:]] == [int(row[at]) + offset for row in rows[1:]]
    assert len(lines) > 5


def test_a_folder_of_tables_gives_the_jsonl_paths_outputs(
    cohort: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, folder = cohort
    assert screen(lines, tmp_path / "jsonl") == EXIT_OK
    by_lines = capsys.readouterr()
    assert screen(folder, tmp_path / "tables") == EXIT_OK
    by_tables = capsys.readouterr()
    for name in ("results.jsonl", "review.html"):
        assert (tmp_path / "jsonl" / name).read_bytes() == (tmp_path / "tables" / name).read_bytes()
    assert not (tmp_path / "tables" / "errors.jsonl").read_bytes()
    # The JSONL file's line n holds the child on row n - 1 of the children table.
    assert_same_review_apart_from_position(
        tmp_path / "jsonl" / "review.csv", tmp_path / "tables" / "review.csv", offset=1
    )
    assert by_tables.out == by_lines.out
    summary = by_lines.err.splitlines()[0]
    assert summary.startswith("efh-screen: read 150, screened 150, rejected 0")
    assert by_tables.err.splitlines()[0] == summary
    assert "efh-screen: rows by table: children read 150, screened 150, rejected 0; " in (
        by_tables.err
    )
    assert "a prompt for an early-help review by a person" in by_tables.err


def test_parquet_results_and_errors_are_the_screenings_tables(
    cohort: tuple[Path, Path], tmp_path: Path
) -> None:
    _, folder = cohort
    out = tmp_path / "out"
    code = screen(folder, out, "--errors", str(out / "errors.parquet"), results="results.parquet")
    assert code == EXIT_OK
    expected = screen_tables(*read_tables(folder), as_of=dt.date.fromisoformat(AS_OF))
    assert pq.read_table(out / "results.parquet").equals(expected.results)
    assert pq.read_table(out / "errors.parquet").equals(expected.rejected)
    assert pq.read_table(out / "errors.parquet").num_rows == 0


def break_tables(folder: Path, into: Path) -> int:
    """Copy the tables with a repeated child, an event of no child and one in the future.

    Return the events table's row of the first added event (the next is the second).
    """
    shutil.copytree(folder, into)
    children = pq.read_table(into / "children.parquet")
    pq.write_table(pa.concat_tables([children, children.slice(3, 1)]), into / "children.parquet")
    events = pq.read_table(into / "events.parquet").to_pylist()
    with_events = {event["id"] for event in events}
    quiet = next(child for child in children.column("id").to_pylist() if child not in with_events)
    added = [
        {"id": "NOBODY-0001", "type": "police_contact", "date": dt.date(2026, 1, 5),
         "note": "secret words from the case file"},
        {"id": quiet, "type": "police_contact", "date": dt.date(2027, 1, 5)},
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(events + added), into / "events.parquet")
    return len(events)


def test_rejected_rows_are_reported_by_table_and_row_never_by_cell_text(
    cohort: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = cohort
    broken = tmp_path / "broken"
    added = break_tables(folder, broken)
    assert screen(broken, tmp_path / "out") == EXIT_REJECTED
    err = capsys.readouterr().err
    errors = [
        json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()
    ]
    assert all(list(error) == ["id", "table", "row", "field", "reason"] for error in errors)
    assert [(e["table"], e["row"], e["field"]) for e in errors] == [
        ("children", 3, "id"),
        ("children", 150, "id"),
        ("events", added, "id"),
        ("events", added + 1, "events[0].date"),
    ]
    assert "secret words" not in (tmp_path / "out" / "errors.jsonl").read_text() + err
    assert "read 151, screened 148, rejected 3 (of which 2 duplicate ids)" in err
    assert "children read 151, screened 148, rejected 3; " in err
    assert f"events read {added + 2}, screened " in err
    assert "rejected records written to" in err


def test_rejected_rows_are_shown_on_stderr_without_an_errors_file(
    cohort: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = cohort
    broken = tmp_path / "broken"
    added = break_tables(folder, broken)
    assert main(["screen", str(broken), "--as-of", AS_OF, "--quiet"]) == EXIT_REJECTED
    err = capsys.readouterr().err
    orphan = f"  events row {added} id NOBODY-0001: id: no child in the children table has this id"
    assert orphan in err
    assert f"  events row {added + 1} id " in err
    assert ": events[0].date: is after the screening date" in err


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("missing", "events.parquet: is missing; the folder must hold the events table"),
        ("not parquet", "events.parquet: cannot be read as a Parquet file"),
        ("unknown column", "events (column 4): is not a column of the events table"),
        ("wrong type", "events.date: must hold dates (date32)"),
    ],
)
def test_malformed_tables_are_refused_with_a_plain_error_and_nothing_written(
    cohort: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    expected: str,
) -> None:
    _, folder = cohort
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    events = broken / "events.parquet"
    if damage == "missing":
        events.unlink()
    elif damage == "not parquet":
        events.write_text("id,type,date\n")
    elif damage == "unknown column":
        day = dt.date(2026, 1, 1)
        table = {"id": ["A-1"], "type": ["suspension"], "date": [day], "upn": ["x"]}
        pq.write_table(pa.table(table), events)
    else:
        pq.write_table(
            pa.table({"id": ["A-1"], "type": ["suspension"], "date": ["2026-01-01"]}), events
        )
    assert screen(broken, tmp_path / "out") == EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []


def test_a_wide_parquet_file_is_read_through_the_mapping_as_the_csv_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pandas = pytest.importorskip("pandas")
    export = EXAMPLES / "caseload_export.csv"
    wide = tmp_path / "export.parquet"
    pandas.read_csv(export, dtype=str, keep_default_na=False).to_parquet(wide)
    mapping = ("--mapping", str(EXAMPLES / "mapping.json"))
    assert screen(export, tmp_path / "csv", *mapping) == EXIT_REJECTED
    by_csv = capsys.readouterr().err
    assert screen(wide, tmp_path / "wide", *mapping) == EXIT_REJECTED
    by_parquet = capsys.readouterr().err
    for name in ("results.jsonl", "review.html"):
        assert (tmp_path / "csv" / name).read_bytes() == (tmp_path / "wide" / name).read_bytes()
    # A CSV row's line counts the header as line 1; the file's row counts from 0.
    assert_same_review_apart_from_position(
        tmp_path / "csv" / "review.csv", tmp_path / "wide" / "review.csv", offset=2
    )
    (by_line,) = [
        json.loads(x) for x in (tmp_path / "csv" / "errors.jsonl").read_text().splitlines()
    ]
    (by_row,) = [
        json.loads(x) for x in (tmp_path / "wide" / "errors.jsonl").read_text().splitlines()
    ]
    assert (by_row["table"], by_row["row"]) == ("frame", by_line["line"] - 2)
    assert (by_row["id"], by_row["field"], by_row["reason"]) == (
        by_line["id"], by_line["field"], by_line["reason"]
    )  # fmt: skip
    assert by_parquet.splitlines()[0] == by_csv.splitlines()[0]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--jobs", "2"], "--jobs: is for JSONL or CSV input"),
        (["--full"], "--full: is for JSONL or CSV input"),
        (["--mapping", str(EXAMPLES / "mapping.json")], "--mapping: reads one wide file"),
        (["--format", "csv"], "INPUT: is read as a folder of Parquet tables"),
        (["--out", "TABLES/children.parquet"], "results: is the input file"),
        (["--out", "OUT/a.jsonl", "--review", "OUT/a.jsonl"], "is the same file as results"),
        (["--previous", "OUT/last.jsonl", "--out", "OUT/r.parquet"], "--previous: compares"),
    ],
)
def test_options_that_do_not_apply_are_refused_plainly(
    cohort: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    expected: str,
) -> None:
    _, folder = cohort
    (tmp_path / "last.jsonl").write_text("")
    given = [o.replace("TABLES", str(folder)).replace("OUT", str(tmp_path)) for o in options]
    assert main(["screen", str(folder), "--as-of", AS_OF, *given]) == EXIT_UNUSABLE
    assert expected in capsys.readouterr().err


def test_parquet_results_are_refused_for_a_jsonl_caseload(
    cohort: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, _ = cohort
    out = tmp_path / "results.parquet"
    assert main(["screen", str(lines), "--as-of", AS_OF, "--out", str(out)]) == EXIT_UNUSABLE
    assert "--out: is written as Parquet only when screening Parquet tables" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_since_last_screen_marks_the_same_cases_as_the_jsonl_path(
    cohort: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, folder = cohort
    last = tmp_path / "last.jsonl"
    head = "".join(lines.read_text().splitlines(keepends=True)[:100])
    (tmp_path / "last-caseload.jsonl").write_text(head)
    assert main(["screen", str(tmp_path / "last-caseload.jsonl"), "--as-of", AS_OF,
                 "--out", str(last), "--quiet"]) == EXIT_OK  # fmt: skip
    previous = ("--previous", str(last), "--changes")
    assert screen(lines, tmp_path / "jsonl", *previous, str(tmp_path / "jc.jsonl")) == EXIT_OK
    by_lines = capsys.readouterr().out
    assert screen(folder, tmp_path / "tables", *previous, str(tmp_path / "tc.jsonl")) == EXIT_OK
    assert capsys.readouterr().out == by_lines and "Since last screen:" in by_lines
    assert (tmp_path / "jc.jsonl").read_bytes() == (tmp_path / "tc.jsonl").read_bytes()
    assert_same_review_apart_from_position(
        tmp_path / "jsonl" / "review.csv", tmp_path / "tables" / "review.csv", offset=1
    )
    assert review_rows(tmp_path / "tables" / "review.csv")[0][-1] == "since_last_screen"


def test_without_pyarrow_the_command_names_the_install_command(
    cohort: tuple[Path, Path],
) -> None:
    _, folder = cohort
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from efh_screen.__main__ import main\n"
        f"raise SystemExit(main(['screen', {str(folder)!r}, '--as-of', '{AS_OF}']))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == EXIT_UNUSABLE
    assert 'pip install "efh_screen[tables]"' in run.stderr
    assert "Traceback" not in run.stderr


def test_the_folder_holds_the_four_table_files(cohort: tuple[Path, Path]) -> None:
    _, folder = cohort
    assert sorted(path.name for path in folder.iterdir()) == sorted(TABLE_FILES.values())


def test_a_wide_files_repeated_id_is_placed_and_worded_at_the_files_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pandas = pytest.importorskip("pandas")
    export = pandas.read_csv(EXAMPLES / "caseload_export.csv", dtype=str, keep_default_na=False)
    # Row 7 cannot be read; row 8 is repeated as row 10, so the file's rows are not the
    # children table's (7 and 9).
    wide = tmp_path / "export.parquet"
    pandas.concat([export, export.iloc[[8]]], ignore_index=True).to_parquet(wide)
    errors = tmp_path / "errors.jsonl"
    code = main(["screen", str(wide), "--mapping", str(EXAMPLES / "mapping.json"),
                 "--as-of", AS_OF, "--quiet", "--errors", str(errors)])  # fmt: skip
    assert code == EXIT_REJECTED
    assert "read 11, screened 8, rejected 3 (of which 2 duplicate ids)" in capsys.readouterr().err
    found = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["table"], e["row"], e["field"]) for e in found] == [
        ("frame", 7, "DA in household"),
        ("frame", 8, "id"),
        ("frame", 10, "id"),
    ]
    assert found[1]["reason"].startswith("duplicate id: it is on rows 8, 10 of the file;")


@pytest.mark.parametrize("sort", [True, False], ids=["sorted", "unsorted"])
@pytest.mark.parametrize("results", ["results.jsonl", "results.parquet"])
def test_a_folder_read_in_chunks_gives_the_outputs_of_one_read(
    cohort: tuple[Path, Path], tmp_path: Path, results: str, sort: bool
) -> None:
    """Chunks of 7 children, with problems in several tables and chunks, and a repeated id.

    Unsorted, the repeated id's rows are far apart and the chunks are parts of the folder.
    """
    _, tables = cohort
    read = read_tables(tables)
    folder = tmp_path / "tables"
    children = read.children
    repeated = children.slice(20, 1)  # a second row for the 21st child, next to it once sorted
    events = read.events
    bad_date = (
        events.slice(0, 1)
        .set_column(
            events.schema.get_field_index("date"),
            "date",
            pa.array([dt.date(2027, 1, 1)], type=events.schema.field("date").type),
        )
        .cast(events.schema)
    )
    write_tables(
        CaseTables(pa.concat_tables([children, repeated]), read.observations,
                   pa.concat_tables([events, bad_date]), read.attendance),
        folder,
        sort=sort,
    )  # fmt: skip
    outputs: dict[int, dict[str, bytes]] = {}
    for per_chunk in (7, 10_000):
        out = tmp_path / f"out-{per_chunk}"
        out.mkdir()
        batch = screen_table_files(
            folder,
            as_of=dt.date.fromisoformat(AS_OF),
            results=out / results,
            errors=out / "errors.jsonl",
            review_csv=out / "review.csv",
            review_html=out / "review.html",
            children_per_chunk=per_chunk,
        )
        assert batch.counts is not None
        assert all(count.read == count.screened + count.rejected for count in batch.counts)
        assert batch.summary.read == batch.summary.screened + batch.summary.rejected
        outputs[per_chunk] = {path.name: path.read_bytes() for path in sorted(out.iterdir())}
    if results.endswith(".parquet"):  # the same rows; a file written in parts has more groups
        chunked, whole = (pq.read_table(tmp_path / f"out-{n}" / results) for n in (7, 10_000))
        assert chunked.equals(whole)
        for files in outputs.values():
            del files[results]
    assert outputs[7] == outputs[10_000]
    errors = [json.loads(line) for line in outputs[7]["errors.jsonl"].splitlines()]
    assert {problem["table"] for problem in errors} == {"children", "events"}
    assert len({problem["id"] for problem in errors}) == 2


@pytest.mark.parametrize("results", ["results.jsonl", "results.parquet"])
def test_a_wide_file_read_in_chunks_gives_the_outputs_of_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, results: str
) -> None:
    """A wide file of 40 rows in row groups of 9, read 1, 4 and 10,000 rows at a time."""
    pandas = pytest.importorskip("pandas")
    from efh_screen.tables import _batch

    export = pandas.read_csv(EXAMPLES / "caseload_export.csv", dtype=str, keep_default_na=False)
    rows = pandas.concat([export] * 4, ignore_index=True)  # some rows cannot be read
    rows["Case ref"] = [f"SYNTHETIC-{n:04d}" for n in range(len(rows))]
    wide = tmp_path / "export.parquet"
    rows.to_parquet(wide, row_group_size=9)
    mapping = ColumnMapping.load(EXAMPLES / "mapping.json")
    previous = {"SYNTHETIC-0000": {"id": "SYNTHETIC-0000", "band": "no_concern", "score": 0,
                                   "flag": False, "coverage": {"enough": True}}}  # fmt: skip

    def outputs(name: str, per_chunk: int) -> dict[str, bytes]:
        out = tmp_path / name
        out.mkdir()
        batch = screen_table_files(
            wide,
            as_of=dt.date.fromisoformat(AS_OF),
            mapping=mapping,
            results=out / results,
            errors=out / "errors.jsonl",
            review_csv=out / "review.csv",
            review_html=out / "review.html",
            previous=previous,
            children_per_chunk=per_chunk,
        )
        assert batch.summary.read == 40 == batch.summary.screened + batch.summary.rejected
        assert batch.summary.rejected > 0 and batch.summary.review
        written = {path.name: path.read_bytes() for path in sorted(out.iterdir())}
        if results.endswith(".parquet"):  # the same rows; a file written in parts has more groups
            written[results] = pq.read_table(out / results).to_pylist().__repr__().encode()
        return written

    chunked = {n: outputs(f"chunks-{n}", n) for n in (1, 4, 10_000)}
    monkeypatch.setattr(_batch, "_ids_once_each", lambda path, mapping: False)
    whole = outputs("whole", 4)
    for per_chunk, written in chunked.items():
        assert written == whole, per_chunk
    errors = [json.loads(line) for line in whole["errors.jsonl"].splitlines()]
    assert {e["table"] for e in errors} == {"frame"} and max(e["row"] for e in errors) > 30
