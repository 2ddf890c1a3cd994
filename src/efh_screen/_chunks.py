"""Screening one chunk of valid records, and the outcome of each record of a block.

A chunk of records whose dates were already checked is screened through the vectorised
path (:func:`screen_chunk`): its feature matrix, :meth:`Screener.score_matrix
<efh_screen.Screener.score_matrix>`, the compact result lines built straight from the
arrays (:func:`result_lines`) and the cases for the review list (:func:`review_entries`).
The batch runner (``_batch``), the column-wise JSONL path (``_jsonl_blocks``) and the
column-wise tables path (``tables``) all write their results through these, so every path
writes the same bytes.

A block of records screened apart from the runner (in a worker process, or column-wise)
hands back one outcome per record, in input order, as a plain tuple (what crosses a pipe is
only str, bytes, int, bool, None, tuples and lists; see ``_pool``):

* ``(UNREADABLE, line, id or None, ((field, reason), ...))``: rejected as it was read;
* ``(IMPOSSIBLE, line, id, ((field, reason), ...))``: valid, but impossible as of the
  screening date;
* ``(SCREENED, line, id, flag, result line or None, review entry fields or None,
  points-card HTML or None)``.

Whoever screens a block cannot know the ids of other blocks, so the runner checks
duplicates as it takes the outcomes in input order: a later record whose id was already
screened is rejected as a duplicate whatever the block made of it, exactly as the
record-by-record path does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

from ._errors import FieldProblem
from ._explain import points_card_html
from ._factors import FACTORS, Agency
from ._features import INDICATORS, corroborating_agencies, feature_matrix
from ._matrix import ScreeningBatch
from ._profile import date_problems
from ._records import InputRecord, RejectedRecord
from ._review import ReviewEntry
from ._scheme import GROUPS, group_label
from ._scoring import Screener
from ._version import __version__

__all__ = [
    "IMPOSSIBLE",
    "SCREENED",
    "UNREADABLE",
    "ChunkScreened",
    "Outcome",
    "RecordScreener",
    "ScreenSettings",
    "plain_problems",
    "result_lines",
    "review_entries",
    "screen_chunk",
    "screened_outcomes",
]

UNREADABLE, IMPOSSIBLE, SCREENED = 0, 1, 2
"""The kinds of outcome of one record (see the module docstring)."""
Outcome = tuple[Any, ...]
"""One record's outcome (see the module docstring)."""


def plain_problems(problems: Iterable[FieldProblem]) -> tuple[tuple[str, str], ...]:
    """Return problems as plain ``(field, reason)`` pairs, for an outcome."""
    return tuple((problem.field, problem.reason) for problem in problems)


_LABEL_OF_INDICATOR = {ind.key: ind.label for ind in INDICATORS}


def _gaps_by_agency(
    unknown_groups: Sequence[bool], corroboration_missing: Sequence[bool]
) -> tuple[tuple[str, int], ...]:
    """Count each unknown factor under the agency most likely to hold it (catalogue order).

    The ACE count and escalation groups are derived from factors that are counted on
    their own, so they are not counted again. A label that lacks only corroboration is
    counted under the first agency other than the police that could give it.
    """
    counts: dict[Agency, int] = {}
    for group, unknown, corroboration in zip(
        GROUPS, unknown_groups, corroboration_missing, strict=True
    ):
        if unknown and group in FACTORS and FACTORS[group].agencies:
            holders = corroborating_agencies(group) if corroboration else FACTORS[group].agencies
            counts[holders[0]] = counts.get(holders[0], 0) + 1
    return tuple((agency.label, counts[agency]) for agency in Agency if agency in counts)


def result_lines(
    batch: ScreeningBatch, top: list[list[tuple[str, int]]], gaps: list[list[str]]
) -> list[str]:
    """Build the compact result lines straight from the arrays (the hot path).

    Each line is exactly ``json.dumps(record, ensure_ascii=False)`` of the matching
    record of :meth:`ScreeningBatch.to_records` (a test checks this byte for byte).
    """

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    bands = [f'"band": {dumps(b.key)}, "band_label": {dumps(b.label)}' for b in batch.weights.bands]
    coverage = batch.weights.coverage
    short = (
        ""
        if coverage is None
        else f'"band": {dumps(coverage.key)}, "band_label": {dumps(coverage.label)}'
    )
    head = f'"as_of": {dumps(batch.as_of.isoformat())}'
    tail = (
        f'"weights": {dumps(batch.weights.stamp.model_dump())}, '
        f'"library_version": {dumps(__version__)}}}'
    )
    band_texts = [
        short if not_enough else bands[band]
        for band, not_enough in zip(
            batch.band.tolist(), batch.not_enough_known.tolist(), strict=True
        )
    ]
    columns = zip(
        batch.ids,
        batch.score.tolist(),
        batch.score_low.tolist(),
        batch.score_high.tolist(),
        band_texts,
        batch.flag.tolist(),
        batch.flag_could_change.tolist(),
        [dumps(item) for item in batch.coverage_records()],
        batch.ace_known.tolist(),
        batch.ace_max.tolist(),
        top,
        gaps,
        strict=True,
    )
    lines = []
    for rid, score, low, high, band, flag, could, known, ace, ace_max, reasons, missing in columns:
        reasons_json = ", ".join(f'{{"indicator": "{k}", "points": {p}}}' for k, p in reasons)
        missing_json = ", ".join(f'"{g}"' for g in missing)
        lines.append(
            f'{{"id": {dumps(rid)}, {head}, "score": {score}, '
            f'"score_range": {{"low": {low}, "high": {high}}}, {band}, '
            f'"flag": {"true" if flag else "false"}, '
            f'"flag_could_change": {"true" if could else "false"}, "coverage": {known}, '
            f'"ace_count": {{"known": {ace}, "max": {ace_max}}}, '
            f'"top_reasons": [{reasons_json}], "main_missing": [{missing_json}], {tail}'
        )
    return lines


class ChunkScreened(NamedTuple):
    """What screening one chunk gives, record by record."""

    lines: list[str]
    """Result lines, one per record (empty when no results file was asked for)."""
    flags: list[bool]
    """Whether each record is flagged for review."""
    review: list[tuple[int, ReviewEntry, str | None]]
    """Each case for the review list: its position in the chunk, its entry, and its
    points-card HTML (when the review page was asked for)."""


def screen_chunk(
    screener: Screener,
    chunk: Sequence[InputRecord],
    *,
    as_of: dt.date,
    results: bool,
    full: bool,
    cards: bool,
) -> ChunkScreened:
    """Screen records whose dates were already checked, through the vectorised path.

    The feature matrix is derived as :meth:`Screener.feature_matrix` derives it, without
    repeating the per-record date check (a record with impossible dates was rejected alone,
    before this); the derivation is the same shared ``_derive`` the scalar path uses. Each
    record's outcome depends on that record alone, never on the rest of its chunk.
    """
    weights = screener.weights
    profiles = [record.profile for record in chunk]
    matrix = feature_matrix(
        profiles,
        as_of=as_of,
        windows=weights.windows,
        counts=weights.counts,
        resolution=weights.resolution,
    )
    batch = screener.score_matrix(matrix)
    top = batch.top_reasons(3)
    gaps = batch.main_missing(3)
    lines: list[str] = []
    if results and full:
        lines = [screener.screen(p, as_of=as_of).model_dump_json() for p in profiles]
    elif results:
        lines = result_lines(batch, top, gaps)
    review = []
    for i, entry in review_entries([record.line for record in chunk], batch, top, gaps):
        card = points_card_html(screener.screen(profiles[i], as_of=as_of)) if cards else None
        review.append((i, entry, card))
    return ChunkScreened(lines, batch.flag.tolist(), review)


def review_entries(
    lines: Sequence[int],
    batch: ScreeningBatch,
    top: list[list[tuple[str, int]]],
    gaps: list[list[str]],
) -> Iterator[tuple[int, ReviewEntry]]:
    """Yield the chunk's cases for the review list.

    A case is listed when it is flagged, could be flagged once its gaps are filled, or
    not enough is known to screen it. Equal reasons, missing information and gaps by
    agency are one shared tuple within the chunk: the list of a large caseload is kept
    whole until it is sorted, and these tuples were four fifths of each entry's memory.
    """
    wanted = (batch.flag | batch.flag_could_change | batch.not_enough_known).nonzero()[0]
    band_keys, band_labels = batch.band_keys(), batch.band_labels()
    shared: dict[Any, Any] = {}
    for i in wanted.tolist():
        enough_known = not batch.not_enough_known[i]
        corroboration = batch.corroboration_missing[i].tolist()
        entry = ReviewEntry(
            id=batch.ids[i],
            line=lines[i],
            band=band_keys[i],
            band_label=band_labels[i],
            band_rank=int(batch.band[i]),
            score=int(batch.score[i]),
            score_low=int(batch.score_low[i]),
            score_high=int(batch.score_high[i]),
            flag=bool(batch.flag[i]),
            flag_could_change=bool(batch.flag_could_change[i]),
            reasons=_one_copy(shared, tuple((_LABEL_OF_INDICATOR[k], p) for k, p in top[i])),
            main_missing=_one_copy(
                shared,
                tuple(
                    group_label(g, corroboration=corroboration[GROUPS.index(g)]) for g in gaps[i]
                ),
            ),
            gaps_by_agency=()
            if batch.flag_could_change[i] and enough_known
            else _one_copy(
                shared, _gaps_by_agency(batch.unknown_groups[i].tolist(), corroboration)
            ),
            enough_known=enough_known,
        )
        yield i, entry


_T = TypeVar("_T")


def _one_copy(shared: dict[Any, Any], value: _T) -> _T:
    """Return the copy of ``value`` first seen in ``shared`` (``value`` itself if new)."""
    kept: _T = shared.setdefault(value, value)
    return kept


_ENTRY_FIELDS = tuple(field.name for field in dataclasses.fields(ReviewEntry))


def _entry_fields(entry: ReviewEntry) -> tuple[Any, ...]:
    """Return a review entry's fields in order (all immutable: no copy is needed)."""
    return tuple(getattr(entry, name) for name in _ENTRY_FIELDS)


def screened_outcomes(
    lines: Sequence[int], ids: Sequence[str], done: ChunkScreened
) -> list[Outcome]:
    """Return the ``SCREENED`` outcome of each record of a screened chunk, in chunk order.

    Parameters
    ----------
    lines : sequence of int
        Each record's line number.
    ids : sequence of str
        Each record's id.
    done : ChunkScreened
        What screening the chunk gave.
    """
    review = {i: (_entry_fields(entry), card) for i, entry, card in done.review}
    outcomes: list[Outcome] = []
    for i, (line, rid) in enumerate(zip(lines, ids, strict=True)):
        result = done.lines[i] if done.lines else None
        fields, card = review.get(i, (None, None))
        outcomes.append((SCREENED, line, rid, done.flags[i], result, fields, card))
    return outcomes


@dataclasses.dataclass(frozen=True, slots=True)
class ScreenSettings:
    """How a block's records are screened and what is kept of each.

    Attributes
    ----------
    as_of : datetime.date
        The screening date.
    chunk_size : int
        Records screened together through the vectorised path.
    results : bool
        Whether result lines are wanted.
    full : bool
        Whether they are full results (the scalar path) rather than compact lines.
    cards : bool
        Whether each review case's points card is wanted (for the review page).
    """

    as_of: dt.date
    chunk_size: int
    results: bool
    full: bool
    cards: bool


class RecordScreener:
    """Check and screen records as they were read, chunk by chunk; one outcome per record.

    Parameters
    ----------
    screener : Screener
        The screener.
    settings : ScreenSettings
        The screening date, chunk size and what to keep.
    """

    def __init__(self, screener: Screener, settings: ScreenSettings) -> None:
        self.screener = screener
        self.settings = settings

    def __call__(self, records: Iterable[InputRecord | RejectedRecord]) -> list[Outcome]:
        """Return the outcome of each record, in order (see the module docstring)."""
        outcomes: list[Outcome] = []
        chunk: list[InputRecord] = []
        places: list[int] = []
        as_of = self.settings.as_of
        for record in records:
            if isinstance(record, RejectedRecord):
                problems = plain_problems(record.problems)
                outcomes.append((UNREADABLE, record.line, record.id, problems))
                continue
            problems = plain_problems(date_problems(record.profile, as_of))
            if problems:
                outcomes.append((IMPOSSIBLE, record.line, record.profile.id, problems))
                continue
            places.append(len(outcomes))
            outcomes.append(())  # filled in when its chunk is screened
            chunk.append(record)
            if len(chunk) >= self.settings.chunk_size:
                self._fill(outcomes, places, chunk)
                chunk, places = [], []
        self._fill(outcomes, places, chunk)
        return outcomes

    def _fill(self, outcomes: list[Outcome], places: list[int], chunk: list[InputRecord]) -> None:
        if not chunk:
            return
        settings = self.settings
        done = screen_chunk(
            self.screener,
            chunk,
            as_of=settings.as_of,
            results=settings.results,
            full=settings.full,
            cards=settings.cards,
        )
        lines = [record.line for record in chunk]
        screened = screened_outcomes(lines, [record.profile.id for record in chunk], done)
        for place, outcome in zip(places, screened, strict=True):
            outcomes[place] = outcome
