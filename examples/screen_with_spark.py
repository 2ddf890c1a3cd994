"""Screen the four tables with Spark: one long frame, grouped by bucket, screened with Arrow.

For data engineers. This is the Spark recipe of docs/tables.md, "Past one machine"; the test
suite only compiles it, because it needs Java (17 or later) and pyspark (4.0 or later, for
``applyInArrow``), which the project does not install. To try it locally:

    python -m venv /tmp/spark-venv
    /tmp/spark-venv/bin/pip install pyspark "pandas<3" -e ".[tables]"
    /tmp/spark-venv/bin/python examples/screen_with_spark.py

1. ``long_frame`` reads the four tables and unions them by column name into one long frame
   with a ``table`` column (each table's columns, blank on the other tables' rows), each
   row's source file and row number, and the child's bucket, ``crc32(id) mod buckets`` (the
   same bucket as ``bucket_of`` in the Dask recipe).
2. ``screen_buckets`` groups the long frame by bucket: Spark's shuffle brings every row of a
   child, whichever table it is in, to the same group, and ``applyInArrow`` hands each group
   to ``screen_group`` as one Arrow table. That splits it back into the four tables, in
   source order, screens them with ``screen_tables`` and returns one row per result line,
   per rejection and per table count (the ``kind`` column says which).
3. ``check_run`` checks the run from the written outcomes: every table's rows accounted for
   (``read == screened + rejected``, and ``read`` is the source table's rows) and no id with
   two results.

The cohort is synthetic, with a child id on two rows of the children table, an event whose id
matches no child and an event dated after the screening date; the run is checked against
screening everything in one call. A flag is a prompt for an early-help review by a person,
never a decision about a child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import reduce
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812 (Spark's own convention)

from efh_screen.synth import generate_cohort
from efh_screen.tables import (
    TABLE_FILES,
    TABLE_NAMES,
    arrow_schemas,
    profiles_to_tables,
    read_tables,
    screen_tables,
    write_tables,
)

AS_OF = dt.date(2026, 9, 1)
SOURCE_COLUMNS = ["bucket", "table", "source_file", "source_row"]
OUTCOMES = pa.schema(
    [
        ("bucket", pa.int32()),
        ("kind", pa.string()),  # "result", "rejected" or "count"
        ("id", pa.string()),
        ("line", pa.string()),  # a result line, byte for byte those screen_file writes
        ("table", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("row", pa.int64()),  # the row within the bucket's table, as a reason names it
        ("field", pa.string()),
        ("reason", pa.string()),
        ("read", pa.int64()),
        ("screened", pa.int64()),
        ("rejected", pa.int64()),
    ]
)
OUTCOMES_DDL = (
    "bucket int, kind string, id string, line string, table string, source_file string, "
    "source_row long, row long, field string, reason string, read long, screened long, "
    "rejected long"
)


def long_frame(spark: SparkSession, folder: Path, *, buckets: int) -> DataFrame:
    """The four tables as one long frame, each row with its table, source and bucket."""
    frames = [
        spark.read.parquet(str(folder / file_name)).select(
            "*",
            F.lit(name).alias("table"),
            F.col("_metadata.file_path").alias("source_file"),
            F.col("_metadata.row_index").alias("source_row"),
        )
        for name, file_name in TABLE_FILES.items()
    ]
    long = reduce(lambda left, right: left.unionByName(right, allowMissingColumns=True), frames)
    bucket = F.pmod(F.crc32(F.col("id").cast("binary")), F.lit(buckets)).cast("int")
    return long.withColumn("bucket", F.coalesce(bucket, F.lit(0)))  # a blank id: bucket 0


def screen_group(key: tuple[Any, ...], group: pa.Table, *, as_of: dt.date) -> pa.Table:
    """Screen one bucket: split the long rows into the four tables, screen, list outcomes."""
    bucket = key[0].as_py()
    layout = arrow_schemas()
    tables: list[pa.Table] = []
    sources: dict[str, pa.Table] = {}
    for name in TABLE_NAMES:
        rows = group.filter(pc.equal(group.column("table"), name)).sort_by(
            [("source_file", "ascending"), ("source_row", "ascending")]
        )
        sources[name] = rows.select(["source_file", "source_row"])
        tables.append(
            rows.select([column for column in layout[name].names if column in rows.column_names])
        )
    screening = screen_tables(*tables, as_of=as_of)
    outcomes: list[dict[str, Any]] = [
        {"kind": "result", "id": id_, "line": line}
        for id_, line in zip(
            screening.results.column("id").to_pylist(), screening.result_lines(), strict=True
        )
    ]
    for problem in screening.rejected.to_pylist():
        source = sources[problem["table"]].slice(problem["row"], 1).to_pylist()[0]
        outcomes.append({"kind": "rejected", **problem, **source})
    for name, count in screening.counts._asdict().items():
        outcomes.append({"kind": "count", "table": name, **count._asdict()})
    return pa.Table.from_pylist([{"bucket": bucket, **row} for row in outcomes], schema=OUTCOMES)


def screen_buckets(long: DataFrame, out: Path, *, as_of: dt.date) -> DataFrame:
    """Screen every bucket, write the outcomes as Parquet by kind, and read them back."""

    def screen(key: tuple[Any, ...], group: pa.Table) -> pa.Table:
        return screen_group(key, group, as_of=as_of)

    long.groupBy("bucket").applyInArrow(screen, OUTCOMES_DDL).write.partitionBy("kind").parquet(
        str(out)
    )
    return long.sparkSession.read.parquet(str(out))


def check_run(outcomes: DataFrame, source_rows: dict[str, int]) -> dict[str, Any]:
    """Check the run: every table's rows accounted for, and no id with two results."""
    totals = {
        row["table"]: row
        for row in outcomes.where("kind = 'count'")
        .groupBy("table")
        .agg(*(F.sum(column).alias(column) for column in ("read", "screened", "rejected")))
        .collect()
    }
    for name, rows in source_rows.items():
        total = totals[name]
        if not total["read"] == total["screened"] + total["rejected"] == rows:
            raise ValueError(f"{name}: {total.asDict()} does not account for its {rows} rows")
    twice = outcomes.where("kind = 'result'").groupBy("id").count().where("count > 1").count()
    if twice:
        raise ValueError(f"{twice} ids have results in two buckets: were they bucketed by id?")
    return totals


def messy_caseload(profiles: int) -> Any:
    """A synthetic caseload with a child exported twice and two bad events."""
    cohort = generate_cohort(profiles, seed=7, as_of=AS_OF, population="early-help")
    tables = profiles_to_tables(case.profile for case in cohort)
    strays = pa.table(
        {
            "id": ["SYN-9999999", "SYN-0000011"],  # no such child; a date after the screen
            "type": pa.array(["police_contact", "suspension"]).dictionary_encode(),
            "date": [dt.date(2026, 3, 1), dt.date(2026, 10, 1)],
        }
    )
    return tables._replace(
        children=pa.concat_tables([tables.children, tables.children.slice(5, 1)]),
        events=pa.concat_tables([tables.events, strays], promote_options="permissive"),
    )


def local_spark(cores: int) -> SparkSession:
    """A local Spark session whose Python workers run this interpreter (and its packages)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("efh_screen")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=2000)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        caseload = Path(scratch) / "caseload"
        # As exported, the second copy of a child last: left unsorted, so it is far from the first.
        write_tables(messy_caseload(args.profiles), caseload, sort=False)
        tables = read_tables(caseload)
        spark = local_spark(args.cores)
        spark.sparkContext.setLogLevel("ERROR")
        print(f"Spark {spark.version}, pyarrow {pa.__version__}, local[{args.cores}]")
        started = time.perf_counter()
        long = long_frame(spark, caseload, buckets=args.buckets)
        outcomes = screen_buckets(long, Path(scratch) / "outcomes", as_of=AS_OF)
        source_rows = {
            name: table.num_rows for name, table in zip(TABLE_NAMES, tables, strict=True)
        }
        totals = check_run(outcomes, source_rows)
        seconds = time.perf_counter() - started
        for name in TABLE_NAMES:
            read, screened, rejected = (
                totals[name][key] for key in ("read", "screened", "rejected")
            )
            print(f"{name}: read {read}, screened {screened}, rejected {rejected}")
        problems = outcomes.where("kind = 'rejected'").orderBy("table", "source_row").collect()
        for problem in problems:
            print(
                f"rejected: {problem['table']} row {problem['source_row']} "
                f"(bucket {problem['bucket']} row {problem['row']}, {problem['id']}): "
                f"{problem['field']}: {problem['reason']}"
            )
        lines = [row["line"] for row in outcomes.where("kind = 'result'").collect()]
        one_call = screen_tables(*tables, as_of=AS_OF)
        same_lines = sorted(lines) == sorted(one_call.result_lines())
        ours = [(p["table"], p["source_row"], p["field"], p["id"]) for p in problems]
        columns = ("table", "row", "field", "id")
        theirs = zip(*(one_call.rejected.column(c).to_pylist() for c in columns), strict=True)
        same_rejections = _sorted(ours) == _sorted(theirs)
        print(
            f"{args.buckets} buckets in {seconds:.1f} s, as one call: same result lines "
            f"{_yes(same_lines)}, same rejected rows {_yes(same_rejections)}"
        )
        spark.stop()


def _sorted(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(tuple("" if cell is None else cell for cell in row) for row in rows)


def _yes(same: bool) -> str:
    return "yes" if same else "NO"


if __name__ == "__main__":
    main()
