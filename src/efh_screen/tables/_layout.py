"""The columnar layout: four long tables, derived from the catalogue and the profile models.

A profile is spread over four tables linked by the child's pseudonymous ``id``:

``children``
    one row per young person: ``id``, ``date_of_birth``, ``agencies`` and the audit-only
    demographics ``ethnicity`` and ``sex`` (read only to check them; never scored);
``observations``
    one row per agency's account of a factor: ``id``, ``factor`` and the fields of
    :class:`~efh_screen.Observation` (several rows for one factor are several accounts);
``events``
    one row per dated event: ``id`` and the fields of :class:`~efh_screen.Event`;
``attendance``
    one row per attendance period: ``id`` and the fields of
    :class:`~efh_screen.AttendanceRecord`.

Every column but ``id`` and ``factor`` is read off a field of the profile models, and every
vocabulary off the catalogue, so a field added to a model is a column here too (a field of
a kind the layout does not know stops the import, naming it). Nothing is written twice.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .._factors import FACTORS
from .._profile import AttendanceRecord, Audit, Event, Observation, Profile
from ._arrow import arrow

__all__ = [
    "AUDIT_COLUMNS",
    "LAYOUT",
    "PROFILE_COLUMNS",
    "TABLE_NAMES",
    "Column",
    "ColumnKind",
    "Limits",
    "arrow_schemas",
    "describe_layout",
]

ColumnKind = Literal["text", "enum", "date", "count", "bool", "enum_list"]

TABLE_NAMES = ("children", "observations", "events", "attendance")
"""The four tables, in the order every function takes them."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds a profile model puts on a field, read from its metadata.

    Attributes
    ----------
    minimum, maximum : int or None
        Smallest and largest whole number allowed.
    min_length, max_length : int or None
        Shortest and longest text allowed, in characters.
    pattern : str or None
        Regular expression the whole text must match.
    """

    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table of the layout.

    Attributes
    ----------
    name : str
        Column name (the profile model's field name).
    kind : {"text", "enum", "date", "count", "bool", "enum_list"}
        What it holds: text, a word from a fixed vocabulary, a calendar date, a whole
        number, true/false, or a list of words from a vocabulary.
    required : bool
        Whether every row must give it (a required model field).
    vocabulary : tuple of str
        The allowed words of an enum column, in catalogue order (empty otherwise).
    description : str
        What it holds, in plain words.
    limits : Limits
        The model's bounds on the values (counts) and lengths (text).
    """

    name: str
    kind: ColumnKind
    required: bool
    vocabulary: tuple[str, ...] = ()
    description: str = ""
    limits: Limits = Limits()


def _metadata(annotation: Any) -> list[Any]:
    """Every metadata item inside ``Annotated[...]`` wrappers (and ``| None``) of a type."""
    found: list[Any] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        for item in extra:
            found.extend(getattr(item, "metadata", None) or [item])
        found.extend(_metadata(inner))
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(_metadata(arg))
    return found


def _limits(field_info: FieldInfo) -> Limits:
    values: dict[str, Any] = {}
    for item in [*field_info.metadata, *_metadata(field_info.annotation)]:
        for attribute, name in (
            ("ge", "minimum"),
            ("le", "maximum"),
            ("min_length", "min_length"),
            ("max_length", "max_length"),
            ("pattern", "pattern"),
        ):
            value = getattr(item, attribute, None)
            if value is not None:
                values[name] = value
    return Limits(**values)


def _strip(annotation: Any) -> Any:
    """Return the annotation without ``| None`` and ``Annotated[...]`` wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(kept) != 1:
                return annotation
            annotation = kept[0]
        else:
            return annotation


def _words(annotation: Any) -> tuple[str, ...] | None:
    """Return the allowed words of an enum or a ``Literal`` of strings (None for other types)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(str(member.value) for member in annotation)
    if typing.get_origin(annotation) is Literal:
        values = typing.get_args(annotation)
        if values and all(isinstance(value, str) for value in values):
            return tuple(values)
    return None


def _column_of(model: type[BaseModel], name: str, description: str) -> Column:
    """Return the column for one model field; a field of a kind not known here is an error."""
    field_info = model.model_fields[name]
    annotation = _strip(field_info.annotation)
    required = field_info.is_required()
    limits = _limits(field_info)
    words = _words(annotation)
    if words is not None:
        return Column(name, "enum", required, words, description, limits)
    if annotation is dt.date:
        return Column(name, "date", required, (), description)
    if annotation is bool:
        return Column(name, "bool", required, (), description)
    if annotation is int:
        return Column(name, "count", required, (), description, limits)
    if annotation is str:
        return Column(name, "text", required, (), description, limits)
    if typing.get_origin(annotation) is tuple:
        item_words = _words(_strip(typing.get_args(annotation)[0]))
        if item_words is not None:
            return Column(name, "enum_list", False, item_words, description)
    raise TypeError(
        f"{model.__name__}.{name} has a type the columnar layout does not know "
        f"({field_info.annotation!r}); teach efh_screen.tables._layout its column kind"
    )


def _description(model: type[BaseModel], name: str) -> str:
    """Return the field's description from the model's numpydoc ``Parameters`` section."""
    lines = (model.__doc__ or "").splitlines()
    for number, line in enumerate(lines):
        names = [part.strip() for part in line.split(":")[0].split(",")]
        if ":" in line and name in names:
            indent = len(line) - len(line.lstrip())
            words: list[str] = []
            for following in lines[number + 1 :]:
                if not following.strip() or len(following) - len(following.lstrip()) <= indent:
                    break
                words.append(following.strip())
            return " ".join(words)
    return ""


def _model_columns(model: type[BaseModel], *, skip: tuple[str, ...] = ()) -> tuple[Column, ...]:
    return tuple(
        _column_of(model, name, _description(model, name))
        for name in model.model_fields
        if name not in skip
    )


_ID = Column(
    "id",
    "text",
    True,
    (),
    "The child's pseudonymous id; links the row to its child.",
    _limits(Profile.model_fields["id"]),
)
_FACTOR = Column("factor", "enum", True, tuple(FACTORS), "The catalogue factor this account is of.")
# Profile fields held by the other tables (factors, events, attendance) or, for the audit,
# split into its own columns; Audit.other is not part of the layout (as in the flat CSV).
_NESTED = ("factors", "events", "attendance", "audit")
AUDIT_COLUMNS: tuple[str, ...] = tuple(name for name in Audit.model_fields if name != "other")
"""Audit-only columns of the children table: checked, never scored."""
PROFILE_COLUMNS: tuple[str, ...] = tuple(
    name for name in Profile.model_fields if name not in _NESTED
)
"""Columns of the children table that are fields of the profile itself (the rest are audit)."""

LAYOUT: Mapping[str, tuple[Column, ...]] = types.MappingProxyType(
    {
        "children": (
            *(_column_of(Profile, name, _description(Profile, name)) for name in PROFILE_COLUMNS),
            *(_column_of(Audit, name, _description(Audit, name)) for name in AUDIT_COLUMNS),
        ),
        "observations": (_ID, _FACTOR, *_model_columns(Observation)),
        "events": (_ID, *_model_columns(Event)),
        "attendance": (_ID, *_model_columns(AttendanceRecord)),
    }
)
"""Every table's columns, in order (read-only)."""


def _arrow_type(column: Column) -> Any:
    pa = arrow("the Arrow schema").pa
    if column.kind in ("enum", "enum_list"):
        index = pa.int8() if len(column.vocabulary) < 128 else pa.int16()
        word = pa.dictionary(index, pa.string())
        return word if column.kind == "enum" else pa.list_(pa.string())
    return {
        "text": pa.string(),
        "date": pa.date32(),
        "count": pa.int16(),
        "bool": pa.bool_(),
    }[column.kind]


def arrow_schemas() -> dict[str, Any]:
    """Return the Arrow schema of each table, by table name.

    Enum columns are dictionary-encoded strings whose field metadata lists the allowed
    words (``values``); dates are ``date32``; counts ``int16``; required columns are not
    nullable. Each field's metadata also holds its ``description``.

    Returns
    -------
    dict of str to pyarrow.Schema
        One schema per table, in the order of :data:`TABLE_NAMES`.
    """
    pa = arrow("the Arrow schema").pa
    schemas: dict[str, Any] = {}
    for table, columns in LAYOUT.items():
        fields = []
        for column in columns:
            metadata = {"description": column.description}
            if column.vocabulary:
                metadata["values"] = ", ".join(column.vocabulary)
            fields.append(
                pa.field(
                    column.name,
                    _arrow_type(column),
                    nullable=not column.required,
                    metadata=metadata,
                )
            )
        schemas[table] = pa.schema(fields)
    return schemas


def describe_layout() -> str:
    """Return the four Arrow schemas as text, with each column's allowed words.

    This is what ``efh-screen schema --arrow`` prints.
    """
    blocks: list[str] = []
    for table, schema in arrow_schemas().items():
        lines = [f"{table}:"]
        for field in schema:
            required = "required" if not field.nullable else "optional"
            lines.append(f"  {field.name}: {field.type} ({required})")
            values = (field.metadata or {}).get(b"values")
            if values:
                lines.append(f"      one of: {values.decode()}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
