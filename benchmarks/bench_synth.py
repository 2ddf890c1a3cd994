"""Benchmark and measure the synthetic-cohort generator.

    python benchmarks/bench_synth.py                  # speed and memory at 100k and 1M
    python benchmarks/bench_synth.py --sizes 10000    # quicker
    python benchmarks/bench_synth.py --prevalences    # the table in docs/synthetic-data.md

Speed and memory: each size runs in a fresh process that streams a cohort to a
temporary JSONL file with ``write_cohort`` and reports profiles per second and
the process's peak resident memory (``resource.getrusage`` max RSS). Memory is
bounded when the peak at 1,000,000 profiles is about the same as at 100,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from efh_screen import FACTORS
from efh_screen.synth import SynthParameters, generate_truth, write_cohort

AS_OF = dt.date(2026, 9, 1)
ACE_KEYS = [k for k, f in FACTORS.items() if f.is_ace]
ENGLAND_KEYS = [k for k in ACE_KEYS if k not in ("emotional_neglect", "physical_neglect")]


def run_one(n: int, population: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cohort.jsonl"
        start = time.perf_counter()
        summary = write_cohort(out, n, seed=1, as_of=AS_OF, population=population)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        size = out.stat().st_size
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "n": n,
        "seconds": seconds,
        "profiles_per_second": n / seconds,
        "peak_rss_mib": peak_kib / 1024,
        "file_mib": size / 2**20,
        "outcome_rate": summary.outcome_rate,
    }


def speed(sizes: list[int], population: str) -> None:
    print(f"population {population}; each size in a fresh process")
    print("| profiles | seconds | profiles/s | peak RSS (MiB) | file (MiB) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--population", population]
        result = json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)
        print(
            f"| {result['n']:,} | {result['seconds']:.1f} | {result['profiles_per_second']:,.0f} "
            f"| {result['peak_rss_mib']:.0f} | {result['file_mib']:,.0f} |"
        )


def prevalences(n: int) -> None:
    print(f"measured on {n:,} profiles per population, seed 2026, as of {AS_OF}")
    truths = {
        pop: generate_truth(n, seed=2026, as_of=AS_OF, population=pop)  # type: ignore[arg-type]
        for pop in ("general", "early-help")
    }
    targets = SynthParameters.general()
    print("| figure | general target | general measured | early-help measured |")
    print("| --- | ---: | ---: | ---: |")

    def row(name: str, target: str, values: dict[str, float]) -> None:
        print(f"| {name} | {target} | {values['general']:.1%} | {values['early-help']:.1%} |")

    for key in ACE_KEYS:
        row(
            FACTORS[key].label,
            f"{targets.ace_prevalence[key]:.1%}",
            {p: float(t.factor(key).mean()) for p, t in truths.items()},
        )
    england = {
        p: np.stack([t.factor(k) for k in ENGLAND_KEYS], 1).sum(1) for p, t in truths.items()
    }
    row(
        "≥1 ACE (8 England-survey categories)",
        "47.1%",
        {p: float((c >= 1).mean()) for p, c in england.items()},
    )
    row(
        "≥4 ACEs (8 England-survey categories)",
        "8.3%",
        {p: float((c >= 4).mean()) for p, c in england.items()},
    )
    row("≥1 ACE (all 10)", "-", {p: float((t.ace_count >= 1).mean()) for p, t in truths.items()})
    row("≥4 ACEs (all 10)", "-", {p: float((t.ace_count >= 4).mean()) for p, t in truths.items()})
    row("outcome (12 months)", "2-5%", {p: float(t.outcome.mean()) for p, t in truths.items()})
    for key, spec in targets.status_factors.items():
        row(
            FACTORS[key].label,
            f"{spec.prevalence:.1%}",
            {p: float(t.factor(key).mean()) for p, t in truths.items()},
        )
    for key in ("school_attendance", *[k for k, f in FACTORS.items() if f.evidence == "events"]):
        row(
            FACTORS[key].label + " (true)",
            "-",
            {p: float(t.factor(key).mean()) for p, t in truths.items()},
        )
    for index, event in enumerate(truths["general"].event_types):
        row(
            f"{event} listed in profile (≥1)",
            "-",
            {p: float((t.listed_event_counts[:, index] > 0).mean()) for p, t in truths.items()},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--population", default="general", choices=("general", "early-help"))
    parser.add_argument("--prevalences", action="store_true")
    parser.add_argument("--n", type=int, default=200_000, help="profiles for --prevalences")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.population)))
    elif args.prevalences:
        prevalences(args.n)
    else:
        python = sys.version.split()[0]
        print(f"machine: {os.cpu_count()} CPUs; python {python}; numpy {np.__version__}")
        speed(args.sizes, args.population)


if __name__ == "__main__":
    main()
