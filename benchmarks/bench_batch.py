"""Batch screening benchmarks (run by hand; not part of the test suite).

Measures, in one run on one machine:

(a) profiles/s for ``Screener.screen_many`` on profiles already in memory;
(b) end to end, JSONL file -> results file with ``screen_file``, against the floor
    of only reading, parsing and validating the same file with pydantic
    (``Profile.model_validate_json`` per line);
(d) peak memory (max RSS of a fresh process) screening a 1,000,000-record file.

Usage (single core, from the repository root)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 taskset -c 0 \
        python benchmarks/bench_batch.py --n 20000 --million

(b) and (d) measure whichever path ``screen_file`` takes: JSONL read column-wise when msgspec
is installed (the ``fast`` extra), read the Profile way otherwise. ``bench_scaling.py`` runs
the two side by side in one run.

Data: synthetic profiles from ``efh_screen.synth`` (general population, as of
2026-09-01). The 1,000,000-record file repeats the first ``--n`` profiles with
new ids. Prints a Markdown report on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from efh_screen import Profile, Screener, screen_file
from efh_screen.synth import generate_cohort

AS_OF = dt.date(2026, 9, 1)


def make_lines(n: int, seed: int = 20260901) -> list[bytes]:
    cohort = generate_cohort(n, seed=seed, as_of=AS_OF, population="general")
    return [c.profile.model_dump_json(exclude_defaults=True).encode() for c in cohort]


def best_of(repeats: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def time_screen_many(lines: list[bytes], repeats: int) -> tuple[int, float]:
    profiles = [Profile.model_validate_json(x) for x in lines]
    screener = Screener()
    return len(profiles), best_of(repeats, lambda: screener.screen_many(profiles, as_of=AS_OF))


def floor(path: Path) -> None:
    validate = Profile.model_validate_json
    with open(path, "rb") as fh:
        for line in fh:
            validate(line)


def write_million(lines: list[bytes], path: Path, total: int) -> None:
    with open(path, "wb") as fh:
        for k in range(total):
            line = lines[k % len(lines)]
            # Synthetic lines start {"id":"SYN-nnnnnnn", ...: give each copy its own id.
            fh.write(b'{"id":"M%08d"' % k + line[line.index(b",") :] + b"\n")


CHILD = """
import datetime as dt, resource, sys, time
from efh_screen._batch import screen_file
start = time.perf_counter()
s = screen_file(sys.argv[1], as_of=dt.date(2026, 9, 1), results=sys.argv[2])
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(s.read, s.screened, s.rejected, f"{elapsed:.1f}", f"{peak:.0f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="profiles for (a) and (b)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--million", action="store_true", help="also run (d), 1,000,000 records")
    parser.add_argument("--records", type=int, default=1_000_000, help="records for (d)")
    args = parser.parse_args()

    lines = make_lines(args.n)
    mean_bytes = sum(map(len, lines)) / len(lines)
    n, t_many = time_screen_many(lines, args.repeats)
    # The profiles are gone before the file paths are timed: held profiles would make every
    # garbage collection in screen_file walk them (the library never pauses the collector),
    # a cost a command-line run never pays.
    gc.collect()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "caseload.jsonl"
        src.write_bytes(b"\n".join(lines) + b"\n")
        out = Path(tmp) / "results.jsonl"
        t_floor = t_e2e = float("inf")
        for _ in range(args.repeats):  # interleaved, so load changes hit both alike
            t_floor = min(t_floor, best_of(1, lambda: floor(src)))
            t_e2e = min(t_e2e, best_of(1, lambda: screen_file(src, as_of=AS_OF, results=out)))
        million = None
        if args.million:
            big = Path(tmp) / "million.jsonl"
            write_million(lines, big, args.records)
            size = big.stat().st_size
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, str(big), str(Path(tmp) / "million.out.jsonl")],
                capture_output=True,
                text=True,
                check=True,
            )
            read, screened, rejected, elapsed, peak = proc.stdout.split()
            million = (int(read), int(screened), int(rejected), float(elapsed), float(peak), size)

    print("## Batch benchmarks\n")
    print(f"- date: {dt.datetime.now(dt.UTC).date().isoformat()}")
    print(
        f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}"
    )
    print(f"- command: `{' '.join(sys.argv)}`")
    print(f"- data: {n} synthetic profiles (general population), {mean_bytes:.0f} bytes a line\n")
    print("| measure | time (s) | profiles/s | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| (a) `screen_many`, in memory | {t_many:.3f} | {n / t_many:,.0f} | |")
    print(
        f"| (b) floor: read + `Profile.model_validate_json` | {t_floor:.3f} | "
        f"{n / t_floor:,.0f} | 1.00 |"
    )
    print(
        f"| (b) `screen_file` JSONL -> results | {t_e2e:.3f} | {n / t_e2e:,.0f} | "
        f"{t_e2e / t_floor:.2f}x floor |"
    )
    if million is not None:
        read, screened, rejected, elapsed, peak, size = million
        print(
            f"| (d) `screen_file`, {read:,} records ({size / 1e9:.2f} GB) | {elapsed:.0f} | "
            f"{read / elapsed:,.0f} | peak RSS {peak:,.0f} MB |"
        )
        print(f"\n(d) read {read}, screened {screened}, rejected {rejected}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
