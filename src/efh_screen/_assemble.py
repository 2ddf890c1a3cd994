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

Each file is given once, and no two extracts share a file name: the accounting names an
extract by its file name.

Bounded memory: an external merge sort. The extracts are read once, streaming; each valid
record is kept as read (a CSV row as its profile's JSON), keyed by id, extract and line,
and written to sorted run files on disk of at most ``chunk_bytes`` each; the runs are then
merged (``heapq.merge``) with at most ``MERGE_FAN_IN`` open at once (more are first merged,
a group at a time, into longer runs), so each child's records arrive together, in id
order. A repeat of an id in one extract arrives just after the line it repeats and is
rejected from its key, never parsed. Memory holds one chunk while reading and, while
merging, at most one record per extract for the child at hand, whatever the size of the
input or the number of repeats. The accounting lines are sorted the same way, by extract
name and line. The output, the accounting and the report do not depend on the order the
extracts are given in: accounts, events and attendance periods are sorted canonically,
and extracts are listed by name.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import tempfile
from codecs import BOM_UTF8
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from ._csv import ColumnMapping, read_csv
from ._errors import FieldProblem, InputError
from ._factors import CIN_CODES, FACTOR_BY_EVENT, Agency
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
    "repeated_extracts",
]

DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024
"""Most bytes of records held in memory before a sorted run is written to disk."""

MERGE_FAN_IN = 64
"""Most sorted runs open at once while merging; more are merged in passes, a group at a time."""

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
    """The state of one run of :func:`assemble`.

    ``errors`` sorts the accounting lines by extract name (``ranks`` gives each extract's
    place in name order), line and problem, so they do not depend on the extracts' order.
    """

    extracts: Sequence[Extract]
    counts: list[ExtractCount]
    errors: _SortedLines | None
    tally: CohortTally | None
    ranks: list[int]
    children: int = 0
    set_aside: int = 0

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
        for number, problem in enumerate(problems):
            item = {
                "extract": name,
                "line": line,
                "id": record_id,
                "outcome": outcome,
                "field": problem.field,
                "reason": problem.reason,
            }
            key = f"{self.ranks[extract]:05d}\t{line:012d}\t{number:06d}\t"
            text = key + json.dumps(item, ensure_ascii=False) + "\n"
            self.errors.add(text.encode())


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
            yield record, keeper.last.strip().removeprefix(BOM_UTF8)


# ---------------------------------------------------------------------------------------------
# Sorting in bounded memory: chunks sorted in memory, written as runs, merged in passes.


def _open_all(stack: contextlib.ExitStack, paths: Sequence[Path]) -> list[IO[bytes]]:
    return [stack.enter_context(open(path, "rb")) for path in paths]


class _SortedLines:
    """Lines (each ending in a line feed) given in any order and read back sorted.

    At most ``chunk_bytes`` of lines are held in memory; each full chunk is sorted and
    written to a run file. Reading back merges the runs with at most ``MERGE_FAN_IN`` of
    them open at once: more runs are first merged, a group at a time, into longer runs.
    The lines come back in byte order, however they were split into runs.
    """

    def __init__(self, folder: Path, name: str, chunk_bytes: int) -> None:
        self.folder = folder
        self.name = name
        self.chunk_bytes = chunk_bytes
        self.chunk: list[bytes] = []
        self.size = 0
        self.runs: list[Path] = []
        self.made = 0

    def add(self, line: bytes) -> None:
        self.chunk.append(line)
        self.size += len(line)
        if self.size >= self.chunk_bytes:
            self.chunk.sort()
            self.runs.append(self._run_of(self.chunk))
            self.chunk, self.size = [], 0

    def _run_of(self, lines: Iterable[bytes]) -> Path:
        path = self.folder / f"{self.name}-{self.made:06d}.jsonl"
        self.made += 1
        with open(path, "wb") as stream:
            stream.writelines(lines)
        return path

    def sorted(self) -> Generator[bytes]:
        """Every line added, in order (close the iterator, or read it to the end)."""
        self.chunk.sort()
        if not self.runs:  # it all fitted in memory
            yield from self.chunk
            return
        if self.chunk:
            self.runs.append(self._run_of(self.chunk))
        self.chunk, self.size = [], 0
        runs = self.runs
        while len(runs) > MERGE_FAN_IN:
            runs = [
                self._merged_run(runs[start : start + MERGE_FAN_IN])
                for start in range(0, len(runs), MERGE_FAN_IN)
            ]
        with contextlib.ExitStack() as stack:
            yield from heapq.merge(*_open_all(stack, runs))

    def _merged_run(self, runs: list[Path]) -> Path:
        with contextlib.ExitStack() as stack:
            merged = self._run_of(heapq.merge(*_open_all(stack, runs)))
        for run in runs:
            run.unlink()
        return merged


# ---------------------------------------------------------------------------------------------
# Phase 1: read every extract once, streaming, into sorted runs on disk.


def _key(record_id: str, extract: int, line: int, date_of_birth: str) -> bytes:
    return f"{record_id}\t{extract:05d}\t{line:012d}\t{date_of_birth}\t".encode()


def _read(state: _Assembly, records: _SortedLines) -> None:
    """Read the extracts, account for bad lines, and add valid records, keyed, to the sort."""
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
            records.add(prefix + body + b"\n")


# ---------------------------------------------------------------------------------------------
# Phase 2: merge the runs so each child's records arrive together, and link them.


def _children(state: _Assembly, lines: Iterator[bytes]) -> Iterator[list[_Piece]]:
    """Yield each child's pieces, in id order, at most one per extract.

    Lines come sorted by id, extract and line, so a repeat of an id in one extract follows
    the line it repeats: it is rejected from its key alone, never parsed or kept.
    """
    current: bytes | None = None
    pieces: list[_Piece] = []
    for line in lines:
        record_id, extract_text, number_text, date_of_birth, body = line.split(b"\t", 4)
        extract, number = int(extract_text), int(number_text)
        if record_id != current:
            if pieces:
                yield pieces
            current, pieces = record_id, []
        elif pieces[-1].extract == extract:
            reason = REASON_DUPLICATE_IN_EXTRACT.format(line=pieces[-1].line)
            state.reject(extract, number, record_id.decode(), FieldProblem("id", reason))
            continue
        data = json.loads(body)
        if "id" not in data:  # a labelled cohort line: {"profile": ..., "outcome": ...}
            data = data["profile"]
        data["date_of_birth"] = date_of_birth.decode()  # as validated, whatever the spelling
        pieces.append(_Piece(extract, number, data))
    if pieces:
        yield pieces


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
        names = ", ".join(sorted(state.extracts[piece.extract].name for piece in pieces))
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
    cin_codes: set[str] = set()
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
        cin_codes.update(data.get("cin_codes_not_scored", ()))
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
    if cin_codes:
        merged["cin_codes_not_scored"] = [code for code in CIN_CODES if code in cin_codes]
    return merged


def _merged_audit(audits: list[dict[str, Any]]) -> dict[str, Any]:
    """Audit fields the extracts agree on; a field they disagree on is left out (not recorded)."""
    merged: dict[str, Any] = {}
    for name in ("ethnicity", "sex", "disability"):
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
# The arguments: plain errors for the wrong kind of argument, and each extract once.


REASON_SAME_FILE = (
    "is the same file ({name}) as {first}; give each extract once (given twice, every line "
    "would be counted twice)"
)
REASON_SAME_NAME = (
    "has the same file name ({name}) as {first}, so the accounting could not tell their lines "
    "apart; rename one of the files"
)
REASON_NOT_A_PATH = "must be a path (a str or a pathlib.Path)"
REASON_OR_SYSTEM_FOLDER = "or leave it out to use the system's temporary folder"


def _is_path(value: object) -> bool:
    return isinstance(value, str | os.PathLike)


def _file_identity(path: str | os.PathLike[str]) -> tuple[int, int] | str:
    """Identify a file by device and inode, or by its real path when it cannot be looked at."""
    try:
        status = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (status.st_dev, status.st_ino)


def repeated_extracts(extracts: Sequence[Extract], *, labels: Sequence[str]) -> list[FieldProblem]:
    """Find an extract given twice, or two extracts with one file name.

    Parameters
    ----------
    extracts : sequence of Extract
        The extracts, in the order given.
    labels : sequence of str
        How to name each extract in a problem (e.g. ``"extracts[1]"``).

    Returns
    -------
    list of FieldProblem
        One problem for each later extract that is the same file as an earlier one, or
        has the same file name (the accounting names extracts by file name); empty when
        every extract is its own file with its own name.
    """
    problems: list[FieldProblem] = []
    files: dict[tuple[int, int] | str, int] = {}
    names: dict[str, int] = {}
    for index, extract in enumerate(extracts):
        first = files.setdefault(_file_identity(extract.path), index)
        reason = REASON_SAME_FILE
        if first == index:
            first = names.setdefault(extract.name, index)
            reason = REASON_SAME_NAME
        if first != index:
            text = reason.format(first=labels[first], name=extract.name)
            problems.append(FieldProblem(labels[index], text))
    return problems


def _extract_problems(index: int, extract: object) -> list[FieldProblem]:
    where = f"extracts[{index}]"
    if not isinstance(extract, Extract):
        kind = type(extract).__name__
        reason = f"is a {kind}, not an Extract; give Extract(path, agency) for each extract"
        return [FieldProblem(where, reason)]
    problems: list[FieldProblem] = []
    if not _is_path(extract.path):
        problems.append(FieldProblem(f"{where}.path", REASON_NOT_A_PATH + " to the extract"))
    elif os.path.isdir(extract.path) or not os.path.exists(extract.path):
        fault = "is a folder" if os.path.isdir(extract.path) else "does not exist"
        reason = f"{fault}; give the path of the agency's extract file"
        problems.append(FieldProblem(f"{where}.path", reason))
    if extract.agency is not None and not isinstance(extract.agency, Agency):
        kind = type(extract.agency).__name__
        reason = f"is a {kind}, not an Agency; give e.g. Agency.GP or Agency('gp'), or None"
        problems.append(FieldProblem(f"{where}.agency", reason))
    if extract.mapping is not None and not isinstance(extract.mapping, ColumnMapping):
        kind = type(extract.mapping).__name__
        reason = f"is a {kind}, not a ColumnMapping; read one with ColumnMapping.load(path)"
        problems.append(FieldProblem(f"{where}.mapping", reason))
    return problems


def _argument_problems(
    extracts: object,
    outputs: Mapping[str, object],
    chunk_bytes: object,
    temporary_folder: object,
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not isinstance(extracts, Sequence) or isinstance(extracts, str | bytes):
        reason = "must be a list of Extract, e.g. [Extract('gp.jsonl', Agency.GP)]"
        problems.append(FieldProblem("extracts", reason))
    elif not extracts:
        problems.append(FieldProblem("extracts", "none given; give at least one extract"))
    else:
        for index, extract in enumerate(extracts):
            problems += _extract_problems(index, extract)
    for name, target in outputs.items():
        if (target is not None or name == "out") and not _is_path(target):
            problems.append(FieldProblem(name, REASON_NOT_A_PATH))
    if isinstance(chunk_bytes, bool) or not isinstance(chunk_bytes, int):
        reason = "must be a whole number of bytes, e.g. 32 * 1024 * 1024"
        problems.append(FieldProblem("chunk_bytes", reason))
    if temporary_folder is not None:
        problems += _folder_problems(temporary_folder)
    return problems


def _folder_problems(folder: object) -> list[FieldProblem]:
    if not isinstance(folder, str | os.PathLike):
        return [FieldProblem("temporary_folder", f"{REASON_NOT_A_PATH}, {REASON_OR_SYSTEM_FOLDER}")]
    if os.path.isdir(folder):
        return []
    fault = "is not a folder" if os.path.exists(folder) else "does not exist"
    reason = f"{fault}; give a folder that exists, {REASON_OR_SYSTEM_FOLDER}"
    return [FieldProblem("temporary_folder", reason)]


@contextlib.contextmanager
def _working_folder(parent: str | os.PathLike[str] | None) -> Iterator[Path]:
    """Make a temporary folder for the sorted runs; it is removed at the end."""
    try:
        holder = tempfile.TemporaryDirectory(prefix="efh-assemble-", dir=parent)
    except OSError as exc:
        why = exc.strerror or exc
        reason = f"cannot hold the sorted runs ({why}); give a folder you may write in, "
        reason += REASON_OR_SYSTEM_FOLDER
        raise InputError([FieldProblem("temporary_folder", reason)]) from None
    with holder as folder:
        yield Path(folder)


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
        Each agency's extract (JSONL of partial profiles, or CSV with a mapping). Each
        file is given once, and no two share a file name (the accounting names them by it).
    out : path-like
        The assembled profiles, JSONL, one per child, in id order.
    errors : path-like, optional
        The accounting of every line not assembled, JSONL: ``{"extract", "line",
        "id", "outcome": "rejected" | "set_aside", "field", "reason"}``, one line
        per problem, in order of extract name, then line. Values are never repeated.
    report : path-like, optional
        A self-contained HTML page of the cohort's jigsaw: factors known to one
        agency alone, factors no agency knows, which agency pairs disagree.
    resolution : ResolutionRule, optional
        The rule the report uses to show scored statuses (the default when omitted).
    chunk_bytes : int
        Most bytes of records (and, apart, of error lines) held in memory before a
        sorted run goes to disk.
    temporary_folder : path-like, optional
        An existing folder where the sorted runs go (default: the system's temporary
        folder); they are removed at the end.

    Returns
    -------
    AssemblySummary
        Where every line of every extract went, and the cohort's jigsaw when a
        report was asked for.

    Raises
    ------
    InputError
        If an argument is of the wrong kind, an extract is given twice or shares
        another's file name, the temporary folder cannot be used, an extract cannot
        be read or an output cannot be written. Outputs are written all or nothing.
    """
    outputs = {"out": out, "errors": errors, "report": report}
    problems = _argument_problems(extracts, outputs, chunk_bytes, temporary_folder)
    if not problems:
        labels = [f"extracts[{index}]" for index in range(len(extracts))]
        problems = repeated_extracts(extracts, labels=labels)
    if problems:
        raise InputError(problems)
    chunk_bytes = max(chunk_bytes, 1)
    with (
        OutputFiles(inputs=[extract.path for extract in extracts]) as files,
        _working_folder(temporary_folder) as folder,
    ):
        files.check_all({f"--{name}": target for name, target in outputs.items()})
        names = sorted(extract.name for extract in extracts)  # each its own (checked above)
        state = _Assembly(
            extracts=extracts,
            counts=[ExtractCount(e.name, e.credited_agency) for e in extracts],
            errors=_SortedLines(folder, "errors", chunk_bytes) if errors is not None else None,
            tally=CohortTally(resolution or ResolutionRule()) if report is not None else None,
            ranks=[names.index(extract.name) for extract in extracts],
        )
        _run(state, files.open("--out", out, binary=True), folder=folder, chunk_bytes=chunk_bytes)
        if errors is not None and state.errors is not None:
            _write_errors(state.errors, files.open("--errors", errors))
        cohort = state.tally.result() if state.tally is not None else None
        if report is not None and cohort is not None:
            lines = [
                ExtractLines(c.name, c.lines, c.assembled, c.rejected, c.set_aside)
                for c in sorted(state.counts, key=lambda count: count.name)
            ]
            files.open("--report", report).write(cohort_html(cohort, lines))
    return AssemblySummary(tuple(state.counts), state.children, state.set_aside, cohort)


def _run(state: _Assembly, written: IO[bytes], *, folder: Path, chunk_bytes: int) -> None:
    records = _SortedLines(folder, "records", chunk_bytes)
    _read(state, records)
    with contextlib.closing(records.sorted()) as lines:
        for pieces in _children(state, lines):
            text = _link(state, pieces)
            if text is None:
                continue
            written.write(text.encode() + b"\n")
            state.children += 1
            if state.tally is not None:
                state.tally.add(Profile.model_validate_json(text))


def _write_errors(errors: _SortedLines, written: IO[str]) -> None:
    """Write the accounting lines in order, without their sort keys."""
    with contextlib.closing(errors.sorted()) as lines:
        for line in lines:
            written.write(line.split(b"\t", 3)[3].decode())
