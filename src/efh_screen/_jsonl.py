"""JSON Lines profile files: reading record by record, and writing rejections.

JSONL input holds one record a line: a bare :class:`~efh_screen.Profile`, or a
labelled line ``{"profile": <Profile>, "outcome": 0 or 1}``. Reading streams:
one line is in memory at a time, and a line longer than ``max_line_bytes`` is
rejected without being read into memory or parsed. Every physical line is one
record; blank lines are rejected too, so nothing in a file is silently skipped.
"""

from __future__ import annotations

import json
import os
from codecs import BOM_UTF8
from collections.abc import Iterable, Iterator
from typing import IO, Any

from pydantic import ValidationError

from ._errors import FieldProblem, InputError, location_to_path
from ._profile import SCHEMA_WORDS, LabelledProfile, Profile, problems_from_validation_error
from ._records import REASON_EMPTY_LINE, InputRecord, RejectedRecord, safe_id

__all__ = [
    "MAX_LINE_BYTES",
    "jsonl_lines",
    "parse_jsonl_line",
    "read_jsonl",
    "repeats_a_key",
    "write_rejected_jsonl",
]

MAX_LINE_BYTES = 1_000_000
"""Longest JSONL line read (bytes); longer lines are rejected unparsed."""


REASON_TOO_LONG = (
    "is longer than {limit} bytes, so it was not read; a profile is far shorter — check the "
    "file is JSON Lines with one profile a line"
)
REASON_NOT_JSON = "is not valid JSON; check quotes, commas and brackets"
REASON_DUPLICATE_KEY = (
    "appears twice in one object; keep one (a repeated key would silently replace the first)"
)


class _DuplicateKeyError(ValueError):
    """Raised while decoding when one JSON object holds the same key twice."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    decoded = dict(pairs)
    if len(decoded) != len(pairs):
        raise _DuplicateKeyError
    return decoded


def repeats_a_key(raw: bytes) -> bool:
    """Whether some JSON object on the line holds one key twice (the check reading applies).

    A line the standard JSON decoder cannot read counts as repeating a key too: the answer
    is "no" only when the line is sure to be free of repeats.
    """
    try:
        json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError):  # _DuplicateKeyError is a ValueError
        return True
    return False


class _Pairs(list[tuple[str, Any]]):
    """A JSON object decoded as its key-value pairs in order (duplicates kept)."""


def _duplicate_key_path(raw: bytes) -> str:
    """Field path of the first repeated key, naming only schema words and positions."""
    tree = json.loads(raw, object_pairs_hook=_Pairs)
    found = _find_duplicate(tree, ())
    return location_to_path(found) if found is not None else "(record)"


def _find_duplicate(node: object, location: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(node, _Pairs):
        seen: set[str] = set()
        for position, (key, _) in enumerate(node, start=1):
            if key in seen:
                return (*location, _safe_key(key, position))
            seen.add(key)
        for position, (key, value) in enumerate(node, start=1):
            found = _find_duplicate(value, (*location, _safe_key(key, position)))
            if found is not None:
                return found
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found = _find_duplicate(item, (*location, index))
            if found is not None:
                return found
    return None


def _safe_key(key: str, position: int) -> str:
    return key if key in SCHEMA_WORDS else f"(key {position})"


def _id_of(data: object) -> str | None:
    """Return the id of a decoded line (bare or labelled) if it is a well-formed id."""
    if isinstance(data, dict):
        inner = data.get("profile")
        if isinstance(inner, dict):  # a labelled line: its profile's id, never a stray one
            return safe_id(inner.get("id"))
        return safe_id(data.get("id"))
    return None


def parse_jsonl_line(
    raw: bytes | None, line: int, *, max_line_bytes: int = MAX_LINE_BYTES
) -> InputRecord | RejectedRecord:
    """Validate one JSONL line (bare or labelled profile) into a record or a rejection.

    Parameters
    ----------
    raw : bytes or None
        The line as :func:`jsonl_lines` gives it; ``None`` for a line longer than
        ``max_line_bytes``, which is rejected unread.
    line : int
        Its physical line number, from 1.
    max_line_bytes : int
        The bound the line was read with (named in the reason for a long line).

    Notes
    -----
    The line is decoded once to refuse repeated keys and to tell a labelled line (whose
    object has a ``"profile"`` key) from a bare profile; pydantic then validates it.
    """
    if raw is None:
        reason = REASON_TOO_LONG.format(limit=max_line_bytes)
        return RejectedRecord(line, None, (FieldProblem("(line)", reason),))
    if not raw or raw.isspace():  # (no copy of a long line, unlike strip())
        return RejectedRecord(line, None, (FieldProblem("(line)", REASON_EMPTY_LINE),))
    try:
        data = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKeyError:
        path = _duplicate_key_path(raw)
        # The id is reported unless it is the repeated key (then it is ambiguous).
        rid = None if path in ("id", "profile.id") else _id_of(json.loads(raw))
        return RejectedRecord(line, rid, (FieldProblem(path, REASON_DUPLICATE_KEY),))
    except (ValueError, RecursionError):
        return RejectedRecord(line, None, (FieldProblem("(line)", REASON_NOT_JSON),))
    try:
        if isinstance(data, dict) and "profile" in data:
            labelled = LabelledProfile.model_validate_json(raw)
            return InputRecord(line, labelled.profile, labelled.outcome)
        return InputRecord(line, Profile.model_validate_json(raw))
    except ValidationError as exc:
        problems = tuple(problems_from_validation_error(exc, data))
        return RejectedRecord(line, _id_of(data), problems)


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
    if isinstance(max_line_bytes, bool) or not isinstance(max_line_bytes, int):
        raise InputError([FieldProblem("max_line_bytes", "must be a whole number of bytes")])
    if max_line_bytes < 1:
        raise InputError(
            [FieldProblem("max_line_bytes", "must be 1 or more; the default is 1000000")]
        )
    return _read_source(source, max_line_bytes)


def _read_source(
    source: str | os.PathLike[str] | IO[bytes], max_line_bytes: int
) -> Iterator[InputRecord | RejectedRecord]:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield from _read_stream(stream, max_line_bytes)
    else:
        yield from _read_stream(source, max_line_bytes)


def _read_stream(stream: IO[bytes], max_line_bytes: int) -> Iterator[InputRecord | RejectedRecord]:
    for raw, number in jsonl_lines(stream, max_line_bytes=max_line_bytes):
        yield parse_jsonl_line(raw, number, max_line_bytes=max_line_bytes)


def jsonl_lines(
    stream: IO[bytes], *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[bytes | None, int]]:
    """Yield each physical line of a JSONL stream unparsed, with its number (from 1).

    A line longer than ``max_line_bytes`` is skipped unread and given as ``None``; a
    byte-order mark at the start of the first line is removed. Each line is then one
    record for :func:`parse_jsonl_line`, so lines can be parsed anywhere, in any grouping.
    """
    for raw, number in _read_lines(stream, max_line_bytes):
        if number == 1 and raw is not None and raw.startswith(BOM_UTF8):
            raw = raw[len(BOM_UTF8) :]  # a byte-order mark some editors add
        yield raw, number


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
