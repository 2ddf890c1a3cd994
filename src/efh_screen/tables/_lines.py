"""JSON Lines decoded straight into the coded tables, with no Profile object per line.

:class:`LineDecoder` reads each line of a block of JSONL with msgspec into typed structures
built from the columnar layout (:data:`~efh_screen.tables._layout.LAYOUT`), which is itself
read off the Profile models: field names, word lists, bounds, which fields may be null and
their defaults all come from that one source. It then spreads the lines over the numpy
arrays of :class:`~efh_screen.tables._checks.CodedTables`, exactly as
:func:`~efh_screen.tables._decoding.decode_table` decodes the same profiles' tables, so the
column-wise checks and derivation run on them unchanged.

The decoder is strict and conservative. It is *sure* of a line only when every cell of it is
one the Profile model accepts: a bare profile or a labelled line (``{"profile": ...,
"outcome": 0 or 1}``), with no key the model does not know, dates written ``YYYY-MM-DD``,
counts as JSON integers within their bounds, true/false as ``true``/``false``, words from
their lists, and no key repeated. Every other line (not JSON, a field of the wrong type,
anything it cannot vouch for) is left to the Profile path, which reads it as it always has
and words its problems: the decoder may leave a good line to that path, never take a line
the model refuses. The rules across fields and as of the screening date are checked
afterwards, column-wise (:func:`~efh_screen.tables._checks.find_suspects`).

Repeated keys: msgspec keeps the last of a repeated key, where reading must refuse the line.
Every key of a JSON object is followed by a colon, so a line holds at least as many colons
as keys, and at least as many keys as the decoder saw (a repeat is seen once). When the
colons on the raw line number exactly the keys seen, no key was repeated; otherwise (a colon
inside an id or a note, or a repeated key) the line is checked key by key
(:func:`~efh_screen._jsonl.repeats_a_key`).

msgspec is optional (``pip install "efh_screen[fast]"``): :func:`line_decoder` returns None
without it, and the caller reads every line the Profile way.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, TypeAdapter, ValidationError

from .._factors import FACTORS
from .._jsonl import repeats_a_key
from .._profile import AttendanceRecord, Audit, Event, LabelledProfile, Observation, Profile
from ._checks import FACTOR_CODES, CodedTables, days_of
from ._decoding import NULL, NULL_COUNT, NULL_DATE, DecodedTable
from ._layout import AUDIT_COLUMNS, LAYOUT, PROFILE_COLUMNS, Column

__all__ = ["FAST_EXTRA", "DecodedLines", "LineDecoder", "line_decoder"]

FAST_EXTRA = 'pip install "efh_screen[fast]"'
"""The command that installs msgspec, which the column-wise JSONL path needs."""

_NESTED = ("factors", "events", "attendance", "audit")
_ROW_MODELS: dict[str, type[BaseModel]] = {
    "observations": Observation,
    "events": Event,
    "attendance": AttendanceRecord,
}
_LINKS = ("id", "factor")  # columns of a row table that are not fields of its model
_DTYPES: dict[str, type[np.signedinteger[Any]]] = {
    "enum": np.int16,
    "date": np.int32,
    "count": np.int64,
    "bool": np.int8,
    "text": np.int64,
    "enum_list": np.int8,
}
_NULLS = {"enum": NULL, "date": NULL_DATE, "count": NULL_COUNT, "bool": NULL, "text": NULL}
_MOST_KINDS = 65_536
"""Distinct rows a table's cache keeps before it starts again (a bound on its memory)."""


class _NotSureError(Exception):
    """Raised while spreading a line that the decoder cannot vouch for."""


@dataclass(frozen=True, slots=True)
class DecodedLines:
    """A block of JSONL lines decoded into the coded tables.

    Attributes
    ----------
    tables : CodedTables
        One child per line the decoder read (its ``table`` attributes are None: there is no
        Arrow table behind them).
    ids : list of str
        Each child's id, in child order.
    child : numpy.ndarray of shape (n_lines,), int64
        Each line's child, or ``NULL`` for a line the decoder is not sure of (to be read
        the Profile way).
    """

    tables: CodedTables
    ids: list[str]
    child: NDArray[np.int64]


# ---------------------------------------------------------------------------------------------
# Structures and cell codes, read off the layout and the models.


@dataclass(frozen=True, slots=True)
class _Cell:
    """How one field of a structure becomes its column's code."""

    name: str
    kind: str
    code: Callable[[Any], int]
    """The code of a value given in the line (not null)."""
    null: int
    """The code of ``null``."""
    default: int
    """The code of the field left out (the model's default)."""


def _word_codes(words: tuple[str, ...]) -> Callable[[Any], int]:
    return {word: code for code, word in enumerate(words)}.__getitem__


def _text_code(column: Column) -> Callable[[Any], int]:
    pattern = column.limits.pattern
    if pattern is None:
        return len
    compiled = re.compile(pattern)

    def checked_length(value: str) -> int:
        # Python's "$" also matches before a final newline; the model's does not.
        if not value.isascii() or value.endswith("\n") or compiled.search(value) is None:
            raise _NotSureError
        return len(value)

    return checked_length


def _code_of(column: Column) -> Callable[[Any], int]:
    if column.kind == "enum":
        return _word_codes(column.vocabulary)
    if column.kind == "date":
        return days_of
    if column.kind in ("count", "bool"):
        return int
    if column.kind == "text":
        return _text_code(column)
    return len  # a list of words: checked by the structure, not a column of codes


def _cell(model: type[BaseModel], column: Column) -> _Cell:
    code = _code_of(column)
    null = _NULLS.get(column.kind, 0)
    field = model.model_fields[column.name]
    default = null
    if not column.required:
        value = field.get_default(call_default_factory=True)
        if value is not None:
            default = code(getattr(value, "value", value))
    return _Cell(column.name, column.kind, code, null, default)


def _literal(values: tuple[object, ...]) -> Any:
    return Literal.__getitem__(values)


def _list_of(item: Any) -> Any:
    return list.__class_getitem__(item)


def _dict_of(key: Any, value: Any) -> Any:
    return dict.__class_getitem__((key, value))


def _annotated(base: Any, meta: Any) -> Any:
    return Annotated.__class_getitem__((base, meta))  # type: ignore[attr-defined]


def _nullable(model: type[BaseModel], name: str) -> bool:
    return type(None) in typing.get_args(model.model_fields[name].annotation)


def _value_type(msgspec: ModuleType, column: Column) -> Any:
    limits = column.limits
    if column.kind == "enum":
        return _literal(column.vocabulary)
    if column.kind == "enum_list":
        return _list_of(_literal(column.vocabulary))
    if column.kind == "date":
        return dt.date
    if column.kind == "bool":
        return bool
    bounds = (
        {"ge": limits.minimum, "le": limits.maximum}
        if column.kind == "count"
        else {"min_length": limits.min_length, "max_length": limits.max_length}
    )
    meta = msgspec.Meta(**{name: value for name, value in bounds.items() if value is not None})
    return _annotated(int if column.kind == "count" else str, meta)


def _field(
    msgspec: ModuleType, model: type[BaseModel], column: Column
) -> tuple[str, Any] | tuple[str, Any, Any]:
    value_type = _value_type(msgspec, column)
    if _nullable(model, column.name):
        value_type = value_type | None
    if column.required:
        return (column.name, value_type)
    return (column.name, value_type | msgspec.UnsetType, msgspec.UNSET)


def _struct(
    msgspec: ModuleType, name: str, fields: list[tuple[str, Any] | tuple[str, Any, Any]]
) -> Any:
    # Frozen, so a row can key a cache; untracked by the collector (nothing decoded from
    # JSON can refer back to itself).
    return msgspec.defstruct(name, fields, forbid_unknown_fields=True, frozen=True, gc=False)


def _unset(msgspec: ModuleType, name: str, value_type: Any) -> tuple[str, Any, Any]:
    return (name, value_type | msgspec.UnsetType, msgspec.UNSET)


def _shape_known() -> bool:
    """Whether the models hold exactly the fields the structures below are built from."""
    return (
        set(Profile.model_fields) == {*PROFILE_COLUMNS, *_NESTED}
        and set(Audit.model_fields) == {*AUDIT_COLUMNS, "other"}
        and set(LabelledProfile.model_fields) == {"profile", "outcome"}
        and all(
            set(model.model_fields) == {c.name for c in LAYOUT[table] if c.name not in _LINKS}
            for table, model in _ROW_MODELS.items()
        )
    )


@dataclass(frozen=True, slots=True)
class _Schema:
    """The msgspec decoders of a line and the cells of each structure."""

    bare: Any
    labelled: Any
    errors: tuple[type[Exception], ...]
    """What decoding a line the structures do not fit raises."""
    unset: Any
    rows: dict[str, tuple[_Cell, ...]]
    profile: tuple[_Cell, ...]
    audit: tuple[_Cell, ...]
    check_other: Callable[[Any], object]


def _build_schema(msgspec: ModuleType) -> _Schema:
    rows: dict[str, tuple[_Cell, ...]] = {}
    structs: dict[str, Any] = {}
    for table, model in _ROW_MODELS.items():
        columns = [c for c in LAYOUT[table] if c.name not in _LINKS]
        rows[table] = tuple(_cell(model, c) for c in columns)
        structs[table] = _struct(
            msgspec, model.__name__, [_field(msgspec, model, c) for c in columns]
        )
    children = {c.name: c for c in LAYOUT["children"]}
    audit_struct = _struct(
        msgspec,
        "Audit",
        [
            *(_field(msgspec, Audit, children[name]) for name in AUDIT_COLUMNS),
            _unset(msgspec, "other", dict[str, str]),
        ],
    )
    accounts = structs["observations"] | _list_of(structs["observations"])
    profile_struct = _struct(
        msgspec,
        "Profile",
        [
            *(_field(msgspec, Profile, children[name]) for name in PROFILE_COLUMNS),
            _unset(msgspec, "factors", _dict_of(_literal(tuple(FACTORS)), accounts)),
            _unset(msgspec, "events", _list_of(structs["events"])),
            _unset(msgspec, "attendance", _list_of(structs["attendance"])),
            _unset(msgspec, "audit", audit_struct | None),
        ],
    )
    labelled_struct = _struct(
        msgspec, "LabelledProfile", [("profile", profile_struct), ("outcome", Literal[0, 1])]
    )
    other: TypeAdapter[Any] = TypeAdapter(typing.cast(Any, Audit.model_fields["other"].annotation))
    return _Schema(
        bare=msgspec.json.Decoder(profile_struct),
        labelled=msgspec.json.Decoder(labelled_struct),
        # (Bytes that are not UTF-8 inside a string raise UnicodeDecodeError, a ValueError.)
        errors=(msgspec.MsgspecError, ValueError, TypeError, RecursionError),
        unset=msgspec.UNSET,
        rows=rows,
        profile=tuple(_cell(Profile, children[name]) for name in PROFILE_COLUMNS),
        audit=tuple(_cell(Audit, children[name]) for name in AUDIT_COLUMNS),
        check_other=other.validate_python,
    )


def _codes(item: Any, cells: tuple[_Cell, ...], unset: Any) -> tuple[list[int], int]:
    """Return the codes of one structure's fields, in cell order, and how many were given."""
    codes: list[int] = []
    given = 0
    for cell in cells:
        value = getattr(item, cell.name)
        if value is unset:
            codes.append(cell.default)
            continue
        given += 1
        codes.append(cell.null if value is None else cell.code(value))
    return codes, given


# ---------------------------------------------------------------------------------------------
# Rows seen before: most accounts, and many events and periods, repeat word for word.


class _Kinds:
    """Distinct rows of one table, each decoded once: a row's kind is its position here."""

    def __init__(self, cells: tuple[_Cell, ...], unset: Any) -> None:
        self.cells = cells
        self.unset = unset
        self.kind_of: dict[Any, int] = {}
        self._codes: list[list[int]] = []
        self._keys: list[int] = []
        self._arrays = self._no_arrays()

    def _no_arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        return np.zeros((0, len(self.cells)), np.int64), np.zeros(0, np.int64)

    def start_block(self) -> None:
        """Forget every kind once there are too many (only between blocks)."""
        if len(self.kind_of) > _MOST_KINDS:
            self.kind_of.clear()
            self._codes.clear()
            self._keys.clear()
            self._arrays = self._no_arrays()

    def add(self, item: Any) -> int:
        """Decode a row not seen before; return its kind."""
        codes, given = _codes(item, self.cells, self.unset)
        kind = self.kind_of[item] = len(self._codes)
        self._codes.append(codes)
        self._keys.append(given)
        return kind

    def arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Every kind's codes, of shape (n_kinds, n_cells), and its number of keys."""
        codes, keys = self._arrays
        if len(codes) < len(self._codes):
            new = slice(len(codes), None)
            codes = np.concatenate([codes, np.array(self._codes[new], np.int64)])
            keys = np.concatenate([keys, np.array(self._keys[new], np.int64)])
            self._arrays = (codes, keys)
        return self._arrays


# ---------------------------------------------------------------------------------------------
# The decoder.


class _Block:
    """The columns of one block while its lines are spread over them."""

    def __init__(self, n_lines: int, tables: Sequence[str]) -> None:
        self.line_child = np.full(n_lines, NULL, dtype=np.int64)
        self.ids: list[str] = []
        self.children: list[list[int]] = []
        self.own_keys: list[int] = []
        self.colons: list[int] = []
        self.lines: list[int] = []
        self.factor: list[int] = []
        self.kinds: dict[str, list[int]] = {table: [] for table in tables}
        self.counts: dict[str, list[int]] = {table: [] for table in tables}


class LineDecoder:
    """Decode blocks of JSONL lines into the coded tables (see the module docstring).

    One decoder serves a whole run: it remembers the rows it has decoded, so a row seen
    before (an account, an event, a period) costs one look-up.
    """

    def __init__(self, schema: _Schema) -> None:
        self._schema = schema
        self._kinds = {table: _Kinds(cells, schema.unset) for table, cells in schema.rows.items()}

    def decode(self, lines: Sequence[bytes | None]) -> DecodedLines:
        """Decode a block of lines (as :func:`~efh_screen._jsonl.jsonl_lines` gives them).

        Parameters
        ----------
        lines : sequence of bytes or None
            The block's raw lines; None for a line too long to read.

        Returns
        -------
        DecodedLines
            The tables of the lines the decoder is sure of, and each line's child.
        """
        for kinds in self._kinds.values():
            kinds.start_block()
        block = _Block(len(lines), tuple(self._kinds))
        for index, raw in enumerate(lines):
            read = None if raw is None else self._read(raw)
            if raw is None or read is None:
                continue
            profile, labelled = read
            try:
                own_keys, child_codes = self._child(profile)
            except _NotSureError:
                continue
            block.line_child[index] = len(block.ids)
            block.ids.append(profile.id)
            block.children.append(child_codes)
            block.own_keys.append(own_keys + (2 if labelled else 0))
            block.colons.append(raw.count(b":"))
            block.lines.append(index)
            if not self._spread_rows(profile, block):
                block.line_child[index] = NULL
        return self._finish(block, lines)

    def _read(self, raw: bytes) -> tuple[Any, bool] | None:
        """Return the line's profile structure and whether the line is labelled, if sure."""
        schema = self._schema
        try:
            return schema.bare.decode(raw), False
        except schema.errors:
            if b'"profile"' not in raw:
                return None
        try:
            return schema.labelled.decode(raw).profile, True
        except schema.errors:
            return None

    def _child(self, profile: Any) -> tuple[int, list[int]]:
        """Return the keys the profile's own objects hold, and its children-table codes."""
        schema = self._schema
        unset = schema.unset
        codes, given = _codes(profile, schema.profile, unset)
        factors = profile.factors
        given += sum(
            value is not unset
            for value in (factors, profile.events, profile.attendance, profile.audit)
        )
        if factors is not unset:
            given += len(factors)
        audit = profile.audit
        if audit is unset or audit is None:
            return given, codes + [cell.default for cell in schema.audit]
        audit_codes, audit_given = _codes(audit, schema.audit, unset)
        other = audit.other
        if other is not unset:
            audit_given += 1 + len(other)
            if other:
                try:
                    schema.check_other(other)
                except ValidationError:
                    raise _NotSureError from None
        return given + audit_given, codes + audit_codes

    def _spread_rows(self, profile: Any, block: _Block) -> bool:
        """Add the profile's accounts, events and periods; False if one cannot be vouched for.

        The loop over accounts is the decoder's hot path: its look-ups are bound to local
        names, and a row seen before costs one dictionary look-up.
        """
        unset = self._schema.unset
        starts = {table: len(rows) for table, rows in block.kinds.items()}
        sure = True
        try:
            factors = profile.factors
            if factors is not unset:
                kinds = self._kinds["observations"]
                kind_of, add = kinds.kind_of.get, kinds.add
                append_kind, append_factor = block.kinds["observations"].append, block.factor.append
                factor_codes = FACTOR_CODES
                for key, accounts in factors.items():
                    code = factor_codes[key]
                    for account in accounts if type(accounts) is list else (accounts,):
                        kind = kind_of(account)
                        if kind is None:
                            kind = add(account)
                        append_kind(kind)
                        append_factor(code)
            for table in ("events", "attendance"):
                items = getattr(profile, table)
                if items is unset:
                    continue
                kinds = self._kinds[table]
                kind_of, add = kinds.kind_of.get, kinds.add
                append_kind = block.kinds[table].append
                for item in items:
                    kind = kind_of(item)
                    append_kind(add(item) if kind is None else kind)
        except _NotSureError:
            sure = False
        for table, rows in block.kinds.items():
            block.counts[table].append(len(rows) - starts[table])
        return sure

    def _finish(self, block: _Block, lines: Sequence[bytes | None]) -> DecodedLines:
        """Build the tables; leave to the Profile path each line that may repeat a key."""
        n = len(block.ids)
        keys = np.array(block.own_keys, dtype=np.int64)
        tables: dict[str, DecodedTable] = {
            "children": _table(
                "children",
                np.arange(n, dtype=np.int64),
                _columns(
                    (*self._schema.profile, *self._schema.audit),
                    np.array(block.children, dtype=np.int64).reshape(
                        n, len(self._schema.profile) + len(self._schema.audit)
                    ),
                ),
            )
        }
        for table, kinds in self._kinds.items():
            codes, row_keys = kinds.arrays()
            rows = np.array(block.kinds[table], dtype=np.intp)
            child = np.repeat(np.arange(n, dtype=np.int64), block.counts[table])
            keys += np.bincount(child, weights=row_keys[rows], minlength=n).astype(np.int64)
            values = _columns(kinds.cells, codes[rows])
            if table == "observations":
                values["factor"] = np.array(block.factor, dtype=np.int16)
            tables[table] = _table(table, child, values)
        mismatched = np.flatnonzero(keys != np.array(block.colons, dtype=np.int64))
        for child_position in mismatched.tolist():
            index = block.lines[child_position]
            raw = lines[index]
            if raw is None or repeats_a_key(raw):
                block.line_child[index] = NULL
        return DecodedLines(CodedTables(**tables), block.ids, block.line_child)


def _columns(cells: Sequence[_Cell], codes: NDArray[np.int64]) -> dict[str, NDArray[Any]]:
    """Each cell's column of codes, typed as the Arrow tables decode it (ids and lists left out)."""
    return {
        cell.name: codes[:, position].astype(_DTYPES[cell.kind])
        for position, cell in enumerate(cells)
        if cell.name != "id" and cell.kind != "enum_list"
    }


def _table(name: str, child: NDArray[np.int64], values: dict[str, NDArray[Any]]) -> DecodedTable:
    rows = len(child)
    return DecodedTable(name, None, rows, child, values, np.zeros(rows, dtype=np.bool_))


@functools.cache
def _schema() -> _Schema | None:
    """Return the decoders and cells (built once), or None without msgspec."""
    try:
        msgspec = importlib.import_module("msgspec")
    except ImportError:
        return None
    if not _shape_known():
        return None
    return _build_schema(msgspec)


def line_decoder() -> LineDecoder | None:
    """Return a new decoder, or None when msgspec is not installed (read the Profile way).

    Returns None too if the Profile models hold a field the decoder is not built for, so
    a model that grows a new kind of field falls back to the Profile path rather than
    being read wrongly.
    """
    schema = _schema()
    return LineDecoder(schema) if schema is not None else None
