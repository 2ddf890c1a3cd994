"""The ``validate`` and ``fit`` subcommands: research tools on a labelled cohort.

Exit codes (see :mod:`efh_screen._cli.exit_codes`): 0 when the report or weightings were
written; 2 for an unusable invocation (missing file, bad date, malformed
cohort or scores file, bad weightings).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import FieldProblem, InputError
from .._files import OutputFiles
from .._weights import Weights
from .core import parse_date
from .exit_codes import EXIT_OK

if TYPE_CHECKING:
    from ..validation import Evaluation, WeightsFit

__all__ = ["register"]


_VALIDATE_EPILOG = """\
examples:
  efh-screen validate cohort.jsonl --as-of 2026-09-01 --group ethnicity --group sex \\
      --json report.json --html report.html
  efh-screen validate cohort.jsonl --as-of 2026-09-01 --weights fitted.json --sensitivity
  efh-screen validate --scores other_tool.csv --threshold 0.3 --html report.html
  efh-screen validate --scores probabilities.csv --probabilities --threshold 0.1

A labelled cohort has one {"profile": {...}, "outcome": 0 or 1} a line. A scores
file is CSV with columns score and outcome, and optionally group (or the columns
named by --group). Higher scores must mean more concern.

exit codes:
  0  the report was written
  2  unusable invocation: missing file, bad --as-of date, malformed cohort or scores

Figures describe how flags for review fell across a past cohort; a flag is a
prompt for an early-help review by a person, never a decision.
"""

_FIT_EPILOG = """\
examples:
  efh-screen fit cohort.jsonl --as-of 2026-09-01 --out fitted.json
  efh-screen fit cohort.jsonl --as-of 2026-09-01 --out fitted.json --max-points 5 \\
      --max-indicators 12 --json comparison.json

The fitted weightings keep the bands, overrides and windows of the base
weightings (--weights, default embedded), with each band's lowest score moved
so it holds about the same share of the cohort. Validate them on a separate
cohort (efh-screen validate ... --weights fitted.json) before any use.

exit codes:
  0  the weightings were written
  2  unusable invocation: missing file, bad --as-of date, malformed cohort
"""


def _proportion(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError("must be a proportion between 0 and 1, e.g. 0.1")
    return value


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("must be a whole number, 0 or more")
    return value


def _reference(items: Sequence[str] | None) -> dict[str, str] | None:
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        field, sep, label = item.partition("=")
        if not sep or not field or not label:
            raise InputError(
                [FieldProblem("--reference", "write it as FIELD=LABEL, e.g. ethnicity=white")]
            )
        out[field] = label
    return out


def _read_scores(
    path: str, group_columns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, list[str]]]:
    """Read a CSV of score, outcome and group columns; reject the file with row numbers."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        try:
            return _read_score_rows(reader, group_columns)
        except (UnicodeDecodeError, csv.Error):
            reason = (
                "is not valid UTF-8 CSV (a stray byte, an unclosed quote or a cell over "
                "131,072 characters); fix the file"
            )
            # A decoding error surfaces as a whole block is read, so its row is not known.
            where = f"--scores row {reader.line_num}" if reader.line_num else "--scores"
            raise InputError([FieldProblem(where, reason)]) from None


def _read_score_rows(
    reader: csv.DictReader[str], group_columns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, list[str]]]:
    """Collect every row's score, outcome and groups, or raise naming up to 20 bad cells."""
    scores: list[float] = []
    outcomes: list[float] = []
    header = reader.fieldnames or []
    missing = [c for c in ("score", "outcome") if c not in header]
    if missing:
        raise InputError(
            [
                FieldProblem(c, "column is missing; the header must include score and outcome")
                for c in missing
            ]
        )
    columns = list(group_columns) or (["group"] if "group" in header else [])
    for c in columns:
        if c not in header:
            raise InputError([FieldProblem(c, "group column is not in the header")])
    groups: dict[str, list[str]] = {c: [] for c in columns}
    problems: list[FieldProblem] = []
    for row_number, row in enumerate(reader, start=2):
        try:
            score = float(row["score"] or "nan")
            if not np.isfinite(score):
                raise ValueError
        except ValueError:
            problems.append(FieldProblem(f"row {row_number}: score", "must be a number"))
            score = 0.0
        text = (row["outcome"] or "").strip()
        if text not in ("0", "1"):
            problems.append(FieldProblem(f"row {row_number}: outcome", "must be 0 or 1"))
        scores.append(score)
        outcomes.append(1.0 if text == "1" else 0.0)
        for c in columns:
            groups[c].append(row[c] or "")
        if len(problems) >= 20:
            break
    if problems:
        raise InputError(problems)
    return np.asarray(scores), np.asarray(outcomes), groups


def _planned_outputs(inputs: list[str | None], outputs: dict[str, str | None]) -> OutputFiles:
    """Check every output against the inputs and each other before any work is done."""
    files = OutputFiles(inputs=[path for path in inputs if path])
    files.check_all({name: path or None for name, path in outputs.items()})
    return files


def _print_summary(result: Any, out: Any) -> None:
    o = result.overall
    out.write(
        f"{result.n} young people, {result.outcomes} with the outcome "
        f"({o['prevalence'].value:.1%}).\n"
        f"AUROC {o['auroc']:.3f}; average precision {o['average_precision']:.3f}.\n"
        f"Flagged for review when score >= {result.threshold:g}: flag rate {o['flag_rate']:.3f}, "
        f"sensitivity {o['sensitivity']:.3f}, PPV {o['ppv']:.3f}, "
        f"{o['reviews_per_true_case'].value:.1f} reviews per young person found.\n"
    )
    for attribute, fairness in result.fairness.items():
        parts = []
        for label in fairness.labels:
            rri = fairness.by_group[label]["relative_rate_index"]
            parts.append(f"{label} {rri:.2f}")
        out.write(
            f"Relative rate index of flagging by {attribute} (reference {fairness.reference}): "
            + "; ".join(parts)
            + "\n"
        )


def _evaluate_scores_file(
    args: argparse.Namespace, options: dict[str, Any], context: dict[str, Any]
) -> Evaluation:
    """Evaluate another tool's scores read from a CSV file."""
    from ..validation import evaluate

    scores, outcomes, groups = _read_scores(args.scores, args.group or ())
    context["source"] = {"scores_file": Path(args.scores).name}
    return evaluate(
        scores,
        outcomes,
        groups=groups or None,
        threshold=args.threshold,
        probabilities=args.probabilities,
        **options,
    )


def _evaluate_cohort(
    args: argparse.Namespace, options: dict[str, Any], context: dict[str, Any]
) -> Evaluation:
    """Screen a labelled cohort with the weightings and evaluate the screen's points."""
    from ..validation import evaluate, read_cohort, score_cohort, weight_sensitivity

    if args.as_of is None:
        raise InputError(
            [FieldProblem("--as-of", "is required with a cohort, e.g. --as-of 2026-09-01")]
        )
    weights = Weights.load(args.weights) if args.weights else Weights.default()
    cohort = read_cohort(args.cohort)
    group_by = args.group if args.group is not None else ["ethnicity", "sex"]
    scored = score_cohort(cohort, as_of=args.as_of, weights=weights, group_by=group_by)
    threshold = args.threshold if args.threshold is not None else scored.threshold
    result = evaluate(
        scored.scores,
        scored.outcomes,
        groups=scored.groups or None,
        threshold=threshold,
        bands=scored.bands,
        **options,
    )
    context["as_of"] = args.as_of.isoformat()
    context["weights"] = weights.stamp.model_dump(mode="json")
    if args.sensitivity:
        context["sensitivity"] = weight_sensitivity(scored).to_dict()
    return result


def _write_reports(
    args: argparse.Namespace, result: Evaluation, context: dict[str, Any], files: OutputFiles
) -> None:
    """Write the JSON and HTML reports together (both or neither), then say so."""
    from ..validation import render_html, render_json

    with files:
        if args.json:
            files.open("--json", args.json).write(render_json(result, extra=context))
        if args.html:
            files.open("--html", args.html).write(render_html(result, title=args.title))
    for path in (args.json, args.html):
        if path:
            sys.stdout.write(f"wrote {path}\n")


def _validate(args: argparse.Namespace) -> int:
    from ..validation import SmallGroupWarning

    if (args.cohort is None) == (args.scores is None):
        raise InputError(
            [FieldProblem("COHORT", "give a labelled cohort file, or --scores FILE.csv, not both")]
        )
    if args.probabilities and args.scores is None:
        raise InputError(
            [FieldProblem("--probabilities", "applies to --scores FILE.csv of probabilities")]
        )
    options: dict[str, Any] = {
        "n_boot": args.n_boot,
        "seed": args.seed,
        "confidence": args.confidence,
        "reference_group": _reference(args.reference),
        "stratify": args.stratify,
    }
    if args.review_capacity is not None:
        options["review_capacity"] = args.review_capacity
    files = _planned_outputs(
        [args.cohort, args.scores, args.weights], {"--json": args.json, "--html": args.html}
    )
    context: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SmallGroupWarning)
        if args.scores is not None:
            result = _evaluate_scores_file(args, options, context)
        else:
            result = _evaluate_cohort(args, options, context)
    _print_summary(result, sys.stdout)
    for message in dict.fromkeys(str(warning.message) for warning in caught):
        sys.stderr.write(f"note: {message}\n")
    _write_reports(args, result, context, files)
    return EXIT_OK


def _fit(args: argparse.Namespace) -> int:
    from ..validation import fit_weights, read_cohort, score_cohort

    files = _planned_outputs([args.cohort, args.weights], {"--out": args.out, "--json": args.json})
    base = Weights.load(args.weights) if args.weights else Weights.default()
    cohort = read_cohort(args.cohort)
    scored = score_cohort(cohort, as_of=args.as_of, weights=base)
    # Same cohort, same options, same file: the provenance date defaults to --as-of, not the clock.
    fitted_on = args.fitted_on or args.as_of
    result = fit_weights(
        scored,
        fitted_on=fitted_on,
        max_points=args.max_points,
        max_indicators=args.max_indicators,
        folds=args.folds,
        seed=args.seed,
        name=args.name,
        version=args.version,
    )
    with files:
        files.open("--out", args.out).write(result.weights.json_text())
        if args.json:
            files.open("--json", args.json).write(_fit_report(result))
    out = sys.stdout
    metrics = (result.weights.provenance or {}).get("metrics", {})
    out.write(f"{'indicator':<34}{'expert':>8}{'fitted':>8}\n")
    for row in result.comparison.rows:
        out.write(f"{row['key']:<34}{row['expert']:>8}{row['fitted']:>8}\n")
    out.write(
        f"cross-validated AUROC of the fitted points: {metrics.get('cv_auroc', float('nan')):.3f} "
        f"(before rounding {metrics.get('cv_auroc_before_rounding', float('nan')):.3f}); "
        f"expert points on this cohort: {metrics.get('train_auroc_expert', float('nan')):.3f}\n"
        f"bands: " + ", ".join(f"{b.key} >= {b.min_score}" for b in result.weights.bands) + "\n"
        f"wrote {args.out} (status 'fitted'; validate on a separate cohort before use)\n"
    )
    if args.json:
        out.write(f"wrote {args.json}\n")
    return EXIT_OK


def _fit_report(result: WeightsFit) -> str:
    data = {
        "weights": result.weights.stamp.model_dump(mode="json"),
        "provenance": result.weights.provenance,
        "comparison": result.comparison.to_dict(),
        "fit": result.points.to_dict(),
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def _add_method_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` arguments that choose how calibration and intervals are computed."""
    parser.add_argument(
        "--stratify",
        action="store_true",
        help="bootstrap those with and without the outcome separately (keeps the outcome count)",
    )
    parser.add_argument(
        "--probabilities",
        action="store_true",
        help="--scores are probabilities: check their calibration as given instead of fitting",
    )


def _add_validate_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``validate`` subcommand and its arguments."""
    parser = sub.add_parser(
        "validate",
        help="measure how well a screening score finds young people, and how fairly",
        description=(
            "Discrimination, calibration, every cut, and figures by group with bootstrap "
            "intervals, for this screen on a labelled cohort or for any tool's scores."
        ),
        epilog=_VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("cohort", nargs="?", metavar="COHORT", help="labelled cohort (JSONL)")
    parser.add_argument(
        "--scores", metavar="FILE", help="CSV of score, outcome[, group] from any tool"
    )
    parser.add_argument(
        "--as-of", type=parse_date, metavar="DATE", help="screening date of the cohort"
    )
    parser.add_argument("--weights", metavar="FILE", help="weightings file (default: embedded)")
    parser.add_argument(
        "--group",
        action="append",
        metavar="FIELD",
        help="audit attribute (ethnicity, sex, disability or a key of audit.other; or a CSV "
        "column) to compare groups by; repeat for more (default for a cohort: ethnicity and sex)",
    )
    parser.add_argument(
        "--reference",
        action="append",
        metavar="FIELD=LABEL",
        help="reference group for relative rate indices (default: the largest group)",
    )
    parser.add_argument(
        "--threshold", type=float, help="flag when score >= this (default: weightings')"
    )
    parser.add_argument(
        "--review-capacity",
        type=_proportion,
        help="without --threshold for --scores: choose the cut that fits this share (default 0.1)",
    )
    parser.add_argument(
        "--n-boot", type=_whole, default=1000, help="bootstrap replicates (default 1000)"
    )
    parser.add_argument("--seed", type=_whole, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--confidence", type=_proportion, default=0.95, help="interval level")
    _add_method_arguments(parser)
    parser.add_argument(
        "--sensitivity", action="store_true", help="add band changes per point moved"
    )
    parser.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    parser.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    parser.add_argument("--title", default="Screening score validation", help="HTML report title")
    parser.set_defaults(handler=_validate)


def _add_fit_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``fit`` subcommand and its arguments."""
    parser = sub.add_parser(
        "fit",
        help="fit whole points to a labelled cohort and write a weightings file",
        description=(
            "Learn small whole points (risk >= 0, protective <= 0) from a labelled cohort, "
            "with cross-validation, and write weightings the screen uses directly."
        ),
        epilog=_FIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("cohort", metavar="COHORT", help="labelled cohort (JSONL)")
    parser.add_argument(
        "--as-of", type=parse_date, required=True, metavar="DATE", help="screening date"
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="weightings file to write")
    parser.add_argument("--weights", metavar="FILE", help="base weightings (default: embedded)")
    parser.add_argument("--max-points", type=_whole, default=5, help="most points per indicator")
    parser.add_argument("--max-indicators", type=_whole, help="most indicators with points")
    parser.add_argument(
        "--folds", type=_whole, default=5, help="cross-validation folds (default 5)"
    )
    parser.add_argument("--seed", type=_whole, default=0, help="seed for the folds (default 0)")
    parser.add_argument(
        "--fitted-on",
        type=parse_date,
        metavar="DATE",
        help="date recorded in the provenance (default: the --as-of date, so reruns are identical)",
    )
    parser.add_argument("--name", help="name of the new weightings")
    parser.add_argument("--version", help="version of the new weightings")
    parser.add_argument("--json", metavar="FILE", help="write provenance and comparison as JSON")
    parser.set_defaults(handler=_fit)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``validate`` and ``fit`` subcommands."""
    _add_validate_parser(sub)
    _add_fit_parser(sub)
