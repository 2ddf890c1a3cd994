"""Core subcommands: ``factors``, ``explain``, ``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._factors import factor_catalogue

__all__ = ["register"]


def _factors(args: argparse.Namespace) -> int:
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


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the core subcommands."""
    p = sub.add_parser(
        "factors",
        help="list the factor catalogue",
        description="List every factor the screen knows, by domain.",
        epilog="example:\n  efh-screen factors --json > factors.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    p.set_defaults(handler=_factors)
