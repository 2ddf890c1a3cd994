"""Scaling benchmark: time and peak memory at 10k, 100k and 1M profiles, one and two jobs.

Run by hand (not part of the test suite), on an otherwise idle machine with two cores::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        python benchmarks/bench_scaling.py                       # 10k, 100k and 1M
    python benchmarks/bench_scaling.py --sizes 10000,100000      # a quicker check

For each path in :data:`PATHS` (JSONL -> JSONL read column-wise, the same read the Profile
way as before (msgspec hidden from the process), CSV -> JSONL, Parquet -> Parquet through
the streaming folder reader, the same folder with every table's rows reversed (not sorted
by id: read in parts through temporary files), and one wide Parquet file of the CSV's
columns; another path is one more entry), each size and each
number of jobs, it screens a synthetic caseload in a **fresh Python process**, which reports
how long the screen took (the imports not included; starting the workers is) and the peak
resident memory of itself (``getrusage(RUSAGE_SELF).ru_maxrss``) and of its largest worker
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the workers are its children and have ended).
A fresh process for every run keeps one run's peak out of the next one's figure. It also
reports the processor time of the screen (its own and its workers'), which shows what the
workers cost even on a machine shared with other work. The paths run in turn for each size
and number of jobs (repeats interleaved), so a change in the machine's load hits them alike;
the JSONL column-wise rows give the Profile path's CPU time over theirs ("CPU vs Profile
path"). For the one-core comparison of the two JSONL paths, pin the run to one core::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 taskset -c 0 \
        python benchmarks/bench_scaling.py --jobs 1 --paths JSONL

The inputs are bare synthetic profiles (``efh_screen.synth``, general population, seed
20260901, as of 2026-09-01), written once and cached in ``--cache`` (the 1M JSONL file is
about 3 GB, its CSV about 1 GB, its folder of Parquet tables about 90 MB). The Parquet
tables are written a block of profiles at a time, never holding more than one block of
Profile objects; the synthetic ids count up, so the tables are sorted by id and
``screen_folder`` reads them a chunk of children at a time. Parquet -> Parquet runs in one
process only (it has no ``jobs``). Prints a Markdown report on stdout: profiles/s, the ratio
to the same path's rate at the smallest size (1.00 everywhere is linear scaling), peak MB,
and the two-job speed-up.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from efh_screen import InputRecord, read_jsonl, write_csv
from efh_screen.synth import generate_cohort, write_cohort

AS_OF = dt.date(2026, 9, 1)
SEED = 20260901
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PROFILES_PER_BLOCK = 10_000
"""Profiles turned into tables at a time when writing the Parquet input."""


def jsonl_input(size: int, cache: Path) -> Path:
    """The cached caseload of ``size`` bare profiles, as JSONL (written once)."""
    path = cache / f"caseload-{size}-{SEED}.jsonl"
    if not path.exists():
        write_cohort(path, size, seed=SEED, as_of=AS_OF, population="general", labelled=False)
    return path


def csv_input(size: int, cache: Path) -> Path:
    """The same caseload in the flat CSV layout (written once, from the JSONL)."""
    path = cache / f"caseload-{size}-{SEED}.csv"
    if not path.exists():
        source = jsonl_input(size, cache)
        partial = path.with_suffix(".csv.partial")
        with open(partial, "w", encoding="utf-8", newline="") as stream:
            records = read_jsonl(source)
            write_csv((r.profile for r in records if isinstance(r, InputRecord)), stream)
        partial.replace(path)
    return path


def parquet_input(size: int, cache: Path) -> Path:
    """The same caseload as a folder of the four Parquet tables (written once, in blocks).

    The profiles are generated as the JSONL file's are (same seed, population and date) and
    turned into tables a block at a time, each block's rows appended to the four files.
    """
    import pyarrow.parquet as pq  # the tables extra, needed only for this path

    from efh_screen.tables import TABLE_FILES, TABLE_NAMES, profiles_to_tables

    path = cache / f"caseload-{size}-{SEED}.parquet"
    if path.is_dir():
        return path
    partial = path.with_suffix(".parquet.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    cohort = (
        labelled.profile
        for labelled in generate_cohort(size, seed=SEED, as_of=AS_OF, population="general")
    )
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        while block := list(itertools.islice(cohort, PROFILES_PER_BLOCK)):
            for name, table in zip(TABLE_NAMES, profiles_to_tables(block), strict=True):
                if name not in writers:
                    writers[name] = pq.ParquetWriter(partial / TABLE_FILES[name], table.schema)
                writers[name].write_table(table)
    finally:
        for writer in writers.values():
            writer.close()
    partial.rename(path)
    return path


def wide_parquet_input(size: int, cache: Path) -> Path:
    """The same caseload as one wide Parquet file: the flat CSV layout's columns, as text.

    Written from the CSV file a block of rows at a time (every cell kept as text, a blank
    cell as an empty string), as an export from a case system would be.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = cache / f"caseload-{size}-{SEED}-wide.parquet"
    if path.exists():
        return path
    source = csv_input(size, cache)
    with open(source, encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream))
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
    )
    partial = path.with_suffix(".parquet.partial")
    reader = pacsv.open_csv(source, convert_options=convert)
    with pq.ParquetWriter(partial, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    partial.replace(path)
    return path


def unsorted_parquet_input(size: int, cache: Path) -> Path:
    """The folder of Parquet tables with every table's rows in reverse order (not by id)."""
    import pyarrow.parquet as pq

    from efh_screen.tables import TABLE_FILES

    path = cache / f"caseload-{size}-{SEED}-unsorted.parquet"
    if path.is_dir():
        return path
    source = parquet_input(size, cache)
    partial = path.with_suffix(".parquet.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    for name in TABLE_FILES.values():
        table = pq.read_table(source / name)
        pq.write_table(table.take(list(range(table.num_rows - 1, -1, -1))), partial / name)
        del table
    partial.rename(path)
    return path


@dataclass(frozen=True)
class BenchPath:
    """One way through the screen: where its input comes from and how it is screened.

    ``screen`` is Python run in the fresh process, with ``source``, ``output`` (paths as
    text), ``jobs`` and ``AS_OF`` defined; it must set ``read`` to the records read.
    ``imports`` run before the clock starts. ``hidden`` names modules the process and its
    workers cannot import (a stand-in that raises ImportError comes first on their path). A
    path without ``jobs`` runs with one job only.
    """

    name: str
    make_input: Callable[[int, Path], Path]
    output_suffix: str
    imports: str
    screen: str
    hidden: tuple[str, ...] = ()
    jobs: bool = True


JSONL_COLUMN_WISE = "JSONL -> JSONL"
JSONL_PROFILE_PATH = "JSONL -> JSONL, Profile path"

PATHS: list[BenchPath] = [
    BenchPath(
        name=JSONL_COLUMN_WISE,
        make_input=jsonl_input,
        output_suffix=".jsonl",
        imports="import msgspec  # needed: fail rather than measure the other path\n"
        "from efh_screen import screen_file",
        screen="read = screen_file(source, as_of=AS_OF, results=output, jobs=jobs).read",
    ),
    BenchPath(
        # Without msgspec every line is read the Profile way (one pydantic Profile a line), as
        # before the column-wise path; the workers, fresh interpreters, cannot import it either.
        name=JSONL_PROFILE_PATH,
        make_input=jsonl_input,
        output_suffix=".jsonl",
        imports="from efh_screen import screen_file",
        screen="read = screen_file(source, as_of=AS_OF, results=output, jobs=jobs).read",
        hidden=("msgspec",),
    ),
    BenchPath(
        name="CSV -> JSONL",
        make_input=csv_input,
        output_suffix=".jsonl",
        imports="from efh_screen import screen_file",
        screen="read = screen_file(source, as_of=AS_OF, results=output, jobs=jobs).read",
    ),
    BenchPath(
        name="Parquet -> Parquet",
        make_input=parquet_input,
        output_suffix=".parquet",
        # pyarrow is imported when first used, and imports pandas (when installed) on its
        # first conversion: both here, before the clock starts.
        imports="import pyarrow, pyarrow.compute, pyarrow.parquet\npyarrow.array([0])\n"
        "from efh_screen.tables import screen_folder",
        screen="read = screen_folder(source, as_of=AS_OF, results=output).children.read",
        jobs=False,
    ),
    BenchPath(
        name="wide Parquet -> JSONL",
        make_input=wide_parquet_input,
        output_suffix=".jsonl",
        imports="import pandas, pyarrow, pyarrow.compute, pyarrow.parquet\npyarrow.array([0])\n"
        "from efh_screen.tables import screen_table_files",
        screen="read = screen_table_files(source, as_of=AS_OF, results=output).summary.read",
        jobs=False,
    ),
    BenchPath(
        name="unsorted Parquet -> Parquet",
        make_input=unsorted_parquet_input,
        output_suffix=".parquet",
        imports="import pyarrow, pyarrow.compute, pyarrow.parquet\npyarrow.array([0])\n"
        "from efh_screen.tables import screen_folder",
        screen="read = screen_folder(source, as_of=AS_OF, results=output).children.read",
        jobs=False,
    ),
]
"""The paths measured; add one entry per new path."""

CHILD = """\
import datetime as dt, json, resource, sys, time
{imports}

source, output, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
AS_OF = dt.date.fromisoformat(sys.argv[4])


def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main():
    start, cpu_start = time.perf_counter(), cpu(resource.RUSAGE_SELF)
{screen}
    seconds = time.perf_counter() - start
    cpu_seconds = cpu(resource.RUSAGE_SELF) - cpu_start + cpu(resource.RUSAGE_CHILDREN)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    print(json.dumps({{
        "read": read,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "main_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
        "worker_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale,
    }}))


if __name__ == "__main__":
    main()
"""


@dataclass(frozen=True)
class Measure:
    """One run: a path, a size and a number of jobs."""

    path: str
    size: int
    jobs: int
    read: int
    seconds: float
    cpu_seconds: float
    main_bytes: int
    worker_bytes: int

    @property
    def rate(self) -> float:
        return self.read / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.read / self.cpu_seconds


def measure(path: BenchPath, size: int, jobs: int, cache: Path, scratch: Path) -> Measure:
    """Screen one input in a fresh process and read back its figures."""
    source = path.make_input(size, cache)
    output = scratch / f"results{path.output_suffix}"
    code = CHILD.format(imports=path.imports, screen=textwrap.indent(path.screen, " " * 4))
    env = dict(os.environ)
    if path.hidden:
        stand_ins = scratch / "hidden"
        stand_ins.mkdir(exist_ok=True)
        for module in path.hidden:
            (stand_ins / f"{module}.py").write_text(f"raise ImportError('{module} hidden')\n")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(stand_ins), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code, str(source), str(output), str(jobs), AS_OF.isoformat()],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"{path.name}, {size}, jobs {jobs} failed:\n{done.stderr[-3000:]}")
    output.unlink(missing_ok=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(path.name, size, jobs, **figures)


def best(runs: list[Measure]) -> Measure:
    """The run of least processor time (on a shared machine, steadier than the wall clock)."""
    return min(runs, key=lambda run: run.cpu_seconds)


def report(measures: list[Measure], argv: list[str]) -> str:
    """The Markdown report: machine, command, and one row per run."""
    lines = [
        "## Scaling: time and peak memory by size and jobs\n",
        f"- date: {dt.datetime.now(dt.UTC).date().isoformat()}",
        f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}, {platform.system()}",
        f"- command: `{' '.join(argv)}`",
        "- data: bare synthetic profiles (general population), as of 2026-09-01\n",
        "| path | profiles | jobs | seconds | profiles/s | vs smallest | CPU s | profiles/CPU s | "
        "CPU vs Profile path | peak MB main | peak MB a worker | speed-up vs 1 job |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_key = {(m.path, m.size, m.jobs): m for m in measures}
    smallest = min(m.size for m in measures)
    for m in measures:
        base = by_key.get((m.path, smallest, m.jobs))
        one_job = by_key.get((m.path, m.size, 1))
        ratio = f"{m.rate / base.rate:.2f}" if base is not None else ""
        speed_up = f"{m.rate / one_job.rate:.2f}x" if one_job is not None and m.jobs > 1 else ""
        worker = f"{m.worker_bytes / 1e6:,.0f}" if m.jobs > 1 and m.worker_bytes else ""
        profile_path = by_key.get((JSONL_PROFILE_PATH, m.size, m.jobs))
        versus = (
            f"{profile_path.cpu_seconds / m.cpu_seconds:.2f}x"
            if m.path == JSONL_COLUMN_WISE and profile_path is not None
            else ""
        )
        lines.append(
            f"| {m.path} | {m.size:,} | {m.jobs} | {m.seconds:.1f} | {m.rate:,.0f} | {ratio} | "
            f"{m.cpu_seconds:.1f} | {m.cpu_rate:,.0f} | {versus} | {m.main_bytes / 1e6:,.0f} | "
            f"{worker} | {speed_up} |"
        )
    lines.append(
        "\nCPU s is the processor time of the screen, main process and workers together (the "
        "time to start the workers included): on a machine shared with other work, its ratio "
        "between one and two jobs still shows what the workers cost. Peak memory is per "
        "process; with N jobs the run holds the main process and N workers. An input of one "
        "block (at most 2,048 records) is screened in the main process, without workers."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="profiles per run, comma-separated (default 10000,100000,1000000)",
    )
    parser.add_argument("--jobs", default="1,2", help="numbers of jobs (default 1,2)")
    parser.add_argument("--paths", default="", help="only the paths whose names contain this text")
    parser.add_argument("--repeats", type=int, default=1, help="runs per figure (best kept)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "efh-screen-bench-scaling",
        help="folder for the generated inputs (kept between runs)",
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    jobs = [int(number) for number in args.jobs.split(",")]
    args.cache.mkdir(parents=True, exist_ok=True)
    paths = [path for path in PATHS if args.paths in path.name]
    runs: dict[tuple[str, int, int], list[Measure]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            for number in jobs:
                for _ in range(args.repeats):  # interleaved: the paths take turns
                    for path in paths:
                        if number != 1 and not path.jobs:
                            continue
                        run = measure(path, size, number, args.cache, Path(scratch))
                        runs.setdefault((path.name, size, number), []).append(run)
                        print(f"{path.name}, {size:,}, jobs {number}: done", file=sys.stderr)
    measures = [
        best(runs[(path.name, size, number)])
        for path in paths
        for size in sizes
        for number in jobs
        if number == 1 or path.jobs
    ]
    print(report(measures, sys.argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
