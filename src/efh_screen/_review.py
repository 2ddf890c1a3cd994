"""The review list: its entries, the batch summary shown with it, and its CSV and HTML pages.

A :class:`ReviewEntry` is one case on the list (flagged, could be flagged once its missing
information is known, or not enough known to screen); :class:`BatchSummary` says what a batch
did with every record.
:func:`write_review_csv` and :func:`write_review_html` write the list; the batch runner
(``_batch``) builds the entries and sorts them.
"""

from __future__ import annotations

import datetime as dt
import html
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ._files import SafeCsvWriter
from ._records import RejectedRecord
from ._weights import WeightsStamp

__all__ = [
    "NOT_ENOUGH_KNOWN_TEXT",
    "NOT_FLAGGED_TEXT",
    "REVIEW_CSV_COLUMNS",
    "BatchSummary",
    "CardSpool",
    "ReviewEntry",
    "write_review_csv",
    "write_review_html",
]

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

NOT_FLAGGED_TEXT = "not flagged on what is known"
"""Status of a listed case that is not flagged (its flag could change once gaps are filled)."""

NOT_ENOUGH_KNOWN_TEXT = "not enough known"
"""The ``flag`` column of a listed case of which not enough is known to screen."""


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
    since_last_screen : str
        With a previous screen to compare with: new, newly flagged, no longer
        flagged, band up, band down, enough known now, too little known now or
        unchanged; else empty.
    gaps_by_agency : tuple of (str, int)
        When the flag cannot change, or not enough is known to screen: each agency
        most likely to hold a missing factor (label) and how many it could fill,
        agencies in catalogue order; else empty (the worker views then show
        ``main_missing``).
    enough_known : bool
        False when not enough is known to screen (the weightings' coverage rule):
        ``band`` and ``band_label`` then say so, and ``gaps_by_agency`` lists the
        agencies to ask.
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
    since_last_screen: str = ""
    gaps_by_agency: tuple[tuple[str, int], ...] = ()
    enough_known: bool = True

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Band (highest first), then score (highest first), then id."""
        return (-self.band_rank, -self.score, self.id)

    @property
    def flag_text(self) -> str:
        """``"flagged"``, ``"could be flagged"`` or :data:`NOT_ENOUGH_KNOWN_TEXT`."""
        if self.flag:
            return "flagged"
        return "could be flagged" if self.enough_known else NOT_ENOUGH_KNOWN_TEXT

    @property
    def status_text(self) -> str:
        """The band when flagged or not enough is known, else :data:`NOT_FLAGGED_TEXT`.

        Never "no concern ... flagged".
        """
        return self.band_label if self.flag or not self.enough_known else NOT_FLAGGED_TEXT

    def reasons_text(self) -> str:
        """Reasons as ``label (+points); ...``."""
        return "; ".join(f"{label} (+{points})" for label, points in self.reasons)

    def missing_text(self) -> str:
        """Return the main missing information, ``; ``-separated."""
        return "; ".join(self.main_missing)

    def not_known_text(self) -> str:
        """Describe the gaps for a worker, in neutral words.

        When the flag cannot change, the agencies that could fill the gaps with how many
        each; else the main missing information, what could change the flag first.
        """
        if self.gaps_by_agency:
            return "; ".join(f"{label} ({count})" for label, count in self.gaps_by_agency)
        return self.missing_text() or "nothing that would count"

    @property
    def not_known_heading(self) -> str:
        """``Not known``, saying when the flag cannot change and the gaps are by agency."""
        if not self.enough_known:
            return "Not enough known to screen: ask these agencies"
        if self.gaps_by_agency:
            return "Not known (cannot change the flag), by agency"
        return "Not known"


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did with every record.

    Attributes
    ----------
    read : int
        Records read (lines, or CSV rows after the header).
    screened : int
        Records screened (in the results).
    rejected : int
        Records rejected (in the errors file), including duplicates.
    duplicates : int
        Of the rejected, how many repeated an id seen on an earlier valid record.
    flagged : int
        Screened records flagged for review.
    as_of : datetime.date
        The screening date.
    weights : WeightsStamp
        Weightings used.
    review : tuple of ReviewEntry
        The review list, sorted.
    rejected_sample : tuple of RejectedRecord
        The first rejections (at most 100), for display; the errors file has all.
    outputs : dict of str to str
        Files written, by kind (``results``, ``errors``, ``review_csv``, ``review_html``).
    """

    read: int
    screened: int
    rejected: int
    duplicates: int
    flagged: int
    as_of: dt.date
    weights: WeightsStamp
    review: tuple[ReviewEntry, ...] = ()
    rejected_sample: tuple[RejectedRecord, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every record read was screened."""
        return self.rejected == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts (no personal data)."""
        return {
            "read": self.read,
            "screened": self.screened,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "flagged": self.flagged,
            "for_review": len(self.review),
            "as_of": self.as_of.isoformat(),
            "weights": self.weights.model_dump(),
            "outputs": dict(self.outputs),
        }

    def __str__(self) -> str:
        return (
            f"read {self.read}, screened {self.screened}, rejected {self.rejected} "
            f"(of which {self.duplicates} duplicate ids); {self.flagged} flagged, "
            f"{len(self.review)} on the review list"
        )


def write_review_csv(entries: Iterable[ReviewEntry], stream: IO[str]) -> int:
    """Write the review list as CSV; return the number of cases written.

    Columns: ``rank, id, band, band_label, flag, score, score_low, score_high,
    reasons, main_missing, line``, and ``since_last_screen`` when compared with a
    previous screen. ``flag`` is ``flagged`` or ``could be flagged``.
    Entries are written in the order given (:func:`screen_file` sorts them).
    """
    entries = list(entries)
    since = any(entry.since_last_screen for entry in entries)
    writer = SafeCsvWriter(stream)
    writer.writerow(REVIEW_CSV_COLUMNS + (("since_last_screen",) if since else ()))
    written = 0
    for written, entry in enumerate(entries, start=1):
        writer.writerow(
            [
                written,
                entry.id,
                entry.band,
                entry.band_label,
                entry.flag_text,
                entry.score,
                entry.score_low,
                entry.score_high,
                entry.reasons_text(),
                entry.missing_text(),
                entry.line,
                *((entry.since_last_screen,) if since else ()),
            ]
        )
    return written


_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1.5rem;
color:#1b1b1b;max-width:70rem;line-height:1.4}
header.notice{border:2px solid #7a4b00;background:#fff6e0;padding:.75rem 1rem;margin-bottom:1rem}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #bbb;
padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
.pts{text-align:right}
article.case{border:1px solid #bbb;border-left-width:.6rem;margin:.8rem 0;padding:.5rem .9rem;
break-inside:avoid}
article.case h2{font-size:1.05rem;margin:.2rem 0}
.case.rank-top{border-left-color:#8b1a1a}.case.rank-mid{border-left-color:#c77700}
.case.not-flagged{border-left-color:#6b6b6b;border-left-style:dashed}
.badge{display:inline-block;padding:.05rem .5rem;border:2px solid;font-weight:600;
font-size:.9em}
.rank-top .badge{color:#fff;background:#8b1a1a;border-color:#8b1a1a}
.rank-mid .badge{color:#1b1b1b;background:#ffe3b0;border-color:#c77700}
.not-flagged .badge{color:#1b1b1b;background:#fff;border-color:#6b6b6b;border-style:dashed}
.case.not-enough-known{border-left-color:#2f5d8a;border-left-style:dotted}
.not-enough-known .badge{color:#1b1b1b;background:#eef3f8;border-color:#2f5d8a;
border-style:dotted}
.columns{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5rem}
.columns h3{font-size:.95rem;margin:.4rem 0 .2rem}.columns ul{margin:0;padding-left:1.2rem}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
.meta{color:#555;font-size:.9em}
@media (max-width:40rem){.columns{grid-template-columns:1fr}}
@media print{@page{size:A4;margin:12mm}body{max-width:none;padding:0;font-size:10pt}
.badge,.case,header.notice{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

_BAND_MARKS = {
    "rank-top": "\u25b2\u25b2",
    "rank-mid": "\u25b2",
    "not-flagged": "\u25b3",
    "not-enough-known": "?",
}
"""A shape for each kind of case, so the bands never rely on colour alone."""


def _page_head(title: str, summary: BatchSummary | None, cases: int) -> list[str]:
    """Return the page's head, the review notice and the batch summary, as lines."""
    escape = html.escape
    head = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        "<header class='notice'><strong>Flags are prompts for an early-help review by a person, "
        "never decisions about a child.</strong> The list shows what partner agencies have "
        "recorded; information that is not known is listed for each case.</header>",
    ]
    if summary is not None:
        stamp = summary.weights
        head.append(
            f"<p class='meta'>As of {escape(summary.as_of.isoformat())}. "
            f"{escape(str(summary))}. Weightings: {escape(stamp.name)} "
            f"v{escape(str(stamp.version))} ({escape(stamp.status)}), "
            f"sha256 {escape(stamp.sha256[:12])}.</p>"
        )
        if stamp.status == "illustrative":
            head.append(
                "<p class='meta'>These weightings are illustrative and have not been "
                "validated on local data.</p>"
            )
    head.append(
        f"<p>{cases} cases, highest band first, then highest score. Each case shows its top "
        "reasons and what is not known; open \u201cPoints card\u201d for every point. "
        f"{_BAND_MARKS['rank-top']} is the highest band, {_BAND_MARKS['rank-mid']} a lower "
        f"flagged band, {_BAND_MARKS['not-flagged']} {NOT_FLAGGED_TEXT} (listed because missing "
        f"information could change the flag), {_BAND_MARKS['not-enough-known']} not enough known "
        "to screen (listed with the agencies to ask, not as a reassurance).</p><main>"
    )
    return head


def _case_kind(entry: ReviewEntry, top_rank: int) -> str:
    if not entry.flag:
        return "not-flagged" if entry.enough_known else "not-enough-known"
    return "rank-top" if entry.band_rank >= top_rank else "rank-mid"


def _case_html(rank: int, entry: ReviewEntry, card: str | None, *, top_rank: int) -> str:
    """One case: its band, reasons and missing information in view; the points card folded."""
    escape = html.escape
    kind = _case_kind(entry, top_rank)
    reasons = "".join(f"<li>{escape(label)} (+{points})</li>" for label, points in entry.reasons)
    if entry.gaps_by_agency:
        gaps = [
            f"{label}: {count} item{'' if count == 1 else 's'}"
            for label, count in entry.gaps_by_agency
        ]
    else:
        gaps = list(entry.main_missing) or ["nothing that would count"]
    missing = "".join(f"<li>{escape(item)}</li>" for item in gaps)
    since = (
        f"; <span class='since'>since last screen: {escape(entry.since_last_screen)}</span>"
        if entry.since_last_screen
        else ""
    )
    return (
        f"<article class='case {kind}' id='case-{escape(entry.id)}' data-id='{escape(entry.id)}' "
        f"data-band='{escape(entry.band)}'>"
        f"<h2>{rank}. <span class='id'>{escape(entry.id)}</span> "
        f"<span class='badge'>{_BAND_MARKS[kind]} {escape(entry.status_text)}</span></h2>"
        f"<p class='meta'>Score {entry.score}{since}.</p>"
        f"<div class='columns'><div><h3>Top reasons</h3><ul>{reasons or '<li>none</li>'}</ul>"
        f"</div><div><h3>{escape(entry.not_known_heading)}</h3><ul>{missing}</ul></div></div>"
        + (f"<details><summary>Points card</summary>{card}</details>" if card else "")
        + "</article>\n"
    )


def write_review_html(
    entries: Sequence[ReviewEntry],
    stream: IO[str],
    *,
    summary: BatchSummary | None = None,
    cards: Mapping[str, str] | None = None,
    title: str = "Early-help review list",
    top_band_rank: int | None = None,
) -> int:
    """Write the review list as one self-contained HTML page; return the cases written.

    The page has no external assets or scripts and works offline. A header says
    that flags are prompts for a person's review, never decisions. Each case is
    an ``<article>`` showing its band (a shape and words as well as a colour), its
    top reasons and what is not known, with its points card in a ``<details>``.

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
    top_band_rank : int, optional
        ``band_rank`` of the weightings' highest band (marked apart from lower
        flagged bands); by default the highest rank among the entries.
    """
    stream.write("\n".join(_page_head(title, summary, len(entries))) + "\n")
    top_rank = (
        top_band_rank
        if top_band_rank is not None
        else max((entry.band_rank for entry in entries), default=0)
    )
    for rank, entry in enumerate(entries, start=1):
        card = cards.get(entry.id) if cards is not None else None
        stream.write(_case_html(rank, entry, card, top_rank=top_rank))
    stream.write("</main></body></html>\n")
    return len(entries)


class CardSpool(Mapping[str, str]):
    """Points-card HTML fragments spooled to a temporary file, read back by id.

    The review page needs one card per case on the review list; spooled, they take disk,
    not memory, however long the list. Call :meth:`close` when done.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._where: dict[str, tuple[int, int]] = {}

    def add(self, key: str, text: str) -> None:
        """Spool the card ``text`` of the case ``key``."""
        data = text.encode("utf-8")
        self._where[key] = (self._file.tell(), len(data))
        self._file.write(data)

    def __getitem__(self, key: str) -> str:
        offset, length = self._where[key]
        end = self._file.tell()
        self._file.seek(offset)
        data = self._file.read(length)
        self._file.seek(end)
        return data.decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def close(self) -> None:
        """Remove the spooled cards."""
        self._file.close()
