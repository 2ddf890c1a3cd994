"""Columnar screening benchmark (run by hand; not part of the test suite).

Measures, in one run on one machine:

(a) Parquet -> Parquet: read a folder of the four tables, ``screen_tables``, write the
    results as Parquet, in profiles/s;
(b) the same, stage by stage (read, screen, write);
(b') the same through ``screen_folder``, which reads, screens and writes a chunk of children
    at a time (the tables are sorted by id);
(c) the pydantic floor for the same profiles: only parsing and validating their JSON lines
    (``Profile.model_validate_json`` per line), in profiles/s;
(d) ``screen_file`` JSONL -> JSONL on the same profiles, for comparison.

Each figure is the best of ``--repeats`` runs, as wall-clock time and as the process's CPU
time (on a shared machine the CPU time is the steadier of the two).

Usage (single core, from the repository root)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 taskset -c 0 \
        python benchmarks/bench_tables.py --n 100000

Data: synthetic profiles from ``efh_screen.synth`` (early-help population, as of
2026-09-01). Prints a Markdown report on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from efh_screen import Profile, screen_file
from efh_screen.synth import generate_cohort
from efh_screen.tables import (
    profiles_to_tables,
    read_tables,
    screen_folder,
    screen_tables,
    write_tables,
)

AS_OF = dt.date(2026, 9, 1)


class Timing(NamedTuple):
    wall: float
    cpu: float


def timed(fn: Callable[[], object]) -> Timing:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def best_of(repeats: int, fn: Callable[[], object]) -> Timing:
    runs = [timed(fn) for _ in range(repeats)]
    return Timing(min(run.wall for run in runs), min(run.cpu for run in runs))


def prepare(n: int, folder: Path) -> Path:
    """Write the profiles as a Parquet folder and as JSONL; return the JSONL path."""
    profiles = [
        c.profile for c in generate_cohort(n, seed=20260901, as_of=AS_OF, population="early-help")
    ]
    write_tables(profiles_to_tables(profiles), folder / "tables")
    jsonl = folder / "caseload.jsonl"
    with open(jsonl, "wb") as stream:
        for profile in profiles:
            stream.write(profile.model_dump_json(exclude_defaults=True).encode() + b"\n")
    return jsonl


def parquet_to_parquet(folder: Path) -> dict[str, Timing]:
    found: dict[str, Any] = {}

    def read() -> None:
        found["tables"] = read_tables(folder / "tables")

    def screen() -> None:
        found["screening"] = screen_tables(*found["tables"], as_of=AS_OF)

    def write() -> None:
        pq.write_table(found["screening"].results, folder / "results.parquet")

    stages = {"read": timed(read), "screen": timed(screen), "write": timed(write)}
    stages["total"] = Timing(
        sum(stage.wall for stage in stages.values()), sum(stage.cpu for stage in stages.values())
    )
    return stages


def streamed(folder: Path) -> None:
    screen_folder(folder / "tables", as_of=AS_OF, results=folder / "streamed.parquet")


def pydantic_floor(jsonl: Path) -> None:
    with open(jsonl, "rb") as stream:
        for line in stream:
            Profile.model_validate_json(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="profiles (default 100,000)")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--skip-jsonl", action="store_true", help="skip screen_file (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        jsonl = prepare(args.n, folder)
        rows = {name: t.num_rows for name, t in read_tables(folder / "tables")._asdict().items()}
        runs = [parquet_to_parquet(folder) for _ in range(args.repeats)]
        best = min(runs, key=lambda stages: stages["total"].cpu)
        in_chunks = best_of(args.repeats, lambda: streamed(folder))
        floor = best_of(args.repeats, lambda: pydantic_floor(jsonl))
        jsonl_run = None
        if not args.skip_jsonl:
            jsonl_run = best_of(
                1, lambda: screen_file(jsonl, as_of=AS_OF, results=folder / "results.jsonl")
            )
    n = args.n
    print(f"# Columnar screening, {n:,} profiles\n")
    print(
        f"Python {platform.python_version()}, pyarrow {pa.__version__}, "
        f"{platform.machine()}; rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    print()
    print("| path | wall s | CPU s | profiles/s (CPU) |")
    print("| --- | ---: | ---: | ---: |")

    def row(name: str, timing: Timing) -> None:
        print(f"| {name} | {timing.wall:.3f} | {timing.cpu:.3f} | {n / timing.cpu:,.0f} |")

    row("Parquet -> Parquet (read + screen_tables + write)", best["total"])
    for stage in ("read", "screen", "write"):
        row(f"… {stage}", best[stage])
    row("Parquet -> Parquet in chunks (screen_folder)", in_chunks)
    row("pydantic floor (model_validate_json per line)", floor)
    if jsonl_run is not None:
        row("screen_file JSONL -> JSONL", jsonl_run)
    print()
    ratio = floor.cpu / best["total"].cpu
    print(f"Parquet -> Parquet is {ratio:.1f}x the pydantic floor (CPU time).")


if __name__ == "__main__":
    main()
