"""The ``synth`` subcommand: write a seeded synthetic cohort."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..synth import write_cohort
from .core import parse_date

__all__ = ["register"]

_EPILOG = """\
examples:
  efh-screen synth --n 10000 --seed 42 --as-of 2026-09-01 --out cohort.jsonl
  efh-screen synth --n 200 --seed 1 --population early-help --as-of 2026-09-01 \\
      --bare --out caseload.jsonl

Every profile is synthetic (ids start SYN-). Each line is
{"profile": ..., "outcome": 0 or 1}, or a bare profile with --bare. The same
seed, date and population give byte-identical output. The model and the
prevalences it reproduces are described in docs/synthetic-data.md."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, 0 or more")
    return value


def _synth(args: argparse.Namespace) -> int:
    summary = write_cohort(
        args.out,
        args.n,
        seed=args.seed,
        as_of=args.as_of,
        population=args.population,
        labelled=not args.bare,
    )
    kind = "profiles" if args.bare else "labelled profiles"
    sys.stderr.write(
        f"efh-screen synth: wrote {summary.n_profiles} synthetic {kind} "
        f"({summary.population} population, seed {summary.seed}, as of "
        f"{summary.as_of.isoformat()}, outcome rate {summary.outcome_rate:.1%}) to {args.out}\n"
    )
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``synth`` subcommand."""
    p = sub.add_parser(
        "synth",
        help="write a seeded synthetic cohort with known outcomes",
        description=(
            "Write synthetic young people's profiles (never real children) with outcomes "
            "from a known model, for tests, demos and research."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--n", type=_count, required=True, help="number of profiles")
    p.add_argument("--seed", type=_count, required=True, help="seed (a whole number)")
    p.add_argument(
        "--as-of", type=parse_date, required=True, help="screening date, YYYY-MM-DD", dest="as_of"
    )
    p.add_argument(
        "--population",
        choices=("general", "early-help"),
        default="general",
        help="preset population (default: general)",
    )
    p.add_argument("--bare", action="store_true", help="write bare profiles without outcomes")
    p.add_argument(
        "--out", required=True, help="output JSONL file (written atomically)", metavar="PATH"
    )
    p.set_defaults(handler=_synth)
