"""Assembling subcommands: ``assemble`` (link agency extracts) and ``pseudonymise``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._assemble import AssemblySummary, Extract, assemble, repeated_extracts
from .._csv import ColumnMapping
from .._errors import FieldProblem, InputError
from .._factors import Agency
from .._files import OutputFiles
from .._pseudonymise import load_key, pseudonymise_file
from .exit_codes import EXIT_OK, EXIT_REJECTED

__all__ = ["register"]

_ASSEMBLE_EPILOG = """\
Each EXTRACT is AGENCY=FILE (e.g. police=police.jsonl) or FILE. A JSONL file holds partial
profiles; a CSV file is read through --mapping FILE=MAPPING.json, whose "agency" names the
agency when AGENCY= is not given. Accounts and events with no named agency are credited to
the extract's agency.

Every line of every extract is assembled, rejected, or set aside with its child (extracts
that disagree on the date of birth are a possible mis-link and are not merged); --errors
lists the extract, line, field and reason of each, by extract name and line. Give each
file once; extracts are named by file name, so no two may share one.

examples:
  efh-screen assemble gp=gp.jsonl police=police.jsonl --out profiles.jsonl --errors errors.jsonl
  efh-screen assemble school=school.csv --mapping school.csv=school-mapping.json \\
      police=police.jsonl --out profiles.jsonl --report jigsaw.html

exit codes:
  0  every line was assembled
  1  some lines were rejected or set aside; the rest were assembled
  2  unusable invocation: missing file, unknown agency, bad mapping
"""

_PSEUDONYMISE_EPILOG = """\
Replaces the identifier column (NHS number, UPN) of a CSV export with HMAC-SHA256 of the
normalised identifier under the partnership's secret key, so agencies can link extracts
without exchanging identifiers. The key file must hold at least 32 bytes; it is never printed.

example:
  efh-screen pseudonymise gp-export.csv --column "NHS number" --key-file partnership.key \\
      --out gp-pseudonymised.csv
"""


def _agency(text: str, extract: str) -> Agency:
    try:
        return Agency(text)
    except ValueError:
        choices = ", ".join(agency.value for agency in Agency)
        reason = f"names an agency that is not in the vocabulary; use one of {choices}"
        raise InputError([FieldProblem(extract, reason)]) from None


def _mappings(items: list[str]) -> dict[str, ColumnMapping]:
    mappings: dict[str, ColumnMapping] = {}
    for item in items:
        path, separator, mapping = item.partition("=")
        if not separator or not path or not mapping:
            reason = "must be EXTRACT=MAPPING.json (the CSV extract, then its mapping file)"
            raise InputError([FieldProblem("--mapping", reason)])
        mappings[path] = ColumnMapping.load(mapping)
    return mappings


def _extracts(args: argparse.Namespace) -> list[Extract]:
    mappings = _mappings(args.mapping or [])
    extracts: list[Extract] = []
    for item in args.extracts:
        agency_text, separator, path = item.partition("=")
        if not separator:
            agency_text, path = "", item
        agency = _agency(agency_text, item) if agency_text else None
        extracts.append(Extract(path, agency, mappings.pop(path, None)))
    if mappings:
        reason = "names a file that is not one of the extracts; check the path"
        raise InputError([FieldProblem("--mapping", reason)])
    labels = [f"EXTRACT {number} ({item})" for number, item in enumerate(args.extracts, 1)]
    problems = repeated_extracts(extracts, labels=labels)
    if problems:
        raise InputError(problems)
    return extracts


def _write_summary(summary: AssemblySummary) -> None:
    err = sys.stderr
    for count in summary.extracts:
        err.write(
            f"efh-screen: {count.name}: read {count.lines}, assembled {count.assembled}, "
            f"rejected {count.rejected}, set aside {count.set_aside}\n"
        )
    err.write(
        f"efh-screen: {summary.children} children assembled from {summary.lines} lines; "
        f"{summary.set_aside} set aside as possible mis-links.\n"
    )


def _assemble(args: argparse.Namespace) -> int:
    summary = assemble(_extracts(args), out=args.out, errors=args.errors, report=args.report)
    _write_summary(summary)
    complete = all(count.lines == count.assembled for count in summary.extracts)
    return EXIT_OK if complete else EXIT_REJECTED


def _pseudonymise(args: argparse.Namespace) -> int:
    # The key file is an input too: an --out on it would destroy the partnership's key.
    OutputFiles(inputs=[args.export, args.key_file]).check("--out", args.out)
    summary = pseudonymise_file(
        args.export, column=args.column, key=load_key(args.key_file), out=args.out
    )
    sys.stderr.write(
        f"efh-screen: read {summary.rows} rows, pseudonymised {summary.pseudonymised}"
        + (
            f"; left out {len(summary.blank_rows)} with a blank identifier (rows "
            + ", ".join(str(row) for row in summary.blank_rows[:10])
            + (", …" if len(summary.blank_rows) > 10 else "")
            + ")"
            if summary.blank_rows
            else ""
        )
        + ".\n"
    )
    return EXIT_OK if not summary.blank_rows else EXIT_REJECTED


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``assemble`` and ``pseudonymise`` subcommands."""
    p = sub.add_parser(
        "assemble",
        help="link agency extracts into one profile per child (the jigsaw)",
        description=(
            "Link each agency's extract on the shared pseudonymous id into one profile per "
            "child, keeping every agency's account. Streams in bounded memory."
        ),
        epilog=_ASSEMBLE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("extracts", nargs="+", metavar="EXTRACT", help="[AGENCY=]FILE")
    p.add_argument("--out", required=True, metavar="FILE", help="assembled profiles (JSONL)")
    p.add_argument("--errors", metavar="FILE", help="lines rejected or set aside (JSONL)")
    p.add_argument("--report", metavar="FILE", help="the cohort's jigsaw as an HTML page")
    p.add_argument(
        "--mapping", action="append", metavar="EXTRACT=FILE", help="mapping of a CSV extract"
    )
    p.set_defaults(handler=_assemble)
    q = sub.add_parser(
        "pseudonymise",
        help="replace a real identifier with a keyed hash, so extracts link without it",
        description="Replace the identifier column of a CSV export with pseudonymous ids.",
        epilog=_PSEUDONYMISE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    q.add_argument("export", metavar="EXPORT", help="CSV export")
    q.add_argument("--column", required=True, metavar="COL", help="the identifier column")
    q.add_argument("--key-file", required=True, metavar="KEY", help="the partnership's key")
    q.add_argument("--out", required=True, metavar="OUT", help="pseudonymised CSV")
    q.set_defaults(handler=_pseudonymise)
