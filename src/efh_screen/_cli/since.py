"""``screen --previous``: what changed for each child since the last screen."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from typing import Any

from .._compare import ChangeSummary, check_comparable, compare_screens, read_results
from .._errors import FieldProblem, InputError
from .._files import atomic_output
from .._scoring import Screener

__all__ = ["SinceLastScreen", "add_arguments"]

_SHOWN = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--previous``, ``--allow-different-weights`` and ``--changes`` to ``screen``."""
    parser.add_argument(
        "--previous", metavar="FILE", help="results of the last screen (--out), to say what changed"
    )
    parser.add_argument(
        "--allow-different-weights",
        action="store_true",
        help="compare with a last screen made with other weightings",
    )
    parser.add_argument(
        "--changes", metavar="FILE", help="with --previous: write each child's change (JSONL)"
    )


class SinceLastScreen:
    """The comparison with the last screen, when ``--previous`` is given.

    Reads and checks the previous results before anything is screened, so different
    weightings are refused before any output is written.
    """

    def __init__(self, args: argparse.Namespace, screener: Screener) -> None:
        self.args = args
        self.bands = [band.key for band in screener.weights.bands]
        self.previous: list[dict[str, Any]] | None = None
        if args.changes is not None and args.previous is None:
            reason = "needs --previous (the last screen's results) to say what changed"
            raise InputError([FieldProblem("--changes", reason)])
        if args.previous is not None:
            self.previous = read_results(args.previous)
            check_comparable(
                self.previous,
                screener.weights.stamp.model_dump(),
                allow_different_weights=args.allow_different_weights,
            )

    def by_id(self) -> dict[str, dict[str, Any]] | None:
        """Return the last screen's results by id (None without ``--previous``)."""
        if self.previous is None:
            return None
        return {item["id"]: item for item in self.previous}

    def results_path(self, stack: contextlib.ExitStack) -> str | None:
        """Where this run's results go: ``--out``, or a temporary file to compare with."""
        if self.previous is None or self.args.out is not None:
            return str(self.args.out) if self.args.out is not None else None
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="efh-since-"))
        return os.path.join(folder, "results.jsonl")

    def compare(self, results: str | None) -> ChangeSummary | None:
        """Compare this run's results with the last one's (None without ``--previous``)."""
        if self.previous is None or results is None:
            return None
        return compare_screens(
            self.previous,
            read_results(results, name="--out"),
            bands=self.bands,
            allow_different_weights=self.args.allow_different_weights,
        )

    @staticmethod
    def labels(summary: ChangeSummary | None) -> dict[str, str] | None:
        """Each child's change in plain words, for the review table."""
        if summary is None:
            return None
        return {change.id: change.kind.label for change in summary.changes}

    def report(self, summary: ChangeSummary | None) -> None:
        """Print what changed (and write ``--changes``)."""
        if summary is None:
            return
        if self.args.changes is not None:
            with atomic_output(self.args.changes) as stream:
                for change in summary.changes:
                    stream.write(json.dumps(change.as_dict(), ensure_ascii=False) + "\n")
        if not self.args.quiet:
            sys.stdout.write(_table(summary))
        sys.stderr.write(f"efh-screen: {summary}.\n")


_ORDER = ("newly_flagged", "band_up", "no_longer_flagged", "band_down", "new")


def _table(summary: ChangeSummary) -> str:
    moved = sorted(
        (change for change in summary.changes if change.kind.value in _ORDER),
        key=lambda change: _ORDER.index(change.kind.value),
    )
    lines = ["", "Since last screen:"]
    lines += [f"  {change.id:<16} {change.describe()}" for change in moved[:_SHOWN]]
    if len(moved) > _SHOWN:
        lines.append(f"  ... and {len(moved) - _SHOWN} more (use --changes FILE for all)")
    if not moved:
        lines.append("  no child's screen changed")
    return "\n".join(lines) + "\n"
