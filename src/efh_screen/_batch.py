"""Screening a whole caseload file in bounded memory, accounting for every record.

:func:`screen_file` reads a JSONL or CSV file record by record, validates each
one, checks it is plausible as of the screening date, screens valid records in
chunks through the vectorised path (the feature matrix of
:meth:`Screener.feature_matrix`, without repeating the per-record date check,
and :meth:`Screener.score_matrix`) and writes:

* results: one compact JSON object a line per screened record, in input order
  (:meth:`ScreeningBatch.to_records`), or with ``full=True`` the full
  :class:`~efh_screen.ScreeningResult` of each (slower, scalar path);
* errors: one JSON object a line per problem of each rejected record;
* the review list (CSV and/or a self-contained HTML page).

Every record read ends in exactly one place: screened or rejected
(``read == screened + rejected``). A record is rejected when it does not
validate, when it is impossible as of the screening date, or when its id was
already seen on an earlier *valid* record ("duplicate id; first seen on line
N"): the first record with an id is screened, later ones are rejected. One bad
record never stops the batch. Outputs are written to temporary files and
renamed into place only once the whole input has been read.

The review list holds every case that is flagged for review, every case that
is not flagged but *could be* once its missing information is known
(``flag_could_change``), and every case of which not enough is known to screen
(under the weightings' coverage rule, listed with the agencies to ask), sorted
by band (highest first), then score (highest first), then id. A flag is a
prompt for a person's review, never a decision.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import ValidationError

from ._compare import mark_review
from ._csv import ColumnMapping, read_csv
from ._errors import FieldProblem, InputError
from ._explain import points_card_html
from ._factors import FACTORS, Agency
from ._features import INDICATORS, FeatureMatrix, corroborating_agencies, feature_matrix
from ._files import OutputFiles
from ._jsonl import read_jsonl, write_rejected_jsonl
from ._matrix import ScreeningBatch
from ._profile import Profile, check_as_of, date_problems, problems_from_validation_error
from ._records import REASON_DUPLICATE, InputRecord, RejectedRecord, safe_id
from ._review import BatchSummary, ReviewEntry, write_review_csv, write_review_html
from ._scheme import GROUPS, group_label
from ._scoring import Screener
from ._version import __version__

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ProgressCallback",
    "result_lines",
    "screen_file",
    "screen_records",
]

InputFormat = Literal["jsonl", "csv"]
ProgressCallback = Callable[[int, int, int], None]
"""Called as ``progress(records_read, bytes_read, total_bytes)``."""

DEFAULT_CHUNK_SIZE = 64
"""Records screened together. Small chunks keep validated profiles short-lived, so the
garbage collector (which the library never switches off) rarely has to walk them: at 64 a
batch used less CPU than 2,000 records with the collector paused (docs/performance.md)."""
_PROGRESS_EVERY = 1_000
_KEEP_REJECTED = 100


# ---------------------------------------------------------------------------------------------
# The streaming batch.


class _Spool(Mapping[str, str]):
    """Points-card HTML fragments spooled to a temporary file, read back by id."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._where: dict[str, tuple[int, int]] = {}

    def add(self, key: str, text: str) -> None:
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
        self._file.close()


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


class _Run:
    """State of one batch run."""

    def __init__(
        self,
        *,
        screener: Screener,
        as_of: dt.date,
        results: IO[str] | None,
        errors: IO[str] | None,
        full: bool,
        spool: _Spool | None,
    ) -> None:
        self.screener = screener
        self.as_of = as_of
        self.results = results
        self.errors = errors
        self.full = full
        self.spool = spool
        self.read = self.screened = self.rejected = self.duplicates = self.flagged = 0
        self.seen: dict[str, int] = {}
        self.review: list[ReviewEntry] = []
        self.sample: list[RejectedRecord] = []
        self.band_keys = [band.key for band in screener.weights.bands]

    def reject(self, record: RejectedRecord) -> None:
        self.rejected += 1
        if len(self.sample) < _KEEP_REJECTED:
            self.sample.append(record)
        if self.errors is not None:
            write_rejected_jsonl((record,), self.errors)

    def accept(self, record: InputRecord) -> InputRecord | None:
        """Check duplicates and dates; return the record if it can be screened."""
        profile = record.profile
        first = self.seen.get(profile.id)
        if first is not None:
            self.duplicates += 1
            reason = REASON_DUPLICATE.format(line=first)
            self.reject(RejectedRecord(record.line, profile.id, (FieldProblem("id", reason),)))
            return None
        problems = date_problems(profile, self.as_of)
        if problems:
            # A rejected record does not use up its id: a later valid one is screened.
            self.reject(RejectedRecord(record.line, profile.id, tuple(problems)))
            return None
        self.seen[profile.id] = record.line
        return record

    def _matrix(self, profiles: list[Profile]) -> FeatureMatrix:
        """Derive the feature matrix as :meth:`Screener.feature_matrix` does.

        Each record's dates were already checked by :meth:`accept` (rejecting it
        alone), so the check is not repeated here; the derivation is the same
        shared :func:`_derive` the scalar path uses.
        """
        weights = self.screener.weights
        return feature_matrix(
            profiles,
            as_of=self.as_of,
            windows=weights.windows,
            counts=weights.counts,
            resolution=weights.resolution,
        )

    def screen_chunk(self, chunk: Sequence[InputRecord]) -> None:
        if not chunk:
            return
        screener = self.screener
        profiles = [r.profile for r in chunk]
        batch = screener.score_matrix(self._matrix(profiles))
        self.screened += len(chunk)
        self.flagged += int(batch.flag.sum())
        top = batch.top_reasons(3)
        gaps = batch.main_missing(3)
        if self.results is not None:
            if self.full:
                lines = [screener.screen(p, as_of=self.as_of).model_dump_json() for p in profiles]
            else:
                lines = result_lines(batch, top, gaps)
            self.results.write("\n".join(lines) + "\n")
        self._collect_review(chunk, batch, top, gaps)

    def _collect_review(
        self,
        chunk: Sequence[InputRecord],
        batch: ScreeningBatch,
        top: list[list[tuple[str, int]]],
        gaps: list[list[str]],
    ) -> None:
        wanted = (batch.flag | batch.flag_could_change | batch.not_enough_known).nonzero()[0]
        band_keys, band_labels = batch.band_keys(), batch.band_labels()
        for i in wanted.tolist():
            enough_known = not batch.not_enough_known[i]
            corroboration = batch.corroboration_missing[i].tolist()
            entry = ReviewEntry(
                id=batch.ids[i],
                line=chunk[i].line,
                band=band_keys[i],
                band_label=band_labels[i],
                band_rank=int(batch.band[i]),
                score=int(batch.score[i]),
                score_low=int(batch.score_low[i]),
                score_high=int(batch.score_high[i]),
                flag=bool(batch.flag[i]),
                flag_could_change=bool(batch.flag_could_change[i]),
                reasons=tuple((_LABEL_OF_INDICATOR[k], p) for k, p in top[i]),
                main_missing=tuple(
                    group_label(g, corroboration=corroboration[GROUPS.index(g)]) for g in gaps[i]
                ),
                gaps_by_agency=()
                if batch.flag_could_change[i] and enough_known
                else _gaps_by_agency(batch.unknown_groups[i].tolist(), corroboration),
                enough_known=enough_known,
            )
            self.review.append(entry)
            if self.spool is not None:
                result = self.screener.screen(chunk[i].profile, as_of=self.as_of)
                self.spool.add(entry.id, points_card_html(result))

    def summary(self, outputs: dict[str, str]) -> BatchSummary:
        return BatchSummary(
            read=self.read,
            screened=self.screened,
            rejected=self.rejected,
            duplicates=self.duplicates,
            flagged=self.flagged,
            as_of=self.as_of,
            weights=self.screener.weights.stamp,
            review=tuple(sorted(self.review, key=lambda e: e.sort_key)),
            rejected_sample=tuple(self.sample),
            outputs=outputs,
        )


def _run(
    records: Iterable[InputRecord | RejectedRecord],
    run: _Run,
    *,
    chunk_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    chunk: list[InputRecord] = []
    for record in records:
        run.read += 1
        if isinstance(record, RejectedRecord):
            run.reject(record)
        else:
            accepted = run.accept(record)
            if accepted is not None:
                chunk.append(accepted)
                if len(chunk) >= chunk_size:
                    run.screen_chunk(chunk)
                    chunk = []
        if progress is not None and run.read % _PROGRESS_EVERY == 0:
            progress(run.read)
    run.screen_chunk(chunk)
    if progress is not None:
        progress(run.read)


def screen_records(
    records: Iterable[InputRecord | RejectedRecord | Profile | Mapping[str, Any]],
    *,
    as_of: dt.date,
    screener: Screener | None = None,
    results: IO[str] | None = None,
    errors: IO[str] | None = None,
    full: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> BatchSummary:
    """Screen records already read (e.g. from a case system), accounting for each.

    Parameters
    ----------
    records : iterable of InputRecord, RejectedRecord, Profile or mapping
        Records in input order; profiles and mappings are numbered from 1, and a mapping
        is validated as a profile (a bad one is rejected, naming the field). Anything
        else is rejected as not a profile; nothing raises part-way through.
    as_of : datetime.date
        The screening date.
    screener : Screener, optional
        The screener (default weightings when omitted).
    results, errors : text file, optional
        Where to write result lines and rejection lines (JSONL).
    full : bool
        Write full :class:`~efh_screen.ScreeningResult` JSON instead of compact records.
    chunk_size : int
        Records screened together through the vectorised path.

    Returns
    -------
    BatchSummary
        Counts and the sorted review list.
    """
    run = _Run(
        screener=screener or Screener(),
        as_of=check_as_of(as_of),
        results=results,
        errors=errors,
        full=full,
        spool=None,
    )

    def wrap() -> Iterator[InputRecord | RejectedRecord]:
        for number, item in enumerate(records, start=1):
            yield _as_record(item, number)

    _run(wrap(), run, chunk_size=_check_chunk_size(chunk_size), progress=None)
    return run.summary({})


def _as_record(item: object, number: int) -> InputRecord | RejectedRecord:
    """Turn one item of ``screen_records`` into a record (anything unusable is rejected)."""
    if isinstance(item, InputRecord | RejectedRecord):
        return item
    if isinstance(item, Profile):
        return InputRecord(number, item)
    if isinstance(item, Mapping):
        try:
            return InputRecord(number, Profile.model_validate(item))
        except ValidationError as exc:
            problems = tuple(problems_from_validation_error(exc, item))
            return RejectedRecord(number, safe_id(item.get("id")), problems)
    reason = "is not a profile; pass Profile objects, mappings or records from read_jsonl"
    return RejectedRecord(number, None, (FieldProblem("(record)", reason),))


def _check_chunk_size(chunk_size: int) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InputError([FieldProblem("chunk_size", "must be 1 or more; use e.g. 10000")])
    return chunk_size


def _detect_format(path: Path, input_format: str | None) -> InputFormat:
    if input_format is None:
        return "csv" if path.suffix.lower() in (".csv", ".tsv") else "jsonl"
    if input_format not in ("jsonl", "csv"):
        raise InputError([FieldProblem("input_format", "must be 'jsonl' or 'csv'")])
    return "csv" if input_format == "csv" else "jsonl"


def screen_file(
    source: str | os.PathLike[str],
    *,
    as_of: dt.date,
    screener: Screener | None = None,
    mapping: ColumnMapping | None = None,
    input_format: InputFormat | None = None,
    results: str | os.PathLike[str] | None = None,
    errors: str | os.PathLike[str] | None = None,
    review_csv: str | os.PathLike[str] | None = None,
    review_html: str | os.PathLike[str] | None = None,
    full: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: ProgressCallback | None = None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
) -> BatchSummary:
    """Screen a JSONL or CSV caseload file, streaming, and write the outputs atomically.

    Parameters
    ----------
    source : path-like
        The input: JSONL (bare or labelled profile lines) or CSV (the flat
        layout of ``docs/batch.md``, or any export with a ``mapping``).
    as_of : datetime.date
        The screening date (required; nothing reads today's clock).
    screener : Screener, optional
        The screener (default weightings when omitted).
    mapping : ColumnMapping, optional
        How to read a CSV export with its own column names and words.
    input_format : {"jsonl", "csv"}, optional
        Defaults from the file extension (``.csv`` is CSV, anything else JSONL).
    results : path-like, optional
        Results file (JSONL), one line per screened record, in input order.
    errors : path-like, optional
        Errors file (JSONL), one line per problem of each rejected record:
        ``{"line", "id", "field", "reason"}``.
    review_csv, review_html : path-like, optional
        The review list as CSV, and as a self-contained HTML page.
    full : bool
        Write full ScreeningResult JSON per record (slower) instead of compact records.
    chunk_size : int
        Records screened together through the vectorised path.
    progress : callable, optional
        Called as ``progress(records_read, bytes_read, total_bytes)`` now and then.
    previous : mapping of str to mapping, optional
        The last screen's results by id (see :func:`read_results`): each case on the
        review list is marked with its change since then (weightings are not checked
        here; see :func:`compare_screens`).

    Returns
    -------
    BatchSummary
        Counts (``read == screened + rejected``) and the sorted review list.

    Raises
    ------
    InputError
        If the input cannot be used at all (e.g. a CSV without the needed columns).
    OSError
        If a file cannot be opened or written; no output is left half-written.
    """
    as_of = check_as_of(as_of)
    path = Path(source)
    fmt = _detect_format(path, input_format)
    chunk_size = _check_chunk_size(chunk_size)
    total = path.stat().st_size
    if fmt == "jsonl" and mapping is not None:
        raise InputError([FieldProblem("mapping", "only applies to CSV input; drop --mapping")])
    requested = {
        "results": results,
        "errors": errors,
        "review_csv": review_csv,
        "review_html": review_html,
    }
    outputs = {kind: os.fspath(target) for kind, target in requested.items() if target is not None}
    with OutputFiles(inputs=[path]) as files, contextlib.ExitStack() as stack:
        files.check_all(requested)  # refuse clashes before reading anything
        raw = stack.enter_context(open(path, "rb"))
        spool = _open_spool(stack) if review_html is not None else None
        run = _Run(
            screener=screener or Screener(),
            as_of=as_of,
            results=files.open("results", results) if results is not None else None,
            errors=files.open("errors", errors) if errors is not None else None,
            full=full,
            spool=spool,
        )
        if fmt == "csv":
            records = read_csv(stack.enter_context(_text_view(raw)), mapping=mapping)
        else:
            records = read_jsonl(raw)
        _run(records, run, chunk_size=chunk_size, progress=_ticker(progress, raw, total))
        summary = run.summary(outputs)
        if previous is not None:
            summary = mark_review(summary, previous, bands=run.band_keys)
        if review_csv is not None:
            write_review_csv(summary.review, files.open("review_csv", review_csv))
        if review_html is not None and spool is not None:
            stream = files.open("review_html", review_html)
            write_review_html(
                summary.review,
                stream,
                summary=summary,
                cards=spool,
                top_band_rank=len(run.band_keys) - 1,
            )
    return summary


def _open_spool(stack: contextlib.ExitStack) -> _Spool:
    spool = _Spool()
    stack.callback(spool.close)
    return spool


def _ticker(
    progress: ProgressCallback | None, raw: IO[bytes], total: int
) -> Callable[[int], None] | None:
    """Turn a ``progress(read, bytes_read, total_bytes)`` callback into a per-record tick."""
    if progress is None:
        return None
    callback = progress

    def tick(count: int) -> None:
        with contextlib.suppress(OSError, ValueError):
            callback(count, raw.tell(), total)

    return tick


@contextlib.contextmanager
def _text_view(raw: IO[bytes]) -> Iterator[IO[str]]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    try:
        yield text
    finally:
        text.detach()
