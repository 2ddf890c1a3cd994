"""Assembling agency extracts into one profile per child, with every line accounted for.

Each agency's extract is a JSONL file of partial profiles (only what that agency holds)
or a CSV read through a :class:`~efh_screen.ColumnMapping`. Records are linked on the
shared pseudonymous id (see :mod:`efh_screen._pseudonymise`); every account, event and
attendance period is kept, and an account or event with no named agency is credited to
the extract's agency.

Every line of every extract ends in exactly one of three places: **assembled** into a
child's profile; **rejected** (it cannot be read, or repeats an id already in the same
extract), with the extract, line, field and reason; or **set aside** with the rest of
its child's lines, when the extracts disagree on the date of birth (a possible mis-link:
two children sharing an id) or the assembled profile contradicts itself. Nothing is merged
that might belong to two children.

Bounded memory: an external merge sort. The extracts are read once, streaming; each valid
record is written, in its canonical JSON form, to sorted run files on disk of at most
``chunk_bytes`` each; the runs are then merged (``heapq.merge``) so each child's records
arrive together, in id order. Memory holds one chunk while reading and one child's
records while merging, whatever the size of the input. The output is in id order and its
bytes do not depend on the order the extracts are given in: accounts, events and
attendance periods are sorted canonically.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from ._csv import ColumnMapping, read_csv
from ._errors import FieldProblem, InputError
from ._factors import FACTOR_BY_EVENT, Agency
from ._files import OutputFiles
from ._jigsaw import CohortJigsaw, CohortTally, ExtractLines, cohort_html
from ._jsonl import read_jsonl
from ._profile import Profile, problems_from_validation_error
from ._records import InputRecord, RejectedRecord
from ._resolution import ResolutionRule

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "AssemblySummary",
    "Extract",
    "ExtractCount",
    "assemble",
]

DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024
"""Most bytes of records held in memory before a sorted run is written to disk."""

REASON_DUPLICATE_IN_EXTRACT = (
    "duplicate id in this extract; first on line {line}; each child appears once in an "
    "agency's extract — merge the records or remove the later one"
)
REASON_DATE_OF_BIRTH = (
    "the extracts disagree on the date of birth ({extracts}); possible mis-link of two "
    "children: check the linking identifier at source; set aside, not merged"
)
REASON_INCONSISTENT = "set aside: the assembled profile contradicts itself ({field}: {reason})"


@dataclass(frozen=True, slots=True)
class Extract:
    """One agency's extract.

    Parameters
    ----------
    path : path-like
        A JSONL file of partial profiles, or a CSV file (``.csv``, or any file
        when ``mapping`` is given).
    agency : Agency, optional
        The agency whose extract it is; accounts and events with no named agency
        are credited to it. For a CSV, the mapping's ``agency`` is used when this
        is left out. ``None`` for an extract that is already the partnership's
        assembled view.
    mapping : ColumnMapping, optional
        How to read a CSV export.
    """

    path: str | os.PathLike[str]
    agency: Agency | None = None
    mapping: ColumnMapping | None = None

    @property
    def name(self) -> str:
        """The file name, used in the accounting (never a full path)."""
        return Path(self.path).name

    @property
    def is_csv(self) -> bool:
        """Whether it is read as CSV."""
        return self.mapping is not None or Path(self.path).suffix.lower() == ".csv"

    @property
    def credited_agency(self) -> Agency | None:
        """The agency credited with unattributed accounts in this extract."""
        if self.agency is None and self.mapping is not None:
            return self.mapping.agency
        return self.agency


@dataclass(slots=True)
class ExtractCount:
    """Where every line of one extract went: ``lines == assembled + rejected + set_aside``.

    Attributes
    ----------
    name : str
        The extract's file name.
    agency : Agency or None
        The agency credited with it.
    lines : int
        Records read (JSONL lines, or CSV data rows).
    assembled, rejected, set_aside : int
        Lines assembled into a profile, rejected, and set aside with their child.
    """

    name: str
    agency: Agency | None
    lines: int = 0
    assembled: int = 0
    rejected: int = 0
    set_aside: int = 0


@dataclass(frozen=True, slots=True)
class AssemblySummary:
    """What :func:`assemble` did.

    Attributes
    ----------
    extracts : tuple of ExtractCount
        Per extract, where every line went.
    children : int
        Profiles written.
    set_aside : int
        Children set aside as possible mis-links or contradictory profiles.
    cohort : CohortJigsaw or None
        Who knows what across the cohort, when a report was asked for.
    """

    extracts: tuple[ExtractCount, ...]
    children: int
    set_aside: int
    cohort: CohortJigsaw | None = None

    @property
    def lines(self) -> int:
        """Lines read across every extract."""
        return sum(count.lines for count in self.extracts)

    @property
    def accounted_for(self) -> bool:
        """Whether every line was assembled, rejected or set aside (always True)."""
        return all(
            count.lines == count.assembled + count.rejected + count.set_aside
            for count in self.extracts
        )


@dataclass(slots=True)
class _Piece:
    """One valid record of one extract, waiting to be linked."""

    extract: int
    line: int
    data: dict[str, Any]


@dataclass(slots=True)
class _Assembly:
    """The state of one run of :func:`assemble`."""

    extracts: Sequence[Extract]
    counts: list[ExtractCount]
    errors: IO[str] | None
    tally: CohortTally | None
    children: int = 0
    set_aside: int = 0
    pending: list[bytes] = field(default_factory=list)

    def reject(self, extract: int, line: int, record_id: str | None, problem: FieldProblem) -> None:
        self.counts[extract].rejected += 1
        self.account(extract, line, record_id, "rejected", [problem])

    def account(
        self,
        extract: int,
        line: int,
        record_id: str | None,
        outcome: str,
        problems: Sequence[FieldProblem],
    ) -> None:
        if self.errors is None:
            return
        name = self.extracts[extract].name
        for problem in problems:
            item = {
                "extract": name,
                "line": line,
                "id": record_id,
                "outcome": outcome,
                "field": problem.field,
                "reason": problem.reason,
            }
            self.errors.write(json.dumps(item, ensure_ascii=False) + "\n")


class _LineKeeper:
    """A binary file that keeps the last line read, so a valid JSONL line is not re-dumped.

    :func:`read_jsonl` reads a line and then yields its record, so when a record arrives
    ``last`` is the line it was read from. (Writing the validated profile back out instead
    would double the cost of assembling.)
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.last = b""

    def readline(self, limit: int = -1) -> bytes:
        self.last = self.stream.readline(limit)
        return self.last


def _bodies(extract: Extract) -> Iterator[tuple[InputRecord | RejectedRecord, bytes]]:
    """Each record of an extract with the JSON text of a valid one."""
    if extract.is_csv:
        for record in read_csv(extract.path, mapping=extract.mapping):
            body = b""
            if isinstance(record, InputRecord):
                body = record.profile.model_dump_json(exclude_defaults=True).encode()
            yield record, body
        return
    with open(extract.path, "rb") as stream:
        keeper = _LineKeeper(stream)
        for record in read_jsonl(keeper):  # type: ignore[arg-type]
            yield record, keeper.last.strip().removeprefix(_BOM)


# ---------------------------------------------------------------------------------------------
# Phase 1: read every extract once, streaming, into sorted runs on disk.


_BOM = b"\xef\xbb\xbf"


def _key(record_id: str, extract: int, line: int, date_of_birth: str) -> bytes:
    return f"{record_id}\t{extract:05d}\t{line:012d}\t{date_of_birth}\t".encode()


def _write_runs(state: _Assembly, folder: Path, chunk_bytes: int) -> list[Path]:
    """Read the extracts, account for bad lines, and write valid records as sorted runs."""
    runs: list[Path] = []
    chunk: list[bytes] = []
    size = 0
    for index, extract in enumerate(state.extracts):
        count = state.counts[index]
        for record, body in _bodies(extract):
            count.lines += 1
            if isinstance(record, RejectedRecord):
                count.rejected += 1
                state.account(index, record.line, record.id, "rejected", record.problems)
                continue
            profile = record.profile
            prefix = _key(profile.id, index, record.line, profile.date_of_birth.isoformat())
            chunk.append(prefix + body + b"\n")
            size += len(chunk[-1])
            if size >= chunk_bytes:
                runs.append(_write_run(chunk, folder, len(runs)))
                chunk, size = [], 0
    if chunk:
        runs.append(_write_run(chunk, folder, len(runs)))
    return runs


def _write_run(chunk: list[bytes], folder: Path, number: int) -> Path:
    chunk.sort()
    path = folder / f"run-{number:06d}.jsonl"
    with open(path, "wb") as stream:
        stream.writelines(chunk)
    return path


# ---------------------------------------------------------------------------------------------
# Phase 2: merge the runs so each child's records arrive together, and link them.


def _children(runs: list[Path], stack: contextlib.ExitStack) -> Iterator[list[_Piece]]:
    """Yield each child's pieces, in id order, reading the runs in step."""
    streams: list[IO[bytes]] = []
    for path in runs:
        stream = stack.enter_context(open(path, "rb"))  # noqa: SIM115 (the stack closes it)
        streams.append(stream)
    current: bytes | None = None
    pieces: list[_Piece] = []
    for line in heapq.merge(*streams):
        record_id, extract, number, date_of_birth, body = line.split(b"\t", 4)
        if record_id != current:
            if pieces:
                yield pieces
            current, pieces = record_id, []
        data = json.loads(body)
        if "id" not in data:  # a labelled cohort line: {"profile": ..., "outcome": ...}
            data = data["profile"]
        data["date_of_birth"] = date_of_birth.decode()  # as validated, whatever the spelling
        pieces.append(_Piece(int(extract), int(number), data))
    if pieces:
        yield pieces


def _without_duplicates(state: _Assembly, pieces: list[_Piece]) -> list[_Piece]:
    """Reject a second record with the same id in one extract (pieces come in line order)."""
    kept: list[_Piece] = []
    for piece in pieces:
        if kept and kept[-1].extract == piece.extract:
            reason = REASON_DUPLICATE_IN_EXTRACT.format(line=kept[-1].line)
            state.reject(piece.extract, piece.line, piece.data["id"], FieldProblem("id", reason))
        else:
            kept.append(piece)
    return kept


def _set_aside(state: _Assembly, pieces: list[_Piece], problems: list[FieldProblem]) -> None:
    state.set_aside += 1
    for piece in pieces:
        state.counts[piece.extract].set_aside += 1
        state.account(piece.extract, piece.line, piece.data["id"], "set_aside", problems)


def _link(state: _Assembly, pieces: list[_Piece]) -> str | None:
    """Link one child's pieces into one profile (JSON), or set them aside with the reason.

    Each piece is a validated profile, so the merged one is valid unless it holds the one
    contradiction pieces can make together; only then is it validated again.
    """
    dates = {piece.data["date_of_birth"] for piece in pieces}
    if len(dates) > 1:
        names = ", ".join(state.extracts[piece.extract].name for piece in pieces)
        reason = REASON_DATE_OF_BIRTH.format(extracts=names)
        _set_aside(state, pieces, [FieldProblem("date_of_birth", reason)])
        return None
    merged = _merged(pieces, [state.extracts[piece.extract].credited_agency for piece in pieces])
    text = json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
    if _may_contradict(merged):
        try:
            Profile.model_validate_json(text)
        except ValidationError as exc:
            problems = [
                FieldProblem(
                    "(profile)", REASON_INCONSISTENT.format(field=p.field, reason=p.reason)
                )
                for p in problems_from_validation_error(exc)
            ]
            _set_aside(state, pieces, problems)
            return None
    for piece in pieces:
        state.counts[piece.extract].assembled += 1
    return text


# The one check a set of valid pieces can fail together: an agency's 'absent' account of a
# factor while the same agency's events of it are listed (in another extract).
_FACTOR_OF_EVENT = {event.value: factor.key for event, factor in FACTOR_BY_EVENT.items()}


def _may_contradict(merged: dict[str, Any]) -> bool:
    """Whether the merged profile needs validating again (rare: most pieces cannot clash)."""
    events = merged.get("events")
    if not events:
        return False
    absent = {
        (key, account.get("source"))
        for key, accounts in merged.get("factors", {}).items()
        for account in accounts
        if account["status"] == "absent"
    }
    return bool(absent) and any(
        (_FACTOR_OF_EVENT[event["type"]], event.get("source")) in absent for event in events
    )


def _credited(items: Any, agency: str | None) -> list[dict[str, Any]]:
    """Accounts or events, each credited to the extract's agency when it names none."""
    listed: list[dict[str, Any]] = items if items.__class__ is list else [items]
    if agency is not None:
        for item in listed:
            if item.get("source") is None:
                item["source"] = agency  # (each piece's data is its own, parsed for this run)
    return listed


# Sort keys over every field, as text (a valid line may spell a number as "10").
def _account_order(account: dict[str, Any]) -> tuple[str, ...]:
    get = account.get
    return (
        str(get("source") or ""),
        str(get("status")),
        str(get("recorded") or ""),
        str(get("note") or ""),
        str(get("reason") or ""),
    )


def _event_order(event: dict[str, Any]) -> tuple[str, ...]:
    get = event.get
    return (
        str(get("date")),
        str(get("type")),
        str(get("source") or ""),
        repr(get("cross_borough")),
        str(get("note") or ""),
    )


def _period_order(period: dict[str, Any]) -> tuple[str, ...]:
    get = period.get
    return (
        str(get("start")),
        str(get("end")),
        str(get("source") or ""),
        str(get("possible_sessions")),
        str(get("missed_sessions")),
    )


_AGENCY_VALUES = tuple(agency.value for agency in Agency)


def _merged(pieces: list[_Piece], agencies: list[Agency | None]) -> dict[str, Any]:
    """One child's profile from its pieces, in an order that does not depend on the extracts'."""
    factors: dict[str, list[dict[str, Any]]] = {}
    events: list[dict[str, Any]] = []
    attendance: list[dict[str, Any]] = []
    named: set[str] = set()
    audits: list[dict[str, Any]] = []
    for piece, agency in zip(pieces, agencies, strict=True):
        data = piece.data
        credit = agency.value if agency is not None else None
        for key, accounts in data.get("factors", {}).items():
            listed = _credited(accounts, credit)
            if key in factors:
                factors[key] += listed
            else:
                factors[key] = listed
        events += _credited(data.get("events", []), credit)
        attendance += data.get("attendance", [])
        named.update(data.get("agencies", ()))
        if credit is not None:
            named.add(credit)
        if "audit" in data:
            audits.append(data["audit"])
    merged: dict[str, Any] = {"id": pieces[0].data["id"]}
    merged["date_of_birth"] = pieces[0].data["date_of_birth"]
    merged["factors"] = {
        key: accounts if len(accounts) == 1 else sorted(accounts, key=_account_order)
        for key, accounts in sorted(factors.items())
    }
    if events:
        merged["events"] = sorted(events, key=_event_order)
    if attendance:
        merged["attendance"] = sorted(attendance, key=_period_order)
    merged["agencies"] = [value for value in _AGENCY_VALUES if value in named]
    if audits:
        merged["audit"] = _merged_audit(audits)
    return merged


def _merged_audit(audits: list[dict[str, Any]]) -> dict[str, Any]:
    """Audit fields the extracts agree on; a field they disagree on is left out (not recorded)."""
    merged: dict[str, Any] = {}
    for name in ("ethnicity", "sex"):
        values = {audit[name] for audit in audits if audit.get(name) is not None}
        if len(values) == 1:
            merged[name] = values.pop()
    other: dict[str, str] = {}
    clashing: set[str] = set()
    for audit in audits:
        for key, value in audit.get("other", {}).items():
            if other.setdefault(key, value) != value:
                clashing.add(key)
    kept = {key: value for key, value in sorted(other.items()) if key not in clashing}
    if kept:
        merged["other"] = kept
    return merged


# ---------------------------------------------------------------------------------------------
# The entry point.


def assemble(
    extracts: Sequence[Extract],
    *,
    out: str | os.PathLike[str],
    errors: str | os.PathLike[str] | None = None,
    report: str | os.PathLike[str] | None = None,
    resolution: ResolutionRule | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    temporary_folder: str | os.PathLike[str] | None = None,
) -> AssemblySummary:
    """Assemble agency extracts into one profile per child, streaming in bounded memory.

    Parameters
    ----------
    extracts : sequence of Extract
        Each agency's extract (JSONL of partial profiles, or CSV with a mapping).
    out : path-like
        The assembled profiles, JSONL, one per child, in id order.
    errors : path-like, optional
        The accounting of every line not assembled, JSONL: ``{"extract", "line",
        "id", "outcome": "rejected" | "set_aside", "field", "reason"}``, one line
        per problem. Values are never repeated.
    report : path-like, optional
        A self-contained HTML page of the cohort's jigsaw: factors known to one
        agency alone, factors no agency knows, which agency pairs disagree.
    resolution : ResolutionRule, optional
        The rule the report uses to show scored statuses (the default when omitted).
    chunk_bytes : int
        Most bytes of records held in memory before a sorted run goes to disk.
    temporary_folder : path-like, optional
        Where the sorted runs go (default: the system's temporary folder); they are
        removed at the end.

    Returns
    -------
    AssemblySummary
        Where every line of every extract went, and the cohort's jigsaw when a
        report was asked for.

    Raises
    ------
    InputError
        If an extract cannot be read or an output cannot be written. Outputs are
        written all or nothing.
    """
    if not extracts:
        raise InputError([FieldProblem("extracts", "none given; give at least one extract")])
    outputs = {"--out": out, "--errors": errors, "--report": report}
    with OutputFiles(inputs=[extract.path for extract in extracts]) as files:
        for name, target in outputs.items():
            if target is not None:
                files.check(name, target)
        state = _Assembly(
            extracts=extracts,
            counts=[ExtractCount(e.name, e.credited_agency) for e in extracts],
            errors=files.open("--errors", errors) if errors is not None else None,
            tally=CohortTally(resolution or ResolutionRule()) if report is not None else None,
        )
        written = files.open("--out", out, binary=True)
        _run(state, written, chunk_bytes=chunk_bytes, temporary_folder=temporary_folder)
        cohort = state.tally.result() if state.tally is not None else None
        if report is not None and cohort is not None:
            lines = [
                ExtractLines(c.name, c.lines, c.assembled, c.rejected, c.set_aside)
                for c in state.counts
            ]
            files.open("--report", report).write(cohort_html(cohort, lines))
    return AssemblySummary(tuple(state.counts), state.children, state.set_aside, cohort)


def _run(
    state: _Assembly,
    written: IO[bytes],
    *,
    chunk_bytes: int,
    temporary_folder: str | os.PathLike[str] | None,
) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="efh-assemble-", dir=temporary_folder) as folder,
        contextlib.ExitStack() as stack,
    ):
        runs = _write_runs(state, Path(folder), max(chunk_bytes, 1))
        for pieces in _children(runs, stack):
            text = _link(state, _without_duplicates(state, pieces))
            if text is None:
                continue
            written.write(text.encode() + b"\n")
            state.children += 1
            if state.tally is not None:
                state.tally.add(Profile.model_validate_json(text))
