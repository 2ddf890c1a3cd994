"""The ``synth`` subcommand: write a seeded synthetic cohort."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._errors import FieldProblem, InputError
from ..synth import SynthParameters, write_cohort
from .core import parse_date

__all__ = ["register"]

_EPILOG = """\
examples:
  efh-screen synth --n 10000 --seed 42 --as-of 2026-09-01 --out cohort.jsonl
  efh-screen synth --n 200 --seed 1 --population early-help --as-of 2026-09-01 \\
      --bare --out caseload.jsonl
  efh-screen synth --n 20000 --seed 7 --population early-help --as-of 2026-09-01 \\
      --recording-bias event_type=police_contact,ethnicity=black,rate_ratio=3 \\
      --recording-bias factor=gang_association,ethnicity=black,rate_ratio=2,agency=police \\
      --disability-prevalence 0.1 \\
      --recording-bias factor=sen_support,disability=yes,rate_ratio=1.5 --out biased.jsonl

Every profile is synthetic (ids start SYN-). Each line is
{"profile": ..., "outcome": 0 or 1}, or a bare profile with --bare. The same
seed, date, population and knobs give byte-identical output. The model, its
knobs and the prevalences it reproduces are described in docs/synthetic-data.md."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, 0 or more")
    return value


_KNOBS = ("recording_bias", "disability_prevalence")
"""Parameters the options set, whose problems are reported under the option's name."""


def _proportion(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a proportion from 0 to below 1")
    return value


def _recording_bias(text: str) -> dict[str, str]:
    """Read ``name=value,name=value`` into the fields of one RecordingBias (checked later)."""
    fields: dict[str, str] = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise argparse.ArgumentTypeError(
                "write it as name=value pairs joined by commas, e.g. "
                "event_type=police_contact,ethnicity=black,rate_ratio=3"
            )
        fields[name.strip()] = value.strip()
    return fields


def _parameters(args: argparse.Namespace) -> SynthParameters | None:
    """Return the population's preset with the knobs given, or None when none were given."""
    changes: dict[str, Any] = {}
    if args.disability_prevalence is not None:
        changes["disability_prevalence"] = args.disability_prevalence
    if args.recording_bias:
        changes["recording_bias"] = tuple(args.recording_bias)
    if not changes:
        return None
    try:
        return SynthParameters.for_population(args.population, **changes)
    except InputError as exc:
        # Name the option, not the parameter: "--recording-bias[0].factor".
        problems = [
            FieldProblem(
                "--" + problem.field.replace("_", "-", 1)
                if problem.field.startswith(_KNOBS)
                else problem.field,
                problem.reason,
            )
            for problem in exc.problems
        ]
        raise InputError(problems) from None


def _synth(args: argparse.Namespace) -> int:
    summary = write_cohort(
        args.out,
        args.n,
        seed=args.seed,
        as_of=args.as_of,
        population=args.population,
        parameters=_parameters(args),
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
    p.add_argument(
        "--disability-prevalence",
        type=_proportion,
        metavar="P",
        help="share with a disability (audit only, tied to developmental needs; default 0: "
        "disability left out)",
    )
    p.add_argument(
        "--recording-bias",
        type=_recording_bias,
        action="append",
        metavar="NAME=VALUE,...",
        help="record an event type or status factor more (or less) often for one group at the "
        "same truth: the fields of RecordingBias (event_type or factor, ethnicity and/or "
        "disability, rate_ratio, agency); repeat for more",
    )
    p.add_argument("--bare", action="store_true", help="write bare profiles without outcomes")
    p.add_argument(
        "--out", required=True, help="output JSONL file (written atomically)", metavar="PATH"
    )
    p.set_defaults(handler=_synth)
