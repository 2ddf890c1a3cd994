"""Core subcommands: ``factors``, ``explain``, ``schema``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from .._explain import explanation_html, points_card_markdown, summary_text
from .._factors import CIN_CODES, factor_catalogue
from .._files import atomic_output, read_bounded
from .._profile import Profile, parse_profile
from .._result import ScreeningResult
from .._scoring import Screener
from .._weights import Weights
from .exit_codes import EXIT_UNUSABLE

__all__ = ["parse_date", "register", "schemas"]

_RAW = argparse.RawDescriptionHelpFormatter


def parse_date(text: str) -> dt.date:
    """Parse a date argument (YYYY-MM-DD) for argparse, with a plain error.

    Every subcommand's date options use this, so they accept and reject the same things.
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a date written YYYY-MM-DD, e.g. 2026-09-01 (got {text!r})"
        ) from None


def schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the Profile and ScreeningResult models, by file name."""
    return {
        "profile.schema.json": Profile.model_json_schema(),
        "screening-result.schema.json": ScreeningResult.model_json_schema(),
    }


def _factors(args: argparse.Namespace) -> int:
    if args.cin:
        return _cin_codes(as_json=args.json)
    catalogue = factor_catalogue()
    if args.json:
        sys.stdout.write(json.dumps(catalogue, indent=2) + "\n")
        return 0
    domain = ""
    for entry in catalogue:
        if entry["domain"] != domain:
            domain = entry["domain"]
            sys.stdout.write(f"\n{domain.upper()}\n")
        codes = ", ".join(entry["cin_codes"]) or "-"
        sys.stdout.write(f"  {entry['key']:<30} {entry['label']}  [CIN: {codes}]\n")
    return 0


def _cin_codes(*, as_json: bool) -> int:
    """Print every Children in Need census code and what the screen records it as."""
    if as_json:
        entries = [entry.as_dict() for entry in CIN_CODES.values()]
        sys.stdout.write(json.dumps(entries, indent=2) + "\n")
        return 0
    sys.stdout.write("CHILDREN IN NEED CENSUS CODES (code, census factor -> recorded as)\n")
    for entry in CIN_CODES.values():
        recorded = " or ".join(entry.factors) or "recorded, not scored"
        retired = " (retired code)" if entry.retired else ""
        sys.stdout.write(f"  {entry.code:<4} {entry.label}{retired} -> {recorded}\n")
    return 0


def _load_weights(path: str | None) -> Weights:
    return Weights.default() if path is None else Weights.load(path)


def _explain(args: argparse.Namespace) -> int:
    data = read_bounded(args.case, field=str(args.case))
    profile = parse_profile(data)
    result = Screener(_load_weights(args.weights)).screen(profile, as_of=args.as_of)
    if args.format == "json":
        text = result.model_dump_json(indent=2) + "\n"
    elif args.format == "markdown":
        text = points_card_markdown(result)
    elif args.format == "html":
        text = explanation_html(result)
    else:
        text = summary_text(result) + "\n\n" + points_card_markdown(result)
    sys.stdout.write(text)
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.arrow:
        from ..tables import describe_layout  # pyarrow is needed only here

        try:
            sys.stdout.write(describe_layout())
        except ImportError as exc:  # the tables extra is not installed: say how to add it
            sys.stderr.write(f"efh-screen: {exc}\n")
            return EXIT_UNUSABLE
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        with atomic_output(out / name) as stream:
            stream.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        sys.stderr.write(f"wrote {out / name}\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the core subcommands."""
    p = sub.add_parser(
        "factors",
        help="list the factor catalogue",
        description=(
            "List every factor the screen knows, by domain; with --cin, every Children in "
            "Need census factor code and the factor it records (or 'recorded, not scored')."
        ),
        epilog=(
            "examples:\n  efh-screen factors --json > factors.json\n  efh-screen factors --cin"
        ),
        formatter_class=_RAW,
    )
    p.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    p.add_argument(
        "--cin", action="store_true", help="list the Children in Need census codes instead"
    )
    p.set_defaults(handler=_factors)

    p = sub.add_parser(
        "explain",
        help="screen one case and explain every point",
        description=(
            "Screen one profile (a JSON file) and print a plain-English summary and its "
            "points card. A flag is a prompt for a person's review, not a decision."
        ),
        epilog="example:\n  efh-screen explain case.json --as-of 2026-09-01",
        formatter_class=_RAW,
    )
    p.add_argument("case", metavar="CASE.json", help="a Profile as JSON")
    p.add_argument("--as-of", required=True, type=parse_date, help="screening date YYYY-MM-DD")
    p.add_argument("--weights", metavar="FILE", help="weightings file (default: embedded)")
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json", "html"),
        default="text",
        help=(
            "text (summary + card, default), markdown card, full result JSON, or a complete "
            "printable HTML page"
        ),
    )
    p.set_defaults(handler=_explain)

    p = sub.add_parser(
        "schema",
        help="write the JSON Schemas of Profile and ScreeningResult",
        description=(
            "Write profile.schema.json and screening-result.schema.json; with --arrow, "
            "print the Arrow schemas of the four tables of the columnar layout instead."
        ),
        epilog="examples:\n  efh-screen schema --out schemas/\n  efh-screen schema --arrow",
        formatter_class=_RAW,
    )
    p.add_argument("--out", default=".", metavar="DIR", help="folder to write into (default .)")
    p.add_argument(
        "--arrow",
        action="store_true",
        help="print the Arrow schemas of the columnar tables (needs efh_screen[tables])",
    )
    p.set_defaults(handler=_schema)
