"""Reading profile files record by record, accounting for every line, and writing outputs safely.

JSONL input holds one record a line: a bare :class:`~efh_screen.Profile`, or a
labelled line ``{"profile": <Profile>, "outcome": 0 or 1}``. Reading streams:
one line is in memory at a time, and a line longer than ``max_line_bytes`` is
rejected without being read into memory or parsed.

Every physical line is one record. A record either validates (an
:class:`InputRecord`) or is rejected (a :class:`RejectedRecord` with its line
number, the id where it can be read, and one :class:`~efh_screen.FieldProblem`
per bad field). Blank lines are rejected too, so nothing in a file is silently
skipped. Reasons never repeat the input's values; the id is reported only when
it is a well-formed pseudonymous id.

The review list (:class:`ReviewEntry`) is written as CSV or as one
self-contained HTML page by :func:`write_review_csv` and :func:`write_review_html`.

Outputs are written through :func:`atomic_output`: to a temporary file in the
same directory, renamed over the target only once complete, so a crash never
leaves a file that looks complete.
"""

from __future__ import annotations

import csv
import html
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from ._errors import FieldProblem
from ._explain import points_card_html
from ._profile import LabelledProfile, Profile, problems_from_validation_error, record_id
from ._result import ScreeningResult

if TYPE_CHECKING:
    from ._batch import BatchSummary

__all__ = [
    "MAX_LINE_BYTES",
    "REVIEW_CSV_COLUMNS",
    "InputRecord",
    "RejectedRecord",
    "ReviewEntry",
    "read_jsonl",
    "write_rejected_jsonl",
    "write_review_csv",
    "write_review_html",
]

MAX_LINE_BYTES = 1_000_000
"""Longest JSONL line read (bytes); longer lines are rejected unparsed."""

_LABELLED_HINT = b'"profile"'
_BOM = b"\xef\xbb\xbf"

REASON_EMPTY_LINE = "is an empty line; remove it or put one profile on it"
REASON_TOO_LONG = (
    "is longer than {limit} bytes, so it was not read; a profile is far shorter — check the "
    "file is JSON Lines with one profile a line"
)
REASON_DUPLICATE = (
    "duplicate id; first seen on line {line}; each young person must appear once — merge the "
    "records or remove the later one"
)


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One record read and validated.

    Attributes
    ----------
    line : int
        Line (JSONL) or row (CSV, the header being row 1) it came from, from 1.
    profile : Profile
        The validated profile.
    outcome : int or None
        The outcome (0 or 1) of a labelled line, else None.
    """

    line: int
    profile: Profile
    outcome: int | None = None


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """One record that could not be screened, and why.

    Attributes
    ----------
    line : int
        Line (JSONL) or row (CSV, the header being row 1), from 1.
    id : str or None
        The record's pseudonymous id where it could be read, else None.
    problems : tuple of FieldProblem
        One or more problems, each naming the field (for CSV, the column) and
        saying how to fix it. Input values are never repeated.
    """

    line: int
    id: str | None
    problems: tuple[FieldProblem, ...] = field(default_factory=tuple)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per problem: ``{"line", "id", "field", "reason"}``."""
        return [
            {"line": self.line, "id": self.id, "field": p.field, "reason": p.reason}
            for p in self.problems
        ]


def _safe_id(value: object) -> str | None:
    """Return ``value`` if it is a well-formed pseudonymous id (never anything else)."""
    return record_id({"id": value})


def _id_from_line(raw: bytes) -> str | None:
    """Find the id of a line that failed validation, for the error report."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict):
        if "id" in data:
            return _safe_id(data.get("id"))
        inner = data.get("profile")
        if isinstance(inner, dict):
            return _safe_id(inner.get("id"))
    return None


def _is_labelled(raw: bytes) -> bool:
    return _LABELLED_HINT in raw[:32]


def parse_jsonl_line(raw: bytes, line: int) -> InputRecord | RejectedRecord:
    """Validate one JSONL line (bare or labelled profile) into a record or a rejection."""
    if not raw or raw.isspace():  # (no copy of a long line, unlike strip())
        return RejectedRecord(line, None, (FieldProblem("(line)", REASON_EMPTY_LINE),))
    labelled = _is_labelled(raw)
    try:
        if labelled:
            lp = LabelledProfile.model_validate_json(raw)
            return InputRecord(line, lp.profile, lp.outcome)
        return InputRecord(line, Profile.model_validate_json(raw))
    except ValidationError as exc:
        return RejectedRecord(line, _id_from_line(raw), tuple(problems_from_validation_error(exc)))


def _read_lines(stream: IO[bytes], max_line_bytes: int) -> Iterator[tuple[bytes | None, int]]:
    """Yield (line or None if too long, line number); memory bounded by ``max_line_bytes``."""
    number = 0
    readline = stream.readline
    limit = max_line_bytes + 1
    while True:
        raw = readline(limit)
        if not raw:
            return
        number += 1
        if len(raw) >= limit and not raw.endswith(b"\n"):
            # Too long: skip to the end of the line without keeping it.
            while raw and not raw.endswith(b"\n"):
                raw = readline(65536)
            yield None, number
            continue
        yield raw, number


def read_jsonl(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[InputRecord | RejectedRecord]:
    r"""Read a JSONL file of profiles, one record a line, streaming.

    Parameters
    ----------
    source : path-like or binary file
        The file. Lines are bare Profiles or labelled lines
        ``{"profile": ..., "outcome": 0 or 1}``.
    max_line_bytes : int
        Lines longer than this are rejected without being parsed.

    Yields
    ------
    InputRecord or RejectedRecord
        One per line, in order; every line ends in exactly one of the two.

    Examples
    --------
    >>> import io
    >>> from efh_screen import read_jsonl
    >>> data = b'{"id": "YP-1", "date_of_birth": "2012-01-02"}\n{"id": "YP-2"}\n'
    >>> [type(r).__name__ for r in read_jsonl(io.BytesIO(data))]
    ['InputRecord', 'RejectedRecord']
    """
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield from _read_stream(stream, max_line_bytes)
    else:
        yield from _read_stream(source, max_line_bytes)


def _read_stream(stream: IO[bytes], max_line_bytes: int) -> Iterator[InputRecord | RejectedRecord]:
    too_long = REASON_TOO_LONG.format(limit=max_line_bytes)
    for raw, number in _read_lines(stream, max_line_bytes):
        if number == 1 and raw is not None and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]  # a byte-order mark some editors add
        if raw is None:
            yield RejectedRecord(number, None, (FieldProblem("(line)", too_long),))
        else:
            yield parse_jsonl_line(raw, number)


def write_rejected_jsonl(rejected: Iterable[RejectedRecord], stream: IO[str]) -> int:
    """Write rejections as JSONL, one object per problem; return the lines written.

    Each line is ``{"line": N, "id": "..." or null, "field": "...", "reason": "..."}``.
    A record with several problems gives several lines with the same ``line``.
    """
    written = 0
    for record in rejected:
        for item in record.to_dicts():
            stream.write(json.dumps(item, ensure_ascii=False) + "\n")
            written += 1
    return written


# ---------------------------------------------------------------------------------------------
# The review list.


REVIEW_CSV_COLUMNS = (
    "rank",
    "id",
    "band",
    "band_label",
    "flag",
    "score",
    "score_low",
    "score_high",
    "reasons",
    "main_missing",
    "line",
)


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """One case on the review list.

    Attributes
    ----------
    id : str
        Pseudonymous id.
    line : int
        Line (JSONL) or row (CSV) it was read from.
    band, band_label : str
        Band key and plain words.
    band_rank : int
        Position of the band in the weightings (higher is more concern).
    score, score_low, score_high : int
        Score and the range the unknowns allow.
    flag : bool
        Flagged for review now; when False, the case is listed because the
        flag could change once the missing information is known.
    flag_could_change : bool
        Whether the flag could change once the missing information is known.
    reasons : tuple of (str, int)
        Up to three largest contributions as (label, points).
    main_missing : tuple of str
        Up to three most important pieces of missing information (labels).
    """

    id: str
    line: int
    band: str
    band_label: str
    band_rank: int
    score: int
    score_low: int
    score_high: int
    flag: bool
    flag_could_change: bool
    reasons: tuple[tuple[str, int], ...]
    main_missing: tuple[str, ...]

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Band (highest first), then score (highest first), then id."""
        return (-self.band_rank, -self.score, self.id)

    @property
    def flag_text(self) -> str:
        """``"flagged"`` or ``"could be flagged"``."""
        return "flagged" if self.flag else "could be flagged"

    def reasons_text(self) -> str:
        """Reasons as ``label (+points); ...``."""
        return "; ".join(f"{label} (+{points})" for label, points in self.reasons)

    def missing_text(self) -> str:
        """Return the main missing information, ``; ``-separated."""
        return "; ".join(self.main_missing)


def card_html(result: ScreeningResult) -> str:
    """Render a result's points card for the review page (an escaped HTML fragment)."""
    return points_card_html(result)


def write_review_csv(entries: Iterable[ReviewEntry], stream: IO[str]) -> int:
    """Write the review list as CSV; return the number of cases written.

    Columns: ``rank, id, band, band_label, flag, score, score_low, score_high,
    reasons, main_missing, line``. ``flag`` is ``flagged`` or ``could be flagged``.
    Entries are written in the order given (:func:`screen_file` sorts them).
    """
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(REVIEW_CSV_COLUMNS)
    n = 0
    for n, e in enumerate(entries, start=1):
        writer.writerow(
            [
                n,
                e.id,
                e.band,
                e.band_label,
                e.flag_text,
                e.score,
                e.score_low,
                e.score_high,
                e.reasons_text(),
                e.missing_text(),
                e.line,
            ]
        )
    return n


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1b1b1b;
max-width:70rem}
header.notice{border:2px solid #7a4b00;background:#fff6e0;padding:.75rem 1rem;margin-bottom:1rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.3rem .5rem;
text-align:left;vertical-align:top}.pts{text-align:right}
details{border:1px solid #ccc;margin:.4rem 0;padding:.4rem .6rem}
summary{cursor:pointer;font-weight:600}
.flagged{color:#7a1d00}.possible{color:#4b4b00}.meta{color:#555;font-size:.9em}
"""


def write_review_html(
    entries: Sequence[ReviewEntry],
    stream: IO[str],
    *,
    summary: BatchSummary | None = None,
    cards: Mapping[str, str] | None = None,
    title: str = "Early-help review list",
) -> int:
    """Write the review list as one self-contained HTML page; return the cases written.

    The page has no external assets or scripts and works offline. A header says
    that flags are prompts for a person's review, never decisions. Each case is
    a ``<details>`` element that opens to its points card.

    Parameters
    ----------
    entries : sequence of ReviewEntry
        Cases in display order.
    stream : text file
        Where to write.
    summary : BatchSummary, optional
        Counts and weightings shown in the header.
    cards : mapping of str to str, optional
        Points-card HTML fragments by id (already escaped); a case without one
        shows its reasons and missing information only.
    title : str
        Page title.
    """
    e = html.escape
    head = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        "<header class='notice'><strong>Flags are prompts for an early-help review by a person, "
        "never decisions about a child.</strong> The list shows what partner agencies have "
        "recorded; information that is not known is listed for each case.</header>",
    ]
    if summary is not None:
        w = summary.weights
        head.append(
            f"<p class='meta'>As of {e(summary.as_of.isoformat())}. {e(str(summary))}. "
            f"Weightings: {e(w.name)} v{e(str(w.version))} ({e(w.status)}), "
            f"sha256 {e(w.sha256[:12])}.</p>"
        )
        if w.status == "illustrative":
            head.append(
                "<p class='meta'>These weightings are illustrative and have not been "
                "validated on local data.</p>"
            )
    head.append(
        f"<p>{len(entries)} cases, highest band first, then highest score. "
        "Open a case to see its points card.</p><main>"
    )
    stream.write("\n".join(head) + "\n")
    for rank, entry in enumerate(entries, start=1):
        css = "flagged" if entry.flag else "possible"
        reasons = "".join(f"<li>{e(label)} (+{pts})</li>" for label, pts in entry.reasons)
        missing = "".join(f"<li>{e(m)}</li>" for m in entry.main_missing)
        card = cards.get(entry.id) if cards is not None else None
        stream.write(
            f"<details id='case-{e(entry.id)}' data-id='{e(entry.id)}'>"
            f"<summary>{rank}. <span class='id'>{e(entry.id)}</span> — "
            f"<span class='{css}'>{e(entry.band_label)} ({e(entry.flag_text)})</span>, "
            f"score {entry.score} (range {entry.score_low}–{entry.score_high})</summary>"
            f"<p><strong>Top reasons:</strong></p><ul>{reasons or '<li>none</li>'}</ul>"
            f"<p><strong>Main missing information:</strong></p>"
            f"<ul>{missing or '<li>none</li>'}</ul>"
            f"{card or ''}</details>\n"
        )
    stream.write("</main></body></html>\n")
    return len(entries)
