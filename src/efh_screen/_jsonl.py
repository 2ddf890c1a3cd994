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
from collections.abc import Iterable, Iterator
from typing import IO

from pydantic import ValidationError

from ._errors import FieldProblem
from ._profile import LabelledProfile, Profile, problems_from_validation_error
from ._records import REASON_EMPTY_LINE, InputRecord, RejectedRecord, safe_id

__all__ = [
    "MAX_LINE_BYTES",
    "read_jsonl",
    "write_rejected_jsonl",
]

MAX_LINE_BYTES = 1_000_000
"""Longest JSONL line read (bytes); longer lines are rejected unparsed."""

_LABELLED_HINT = b'"profile"'
_BOM = b"\xef\xbb\xbf"

REASON_TOO_LONG = (
    "is longer than {limit} bytes, so it was not read; a profile is far shorter — check the "
    "file is JSON Lines with one profile a line"
)


def _id_from_line(raw: bytes) -> str | None:
    """Find the id of a line that failed validation, for the error report."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict):
        if "id" in data:
            return safe_id(data.get("id"))
        inner = data.get("profile")
        if isinstance(inner, dict):
            return safe_id(inner.get("id"))
    return None


def _is_labelled(raw: bytes) -> bool:
    return _LABELLED_HINT in raw[:32]


def _parse_line(raw: bytes, line: int) -> InputRecord | RejectedRecord:
    """Validate one JSONL line (bare or labelled profile) into a record or a rejection."""
    if not raw or raw.isspace():  # (no copy of a long line, unlike strip())
        return RejectedRecord(line, None, (FieldProblem("(line)", REASON_EMPTY_LINE),))
    try:
        if _is_labelled(raw):
            labelled = LabelledProfile.model_validate_json(raw)
            return InputRecord(line, labelled.profile, labelled.outcome)
        return InputRecord(line, Profile.model_validate_json(raw))
    except ValidationError as exc:
        return RejectedRecord(line, _id_from_line(raw), tuple(problems_from_validation_error(exc)))


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
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield from _read_stream(stream, max_line_bytes)
    else:
        yield from _read_stream(source, max_line_bytes)


def _read_stream(stream: IO[bytes], max_line_bytes: int) -> Iterator[InputRecord | RejectedRecord]:
    too_long = REASON_TOO_LONG.format(limit=max_line_bytes)
    for raw, number in _read_lines(stream, max_line_bytes):
        if number == 1 and raw is not None and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]  # a byte-order mark some editors add
        if raw is None:
            yield RejectedRecord(number, None, (FieldProblem("(line)", too_long),))
        else:
            yield _parse_line(raw, number)


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
