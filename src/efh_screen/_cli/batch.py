"""The ``screen`` subcommand: screen a caseload file and print the review list.

A JSONL or CSV file is screened record by record (:func:`~efh_screen.screen_file`); a folder
of the four Parquet tables, or one wide ``.parquet`` file, column-wise
(:mod:`efh_screen.tables._batch`). The review list, the summary and the exit codes are the
same either way.

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
from typing import Any, NamedTuple

from .._batch import MAX_JOBS, screen_file
from .._csv import ColumnMapping
from .._errors import FieldProblem, InputError
from .._pool import WorkerError
from .._review import NOT_FLAGGED_TEXT, BatchSummary, ReviewEntry
from .._scoring import Screener
from .._weights import Weights
from ..tables import TABLE_FILES
from ..tables._batch import (
    TableBatch,
    is_table_input,
    output_format,
    require_tables,
    screen_table_files,
    table_inputs,
)
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
  efh-screen screen caseload_tables/ --as-of 2026-09-01 --out results.parquet \\
      --review review.csv --errors rejected.jsonl

A folder of the four Parquet tables (children, observations, events, attendance), or one
wide .parquet file (with --mapping), is screened column-wise (needs
pip install "efh_screen[tables]"); then an --out or --errors file ending .parquet is
written as a Parquet table, any other as JSONL, and the review list's "line" is the row,
counted from 0 as in the errors.

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


class _Rejections(NamedTuple):
    """What the summary on stderr says about rejections."""

    any: bool
    """Whether anything was rejected."""
    shown: list[str]
    """The first problems, one line each (when no errors file was asked for)."""
    more: bool
    """Whether there are more than those shown."""


def _rejected_records(summary: BatchSummary) -> _Rejections:
    """Return the first rejected records' problems, at their lines."""
    shown = []
    for record in summary.rejected_sample[:_SHOW_REJECTED]:
        rid = f" id {record.id}" if record.id else ""
        shown += [f"line {record.line}{rid}: {p.field}: {p.reason}" for p in record.problems[:3]]
    more = summary.rejected > min(len(summary.rejected_sample), _SHOW_REJECTED)
    return _Rejections(bool(summary.rejected), shown, more)


def _write_summary(
    summary: BatchSummary,
    *,
    errors_file: str | None,
    rejections: _Rejections,
    counts: Sequence[str] = (),
) -> None:
    err = sys.stderr
    err.write(f"efh-screen: {summary}.\n")
    for line in counts:
        err.write(f"efh-screen: {line}\n")
    if rejections.any and errors_file is None:
        for line in rejections.shown:
            err.write(f"  {line}\n")
        if rejections.more:
            err.write("  ... use --errors FILE to write every rejected record\n")
    elif rejections.any:
        err.write(f"efh-screen: rejected records written to {errors_file}\n")
    for kind, path in summary.outputs.items():
        if kind != "errors":
            err.write(f"efh-screen: wrote {kind.replace('_', ' ')} to {path}\n")
    err.write(
        "efh-screen: a flag is a prompt for an early-help review by a person, not a decision.\n"
    )


def _source(args: argparse.Namespace) -> Path:
    """Return the input: the bundled sample, a caseload file, or a folder of Parquet tables."""
    if args.sample:
        if args.input is not None:
            raise InputError([FieldProblem("INPUT", "give either INPUT or --sample, not both")])
        return _sample_path()
    if args.input is None:
        raise InputError(
            [FieldProblem("INPUT", "is required; give a JSONL or CSV file, or use --sample")]
        )
    source = Path(args.input)
    if not source.is_dir() and not source.is_file():
        raise InputError(
            [FieldProblem("INPUT", "file not found; check the path to the caseload file")]
        )
    return source


def _screen(args: argparse.Namespace) -> int:
    source = _source(args)
    if not args.sample and _is_table_input(source, args.format):
        return _screen_tables(args, source)
    _refuse_parquet_outputs(args)
    weights = Weights.load(args.weights) if args.weights else None
    mapping = ColumnMapping.load(args.mapping) if args.mapping else None
    screener = Screener(weights)
    since = SinceLastScreen(args, screener)
    targets = _requested_outputs(args)
    bar = _ProgressBar() if sys.stderr.isatty() and not args.quiet else None
    try:
        with since.outputs([source], targets) as written:
            summary = _run(args, source, screener, mapping, written, bar, since)
    except WorkerError as exc:  # e.g. a worker killed for lack of memory
        sys.stderr.write(f"efh-screen: {exc}; no output was written\n")
        return EXIT_UNUSABLE
    summary = dataclasses.replace(summary, outputs=targets)  # not the private folder's paths
    _print_review(args, summary, since)
    _write_summary(summary, errors_file=args.errors, rejections=_rejected_records(summary))
    return EXIT_OK if summary.complete else EXIT_REJECTED


def _check_table_options(args: argparse.Namespace, source: Path) -> None:
    """Refuse the options that do not apply to Parquet tables, naming each."""
    problems = []
    if args.full:
        reason = "is for JSONL or CSV input; Parquet tables give compact results (docs/tables.md)"
        problems.append(FieldProblem("--full", reason))
    if args.jobs != 1:
        reason = (
            "is for JSONL or CSV input; Parquet tables are screened column-wise in one process, "
            "which is faster than several processes reading records (docs/tables.md)"
        )
        problems.append(FieldProblem("--jobs", reason))
    if args.mapping is not None and source.is_dir():
        reason = (
            "reads one wide file; a folder holds the four tables of the layout (docs/tables.md)"
        )
        problems.append(FieldProblem("--mapping", reason))
    if args.previous is not None and args.out is not None and output_format(args.out) == "parquet":
        reason = (
            "compares result lines; write this screen's --out as .jsonl to compare it with the "
            "last one"
        )
        problems.append(FieldProblem("--previous", reason))
    if source.is_dir() and not any((source / name).exists() for name in TABLE_FILES.values()):
        reason = (
            "is a folder without the Parquet tables ("
            + ", ".join(TABLE_FILES.values())
            + "); give a caseload file, or a folder that holds those four tables"
        )
        problems.append(FieldProblem("INPUT", reason))
    if problems:
        raise InputError(problems)


def _screen_tables(args: argparse.Namespace, source: Path) -> int:
    """Screen a folder of Parquet tables, or a wide Parquet file, column-wise."""
    _check_table_options(args, source)
    try:
        require_tables(source)
    except ImportError as exc:
        sys.stderr.write(f"efh-screen: {exc}\n")
        return EXIT_UNUSABLE
    screener = Screener(Weights.load(args.weights) if args.weights else None)
    mapping = ColumnMapping.load(args.mapping) if args.mapping else None
    since = SinceLastScreen(args, screener)
    targets = _requested_outputs(args)
    with since.outputs(table_inputs(source), targets) as written:
        done = screen_table_files(
            source,
            as_of=args.as_of,
            screener=screener,
            mapping=mapping,
            results=written.get("results"),
            results_format=output_format(args.out) if args.out is not None else "jsonl",
            errors=written.get("errors"),
            errors_format=output_format(args.errors) if args.errors is not None else None,
            review_csv=written.get("review_csv"),
            review_html=written.get("review_html"),
            previous=since.by_id(),
        )
    summary = dataclasses.replace(done.summary, outputs=targets)
    _print_review(args, summary, since)
    _write_summary(
        summary,
        errors_file=args.errors,
        rejections=_rejected_rows(done),
        counts=_table_counts(done),
    )
    return EXIT_OK if done.complete else EXIT_REJECTED


def _rejected_rows(done: TableBatch) -> _Rejections:
    """Return the first problems found in the tables, at their table and row."""
    problems = done.rejected.slice(0, _SHOW_REJECTED).to_pylist()
    shown = [
        f"{problem['table']} row {problem['row']}"
        + (f" id {problem['id']}" if problem["id"] else "")
        + f": {problem['field']}: {problem['reason']}"
        for problem in problems
    ]
    return _Rejections(not done.complete, shown, done.rejected.num_rows > len(shown))


def _table_counts(done: TableBatch) -> list[str]:
    """Return a line accounting for every table's rows (a folder of tables only)."""
    if done.counts is None:
        return []
    counts = "; ".join(
        f"{name} read {count.read}, screened {count.screened}, rejected {count.rejected}"
        for name, count in done.counts._asdict().items()
    )
    return [f"rows by table: {counts}."]


def _print_review(args: argparse.Namespace, summary: BatchSummary, since: SinceLastScreen) -> None:
    """Print the review table (unless ``--quiet``) and what changed since the last screen."""
    if not args.quiet:
        limit = args.limit if args.limit > 0 else None
        labels = since.labels()
        sys.stdout.write(format_review_table(summary.review, limit=limit, since=labels) + "\n")
    since.report()


def _is_table_input(source: Path, input_format: str | None) -> bool:
    """Whether to screen column-wise: a folder of Parquet tables, or a wide Parquet file."""
    if source.is_dir():
        if input_format in ("jsonl", "csv"):
            reason = "is read as a folder of Parquet tables; drop --format or give a file"
            raise InputError([FieldProblem("INPUT", reason)])
        return True
    return input_format == "parquet" or (input_format is None and is_table_input(source))


def _refuse_parquet_outputs(args: argparse.Namespace) -> None:
    """Refuse a Parquet ``--out`` or ``--errors`` for a JSONL or CSV caseload."""
    for option, target in (("--out", args.out), ("--errors", args.errors)):
        if target is not None and output_format(target) == "parquet":
            reason = (
                "is written as Parquet only when screening Parquet tables (a folder of them, "
                "or a wide .parquet file); for a JSONL or CSV caseload write a .jsonl file"
            )
            raise InputError([FieldProblem(option, reason)])


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
    p.add_argument(
        "input",
        nargs="?",
        metavar="INPUT",
        help="JSONL or CSV caseload file, wide Parquet file, or folder of Parquet tables",
    )
    p.add_argument(
        "--as-of", required=True, type=parse_date, metavar="DATE", help="screening date, YYYY-MM-DD"
    )
    p.add_argument("--sample", action="store_true", help="screen the bundled synthetic caseload")
    p.add_argument("--weights", metavar="FILE", help="weightings file (default: embedded)")
    p.add_argument("--mapping", metavar="FILE", help="CSV column mapping file (JSON)")
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "parquet"),
        help="input format (default: from the extension; a folder holds Parquet tables)",
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
