"""``screen --previous``: what changed for each child since the last screen."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from .._compare import ChangeSummary, check_comparable, compare_screens, read_results
from .._errors import FieldProblem, InputError
from .._files import OutputFiles
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

    The last results are an input of the run and ``--changes`` one of its outputs: both
    follow the output-file rules (``docs/batch.md``, "Output files") with ``--out``,
    ``--errors``, ``--review`` and ``--html``. See :meth:`outputs`.
    """

    def __init__(self, args: argparse.Namespace, screener: Screener) -> None:
        self.args = args
        self.weights = screener.weights.stamp.model_dump()
        self.bands = [band.key for band in screener.weights.bands]
        self.previous: list[dict[str, Any]] | None = None
        self.changes: ChangeSummary | None = None
        if args.changes is not None and args.previous is None:
            reason = "needs --previous (the last screen's results) to say what changed"
            raise InputError([FieldProblem("--changes", reason)])

    @contextlib.contextmanager
    def outputs(
        self, sources: Sequence[Path], targets: Mapping[str, str]
    ) -> Iterator[dict[str, str]]:
        """Say where the run writes each output (by name), and commit them all or none.

        Without ``--previous`` the targets are given back as they are (the runner checks
        and commits them). With it, before anything is screened: every target and
        ``--changes`` is refused if it is one of the files read (``sources``), the last
        results, another output or a folder, and the last results are read and checked.
        The run then writes into a private folder; when it is done, this run's results are
        compared with the last ones and every output, ``--changes`` with them, is committed
        together.
        """
        if self.args.previous is None:
            yield dict(targets)
            return
        with (
            OutputFiles(inputs=[*sources, self.args.previous]) as files,
            tempfile.TemporaryDirectory(prefix="efh-since-") as folder,
        ):
            self._check(files, targets)
            staged = {name: os.path.join(folder, name) for name in ("results", *targets)}
            yield staged
            self.changes = compare_screens(
                self.previous or [],
                read_results(staged["results"], name="--out"),
                bands=self.bands,
                allow_different_weights=self.args.allow_different_weights,
            )
            for name, target in targets.items():
                with open(staged[name], "rb") as written:
                    shutil.copyfileobj(written, files.open(name, target, binary=True))
            if self.args.changes is not None:
                _write_changes(self.changes, files.open("changes", self.args.changes))

    def _check(self, files: OutputFiles, targets: Mapping[str, str]) -> None:
        """Refuse clashing outputs, then read and check the last results."""
        files.check_all({**targets, "changes": self.args.changes})
        self.previous = read_results(self.args.previous)
        check_comparable(
            self.previous, self.weights, allow_different_weights=self.args.allow_different_weights
        )

    def by_id(self) -> dict[str, dict[str, Any]] | None:
        """Return the last screen's results by id (None without ``--previous``)."""
        if self.previous is None:
            return None
        return {item["id"]: item for item in self.previous}

    def labels(self) -> dict[str, str] | None:
        """Each child's change in plain words, for the review table."""
        if self.changes is None:
            return None
        return {change.id: change.kind.label for change in self.changes.changes}

    def report(self) -> None:
        """Print what changed (after the outputs were committed)."""
        if self.changes is None:
            return
        if not self.args.quiet:
            sys.stdout.write(_table(self.changes))
        sys.stderr.write(f"efh-screen: {self.changes}.\n")


def _write_changes(summary: ChangeSummary, stream: IO[str]) -> None:
    for change in summary.changes:
        stream.write(json.dumps(change.as_dict(), ensure_ascii=False) + "\n")


_ORDER = (
    "newly_flagged",
    "band_up",
    "no_longer_flagged",
    "band_down",
    "too_little_known_now",
    "enough_known_now",
    "new",
)


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
