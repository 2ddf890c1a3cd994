"""The ``screen`` subcommand: screen a caseload file and print the review list.

Exit codes (see :mod:`efh_screen._cli.exit_codes`): 0 when every record was screened; 1
when some were rejected (the good records' results are still written); 2 for an
unusable invocation (missing file, bad date, bad weightings or mapping).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import textwrap
import time
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from .._batch import MAX_JOBS, screen_file
from .._csv import ColumnMapping
from .._errors import FieldProblem, InputError
from .._pool import WorkerError
from .._review import NOT_FLAGGED_TEXT, BatchSummary, ReviewEntry
from .._scoring import Screener
from .._weights import Weights
from .core import parse_date
from .exit_codes import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE
from .since import SinceLastScreen, add_arguments

__all__ = ["register"]


SAMPLE_AS_OF = "2026-09-01"
_SHOW_REJECTED = 20

_EPILOG = """\
examples:
  efh-screen screen --sample --as-of 2026-09-01
  efh-screen screen caseload.jsonl --as-of 2026-09-01 --out results.jsonl \\
      --review review.csv --html review.html --errors rejected.jsonl
  efh-screen screen export.csv --mapping mapping.json --as-of 2026-09-01 --review review.csv
  efh-screen screen caseload.jsonl --as-of 2026-09-01 --jobs 0 --out results.jsonl

exit codes:
  0  every record was screened
  1  some records were rejected (see --errors); the good records' results were written
  2  unusable invocation: missing file, bad --as-of date, bad weightings or mapping
     (or a worker process of --jobs failed; no output was written)

A flag is a prompt for an early-help review by a person, never a decision.
"""


def _sample_path() -> Path:
    ref = resources.files("efh_screen") / "data" / "sample_caseload.jsonl"
    path = Path(str(ref))
    if not path.is_file():
        raise InputError(
            [
                FieldProblem(
                    "--sample",
                    "the bundled sample caseload is not installed; pass an INPUT file instead",
                )
            ]
        )
    return path


class _ProgressBar:
    """A small progress bar on stderr (only used when stderr is a terminal)."""

    def __init__(self) -> None:
        self._last = 0.0
        self._start = time.monotonic()
        self.drawn = False

    def __call__(self, n: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.2 and done < total:
            return
        self._last = now
        fraction = min(done / total, 1.0) if total else 1.0
        width = 30
        filled = int(fraction * width)
        rate = n / max(now - self._start, 1e-9)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} "
            f"{n} records ({rate:,.0f}/s)"
        )
        sys.stderr.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")


TABLE_WIDTH = 100
"""The review table fits a terminal this many columns wide."""


def _case_lines(rank: int, entry: ReviewEntry, since: dict[str, str] | None) -> list[str]:
    """One case: rank, score, status and id, then its reasons and what is not known."""
    wrap = textwrap.TextWrapper(
        width=TABLE_WIDTH, subsequent_indent=" " * 13, break_long_words=False
    )
    lines = wrap.wrap(f"{rank:>4}  {entry.score:>5}  {entry.status_text:<28}  {entry.id}")
    details = [
        f"reasons: {entry.reasons_text() or 'none recorded'}",
        f"{entry.not_known_heading.lower()}: {entry.not_known_text()}",
    ]
    if since is not None:
        details.append(f"since last screen: {since.get(entry.id, 'new')}")
    wrap.initial_indent = " " * 11
    for detail in details:
        lines += wrap.wrap(detail)
    return lines


def format_review_table(
    entries: Sequence[ReviewEntry],
    *,
    limit: int | None = None,
    since: dict[str, str] | None = None,
) -> str:
    """Render the review list as plain text no wider than :data:`TABLE_WIDTH` columns.

    ``since`` maps an id to what changed since the last screen.
    """
    shown = entries if limit is None else entries[:limit]
    header = f"{'#':>4}  {'score':>5}  {'status':<28}  id"
    lines = [header, "-" * TABLE_WIDTH]
    for rank, entry in enumerate(shown, start=1):
        lines += _case_lines(rank, entry, since)
    if limit is not None and len(entries) > limit:
        lines.append(f"... and {len(entries) - limit} more (use --review FILE for all)")
    if any(not entry.flag and entry.enough_known for entry in shown):
        lines += textwrap.wrap(
            f"'{NOT_FLAGGED_TEXT}': listed because missing information could change the flag.",
            width=TABLE_WIDTH,
        )
    short = [entry.band_label for entry in shown if not entry.flag and not entry.enough_known]
    if short:
        lines += textwrap.wrap(
            f"'{short[0]}': less is known than the weightings' coverage rule asks; ask the "
            "agencies listed before reading anything into the score.",
            width=TABLE_WIDTH,
        )
    return "\n".join(lines)


def _write_summary(summary: BatchSummary, *, errors_file: str | None) -> None:
    err = sys.stderr
    err.write(f"efh-screen: {summary}.\n")
    if summary.rejected and errors_file is None:
        for record in summary.rejected_sample[:_SHOW_REJECTED]:
            rid = f" id {record.id}" if record.id else ""
            for p in record.problems[:3]:
                err.write(f"  line {record.line}{rid}: {p.field}: {p.reason}\n")
        if summary.rejected > min(len(summary.rejected_sample), _SHOW_REJECTED):
            err.write("  ... use --errors FILE to write every rejected record\n")
    elif summary.rejected:
        err.write(f"efh-screen: rejected records written to {errors_file}\n")
    for kind, path in summary.outputs.items():
        if kind != "errors":
            err.write(f"efh-screen: wrote {kind.replace('_', ' ')} to {path}\n")
    err.write(
        "efh-screen: a flag is a prompt for an early-help review by a person, not a decision.\n"
    )


def _screen(args: argparse.Namespace) -> int:
    if args.sample:
        if args.input is not None:
            raise InputError([FieldProblem("INPUT", "give either INPUT or --sample, not both")])
        source = _sample_path()
    elif args.input is None:
        raise InputError(
            [FieldProblem("INPUT", "is required; give a JSONL or CSV file, or use --sample")]
        )
    else:
        source = Path(args.input)
        if source.is_dir():
            raise InputError(
                [FieldProblem("INPUT", "is a folder; give the caseload file inside it")]
            )
        if not source.is_file():
            raise InputError(
                [FieldProblem("INPUT", "file not found; check the path to the caseload file")]
            )
    weights = Weights.load(args.weights) if args.weights else None
    mapping = ColumnMapping.load(args.mapping) if args.mapping else None
    screener = Screener(weights)
    since = SinceLastScreen(args, screener)
    targets = _requested_outputs(args)
    bar = _ProgressBar() if sys.stderr.isatty() and not args.quiet else None
    try:
        with since.outputs(source, targets) as written:
            summary = _run(args, source, screener, mapping, written, bar, since)
    except WorkerError as exc:  # e.g. a worker killed for lack of memory
        sys.stderr.write(f"efh-screen: {exc}; no output was written\n")
        return EXIT_UNUSABLE
    summary = dataclasses.replace(summary, outputs=targets)  # not the private folder's paths
    if not args.quiet:
        limit = args.limit if args.limit > 0 else None
        labels = since.labels()
        sys.stdout.write(format_review_table(summary.review, limit=limit, since=labels) + "\n")
    since.report()
    _write_summary(summary, errors_file=args.errors)
    return EXIT_OK if summary.complete else EXIT_REJECTED


def _requested_outputs(args: argparse.Namespace) -> dict[str, str]:
    """Name each output asked for as ``screen_file`` does, in its order."""
    requested = {
        "results": args.out,
        "errors": args.errors,
        "review_csv": args.review,
        "review_html": args.html,
    }
    return {name: str(target) for name, target in requested.items() if target is not None}


def _run(
    args: argparse.Namespace,
    source: Path,
    screener: Screener,
    mapping: ColumnMapping | None,
    written: Mapping[str, str],
    bar: _ProgressBar | None,
    since: SinceLastScreen,
) -> BatchSummary:
    try:
        return screen_file(
            source,
            as_of=args.as_of,
            screener=screener,
            mapping=mapping,
            input_format=args.format,
            results=written.get("results"),
            previous=since.by_id(),
            errors=written.get("errors"),
            review_csv=written.get("review_csv"),
            review_html=written.get("review_html"),
            full=args.full,
            progress=bar,
            jobs=args.jobs,
        )
    finally:
        if bar is not None:
            bar.finish()


def _jobs(text: str) -> int:
    """Read ``--jobs``: 0 (one per usable core) up to :data:`MAX_JOBS`."""
    reason = (
        f"must be a whole number of processes from 1 to {MAX_JOBS}, or 0 for one per usable "
        "core (1 screens in this process)"
    )
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(reason) from None
    if not 0 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(reason)
    return value


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``screen`` subcommand."""
    p = sub.add_parser(
        "screen",
        help="screen a caseload file (JSONL or CSV) and list cases for review",
        description=(
            "Screen every record of a caseload file as of a date. Prints the review list "
            "(flagged cases, and those that could be flagged once missing information is "
            "known; highest band, then highest score first) to stdout and a summary "
            "(read / screened / rejected / duplicates) to stderr."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", nargs="?", metavar="INPUT", help="JSONL or CSV caseload file")
    p.add_argument(
        "--as-of", required=True, type=parse_date, metavar="DATE", help="screening date, YYYY-MM-DD"
    )
    p.add_argument("--sample", action="store_true", help="screen the bundled synthetic caseload")
    p.add_argument("--weights", metavar="FILE", help="weightings file (default: embedded)")
    p.add_argument("--mapping", metavar="FILE", help="CSV column mapping file (JSON)")
    p.add_argument(
        "--format", choices=("jsonl", "csv"), help="input format (default: from the extension)"
    )
    p.add_argument("--out", metavar="FILE", help="write one result per screened record (JSONL)")
    p.add_argument("--full", action="store_true", help="write full results with evidence (slower)")
    p.add_argument("--review", metavar="FILE", help="write the review list as CSV")
    p.add_argument("--html", metavar="FILE", help="write the review list as an HTML page")
    p.add_argument("--errors", metavar="FILE", help="write rejected records (JSONL)")
    p.add_argument(
        "--limit",
        type=int,
        default=50,
        metavar="N",
        help="cases shown on stdout (default 50; 0 for all)",
    )
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="screen in N worker processes (default 1; 0 for one per usable core); "
        "every output is the same whatever N",
    )
    add_arguments(p)
    p.set_defaults(handler=_screen)
