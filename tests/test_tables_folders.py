"""Folders of Parquet tables read and screened a chunk of children at a time.

A folder sorted by id (as ``write_tables`` writes it) is read in chunks, each child with all
of its rows; the streamed outputs are those of one ``screen_tables`` call on the whole folder:
the same result lines, results and contributions, the same rejections at the same rows (a
duplicate id's reason naming the folder's rows), counts that add up. A folder that is not
sorted is read in parts (each child's rows put with it through temporary files) and gives
the same outputs too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from efh_screen import InputError, parse_profile
from efh_screen.synth import generate_cohort
from efh_screen.tables import (
    TABLE_FILES,
    TABLE_NAMES,
    CaseTables,
    TableRows,
    iter_tables,
    profiles_to_tables,
    read_tables,
    screen_folder,
    screen_tables,
    write_screening,
    write_tables,
)
from strategies import AS_OF

BIG_CHILD = "SYN-0000007"
BIG_ROWS = 70_000  # more rows than one Parquet batch, so the child's rows cross batches
QUIET = ["SYN-0000005q", "SYN-0000024q"]  # children with no other rows at all


def _rows(name: str, columns: dict[str, list[Any]]) -> Any:
    """A few rows of a table, typed as the layout types them, with its other columns blank."""
    layout = getattr(profiles_to_tables([]), name).schema
    schema = pa.schema([field.with_nullable(True) for field in layout])  # blank ids too
    count = len(next(iter(columns.values())))
    arrays = []
    for field in schema:
        values = columns.get(field.name, [None] * count)
        if pa.types.is_dictionary(field.type):
            arrays.append(pa.array(values, field.type.value_type).dictionary_encode())
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, names=schema.names).cast(schema)


def messy_caseload() -> CaseTables:
    """Synthetic children with every kind of row a chunk boundary could split or lose.

    A child exported twice (its rows apart in the children table), children with no rows
    in the other tables, a child with more observations than one Parquet batch, rows whose
    id matches no child (sorting before, among and after the children), rows with a blank
    id, a child with a blank id and an event dated after the screening date.
    """
    cohort = generate_cohort(24, seed=11, as_of=AS_OF, population="early-help")
    profiles = [case.profile for case in cohort]
    profiles += [parse_profile({"id": id_, "date_of_birth": "2012-05-06"}) for id_ in QUIET]
    tables = profiles_to_tables(profiles)
    children = pa.concat_tables(
        [
            tables.children,
            tables.children.slice(7, 1),  # SYN-0000008, exported twice
            _rows("children", {"id": [None], "date_of_birth": [dt.date(2011, 1, 1)]}),
        ],
        promote_options="permissive",
    )
    big = _rows(
        "observations",
        {
            "id": [BIG_CHILD] * BIG_ROWS,
            "factor": ["adhd"] * BIG_ROWS,
            "status": ["present"] * BIG_ROWS,
            "source": ["camhs"] * BIG_ROWS,
        },
    )
    strays = _rows(
        "observations",
        {
            "id": ["SYN-0000012x", None, "SYN-0000000"],
            "factor": ["adhd"] * 3,
            "status": ["present"] * 3,
        },
    )
    events = _rows(
        "events",
        {
            "id": ["SYN-0000000", "SYN-0000013", None],
            "type": ["police_contact", "suspension", "police_contact"],
            "date": [dt.date(2026, 3, 1), dt.date(2026, 10, 1), dt.date(2026, 3, 1)],
        },
    )
    attendance = _rows(
        "attendance",
        {
            "id": ["SYN-9999999"],
            "start": [dt.date(2025, 9, 1)],
            "end": [dt.date(2026, 7, 20)],
            "possible_sessions": [300],
            "missed_sessions": [10],
        },
    )
    return CaseTables(
        children,
        *(
            pa.concat_tables(parts, promote_options="permissive")
            for parts in (
                [tables.observations, big, strays],
                [tables.events, events],
                [tables.attendance, attendance],
            )
        ),
    )


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sorted")
    write_tables(messy_caseload(), folder)
    return folder


@pytest.fixture(scope="module")
def unsorted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unsorted")
    write_tables(messy_caseload(), folder, sort=False)
    return folder


def plain(table: Any) -> Any:
    """The table with its dictionary columns decoded, to compare values, not encodings."""
    return pa.table(
        {
            name: column.cast(column.type.value_type)
            if pa.types.is_dictionary(column.type)
            else column
            for name, column in zip(table.column_names, table.columns, strict=True)
        }
    )


def one_call(folder: Path) -> Any:
    return screen_tables(*read_tables(folder), as_of=AS_OF, contributions=True)


def streamed(folder: Path, out: Path, children_per_chunk: int) -> tuple[Any, dict[str, Any]]:
    """Screen a folder with screen_folder; return its counts and its outputs, read back."""
    out.mkdir()
    counts = screen_folder(
        folder,
        as_of=AS_OF,
        results=out / "results.parquet",
        results_jsonl=out / "results.jsonl",
        rejected=out / "rejected.parquet",
        contributions=out / "contributions.parquet",
        children_per_chunk=children_per_chunk,
    )
    outputs = {
        name: pq.read_table(out / f"{name}.parquet")
        for name in ("results", "rejected", "contributions")
    }
    outputs["lines"] = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return counts, outputs


def assert_as_one_call(folder: Path, out: Path, children_per_chunk: int) -> None:
    whole = one_call(folder)
    counts, outputs = streamed(folder, out, children_per_chunk)
    assert counts == whole.counts
    assert outputs["lines"] == whole.result_lines()
    assert outputs["results"].equals(whole.results)
    assert outputs["contributions"].equals(whole.contributions)
    assert outputs["rejected"].equals(whole.rejected)


@pytest.mark.parametrize("children_per_chunk", [1, 7, 10_000])
def test_a_sorted_folder_screened_in_chunks_gives_what_one_call_gives(
    caseload: Path, tmp_path: Path, children_per_chunk: int
) -> None:
    assert_as_one_call(caseload, tmp_path / "out", children_per_chunk)


def test_the_messy_caseload_has_what_it_is_meant_to(caseload: Path) -> None:
    whole = one_call(caseload)
    rejected = whole.rejected.to_pylist()
    duplicates = [row for row in rejected if row["id"] == "SYN-0000008"]
    assert [row["row"] for row in duplicates] == [8, 9]  # adjacent once sorted
    assert "rows 8, 9 of the children table" in duplicates[0]["reason"]
    assert {(row["table"], row["field"]) for row in rejected if row["id"] == "SYN-0000013"} == {
        ("events", "events[4].date")
    }
    screened = set(whole.results.column("id").to_pylist())
    assert {BIG_CHILD, *QUIET} <= screened
    assert whole.counts.children == (28, 24, 4)  # the twice-exported pair, a blank id, a bad date
    orphans = {
        (row["table"], row["id"]) for row in rejected if row["reason"].startswith("no child")
    }
    assert orphans == {
        ("observations", "SYN-0000012x"),
        ("observations", "SYN-0000000"),
        ("events", "SYN-0000000"),
        ("attendance", "SYN-9999999"),
    }
    for count in whole.counts:
        assert count.read == count.screened + count.rejected


@pytest.mark.parametrize("children_per_chunk", [1, 7])
def test_each_child_and_its_rows_are_in_one_chunk(caseload: Path, children_per_chunk: int) -> None:
    tables = read_tables(caseload)
    first = TableRows(0, 0, 0, 0)
    seen: set[str] = set()
    chunks = list(iter_tables(caseload, children_per_chunk=children_per_chunk))
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.sorted_by_id
        assert chunk.first_rows == first
        for name, table, whole in zip(TABLE_NAMES, chunk.tables, tables, strict=True):
            start = getattr(first, name)
            assert plain(table).equals(plain(whole.slice(start, table.num_rows)))
        first = TableRows(
            *(start + table.num_rows for start, table in zip(first, chunk.tables, strict=True))
        )
        ids = set(pc.drop_null(chunk.tables.children.column("id").cast(pa.string())).to_pylist())
        assert not ids & seen  # a child id (even one exported twice) is in one chunk only
        seen |= ids
        for table in chunk.tables[1:]:
            rows = set(pc.drop_null(table.column("id").cast(pa.string())).to_pylist())
            assert not rows & (seen - ids)  # no row of a child of an earlier chunk
        screening = chunk.screen(as_of=AS_OF)
        for count in screening.counts:
            assert count.read == count.screened + count.rejected
    assert first == TableRows(*(table.num_rows for table in tables))
    (big,) = [chunk for chunk in chunks if BIG_CHILD in chunk.tables.children["id"].to_pylist()]
    assert big.tables.observations.num_rows > BIG_ROWS


def test_write_tables_sorts_each_table_by_id_keeping_each_childs_rows_in_order(
    caseload: Path,
) -> None:
    given = messy_caseload()
    written = read_tables(caseload)
    for before, after in zip(given, written, strict=True):
        assert after.num_rows == before.num_rows
        ids = after.column("id").cast(pa.string())
        present = pc.drop_null(ids).to_pylist()
        assert present == sorted(present)
        assert ids.null_count == before.column("id").null_count
        assert ids.slice(len(present)).null_count == ids.null_count  # blank ids last
    for table_before, table_after in zip(given[1:], written[1:], strict=True):
        for child in ("SYN-0000003", BIG_CHILD):
            mine = pc.equal(table_before.column("id").cast(pa.string()), child)
            theirs = pc.equal(table_after.column("id").cast(pa.string()), child)
            assert table_after.filter(theirs).to_pylist() == table_before.filter(mine).to_pylist()


@pytest.mark.parametrize("children_per_chunk", [1, 5, 7, 10_000])
def test_an_unsorted_folder_is_read_in_parts_and_gives_what_one_call_gives(
    unsorted: Path, tmp_path: Path, children_per_chunk: int
) -> None:
    chunks = list(iter_tables(unsorted, children_per_chunk=children_per_chunk))
    assert not any(chunk.sorted_by_id for chunk in chunks)
    assert len(chunks) == -(-28 // children_per_chunk)  # 28 children (one id on two rows)
    assert_as_one_call(unsorted, tmp_path / "out", children_per_chunk)
    rejected = one_call(unsorted).rejected.to_pylist()
    duplicates = [row for row in rejected if row["id"] == "SYN-0000008"]
    assert [row["row"] for row in duplicates] == [7, 26]  # far apart, still found
    assert "rows 7, 26 of the children table" in duplicates[0]["reason"]


def test_each_part_of_an_unsorted_folder_has_its_childrens_rows_at_the_folders_rows(
    unsorted: Path,
) -> None:
    tables = read_tables(unsorted)
    seen: dict[str, list[int]] = {name: [] for name in TABLE_NAMES}
    children_seen: list[str | None] = []
    for number, chunk in enumerate(iter_tables(unsorted, children_per_chunk=5)):
        assert chunk.source_rows is not None and chunk.first_rows == TableRows(0, 0, 0, 0)
        mine = set(chunk.tables.children.column("id").cast(pa.string()).to_pylist())
        for name, table, rows in zip(TABLE_NAMES, chunk.tables, chunk.source_rows, strict=True):
            assert len(rows) == table.num_rows and list(rows) == sorted(rows)  # in order
            # Every row is the folder's row it says it is.
            assert plain(table).to_pylist() == plain(getattr(tables, name).take(rows)).to_pylist()
            seen[name].extend(int(row) for row in rows)
            if number:  # rows of no child (or a blank id) are all in the first part
                assert set(table.column("id").cast(pa.string()).to_pylist()) <= mine
        children_seen.extend(chunk.tables.children.column("id").cast(pa.string()).to_pylist())
    for name in TABLE_NAMES:  # every row once
        assert sorted(seen[name]) == list(range(getattr(tables, name).num_rows))
    screened = [i for i in children_seen if i is not None and i != "SYN-0000008"]
    assert screened == [
        i for i in tables.children.column("id").cast(pa.string()).to_pylist()
        if i is not None and i != "SYN-0000008"
    ]  # fmt: skip


def test_one_unsorted_table_is_enough_to_read_the_folder_in_parts(
    caseload: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    write_tables(read_tables(caseload), folder)
    events = pq.read_table(folder / TABLE_FILES["events"])
    pq.write_table(events.take(list(reversed(range(events.num_rows)))), folder / "events.parquet")
    chunks = list(iter_tables(folder, children_per_chunk=3))
    assert len(chunks) == 10 and not chunks[0].sorted_by_id
    assert_as_one_call(folder, tmp_path / "out", 3)


def test_a_small_unsorted_folder_is_one_chunk(unsorted: Path) -> None:
    (chunk,) = iter_tables(unsorted, children_per_chunk=28)
    assert not chunk.sorted_by_id and chunk.source_rows is None
    assert chunk.first_rows == TableRows(0, 0, 0, 0)


def test_an_empty_folder_gives_one_empty_chunk_and_empty_outputs(tmp_path: Path) -> None:
    write_tables(profiles_to_tables([]), tmp_path / "empty")
    (chunk,) = iter_tables(tmp_path / "empty")
    assert [table.num_rows for table in chunk.tables] == [0, 0, 0, 0]
    counts, outputs = streamed(tmp_path / "empty", tmp_path / "out", 3)
    assert all(count == (0, 0, 0) for count in counts)
    assert outputs["results"].num_rows == outputs["rejected"].num_rows == 0
    assert outputs["lines"] == []


def test_write_screening_takes_one_screening_or_the_chunks_screenings(
    caseload: Path, tmp_path: Path
) -> None:
    whole = one_call(caseload)
    chunks = [chunk.screen(as_of=AS_OF) for chunk in iter_tables(caseload, children_per_chunk=4)]
    counts = write_screening(chunks, rejected=tmp_path / "chunks.parquet")
    assert counts == write_screening(whole, rejected=tmp_path / "whole.parquet")
    assert pq.read_table(tmp_path / "chunks.parquet").equals(whole.rejected)
    with pytest.raises(InputError, match="contributions"):
        write_screening(chunks, contributions=tmp_path / "contributions.parquet")
    with pytest.raises(InputError, match="screening"):
        write_screening([], results=tmp_path / "results.parquet")
    assert not (tmp_path / "contributions.parquet").exists()
    assert not (tmp_path / "results.parquet").exists()


def test_unusable_folders_and_arguments_are_refused_plainly(caseload: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a folder"):
        iter_tables(tmp_path / "nowhere")
    for wrong in (0, -3, 1.5, True):
        with pytest.raises(InputError, match="children_per_chunk"):
            iter_tables(caseload, children_per_chunk=wrong)  # type: ignore[arg-type]
    folder = tmp_path / "tables"
    write_tables(read_tables(caseload), folder)
    with pytest.raises(InputError, match="is the input file"):
        screen_folder(folder, as_of=AS_OF, results=folder / "children.parquet")
    (folder / "observations.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match=r"observations\.parquet"):
        screen_folder(folder, as_of=AS_OF, results=tmp_path / "results.parquet")
    assert not (tmp_path / "results.parquet").exists()
    (folder / "events.parquet").unlink()
    with pytest.raises(InputError, match=r"events\.parquet"):
        iter_tables(folder)


def test_a_table_that_does_not_fit_the_layout_is_refused_as_one_call_refuses_it(
    tmp_path: Path,
) -> None:
    tables = profiles_to_tables([parse_profile({"id": "YP-1", "date_of_birth": "2012-01-01"})])
    children = tables.children.set_column(0, "id", pa.array([1], pa.int64()))
    write_tables(tables._replace(children=children), tmp_path / "tables")
    with pytest.raises(InputError, match=r"children\.id"):
        screen_folder(tmp_path / "tables", as_of=AS_OF, results=tmp_path / "results.parquet")
    with pytest.raises(InputError, match="as_of"):
        screen_folder(tmp_path / "tables", as_of="2026-09-01")  # type: ignore[arg-type]


@pytest.mark.parametrize("place", ["first", "between the two rows of one id"])
def test_blank_ids_may_sit_anywhere_in_a_sorted_folder(
    caseload: Path, tmp_path: Path, place: str
) -> None:
    folder = tmp_path / "tables"
    write_tables(read_tables(caseload), folder)
    children = pq.read_table(folder / TABLE_FILES["children"])
    blank = children.num_rows - 1  # the child with a blank id, written last
    twice = children.column("id").to_pylist().index("SYN-0000008")  # and on the next row
    at = 0 if place == "first" else twice + 1
    order = [*range(at), blank, *range(at, blank)]
    pq.write_table(children.take(order), folder / TABLE_FILES["children"])
    events = pq.read_table(folder / TABLE_FILES["events"])
    blank, middle = events.num_rows - 1, events.num_rows // 2
    order = [*range(middle), blank, *range(middle, blank)]
    pq.write_table(events.take(order), folder / TABLE_FILES["events"])
    for children_per_chunk in (1, 7):
        chunks = list(iter_tables(folder, children_per_chunk=children_per_chunk))
        assert all(chunk.sorted_by_id for chunk in chunks)
        assert_as_one_call(folder, tmp_path / f"out-{children_per_chunk}", children_per_chunk)


def test_folder_rows_names_the_tables_it_knows(unsorted: Path, caseload: Path) -> None:
    parted = next(iter(iter_tables(unsorted, children_per_chunk=5)))
    consecutive = list(iter_tables(caseload, children_per_chunk=7))[1]
    assert parted.folder_rows("events", []) == []
    assert consecutive.folder_rows("children", [0, 2]) == [
        consecutive.first_rows.children,
        consecutive.first_rows.children + 2,
    ]
    with pytest.raises(ValueError, match="children, observations, events, attendance"):
        consecutive.folder_rows("child", [0])
