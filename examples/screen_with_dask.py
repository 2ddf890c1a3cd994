"""Screen a caseload past one call: Parquet buckets by child id, one Dask task per bucket.

For data engineers: run from the repository root with

    python examples/screen_with_dask.py

It needs the dask extra (``pip install "efh_screen[dask]"``) and is the recipe of
docs/tables.md, "Past one machine":

1. ``write_buckets`` spreads the four tables of one big caseload over buckets by the
   child's id (``crc32(id) mod buckets``), each table as Hive-style folders
   ``<table>/bucket=<k>/``, so every row of a child, whichever table it is in, lands in the
   same bucket. Each row keeps its row number in the source table.
2. ``screen_bucket`` is one task: it reads one bucket's four tables, checks that every id in
   them belongs to that bucket, screens them with ``screen_tables`` and writes the bucket's
   results and rejections (all or none; a retried task writes the same files again). Only
   the bucket's counts go back to the scheduler.
3. ``check_run`` checks the whole run: every table's rows were all read
   (``read == screened + rejected``, and ``read`` is the source table's rows) and no id has
   results in two buckets.

The cohort is synthetic (``efh_screen.synth``), with three problems added: a child id on two
rows of the children table, an event whose id matches no child, and an event dated after the
screening date. The run is checked against screening the whole caseload in one call: the
same result lines and the same rejections. A flag is a prompt for an early-help review by a
person, never a decision about a child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import dask
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from efh_screen.synth import generate_cohort
from efh_screen.tables import (
    TABLE_FILES,
    TABLE_NAMES,
    CaseTables,
    TableCount,
    TableCounts,
    profiles_to_tables,
    read_tables,
    screen_tables,
    write_screening,
    write_tables,
)

AS_OF = dt.date(2026, 9, 1)
BUCKET = "bucket"
SOURCE_ROW = "source_row"


def bucket_of(ids: Any, buckets: int) -> Any:
    """Return each id's bucket: crc32 of its UTF-8 bytes, mod ``buckets`` (a blank id: 0).

    crc32 is the same in every engine (Python's zlib, Spark SQL's and Hive's ``crc32``), so
    tables bucketed by one engine can be screened by another. Each distinct id is hashed
    once, however many rows repeat it.
    """
    ids = ids.cast(pa.string())
    distinct = pc.unique(ids)
    numbers = [
        0 if id_ is None else zlib.crc32(id_.encode()) % buckets for id_ in distinct.to_pylist()
    ]
    return pc.take(pa.array(numbers, pa.int32()), pc.index_in(ids, value_set=distinct))


def write_buckets(source: Path, target: Path, *, buckets: int) -> None:
    """Write each table of the folder ``source`` as ``target/<table>/bucket=<k>/``.

    Each table is streamed batch by batch, so the caseload never has to fit in memory. Each
    row keeps its row number in the source table as a ``source_row`` column: the bucket's
    task puts its rows back in source order by it, and drops it before screening.
    """
    for name, file_name in TABLE_FILES.items():
        table = ds.dataset(source / file_name, format="parquet")
        schema = table.schema.append(pa.field(SOURCE_ROW, pa.int64())).append(
            pa.field(BUCKET, pa.int32())
        )
        ds.write_dataset(
            numbered_batches(table.to_batches(), buckets),
            target / name,
            schema=schema,
            format="parquet",
            partitioning=[BUCKET],
            partitioning_flavor="hive",
        )


def numbered_batches(batches: Iterator[Any], buckets: int) -> Iterator[Any]:
    """Add each row's source row number and bucket to a stream of record batches."""
    start = 0
    for batch in batches:
        rows = pa.array(np.arange(start, start + batch.num_rows), pa.int64())
        start += batch.num_rows
        yield batch.append_column(SOURCE_ROW, rows).append_column(
            BUCKET, bucket_of(batch.column("id"), buckets)
        )


class BucketOutcome(NamedTuple):
    """What one task sends back: its bucket and what became of each table's rows."""

    bucket: int
    counts: TableCounts


def screen_bucket(
    root: Path, out: Path, bucket: int, *, buckets: int, as_of: dt.date
) -> BucketOutcome:
    """Screen one bucket's four tables and write its results and rejections (one task)."""
    tables: list[Any] = []
    source_rows: dict[str, Any] = {}
    for name in TABLE_NAMES:
        folder = root / name / f"{BUCKET}={bucket}"
        if not folder.is_dir():  # no rows of this table fell in this bucket
            tables.append(None)
            continue
        table = ds.dataset(folder, format="parquet").to_table().sort_by(SOURCE_ROW)
        if not pc.all(pc.equal(bucket_of(table.column("id"), buckets), bucket)).as_py():
            raise ValueError(
                f"{folder} holds ids of another bucket: were all four tables "
                f"bucketed with the same bucket_of and {buckets} buckets?"
            )
        source_rows[name] = table.column(SOURCE_ROW).to_numpy()
        tables.append(table.drop_columns([SOURCE_ROW]))
    screening = screen_tables(*tables, as_of=as_of)
    screening = replace(screening, rejected=with_source_rows(screening.rejected, source_rows))
    outputs = {kind: out / kind / f"{BUCKET}={bucket}" for kind in ("results", "lines", "rejected")}
    for folder in outputs.values():
        folder.mkdir(parents=True, exist_ok=True)
    write_screening(
        screening,
        results=outputs["results"] / "part-0.parquet",
        results_jsonl=outputs["lines"] / "part-0.jsonl",
        rejected=outputs["rejected"] / "part-0.parquet",
    )
    return BucketOutcome(bucket, screening.counts)


def with_source_rows(rejected: Any, source_rows: dict[str, Any]) -> Any:
    """Return the rejections with a ``source_row`` column: the row in the source table.

    ``row`` (and a reason that names rows, such as a duplicate id's) counts the bucket's rows.
    """
    rows = rejected.column("row").to_numpy().copy()
    tables = rejected.column("table").to_numpy(zero_copy_only=False)
    for name, numbers in source_rows.items():
        here = tables == name
        rows[here] = numbers[rows[here]]
    return rejected.append_column(SOURCE_ROW, pa.array(rows, pa.int64()))


def screen_buckets(
    root: Path, out: Path, *, buckets: int, as_of: dt.date, scheduler: str | None = None
) -> list[BucketOutcome]:
    """Screen every bucket, one Dask task each, on ``scheduler`` (Dask's default if None).

    ``out`` must not exist yet, so that no bucket of an earlier run is taken for this one's.
    """
    out.mkdir(parents=True)
    task = dask.delayed(screen_bucket)
    tasks = [task(root, out, bucket, buckets=buckets, as_of=as_of) for bucket in range(buckets)]
    return list(dask.compute(*tasks, scheduler=scheduler))


def add_counts(counts: Iterable[TableCounts]) -> TableCounts:
    """Add up the buckets' counts, table by table."""
    totals = [TableCount(0, 0, 0)] * len(TABLE_NAMES)
    for bucket in counts:
        totals = [
            TableCount(*map(sum, zip(*pair, strict=True)))
            for pair in zip(totals, bucket, strict=True)
        ]
    return TableCounts(*totals)


def check_run(outcomes: Sequence[BucketOutcome], source: Path, out: Path) -> TableCounts:
    """Check the whole run: every row accounted for, and no id screened in two buckets."""
    totals = add_counts(outcome.counts for outcome in outcomes)
    for name, total in totals._asdict().items():
        source_rows = pq.ParquetFile(source / TABLE_FILES[name]).metadata.num_rows
        if not total.read == total.screened + total.rejected == source_rows:
            raise ValueError(f"{name}: {total} does not account for its {source_rows} rows")
    ids = ds.dataset(out / "results", format="parquet").to_table(columns=["id"]).column("id")
    if pc.count_distinct(ids).as_py() != len(ids):
        raise ValueError("an id has results in two buckets: were the tables bucketed by id?")
    return totals


def messy_caseload(profiles: int) -> CaseTables:
    """A synthetic caseload with three problems added (see the module docstring)."""
    cohort = generate_cohort(profiles, seed=7, as_of=AS_OF, population="early-help")
    tables = profiles_to_tables(case.profile for case in cohort)
    twice = tables.children.slice(5, 1)  # the same child exported twice
    strays = pa.table(
        {
            "id": ["SYN-9999999", "SYN-0000011"],  # no such child; a date after the screen
            "type": pa.array(["police_contact", "suspension"]).dictionary_encode(),
            "date": [dt.date(2026, 3, 1), dt.date(2026, 10, 1)],
        }
    )
    return tables._replace(
        children=pa.concat_tables([tables.children, twice]),
        events=pa.concat_tables([tables.events, strays], promote_options="permissive"),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--scheduler", default="threads", help="sync, threads or processes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        # As exported, the second copy of a child last: left unsorted, so it is far from the first.
        write_tables(messy_caseload(args.profiles), work / "caseload", sort=False)
        write_buckets(work / "caseload", work / "buckets", buckets=args.buckets)
        outcomes = screen_buckets(
            work / "buckets",
            work / "out",
            buckets=args.buckets,
            as_of=AS_OF,
            scheduler=args.scheduler,
        )
        totals = check_run(outcomes, work / "caseload", work / "out")
        for name, total in totals._asdict().items():
            print(
                f"{name}: read {total.read}, screened {total.screened}, rejected {total.rejected}"
            )
        rejected = ds.dataset(
            work / "out" / "rejected", format="parquet", partitioning="hive"
        ).to_table()
        for problem in sorted(rejected.to_pylist(), key=lambda p: (p["table"], p[SOURCE_ROW])):
            print(
                f"rejected: {problem['table']} row {problem[SOURCE_ROW]} "
                f"(bucket {problem[BUCKET]} row {problem['row']}, {problem['id']}): "
                f"{problem['field']}: {problem['reason']}"
            )
        one_call = screen_tables(*read_tables(work / "caseload"), as_of=AS_OF)
        same_lines = sorted(_lines(work / "out")) == sorted(one_call.result_lines())
        same_rejections = _rejections(rejected, SOURCE_ROW) == _rejections(one_call.rejected)
        print(
            f"{args.buckets} buckets on the {args.scheduler} scheduler, as one call: "
            f"same result lines {_yes(same_lines)}, same rejected rows {_yes(same_rejections)}"
        )
        flagged = sum(json.loads(line)["flag"] for line in _lines(work / "out"))
        print(f"{flagged} flagged for an early-help review by a person (not a decision)")


def _lines(out: Path) -> list[str]:
    """Every bucket's result lines."""
    return [
        line
        for path in sorted((out / "lines").glob(f"{BUCKET}=*/part-0.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _rejections(rejected: Any, row: str = "row") -> list[tuple[str, int, str, str]]:
    """Each rejection's table, source row, field and id, sorted."""
    columns = [rejected.column(name).to_pylist() for name in ("table", row, "field", "id")]
    return sorted(
        (table, number, field, id_ or "")
        for table, number, field, id_ in zip(*columns, strict=True)
    )


def _yes(same: bool) -> str:
    return "yes" if same else "NO"


if __name__ == "__main__":
    main()
