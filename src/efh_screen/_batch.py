"""Screening a whole caseload file in bounded memory, accounting for every record.

:func:`screen_file` reads a JSONL or CSV file record by record, validates each
one, checks it is plausible as of the screening date, screens valid records in
chunks through the vectorised path (the feature matrix of
:meth:`Screener.feature_matrix`, without repeating the per-record date check,
and :meth:`Screener.score_matrix`) and writes the outputs below. With msgspec
installed, JSONL is read in blocks and screened column-wise instead, with no
Profile per valid line (``_jsonl_blocks``); every output is the same, byte for
byte. It writes:

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
import dataclasses
import datetime as dt
import io
import itertools
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import ValidationError

from ._chunks import (
    IMPOSSIBLE,
    UNREADABLE,
    Outcome,
    RecordScreener,
    ScreenSettings,
    screen_chunk,
)
from ._compare import mark_review
from ._csv import ColumnMapping, CsvBlockReader, CsvBlocks, read_csv
from ._errors import FieldProblem, InputError
from ._files import OutputFiles
from ._jsonl import jsonl_lines, parse_jsonl_line, read_jsonl, write_rejected_jsonl
from ._pool import WorkerPool, usable_cores
from ._profile import Profile, check_as_of, date_problems, problems_from_validation_error
from ._records import REASON_DUPLICATE, InputRecord, RejectedRecord, safe_id
from ._review import BatchSummary, CardSpool, ReviewEntry, write_review_csv, write_review_html
from ._scoring import Screener
from ._weights import Weights

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MAX_JOBS",
    "ProgressCallback",
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


# ---------------------------------------------------------------------------------------------
# Screening in worker processes (``jobs`` > 1).
#
# The calling process reads raw lines (JSONL) or physical CSV lines in blocks of whole
# records and hands each block, as plain data, to a worker process. The worker validates,
# checks dates and screens the block, and hands back one outcome per record, in input order
# (``_chunks``). The calling process checks duplicates as it takes the outcomes in input
# order (``_Run.take``).

_Block = tuple[int, list[Any]]
"""A block of records: the number of its first line, and its raw lines (bytes or ``None``
for JSONL, physical lines for CSV; see :data:`~efh_screen._csv.CsvBlock`)."""

_BLOCK_CHUNKS = 32
_MOST_BLOCK_RECORDS = 4096
MAX_JOBS = 64
"""Most worker processes ``screen_file`` starts (a bound against a mistyped number: each
worker is a Python process of about 80 MB, and the one process that reads the input and
writes the outputs keeps only so many busy; see ``docs/batch.md``)."""


def _block_records(chunk_size: int) -> int:
    """Return the records a block holds: 32 chunks, at most 4,096 records, at least one chunk."""
    return max(chunk_size, min(_BLOCK_CHUNKS * chunk_size, _MOST_BLOCK_RECORDS))


def _field_problems(problems: Iterable[Sequence[str]]) -> tuple[FieldProblem, ...]:
    return tuple(FieldProblem(field, reason) for field, reason in problems)


@dataclasses.dataclass(frozen=True)
class _WorkerSettings:
    """Everything a worker needs, sent as one JSON text (the weightings as their JSON)."""

    weights: str
    weights_sha256: str
    as_of: str
    chunk_size: int
    results: bool
    full: bool
    cards: bool
    input_format: InputFormat
    csv_header: list[str] | None = None
    csv_mapping: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> _WorkerSettings:
        return cls(**json.loads(text))


class _BlockScreener:
    """A worker's handler: validate, check and screen one block; one outcome per record.

    JSONL blocks are screened column-wise where that path is available
    (:func:`~efh_screen._jsonl_blocks.column_wise_screener`), record by record otherwise.
    """

    def __init__(self, settings: _WorkerSettings) -> None:
        weights = Weights.from_json(settings.weights)
        if weights.sha256 != settings.weights_sha256:
            raise RuntimeError("the weightings changed on their way to a worker")
        screener = Screener(weights)
        screen_settings = ScreenSettings(
            as_of=dt.date.fromisoformat(settings.as_of),
            chunk_size=settings.chunk_size,
            results=settings.results,
            full=settings.full,
            cards=settings.cards,
        )
        records = RecordScreener(screener, screen_settings)
        self.screen: Callable[[_Block], list[Outcome]]
        if settings.input_format == "csv":
            mapping = ColumnMapping.model_validate_json(settings.csv_mapping or "{}")
            read = CsvBlockReader(settings.csv_header or [], mapping).read
            self.screen = lambda block: records(read(block))
        else:
            # The tables engine is loaded on first use: import efh_screen stays light.
            from ._jsonl_blocks import column_wise_screener

            column_wise = column_wise_screener(screener, screen_settings)
            if column_wise is not None:
                self.screen = column_wise
            else:
                self.screen = lambda block: records(_jsonl_block_records(block))

    def __call__(self, block: _Block) -> list[Outcome]:
        return self.screen(block)


def _jsonl_block_records(block: _Block) -> Iterator[InputRecord | RejectedRecord]:
    first, lines = block
    for offset, raw in enumerate(lines):
        yield parse_jsonl_line(raw, first + offset)


def _block_screener(settings: str) -> Callable[[_Block], list[Outcome]]:
    """Set up a worker (run in the worker process): the handler for its blocks."""
    return _BlockScreener(_WorkerSettings.from_json(settings))


def _jsonl_blocks(raw: IO[bytes], records: int) -> Iterator[tuple[_Block, int]]:
    """Cut a JSONL stream into blocks of raw lines; each with the bytes read so far."""
    lines: list[bytes | None] = []
    first = 1
    for line, number in jsonl_lines(raw):
        if not lines:
            first = number
        lines.append(line)
        if len(lines) >= records:
            yield (first, lines), raw.tell()
            lines = []
    if lines:
        yield (first, lines), raw.tell()


def _run_blocks(
    blocks: Iterator[tuple[_Block, int]],
    run: _Run,
    settings: _WorkerSettings,
    *,
    jobs: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Screen the blocks in up to ``jobs`` worker processes; take the outcomes in order.

    ``blocks`` gives each block with the bytes read once it was cut, for ``progress``. With
    one job (JSONL screened column-wise), or a source of one block, the blocks are screened
    here, in this process, by the same handler: starting a process would cost more than
    the block.
    """
    positions: deque[int] = deque()

    def tasks() -> Iterator[_Block]:
        for block, position in blocks:
            positions.append(position)
            yield block

    source = tasks()
    first = list(itertools.islice(source, 2))
    if jobs == 1 or len(first) < 2:
        screen_here = _block_screener(settings.to_json())
        _take_blocks(map(screen_here, itertools.chain(first, source)), run, positions, progress)
    else:
        with WorkerPool(_block_screener, settings.to_json(), processes=jobs) as pool:
            done = pool.map(itertools.chain(first, source))
            _take_blocks(done, run, positions, progress)


def _take_blocks(
    done: Iterable[list[Outcome]],
    run: _Run,
    positions: deque[int],
    progress: Callable[[int, int], None] | None,
) -> None:
    """Account for each block's outcomes in input order and write the kept result lines."""
    position = 0
    for outcomes in done:
        position = positions.popleft()
        kept = []
        for outcome in outcomes:
            run.read += 1
            line = run.take(outcome)
            if line is not None:
                kept.append(line)
            if progress is not None and run.read % _PROGRESS_EVERY == 0:
                progress(run.read, position)
        if kept and run.results is not None:
            run.results.write("\n".join(kept) + "\n")
    if progress is not None:
        progress(run.read, position)


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
        spool: CardSpool | None,
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
            self._reject_duplicate(record.line, profile.id, first)
            return None
        problems = date_problems(profile, self.as_of)
        if problems:
            # A rejected record does not use up its id: a later valid one is screened.
            self.reject(RejectedRecord(record.line, profile.id, tuple(problems)))
            return None
        self.seen[profile.id] = record.line
        return record

    def _reject_duplicate(self, line: int, rid: str, first: int) -> None:
        self.duplicates += 1
        reason = REASON_DUPLICATE.format(line=first)
        self.reject(RejectedRecord(line, rid, (FieldProblem("id", reason),)))

    def screen_chunk(self, chunk: Sequence[InputRecord]) -> None:
        if not chunk:
            return
        done = screen_chunk(
            self.screener,
            chunk,
            as_of=self.as_of,
            results=self.results is not None,
            full=self.full,
            cards=self.spool is not None,
        )
        self.screened += len(chunk)
        self.flagged += sum(done.flags)
        if self.results is not None:
            self.results.write("\n".join(done.lines) + "\n")
        for _, entry, card in done.review:
            self.review.append(entry)
            if self.spool is not None and card is not None:
                self.spool.add(entry.id, card)

    def take(self, outcome: Outcome) -> str | None:
        """Account for one record a worker read and screened; return its result line if kept.

        The worker could not know which ids came earlier in other blocks, so the duplicate
        check happens here, in input order, exactly as :meth:`accept` does it.
        """
        kind, line, rid = outcome[0], outcome[1], outcome[2]
        if kind == UNREADABLE:
            self.reject(RejectedRecord(line, rid, _field_problems(outcome[3])))
            return None
        first = self.seen.get(rid) if rid is not None else None
        if first is not None:
            self._reject_duplicate(line, rid, first)
            return None
        if kind == IMPOSSIBLE:
            self.reject(RejectedRecord(line, rid, _field_problems(outcome[3])))
            return None
        _, _, _, flag, result_line, review, card = outcome
        result: str | None = result_line
        self.seen[rid] = line
        self.screened += 1
        self.flagged += flag
        if review is not None:
            entry = ReviewEntry(*review)
            self.review.append(entry)
            if self.spool is not None and card is not None:
                self.spool.add(entry.id, card)
        return result

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
    jobs: int = 1,
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
    jobs : int
        Worker processes that screen blocks of the input (default 1: screen here, in
        this process); 0 means one per usable core, at most 64. Every
        output, the summary and the progress counts are the same whatever the number
        (``docs/batch.md``, "Several processes"). With more than one, call this under
        ``if __name__ == "__main__":`` in a script, as :mod:`multiprocessing` requires.

    Returns
    -------
    BatchSummary
        Counts (``read == screened + rejected``) and the sorted review list.

    Raises
    ------
    InputError
        If the input cannot be used at all (e.g. a CSV without the needed columns), or
        ``jobs`` is not a usable number.
    OSError
        If a file cannot be opened or written; no output is left half-written.
    RuntimeError
        If a worker process fails or is stopped from outside (no output is written); the
        message says which and names no input.
    """
    as_of = check_as_of(as_of)
    path = Path(source)
    fmt = _detect_format(path, input_format)
    chunk_size = _check_chunk_size(chunk_size)
    jobs = _check_jobs(jobs)
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
        reader = _Source(raw, stack, input_format=fmt, mapping=mapping, total=total)
        if jobs == 1 and not (fmt == "jsonl" and _column_wise(full=full)):
            _run(reader.records(), run, chunk_size=chunk_size, progress=reader.ticker(progress))
        else:
            blocks = reader.blocks(_block_records(chunk_size))
            settings = _worker_settings(run, reader, chunk_size=chunk_size)
            progress_by_block = reader.block_ticker(progress)
            _run_blocks(blocks, run, settings, jobs=jobs, progress=progress_by_block)
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


def _open_spool(stack: contextlib.ExitStack) -> CardSpool:
    spool = CardSpool()
    stack.callback(spool.close)
    return spool


class _Source:
    """The input file, read record by record (one job) or cut into blocks (several)."""

    def __init__(
        self,
        raw: IO[bytes],
        stack: contextlib.ExitStack,
        *,
        input_format: InputFormat,
        mapping: ColumnMapping | None,
        total: int,
    ) -> None:
        self.raw = raw
        self.input_format = input_format
        self.total = total
        self._text = stack.enter_context(_text_view(raw)) if input_format == "csv" else None
        self._mapping = mapping
        self.csv: CsvBlocks | None = None

    def records(self) -> Iterator[InputRecord | RejectedRecord]:
        if self._text is not None:
            return read_csv(self._text, mapping=self._mapping)
        return read_jsonl(self.raw)

    def blocks(self, records: int) -> Iterator[tuple[_Block, int]]:
        """Blocks of about ``records`` records, each with the bytes read once it was cut.

        For CSV, the header is read (and checked) here, before any block.
        """
        if self._text is None:
            return _jsonl_blocks(self.raw, records)
        self.csv = CsvBlocks(self._text, self._mapping)
        return ((block, self.raw.tell()) for block in self.csv.blocks(records))

    def ticker(self, progress: ProgressCallback | None) -> Callable[[int], None] | None:
        """Turn ``progress(read, bytes_read, total_bytes)`` into a per-record tick."""
        if progress is None:
            return None
        callback, raw, total = progress, self.raw, self.total

        def tick(count: int) -> None:
            with contextlib.suppress(OSError, ValueError):
                callback(count, raw.tell(), total)

        return tick

    def block_ticker(self, progress: ProgressCallback | None) -> Callable[[int, int], None] | None:
        """As :meth:`ticker`, told the bytes read up to the end of the block being taken."""
        if progress is None:
            return None
        callback, total = progress, self.total

        def tick(count: int, position: int) -> None:
            with contextlib.suppress(OSError, ValueError):
                callback(count, position, total)

        return tick


def _worker_settings(run: _Run, source: _Source, *, chunk_size: int) -> _WorkerSettings:
    """Return what each worker needs to screen as this run does (after ``source.blocks``)."""
    weights = run.screener.weights
    csv_source = source.csv
    return _WorkerSettings(
        weights=weights.canonical_json,
        weights_sha256=weights.sha256,
        as_of=run.as_of.isoformat(),
        chunk_size=chunk_size,
        results=run.results is not None,
        full=run.full,
        cards=run.spool is not None,
        input_format=source.input_format,
        csv_header=csv_source.header if csv_source is not None else None,
        csv_mapping=csv_source.mapping.model_dump_json() if csv_source is not None else None,
    )


def _column_wise(*, full: bool) -> bool:
    """Whether JSONL is screened column-wise here (``_jsonl_blocks``), in blocks."""
    from ._jsonl_blocks import column_wise_available  # loaded on first use, as above

    return column_wise_available(full=full)


def _check_jobs(jobs: int) -> int:
    """Check ``jobs``; return the number of worker processes it means (1: none)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 0 <= jobs <= MAX_JOBS:
        reason = (
            f"must be a whole number of processes from 1 to {MAX_JOBS}, or 0 for one per "
            "usable core; 1 screens in this process"
        )
        raise InputError([FieldProblem("jobs", reason)])
    return min(usable_cores(), MAX_JOBS) if jobs == 0 else jobs


@contextlib.contextmanager
def _text_view(raw: IO[bytes]) -> Iterator[IO[str]]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    try:
        yield text
    finally:
        text.detach()
