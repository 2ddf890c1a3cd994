"""Assembling benchmarks (run by hand; not part of the test suite).

Measures, for N children split across five agency extracts:

(a) the floor: only reading the five extracts in one run (``read_jsonl``: parse and
    validate every line), in a fresh process;
(b) ``assemble`` of the same extracts into one profile per child, in a fresh process;

reporting time, the ratio (b)/(a), and the peak memory (max RSS) of each process.

Usage (from the repository root)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_assemble.py --children 100000
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_assemble.py --children 1000000 --base 100000

Data: synthetic profiles from ``efh_screen.synth`` (general population, as of 2026-09-01).
Each profile is split by agency: the school's extract holds the school's accounts, events and
attendance, and so on for police, health (GP, health visiting, CAMHS), social care (children's
social care, early help) and a fifth extract for every other agency. Children beyond
``--base`` repeat the first ``--base`` profiles with new ids. Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from efh_screen.synth import generate_cohort

AS_OF = dt.date(2026, 9, 1)
GROUPS = {
    "school": {"school"},
    "police": {"police", "youth_justice"},
    "health": {"gp", "health_visiting_school_nursing", "camhs"},
    "social_care": {"childrens_social_care", "early_help"},
}
OTHER = "other_agencies"


def group_of(source: str | None) -> str:
    for name, members in GROUPS.items():
        if source in members:
            return name
    return OTHER


def split(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One child's profile as five partial profiles, one per extract (empty ones left out)."""
    pieces: dict[str, dict[str, Any]] = {}

    def piece(name: str) -> dict[str, Any]:
        return pieces.setdefault(
            name, {"id": profile["id"], "date_of_birth": profile["date_of_birth"]}
        )

    for key, accounts in profile.get("factors", {}).items():
        for account in accounts if isinstance(accounts, list) else [accounts]:
            factors = piece(group_of(account.get("source"))).setdefault("factors", {})
            factors.setdefault(key, []).append(account)
    for event in profile.get("events", []):
        piece(group_of(event.get("source"))).setdefault("events", []).append(event)
    for period in profile.get("attendance", []):
        piece(group_of(period.get("source", "school"))).setdefault("attendance", []).append(period)
    return pieces


def write_extracts(folder: Path, children: int, base: int) -> list[Path]:
    cohort = generate_cohort(min(base, children), seed=20260901, as_of=AS_OF)
    profiles = [json.loads(c.profile.model_dump_json(exclude_defaults=True)) for c in cohort]
    names = [*GROUPS, OTHER]
    paths = [folder / f"{name}.jsonl" for name in names]
    streams = {
        name: open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        for name, path in zip(names, paths, strict=True)
    }
    try:
        for number in range(children):
            profile = dict(profiles[number % len(profiles)], id=f"C-{number:08d}")
            for name, part in split(profile).items():
                streams[name].write(json.dumps(part) + "\n")
    finally:
        for stream in streams.values():
            stream.close()
    return paths


READ = """
import sys
from efh_screen import read_jsonl
n = 0
for path in sys.argv[1:]:
    for record in read_jsonl(path):
        n += 1
print(n)
"""

ASSEMBLE = """
import sys
from pathlib import Path
from efh_screen import Agency, Extract, assemble
out, *paths = sys.argv[1:]
summary = assemble([Extract(path) for path in paths], out=out)
print(summary.lines, summary.children, summary.set_aside)
"""

PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def run(code: str, args: list[str]) -> tuple[float, str, int]:
    """Run ``code`` in a fresh process; return seconds, its output and its peak RSS (KiB)."""
    wrapper = (
        "import subprocess, sys, resource\n"
        f"p = subprocess.run([sys.executable, '-c', {code!r}, *sys.argv[1:]], "
        "capture_output=True, text=True, check=True)\n"
        "print(p.stdout.strip())\n"
        f"{PEAK}\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - start
    output, peak = done.stdout.strip().rsplit("\n", 1)
    return seconds, output, int(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-assemble-") as folder:
        paths = write_extracts(Path(folder), args.children, args.base)
        size = sum(path.stat().st_size for path in paths)
        files = [str(path) for path in paths]
        read_seconds, read_out, read_peak = run(READ, files)
        out = str(Path(folder) / "profiles.jsonl")
        assemble_seconds, assemble_out, assemble_peak = run(ASSEMBLE, [out, *files])
    print("## Assembling benchmark\n")
    print(f"- date: {dt.date.today().isoformat()}")  # the report's date, not the engine's
    machine = f"{platform.machine()}, {os.cpu_count()} cpus"
    print(f"- machine: {machine}, Python {platform.python_version()}")
    print(f"- children: {args.children:,} from 5 extracts, {size / 1e6:,.0f} MB in total")
    print(f"- lines read: {read_out}; assemble: lines, children, set aside = {assemble_out}\n")
    print("| measure | time (s) | peak RSS (MB) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| (a) read the 5 extracts (`read_jsonl`) | {read_seconds:.1f} | "
        f"{read_peak / 1024:.0f} | 1.00 |"
    )
    print(
        f"| (b) `assemble` | {assemble_seconds:.1f} | {assemble_peak / 1024:.0f} | "
        f"{assemble_seconds / read_seconds:.2f}x |"
    )


if __name__ == "__main__":
    main()
