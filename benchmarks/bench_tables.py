"""Columnar screening benchmark (run by hand; not part of the test suite).

Measures, in one run on one machine:

(a) Parquet -> Parquet: read a folder of the four tables, ``screen_tables``, write the
    results as Parquet, in profiles/s;
(b) the same, stage by stage (read, screen, write);
(c) the pydantic floor for the same profiles: only parsing and validating their JSON lines
    (``Profile.model_validate_json`` per line), in profiles/s;
(d) ``screen_file`` JSONL -> JSONL on the same profiles, for comparison.

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

import pyarrow as pa
import pyarrow.parquet as pq

from efh_screen import Profile, screen_file
from efh_screen.synth import generate_cohort
from efh_screen.tables import profiles_to_tables, read_tables, screen_tables, write_tables

AS_OF = dt.date(2026, 9, 1)


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


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


def parquet_to_parquet(folder: Path) -> dict[str, float]:
    stages: dict[str, float] = {}
    start = time.perf_counter()
    tables = read_tables(folder / "tables")
    stages["read"] = time.perf_counter() - start
    screening = screen_tables(*tables, as_of=AS_OF)
    stages["screen"] = time.perf_counter() - start - stages["read"]
    pq.write_table(screening.results, folder / "results.parquet")
    stages["total"] = time.perf_counter() - start
    stages["write"] = stages["total"] - stages["read"] - stages["screen"]
    return stages


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
        best = min(runs, key=lambda stages: stages["total"])
        floor = best_of(args.repeats, lambda: pydantic_floor(jsonl))
        jsonl_seconds = None
        if not args.skip_jsonl:
            jsonl_seconds = best_of(
                1, lambda: screen_file(jsonl, as_of=AS_OF, results=folder / "results.jsonl")
            )
    n = args.n
    print(f"# Columnar screening, {n:,} profiles\n")
    print(
        f"Python {platform.python_version()}, pyarrow {pa.__version__}, "
        f"{platform.machine()}; rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    print()
    print("| path | seconds | profiles/s |")
    print("| --- | ---: | ---: |")
    print(
        f"| Parquet -> Parquet (read + screen_tables + write) | {best['total']:.3f} | "
        f"{n / best['total']:,.0f} |"
    )
    for stage in ("read", "screen", "write"):
        print(f"| … {stage} | {best[stage]:.3f} | {n / best[stage]:,.0f} |")
    print(f"| pydantic floor (model_validate_json per line) | {floor:.3f} | {n / floor:,.0f} |")
    if jsonl_seconds is not None:
        print(f"| screen_file JSONL -> JSONL | {jsonl_seconds:.3f} | {n / jsonl_seconds:,.0f} |")
    print()
    print(f"Parquet -> Parquet is {floor / best['total']:.1f}x the pydantic floor.")


if __name__ == "__main__":
    main()
