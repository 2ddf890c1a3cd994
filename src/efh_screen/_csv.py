"""CSV caseloads: the flat layout, column mappings for case-system exports, and a writer.

The flat layout (one row per young person; see ``docs/batch.md``):

``id``, ``date_of_birth``
    Pseudonymous id and date of birth.
``<factor>``, ``<factor>_source``, ``<factor>_recorded``
    Status of any catalogue factor (``present`` / ``absent`` / ``unknown``;
    blank = not recorded, i.e. unknown), the agency that recorded it, and when.
``<event_type>_dates``, ``<event_type>_sources``
    ``;``-separated dates of each event of that type (blank = not known; the
    word ``none`` = known to be none, which records an events-evidenced factor
    as absent), and the agency of each, aligned (blank item = not recorded).
``home_move_cross_borough``
    ``;``-separated ``yes`` / ``no`` / blank, aligned with ``home_move_dates``.
``<event_type>_weapons``
    For ``violence_victim``, ``weapon_incident`` and ``emergency_department_assault``:
    ``;``-separated ``knife`` / ``gun`` / ``other`` / ``none`` / blank (not recorded),
    aligned with the dates.
``<event_type>_serious_injury``
    For ``violence_victim`` and ``weapon_incident``: ``;``-separated ``yes`` / ``no`` /
    blank (not recorded), aligned with the dates.
``attendance_start``, ``attendance_end``, ``attendance_source``,
``attendance_possible_sessions``, ``attendance_missed_sessions``
    One item per attendance period, ``;``-separated and aligned.
``agencies``
    ``;``-separated agencies that contributed.
``ethnicity``, ``sex``, ``disability``
    Audit-only demographics (never scored; ``disability`` is ``yes`` or ``no``).
``cin_codes``
    ``;``-separated Children in Need census factor codes: each code that records a
    catalogue factor records it (present); the others are kept as recorded, not scored.

Notes and ``audit.other`` are not part of the layout. A
:class:`ColumnMapping` lets an export with its own column names, status words,
date format and a Children in Need census factor-code column be read as is.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._errors import FieldProblem, InputError, location_to_path
from ._factors import CIN_CODES, FACTOR_BY_EVENT, FACTORS, Agency, CinCode, EventType, Weapon
from ._files import FORMULA_TRIGGERS, SafeCsvWriter, read_bounded
from ._profile import (
    INJURY_EVENT_TYPES,
    WEAPON_EVENT_TYPES,
    Disability,
    Ethnicity,
    Event,
    Profile,
    Sex,
    Status,
    problems_from_validation_error,
)
from ._records import REASON_EMPTY_ROW, InputRecord, RejectedRecord, safe_id

__all__ = [
    "FLAT_COLUMNS",
    "ColumnMapping",
    "CsvBlock",
    "CsvBlockReader",
    "CsvBlocks",
    "read_cells",
    "read_csv",
    "write_csv",
]

_ATTENDANCE_FIELDS = ("start", "end", "possible_sessions", "missed_sessions", "source")
_CIN_COLUMN = "cin_codes"

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


class _DetailColumn(NamedTuple):
    """A column of one event detail, its items aligned with the event type's dates."""

    column: str
    """The flat-layout column."""
    field: str
    """The :class:`Event` field it fills."""
    words: dict[str, bool | str]
    """Accepted items (matched ignoring case) and the value each records; blank = not recorded."""
    reason: str
    """What is wrong with an item that is not one of the words."""


_YES_NO: dict[str, bool | str] = {**dict.fromkeys(_YES, True), **dict.fromkeys(_NO, False)}
_YES_NO_REASON = "items must be yes, no or blank"
_WEAPON_WORDS: dict[str, bool | str] = {weapon.value: weapon.value for weapon in Weapon}


def _detail_columns(event_type: EventType) -> tuple[_DetailColumn, ...]:
    """Return the detail columns of an event type, in layout order."""
    details: list[_DetailColumn] = []
    if event_type is EventType.HOME_MOVE:
        details.append(
            _DetailColumn(
                "home_move_cross_borough",
                "cross_borough",
                _YES_NO,
                _YES_NO_REASON,
            )
        )
    if event_type in WEAPON_EVENT_TYPES:
        details.append(
            _DetailColumn(
                f"{event_type.value}_weapons",
                "weapon",
                _WEAPON_WORDS,
                "items must be " + ", ".join(_WEAPON_WORDS) + " or blank",
            )
        )
    if event_type in INJURY_EVENT_TYPES:
        details.append(
            _DetailColumn(
                f"{event_type.value}_serious_injury",
                "serious_injury",
                _YES_NO,
                _YES_NO_REASON,
            )
        )
    return tuple(details)


_DETAIL_COLUMNS: dict[EventType, tuple[_DetailColumn, ...]] = {
    event_type: _detail_columns(event_type) for event_type in EventType
}


def _flat_columns() -> tuple[str, ...]:
    cols = ["id", "date_of_birth", "agencies", "ethnicity", "sex", "disability"]
    for key in FACTORS:
        cols += [key, f"{key}_source", f"{key}_recorded"]
    for etype in EventType:
        cols += [f"{etype.value}_dates", f"{etype.value}_sources"]
        cols += [detail.column for detail in _DETAIL_COLUMNS[etype]]
    cols += [f"attendance_{f}" for f in _ATTENDANCE_FIELDS]
    cols.append(_CIN_COLUMN)
    return tuple(cols)


FLAT_COLUMNS: tuple[str, ...] = _flat_columns()
"""Every column of the flat layout, in the order :func:`write_csv` writes them."""

_FLAT_SET = frozenset(FLAT_COLUMNS)
_DEFAULT_WORDS: dict[str, Status] = {
    "present": Status.PRESENT,
    "absent": Status.ABSENT,
    "unknown": Status.UNKNOWN,
    "": Status.UNKNOWN,
}


class ColumnMapping(BaseModel):
    """How to read a case-system CSV export without editing it.

    Parameters
    ----------
    columns : dict of str to str
        Export column name → flat-layout column name (e.g. ``{"Child ID": "id",
        "DA": "domestic_abuse"}``). Columns not listed keep their own name if it
        is a flat-layout name.
    status_words : dict of str to Status
        Words that mean present / absent / unknown in every status column, on
        top of ``present``, ``absent``, ``unknown`` and blank (= unknown).
        Matched ignoring case and surrounding spaces.
    column_status_words : dict of str to dict of str to Status
        Words for one export column only (override ``status_words``).
    date_format : str
        ``strptime`` format of every date cell, e.g. ``"%d/%m/%Y"``.
    list_separator : str
        Separator inside list cells (dates, agencies, attendance periods).
    none_word : str
        The word in an event-dates cell meaning "known: none".
    cin_codes_column : str, optional
        Export column holding Children in Need census factor codes (e.g. ``3B;10A``),
        read as the flat layout's ``cin_codes`` column: each code that records a catalogue
        factor records it present, the others are kept as recorded, not scored; a code the
        census does not define rejects the row.
    cin_codes_separator : str
        Separator between codes.
    sources : dict of str to Agency
        Default source agency per export column, used when the row gives none.
    agency : Agency, optional
        The agency whose export this is: when assembling extracts, accounts and
        events with no named agency are credited to it.
    ignore_unmapped : bool
        Ignore export columns that are neither mapped nor flat-layout names
        (default True: exports carry many other columns). When False they make
        the file unusable, so a typo in the mapping is caught.
    multiline_cells : bool
        Allow a quoted cell to hold line breaks, spanning up to 20 physical lines
        (default False: one row is one physical line, so a stray quote can never
        swallow the rows after it). A quoted cell still open after 20 lines or at the
        end of the file, or a multi-line row with the wrong number of cells, rejects
        the row's first line and reading resumes at the next line.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[str, str] = Field(default_factory=dict)
    status_words: dict[str, Status] = Field(default_factory=dict)
    column_status_words: dict[str, dict[str, Status]] = Field(default_factory=dict)
    date_format: str = "%Y-%m-%d"
    list_separator: str = Field(";", min_length=1, max_length=3)
    none_word: str = "none"
    cin_codes_column: str | None = None
    cin_codes_separator: str = Field(";", min_length=1, max_length=3)
    sources: dict[str, Agency] = Field(default_factory=dict)
    agency: Agency | None = None
    ignore_unmapped: bool = True
    multiline_cells: bool = False

    @field_validator("columns")
    @classmethod
    def _targets_exist(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted({t for t in value.values() if t not in _FLAT_SET})
        if bad:
            raise ValueError(
                f"maps to columns that are not in the flat layout: {', '.join(bad)}; "
                "see docs/batch.md for the column names"
            )
        return value

    @field_validator("date_format")
    @classmethod
    def _format_works(cls, value: str) -> str:
        try:
            text = dt.date(2001, 2, 3).strftime(value)
            parsed = dt.datetime.strptime(text, value).date()
        except (ValueError, re.error):  # re.error: a directive repeated, e.g. %d/%m/%Y%d
            raise ValueError("is not a usable strptime date format, e.g. %d/%m/%Y") from None
        if parsed != dt.date(2001, 2, 3):
            raise ValueError("must give the day, month and year, e.g. %d/%m/%Y") from None
        return value

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ColumnMapping:
        """Load and validate a JSON mapping file.

        Raises
        ------
        InputError
            With one problem per bad field, saying how to fix it.
        """
        return cls.from_json(read_bounded(path, field="mapping"))

    @classmethod
    def from_json(cls, text: str | bytes) -> ColumnMapping:
        """Validate a mapping from JSON text (raises :class:`InputError`)."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            problems = []
            for err in exc.errors(include_url=False, include_input=False):
                path = "mapping." + location_to_path(err.get("loc", ()))
                kind = err.get("type", "")
                if kind == "extra_forbidden":
                    reason = "is not a mapping option; see docs/batch.md for the options"
                elif kind == "json_invalid":
                    path, reason = "mapping", "is not valid JSON; check quotes and commas"
                else:
                    reason = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
                    reason = reason.rstrip(".")
                    if "docs/batch.md" not in reason:
                        reason += "; see docs/batch.md"
                problems.append(FieldProblem(path, reason))
            raise InputError(problems) from None


# ---------------------------------------------------------------------------------------------
# Reading.


class _Layout:
    """The header resolved against the flat layout and the mapping.

    Raises :class:`InputError` listing every problem with the header at once.
    """

    def __init__(self, header: list[str], mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.width = len(header)
        self.index: dict[str, int] = {}  # flat column -> position
        self.name: dict[str, str] = {}  # flat column -> export column name
        self.words: dict[str, dict[str, Status]] = {}
        problems, unmapped = self._place_columns(header)
        problems += self._missing_columns(header, unmapped)
        if problems:
            raise InputError(problems)
        self.source_default: dict[str, Agency] = {
            target: mapping.sources[self.name[target]]
            for target in self.index
            if self.name[target] in mapping.sources
        }

    def _place_columns(self, header: list[str]) -> tuple[list[FieldProblem], list[str]]:
        """Give each header column its flat-layout place; return problems and unmapped positions.

        Unmapped columns are kept by position, never by name: in a file without a header
        row, the "names" are a young person's data.
        """
        mapping = self.mapping
        problems: list[FieldProblem] = []
        unmapped: list[str] = []
        base = {k.strip().casefold(): v for k, v in _DEFAULT_WORDS.items()}
        base.update({k.strip().casefold(): v for k, v in mapping.status_words.items()})
        for position, raw_name in enumerate(header):
            name = raw_name.strip()
            if mapping.cin_codes_column is not None and name == mapping.cin_codes_column:
                target = _CIN_COLUMN
            else:
                target = mapping.columns.get(name, name)
            if target not in _FLAT_SET:
                unmapped.append(str(position + 1))
                continue
            if target in self.index:
                reason = f"is a second column for {target}; keep one or fix the mapping"
                problems.append(FieldProblem(name, reason))
                continue
            self.index[target] = position
            self.name[target] = name
            own_words = mapping.column_status_words.get(name, {})
            self.words[target] = base | {k.strip().casefold(): v for k, v in own_words.items()}
        return problems, unmapped

    def _missing_columns(self, header: list[str], unmapped: list[str]) -> list[FieldProblem]:
        """Problems with columns the layout needs or the mapping names but the file lacks."""
        mapping = self.mapping
        problems = [
            FieldProblem(
                required,
                "no column holds it; add the column or map the export's column to "
                f"'{required}' in the mapping file",
            )
            for required in ("id", "date_of_birth")
            if required not in self.index
        ]
        seen = {name.strip() for name in header}
        absent = [name for name in mapping.columns if name not in seen]
        if absent:
            problems.append(
                FieldProblem(
                    "mapping.columns",
                    f"names column(s) not in the file's header ({', '.join(absent[:10])}); "
                    "check the spelling against the export, or remove them from the mapping",
                )
            )
        if mapping.cin_codes_column is not None and mapping.cin_codes_column not in seen:
            problems.append(
                FieldProblem(
                    "mapping.cin_codes_column",
                    "names a column that is not in the file's header; check the spelling",
                )
            )
        if unmapped and not mapping.ignore_unmapped:
            problems.append(
                FieldProblem(
                    "(header)",
                    f"{len(unmapped)} column(s) are not flat-layout names (columns "
                    f"{', '.join(unmapped[:10])}{', …' if len(unmapped) > 10 else ''}, "
                    "counting from 1); check the file has a header row, and map them in the "
                    "mapping file or set ignore_unmapped",
                )
            )
        return problems


class _Row:
    """Build one profile dict from a row, recording which column each field came from."""

    def __init__(self, layout: _Layout, cells: list[str]) -> None:
        self.layout = layout
        self.cells = cells
        self.problems: list[FieldProblem] = []
        self.origin: dict[str, str] = {}
        self.sep = layout.mapping.list_separator

    def cell(self, column: str) -> str | None:
        position = self.layout.index.get(column)
        if position is None:
            return None
        text = self.cells[position].strip()
        if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS and text[1:2]:
            return text[1:]  # undo the apostrophe a spreadsheet-safe writer adds
        return text

    def col(self, column: str) -> str:
        return self.layout.name.get(column, column)

    def bad(self, column: str, reason: str) -> None:
        self.problems.append(FieldProblem(self.col(column), reason))

    def date(self, column: str, text: str) -> str | None:
        fmt = self.layout.mapping.date_format
        try:
            # strptime looks the locale up on every call; an ISO date needs no locale.
            parsed = iso_date(text) if fmt == "%Y-%m-%d" else dt.datetime.strptime(text, fmt).date()
        except ValueError:
            parsed = None
        # Exactly as the format writes it: strptime alone would take 2012-1-1 for %Y-%m-%d.
        if parsed is None or parsed.strftime(fmt) != text:
            shown = fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
            self.bad(column, f"must be a date written {shown}; check the date")
            return None
        return parsed.isoformat()

    def items(self, text: str) -> list[str]:
        return [t.strip() for t in text.split(self.sep)] if text else []

    def agency(self, column: str, text: str) -> str | None:
        if not text:
            default = self.layout.source_default.get(column)
            return default.value if default is not None else None
        try:
            return Agency(text.strip().lower()).value
        except ValueError:
            self.bad(
                column, "is not a known agency; use one of " + ", ".join(a.value for a in Agency)
            )
            return None

    def build(self) -> dict[str, Any]:
        """Build the profile dict for :class:`Profile` to validate; problems go to ``problems``."""
        data = self._identity()
        factors = self._factors()
        events = self._events(factors)
        not_scored = self._cin(factors, events)
        if factors:
            data["factors"] = factors
        if events:
            data["events"] = events
        attendance = self._attendance()
        if attendance:
            data["attendance"] = attendance
        agencies = self._agencies()
        if agencies is not None:
            data["agencies"] = agencies
        audit = self._audit()
        if audit:
            data["audit"] = audit
        if not_scored:
            data["cin_codes_not_scored"] = not_scored
        return data

    def _identity(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key in ("id", "date_of_birth"):
            text = self.cell(key) or ""
            self.origin[key] = self.col(key)
            if key == "date_of_birth" and text:
                data[key] = self.date(key, text)
            elif text:
                data[key] = text
        return data

    def _factors(self) -> dict[str, dict[str, Any]]:
        factors: dict[str, dict[str, Any]] = {}
        for key in FACTORS:
            text = self.cell(key)
            if text is None:
                continue
            status = self.layout.words[key].get(text.casefold())
            if status is None:
                self.bad(
                    key,
                    "is not a recognised status word; use present, absent, unknown or blank, "
                    "or add the word to status_words in the mapping file",
                )
                continue
            if status is Status.UNKNOWN and not text:
                continue
            factors[key] = self._observation(key, status)
            self.origin[f"factors.{key}"] = self.col(key)
        return factors

    def _observation(self, key: str, status: Status) -> dict[str, Any]:
        observation: dict[str, Any] = {"status": status.value}
        source = self.agency(f"{key}_source", self.cell(f"{key}_source") or "")
        if source is None and f"{key}_source" not in self.layout.index:
            default = self.layout.source_default.get(key)
            source = default.value if default is not None else None
        if source is not None:
            observation["source"] = source
        recorded = self.cell(f"{key}_recorded")
        if recorded:
            observation["recorded"] = self.date(f"{key}_recorded", recorded)
        return observation

    def _agencies(self) -> list[str] | None:
        text = self.cell("agencies")
        if not text:
            return None
        self.origin["agencies"] = self.col("agencies")
        found = [self.agency("agencies", item) for item in self.items(text)]
        return [agency for agency in found if agency is not None]

    def _audit(self) -> dict[str, str]:
        audit: dict[str, str] = {}
        for key, enum in (("ethnicity", Ethnicity), ("sex", Sex), ("disability", Disability)):
            text = self.cell(key) or ""
            if text:
                try:
                    audit[key] = enum(text.strip().lower()).value
                except ValueError:
                    self.bad(key, "is not an allowed value; use one of " + ", ".join(enum))
                self.origin[f"audit.{key}"] = self.col(key)
        return audit

    def _events(self, factors: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        none_word = self.layout.mapping.none_word.casefold()
        for etype in EventType:
            column = f"{etype.value}_dates"
            text = self.cell(column)
            if not text:
                continue
            factor = FACTOR_BY_EVENT[etype]
            if text.casefold() == none_word:
                # "None" of the factor's own events records it absent; none of the events
                # that also evidence it (emergency department attendances, say) does not.
                if factor.event_type is etype and factor.key not in factors:
                    factors[factor.key] = {"status": "absent"}
                    self.origin[f"factors.{factor.key}"] = self.col(column)
                continue
            dates = self.items(text)
            sources = self.items(self.cell(f"{etype.value}_sources") or "")
            self._check_aligned(f"{etype.value}_sources", sources, column, len(dates))
            details = [
                (detail, self.items(self.cell(detail.column) or ""))
                for detail in _DETAIL_COLUMNS[etype]
            ]
            for detail, items in details:
                self._check_aligned(detail.column, items, column, len(dates))
            for j, item in enumerate(dates):
                iso = self.date(column, item)
                if iso is None:
                    continue
                event: dict[str, Any] = {"type": etype.value, "date": iso}
                src = self.agency(f"{etype.value}_sources", sources[j] if j < len(sources) else "")
                if src is None:
                    default = self.layout.source_default.get(column)
                    src = default.value if default is not None else None
                if src is not None:
                    event["source"] = src
                for detail, items in details:
                    self._detail(event, detail, items[j] if j < len(items) else "")
                self.origin[f"events[{len(events)}]"] = self.col(column)
                events.append(event)
        return events

    def _detail(self, event: dict[str, Any], detail: _DetailColumn, item: str) -> None:
        """Record one event's detail from its item (blank: not recorded)."""
        if not item:
            return
        value = detail.words.get(item.casefold())
        if value is None:
            self.bad(detail.column, detail.reason)
        else:
            event[detail.field] = value

    def _check_aligned(self, column: str, items: list[str], dates_column: str, n: int) -> None:
        """Refuse items that have no date to go with them (never drop them silently)."""
        if len(items) > n:
            reason = f"has more items than {self.col(dates_column)}; give one item per date"
            self.bad(column, reason)

    def _cin(self, factors: dict[str, dict[str, Any]], events: list[dict[str, Any]]) -> list[str]:
        """Read the CIN codes: record each code's factor; return the codes not scored.

        A code is named in a problem by its position in the cell, and by the code itself
        only when it is one the census defines (a cell's text is never repeated).
        """
        text = self.cell(_CIN_COLUMN)
        if not text:
            return []
        not_scored: set[str] = set()
        listed = {event["type"] for event in events}
        for n, item in enumerate(text.split(self.layout.mapping.cin_codes_separator), start=1):
            code = item.strip().upper()
            if not code:
                continue
            entry = CIN_CODES.get(code)
            if entry is None:
                self.bad(_CIN_COLUMN, REASON_UNKNOWN_CIN_CODE.format(n=n))
            elif not entry.scored:
                not_scored.add(code)
                self.origin["cin_codes_not_scored"] = self.col(_CIN_COLUMN)
            else:
                self._record_cin_factor(n, entry, factors, listed)
        return [code for code in CIN_CODES if code in not_scored]

    def _record_cin_factor(
        self, n: int, entry: CinCode, factors: dict[str, dict[str, Any]], listed: set[str]
    ) -> None:
        """Record the first of the code's factors the row does not record absent, as present.

        A factor scored from dated events cannot be scored from a code: unless the row lists
        those events, it is recorded unknown, so the case shows it as missing information.
        """
        statuses = [factors.get(key, {}).get("status") for key in entry.factors]
        if "present" in statuses:
            return
        open_keys = [
            key for key, status in zip(entry.factors, statuses, strict=True) if status != "absent"
        ]
        if not open_keys:
            names = " or ".join(entry.factors)
            self.bad(
                _CIN_COLUMN, REASON_CIN_CODE_CONTRADICTS.format(n=n, code=entry.code, factors=names)
            )
            return
        factor = FACTORS[open_keys[0]]
        self.origin.setdefault(f"factors.{factor.key}", self.col(_CIN_COLUMN))
        note = f"CIN census code {entry.code}: {entry.label}"
        if factor.evidence == "events":
            if factor.event_type is None or factor.event_type.value not in listed:
                factors.setdefault(
                    factor.key, {"status": "unknown", "note": note + "; add the dated events"}
                )
            return
        observation: dict[str, Any] = {"status": "present", "note": note}
        source = self.layout.source_default.get(_CIN_COLUMN)
        if source is not None:
            observation["source"] = source.value
        factors[factor.key] = observation

    def _attendance(self) -> list[dict[str, Any]]:
        columns = {f: self.cell(f"attendance_{f}") for f in _ATTENDANCE_FIELDS}
        if not any(columns.values()):
            return []
        lists = {f: self.items(v or "") for f, v in columns.items()}
        n = max(len(v) for v in lists.values())
        periods: list[dict[str, Any]] = []
        for j in range(n):
            period: dict[str, Any] = {}
            for f in _ATTENDANCE_FIELDS:
                column = f"attendance_{f}"
                item = lists[f][j] if j < len(lists[f]) else ""
                if not item:
                    continue
                if f in ("start", "end"):
                    period[f] = self.date(column, item)
                elif f == "source":
                    period[f] = self.agency(column, item)
                elif item.isascii() and item.isdigit():  # not +140, 1_000 or other digits
                    period[f] = int(item)
                else:
                    self.bad(column, "items must be whole numbers of sessions, in digits 0-9")
            for field in _ATTENDANCE_FIELDS:  # so an error names the column it came from
                self.origin[f"attendance[{j}].{field}"] = self.col(f"attendance_{field}")
            periods.append(period)
        self.origin["attendance"] = self.col("attendance_possible_sessions")
        return periods

    def column_for(self, path: str) -> str | None:
        best: str | None = None
        for prefix in self.origin:
            matches = path == prefix or path.startswith((prefix + ".", prefix + "["))
            if matches and (best is None or len(prefix) > len(best)):
                best = prefix
        return self.origin[best] if best is not None else None


def iso_date(text: str) -> dt.date:
    """Read a ``%Y-%m-%d`` date as ``strptime`` would (the caller checks it is written so)."""
    if len(text) != len("2012-01-31"):  # fromisoformat also takes 20120131 and week dates
        raise ValueError("not a date written YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def _rejected_from_validation(
    row: _Row, exc: ValidationError, line: int, rid: str | None
) -> RejectedRecord:
    problems = []
    for p in problems_from_validation_error(exc):
        column = row.column_for(p.field)
        field = f"{column} ({p.field})" if column is not None else p.field
        problems.append(FieldProblem(field, p.reason))
    return RejectedRecord(line, rid, tuple(problems))


def read_csv(
    source: str | os.PathLike[str] | IO[str],
    *,
    mapping: ColumnMapping | None = None,
) -> Iterator[InputRecord | RejectedRecord]:
    """Read a CSV caseload (flat layout, or an export with a mapping), streaming.

    Parameters
    ----------
    source : path-like or text file
        The CSV file (UTF-8; a byte-order mark is ignored; a byte that is not UTF-8 is
        read as U+FFFD, so only its own row can be rejected). Open files must be opened
        with ``newline=""``.
    mapping : ColumnMapping, optional
        How to read an export with its own column names and words. Without one,
        every column must be a flat-layout name.

    Yields
    ------
    InputRecord or RejectedRecord
        One per data row, numbered by the physical line it starts on (the header is
        line 1). A rejected row's problems name the CSV column (and the profile field
        in brackets).

    Raises
    ------
    InputError
        If the header cannot be used (no id or date-of-birth column, unknown
        columns without a mapping, a mapped CIN-codes column that is missing).
    """
    if isinstance(source, str | os.PathLike):
        with open(source, encoding="utf-8-sig", errors="replace", newline="") as fh:
            yield from _read_rows(fh, mapping)
    else:
        yield from _read_rows(source, mapping)


REASON_UNKNOWN_CIN_CODE = (
    "code {n} is not a Children in Need census factor code; run 'efh-screen factors --cin' "
    "to list the codes, then correct or remove it"
)
REASON_CIN_CODE_CONTRADICTS = (
    "code {n} ({code}) records {factors} present, but the row's own column says absent; "
    "correct one of them"
)

MAX_CELL_LINES = 20
"""With ``multiline_cells``, the most physical lines one quoted cell may span."""

REASON_NOT_CSV = (
    "is not valid CSV (an unclosed quote, a stray byte or a cell over 131,072 characters); "
    "fix the row — reading went on at the next line"
)
REASON_OPEN_QUOTE = (
    "has a quoted cell that does not close on its line; fix the quote, or set "
    "multiline_cells in the mapping if the export has line breaks inside cells"
)
REASON_RUNAWAY_QUOTE = (
    "has a quoted cell that does not close within {limit} lines (or before the end of the "
    "file); fix the quote — reading went on at the next line"
)


MAX_LINE_CHARACTERS = 1_000_000
"""Longest physical line read (characters); a longer line is rejected without being held."""

REASON_LINE_TOO_LONG = (
    "is longer than {limit:,} characters, so it was not read; a row is far shorter — check "
    "the file is a CSV export"
)


class _RowTooLongError(Exception):
    """A row asked for more physical lines than a quoted cell may span."""


class _LineTooLongError(Exception):
    """A physical line ran past :data:`MAX_LINE_CHARACTERS`; it was skipped, not held."""


_TOO_LONG = "\x00line too long\x00"
"""Stands for a skipped over-long line, so it can be put back and rejected in its turn."""


class _StreamLines:
    r"""A text stream's physical lines, one at a time, each at most :data:`MAX_LINE_CHARACTERS`.

    A line ends at ``\n``, ``\r\n`` or a lone ``\r``; an over-long line is skipped in pieces
    and stood in for by :data:`_TOO_LONG`.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._carry = ""  # a character read past a line's \r, for the next line

    def read_line(self) -> str:
        """Read one physical line (``""`` at the end), or skip an over-long one and stand in."""
        line = self._readline(MAX_LINE_CHARACTERS + 1)
        if len(line) <= MAX_LINE_CHARACTERS or line.endswith(("\n", "\r")):
            return line
        while line and not line.endswith(("\n", "\r")):
            line = self._readline(65_536)
        return _TOO_LONG

    def _readline(self, limit: int) -> str:
        r"""``readline(limit)`` that never splits a ``\r\n`` ending at the limit."""
        if self._carry:
            line, self._carry = self._carry, ""
            if line != "\r":
                line += self._stream.readline(max(limit - len(line), 1))
        else:
            line = self._stream.readline(limit)
        if line.endswith("\r"):
            following = self._stream.read(1)
            if following == "\n":
                line += following
            else:
                self._carry = following
        return line


class _PhysicalLines:
    """Physical lines handed to :mod:`csv` one row at a time.

    It counts the lines each row takes, refuses a row that would take more than
    ``max_lines``, notes when the lines ended inside a row, and can put back every line of
    a failed row but its first, so reading resumes at the next physical line. ``read_line``
    gives the next physical line, ``""`` at the end; ``consumed`` is how many lines came
    before the first one it gives.
    """

    def __init__(self, read_line: Callable[[], str], max_lines: int, *, consumed: int = 0) -> None:
        self._read_line = read_line
        self._pending: deque[str] = deque()
        self._max_lines = max_lines
        self.consumed = consumed  # physical lines handed out, net of those put back
        self.row: list[str] = []
        self.ended_inside_row = False

    def __iter__(self) -> _PhysicalLines:
        return self

    def __next__(self) -> str:
        if len(self.row) >= self._max_lines:
            raise _RowTooLongError
        line = self._pending.popleft() if self._pending else self._read_line()
        if not line:
            self.ended_inside_row = bool(self.row)
            raise StopIteration
        self.row.append(line)
        self.consumed += 1
        if line is _TOO_LONG:
            raise _LineTooLongError
        return line

    @property
    def has_pending(self) -> bool:
        """Whether lines of a failed row were put back and are still to be read again."""
        return bool(self._pending)

    def start_row(self) -> int:
        """Begin a row; return the physical line number it starts on."""
        self.row = []
        self.ended_inside_row = False
        return self.consumed + 1

    def resume_after_first_line(self) -> None:
        """Put back the failed row's lines but its first, to be read again as rows."""
        again = self.row[1:]
        self._pending.extendleft(reversed(again))
        self.consumed -= len(again)
        self.row = []


_RawRow = tuple[int, list[str]]
"""A row that parsed as CSV: the line it starts on, and its cells."""


def _read_rows(
    stream: IO[str], mapping: ColumnMapping | None
) -> Iterator[InputRecord | RejectedRecord]:
    mapping = mapping or ColumnMapping(ignore_unmapped=False)
    max_lines = _max_lines(mapping)
    lines = _PhysicalLines(_StreamLines(stream).read_line, max_lines)
    layout = _Layout(_header(lines), mapping)
    yield from _records(_raw_rows(lines, layout, max_lines), layout)


def _max_lines(mapping: ColumnMapping) -> int:
    return MAX_CELL_LINES if mapping.multiline_cells else 1


def _records(
    rows: Iterable[_RawRow | RejectedRecord], layout: _Layout
) -> Iterator[InputRecord | RejectedRecord]:
    for row in rows:
        yield row if isinstance(row, RejectedRecord) else _parse_row(layout, row[1], row[0])


def _raw_rows(
    lines: _PhysicalLines, layout: _Layout, max_lines: int
) -> Iterator[_RawRow | RejectedRecord]:
    """Split physical lines into rows; a row that is not valid CSV is rejected here.

    A rejected row's lines but its first are put back before the rejection is yielded, so
    between two rows ``lines.has_pending`` says whether lines already read lie ahead.
    """
    reader = csv.reader(lines)
    while True:
        first_line = lines.start_row()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, _RowTooLongError, _LineTooLongError) as exc:
            too_long = isinstance(exc, _RowTooLongError)
            rejected = _rejected_row(first_line, lines.row, layout, max_lines, too_long=too_long)
            lines.resume_after_first_line()
            reader = csv.reader(lines)  # a fresh parser: no state from the bad row
            yield rejected
            continue
        if lines.ended_inside_row or (len(lines.row) > 1 and len(cells) != layout.width):
            rejected = _rejected_row(first_line, lines.row, layout, max_lines, too_long=True)
            lines.resume_after_first_line()
            reader = csv.reader(lines)
            yield rejected
            continue
        yield first_line, cells


def _header(lines: _PhysicalLines) -> list[str]:
    lines.start_row()
    try:
        header = next(csv.reader(lines))
        if header:
            header[0] = header[0].removeprefix("\ufeff")  # a byte-order mark on an open stream
        return header
    except StopIteration:
        raise InputError(
            [FieldProblem("(header)", "the file is empty; add a header row")]
        ) from None
    except (csv.Error, _RowTooLongError, _LineTooLongError):
        raise InputError([FieldProblem("(header)", "the header row is not valid CSV")]) from None


def _rejected_row(
    line: int, row: list[str], layout: _Layout, max_lines: int, *, too_long: bool
) -> RejectedRecord:
    """Reject the row starting at ``line``, with the id of its first line where readable."""
    if row and row[0] is _TOO_LONG:
        reason = REASON_LINE_TOO_LONG.format(limit=MAX_LINE_CHARACTERS)
        return RejectedRecord(line, None, (FieldProblem("(row)", reason),))
    rid = None
    with contextlib.suppress(csv.Error, StopIteration):
        first_cells = next(csv.reader([row[0].rstrip("\r\n")])) if row else []
        position = layout.index["id"]
        rid = safe_id(first_cells[position].strip()) if position < len(first_cells) else None
    if not too_long:
        reason = REASON_NOT_CSV
    elif max_lines == 1:
        reason = REASON_OPEN_QUOTE
    else:
        reason = REASON_RUNAWAY_QUOTE.format(limit=max_lines)
    return RejectedRecord(line, rid, (FieldProblem("(row)", reason),))


def _parse_row(layout: _Layout, cells: list[str], line: int) -> InputRecord | RejectedRecord:
    if not cells or all(not c.strip() for c in cells):
        return RejectedRecord(line, None, (FieldProblem("(row)", REASON_EMPTY_ROW),))
    id_pos = layout.index["id"]
    rid_text = cells[id_pos].strip() if id_pos < len(cells) else ""
    rid = safe_id(rid_text)
    if len(cells) != layout.width:
        return RejectedRecord(
            line,
            rid,
            (
                FieldProblem(
                    "(row)",
                    f"has {len(cells)} cells but the header has {layout.width}; check for "
                    "unquoted commas, an unclosed quote or a missing cell",
                ),
            ),
        )
    row = _Row(layout, cells)
    data = row.build()
    if row.problems:
        return RejectedRecord(line, rid, tuple(row.problems))
    try:
        return InputRecord(line, Profile.model_validate(data))
    except ValidationError as exc:
        return _rejected_from_validation(row, exc, line, rid)


# ---------------------------------------------------------------------------------------------
# Reading in blocks, to parse elsewhere (another process).

CsvBlock = tuple[int, list[str | None]]
"""A block of physical lines: the number of its first line, and the lines in order (``None``
stands for a line too long to read). It begins and ends on a record boundary."""


class CsvBlocks:
    """A CSV file cut into blocks of whole records, for :class:`CsvBlockReader` to parse.

    The header is read (and checked) when this is made. Without ``multiline_cells`` every
    physical line is one record, so blocks are cut without parsing anything. With it, rows
    are split here exactly as :func:`read_csv` splits them, and a block is cut only between
    two rows and when no line already read lies ahead, so every record of a block is decided
    by the block's own lines: reading the blocks gives the records :func:`read_csv` gives.

    Parameters
    ----------
    stream : text file
        The CSV, opened with ``newline=""`` (UTF-8; see :func:`read_csv`).
    mapping : ColumnMapping, optional
        As for :func:`read_csv`.

    Raises
    ------
    InputError
        If the header cannot be used, as :func:`read_csv` would.
    """

    def __init__(self, stream: IO[str], mapping: ColumnMapping | None = None) -> None:
        self.mapping = mapping or ColumnMapping(ignore_unmapped=False)
        self._max_lines = _max_lines(self.mapping)
        self._source = _StreamLines(stream)
        self._kept: list[str] = []
        self._keeping = False
        self._lines = _PhysicalLines(self._read_line, self._max_lines)
        self.header = _header(self._lines)
        self._layout = _Layout(self.header, self.mapping)
        self._keeping = True

    def _read_line(self) -> str:
        line = self._source.read_line()
        if line and self._keeping:
            self._kept.append(line)
        return line

    def blocks(self, records: int) -> Iterator[CsvBlock]:
        """Yield blocks of about ``records`` records each (at least one record a block)."""
        if self._max_lines == 1:
            return self._line_blocks(records)
        return self._row_blocks(records)

    def _line_blocks(self, records: int) -> Iterator[CsvBlock]:
        first = self._lines.consumed + 1
        read_line = self._source.read_line
        while True:
            block: list[str | None] = []
            line = read_line()
            while line:
                block.append(None if line is _TOO_LONG else line)
                if len(block) >= records:
                    break
                line = read_line()
            if not block:
                return
            yield first, block
            first += len(block)

    def _row_blocks(self, records: int) -> Iterator[CsvBlock]:
        lines = self._lines
        first = lines.consumed + 1
        count = 0
        for _ in _raw_rows(lines, self._layout, self._max_lines):
            count += 1
            if count >= records and not lines.has_pending:
                yield first, self._take_kept()
                first, count = lines.consumed + 1, 0
        if self._kept:
            yield first, self._take_kept()

    def _take_kept(self) -> list[str | None]:
        kept = [None if line is _TOO_LONG else line for line in self._kept]
        self._kept = []
        return kept


class CsvBlockReader:
    """Parse the blocks :class:`CsvBlocks` cuts, given the file's header and mapping.

    Parameters
    ----------
    header : list of str
        The header :attr:`CsvBlocks.header` read.
    mapping : ColumnMapping
        The mapping :attr:`CsvBlocks.mapping` holds (the default made explicit).
    """

    def __init__(self, header: Sequence[str], mapping: ColumnMapping) -> None:
        self._layout = _Layout(list(header), mapping)
        self._max_lines = _max_lines(mapping)

    def read(self, block: CsvBlock) -> Iterator[InputRecord | RejectedRecord]:
        """Yield the block's records, numbered by the physical line each starts on."""
        first, block_lines = block
        source = iter([_TOO_LONG if line is None else line for line in block_lines])
        lines = _PhysicalLines(lambda: next(source, ""), self._max_lines, consumed=first - 1)
        yield from _records(_raw_rows(lines, self._layout, self._max_lines), self._layout)


# ---------------------------------------------------------------------------------------------
# Writing.


def _profile_row(profile: Profile, sep: str) -> dict[str, str]:
    row: dict[str, str] = dict.fromkeys(FLAT_COLUMNS, "")
    row["id"] = profile.id
    row["date_of_birth"] = profile.date_of_birth.isoformat()
    row["agencies"] = sep.join(a.value for a in profile.agencies)
    if profile.audit is not None:
        row["ethnicity"] = profile.audit.ethnicity.value if profile.audit.ethnicity else ""
        row["sex"] = profile.audit.sex.value if profile.audit.sex else ""
        row["disability"] = profile.audit.disability.value if profile.audit.disability else ""
    for key, accounts in profile.factors.items():
        if not accounts:
            continue  # no accounts: the same as leaving the factor out
        if len(accounts) > 1:
            # Writing one of them could change the status the profile scores: refuse.
            reason = (
                f"has {len(accounts)} agencies' accounts; the flat CSV layout holds one account "
                "per factor, so write JSON Lines to keep every account"
            )
            raise InputError([FieldProblem(f"factors.{key}", reason)], record_id=profile.id)
        obs = accounts[0]
        row[key] = obs.status.value
        row[f"{key}_source"] = obs.source.value if obs.source else ""
        row[f"{key}_recorded"] = obs.recorded.isoformat() if obs.recorded else ""
    by_type: dict[EventType, list[Event]] = {}
    for event in profile.events:
        by_type.setdefault(event.type, []).append(event)
    for etype, events in by_type.items():
        row[f"{etype.value}_dates"] = sep.join(e.date.isoformat() for e in events)
        if any(e.source for e in events):
            row[f"{etype.value}_sources"] = sep.join(
                e.source.value if e.source else "" for e in events
            )
        for detail in _DETAIL_COLUMNS[etype]:
            values = [getattr(e, detail.field) for e in events]
            if any(value is not None for value in values):
                row[detail.column] = sep.join(_detail_item(value) for value in values)
    if profile.attendance:
        att = profile.attendance
        row["attendance_start"] = sep.join(a.start.isoformat() for a in att)
        row["attendance_end"] = sep.join(a.end.isoformat() for a in att)
        row["attendance_possible_sessions"] = sep.join(str(a.possible_sessions) for a in att)
        row["attendance_missed_sessions"] = sep.join(str(a.missed_sessions) for a in att)
        row["attendance_source"] = sep.join(a.source.value for a in att)
    row[_CIN_COLUMN] = sep.join(profile.cin_codes_not_scored)
    return row


def _detail_item(value: object) -> str:
    """Write an event detail as its item: yes / no, a weapon, or blank when not recorded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_csv(profiles: Iterable[Profile], stream: IO[str]) -> int:
    """Write profiles in the flat CSV layout; return the rows written.

    Notes, reasons and ``audit.other`` are not written (the layout has no columns for
    them); everything else reads back to an equal profile with :func:`read_csv`, except
    that event order is grouped by type.

    Raises
    ------
    InputError
        If a profile holds several agencies' accounts of a factor: the layout has room for
        one, and writing only one could change what the profile scores. Write JSON Lines
        (``profile.model_dump_json()`` a line) to keep every account.
    """
    writer = SafeCsvWriter(stream)
    writer.writerow(FLAT_COLUMNS)
    n = 0
    for profile in profiles:
        row = _profile_row(profile, ";")
        writer.writerow(row[column] for column in FLAT_COLUMNS)
        n += 1
    return n


def read_cells(
    header: Iterable[str],
    rows: Iterable[list[str]],
    *,
    mapping: ColumnMapping | None = None,
    first: int = 2,
) -> Iterator[InputRecord | RejectedRecord]:
    """Read rows already split into cells (a DataFrame's, say) as :func:`read_csv` reads a file's.

    Parameters
    ----------
    header : iterable of str
        The column names.
    rows : iterable of list of str
        Each row's cells, as text (blank for an empty cell).
    mapping : ColumnMapping, optional
        As for :func:`read_csv`.
    first : int
        The number given to the first row (2: the line after a header line).

    Yields
    ------
    InputRecord or RejectedRecord
        One per row, numbered from ``first``.

    Raises
    ------
    InputError
        If the header cannot be used (as for :func:`read_csv`).
    """
    layout = _Layout(list(header), mapping or ColumnMapping(ignore_unmapped=False))
    for number, cells in enumerate(rows, start=first):
        yield _parse_row(layout, cells, number)
