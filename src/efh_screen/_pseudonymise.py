"""Pseudonymisation at source: a real identifier becomes a keyed hash agencies can link on.

Each agency replaces the identifier it holds (an NHS number, a unique pupil number)
with ``HMAC-SHA256(key, normalised identifier)`` before its extract leaves it, using a
secret key the partnership shares with the agencies and no one else. The same child gets
the same pseudonymous id in every agency's extract, so the extracts link; without the key
the id cannot be turned back into the identifier, nor recomputed from a guessed one.

Normalising first makes ``943 476 5919`` and ``9434765919`` the same: Unicode NFKC, then
spaces and hyphens removed, then upper case. The key is read from a file, must be at least
:data:`MIN_KEY_BYTES` bytes, and never appears in any output, error or log; an identifier
is never repeated either (a bad row is named by its number).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ._errors import FieldProblem, InputError
from ._files import OutputFiles, SafeCsvWriter, read_bounded

__all__ = [
    "MIN_KEY_BYTES",
    "PSEUDONYM_PREFIX",
    "PseudonymisationSummary",
    "load_key",
    "pseudonymise_file",
    "pseudonymise_id",
]

MIN_KEY_BYTES = 32
"""Shortest key accepted (256 bits, the size of the hash)."""

MAX_KEY_FILE_BYTES = 4_096
"""Largest key file read; a key is far shorter, so anything longer is the wrong file."""

PSEUDONYM_PREFIX = "P-"
"""Start of every pseudonymous id made here."""

_HEX_CHARACTERS = 32  # 128 bits of the hash: no collisions among any partnership's children
_REMOVED = str.maketrans("", "", " \t-")


def load_key(path: str | os.PathLike[str]) -> bytes:
    """Read the partnership's secret key from a file.

    Trailing line breaks and spaces are not part of the key.

    Parameters
    ----------
    path : path-like
        The key file (keep it readable only by the people who pseudonymise).

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    InputError
        If the file cannot be read or the key is shorter than :data:`MIN_KEY_BYTES`
        bytes. The key itself is never repeated.
    """
    if not Path(path).is_file():  # a folder, a device or a FIFO is never a key file
        reason = "is not a file; give the path of the partnership's key file"
        raise InputError([FieldProblem("--key-file", reason)])
    key = read_bounded(path, field="--key-file", limit=MAX_KEY_FILE_BYTES).rstrip(b"\r\n \t")
    if len(key) < MIN_KEY_BYTES:
        reason = (
            f"holds a key shorter than {MIN_KEY_BYTES} bytes; make one with "
            "'python -c \"import secrets; print(secrets.token_hex(32))\"' and share it only "
            "with the agencies that pseudonymise"
        )
        raise InputError([FieldProblem("--key-file", reason)])
    return key


def _normalise(identifier: str) -> str:
    return unicodedata.normalize("NFKC", identifier).translate(_REMOVED).upper()


def pseudonymise_id(identifier: str, *, key: bytes) -> str:
    """Turn a real identifier into a pseudonymous id with the partnership's key.

    Parameters
    ----------
    identifier : str
        An NHS number, a unique pupil number or similar.
    key : bytes
        The partnership's secret key (at least :data:`MIN_KEY_BYTES` bytes).

    Returns
    -------
    str
        ``P-`` and 32 hexadecimal characters; the same for the same normalised
        identifier and key, different for a different key.

    Raises
    ------
    ValueError
        If the key is too short or the identifier is blank once normalised
        (the message never repeats either).

    Examples
    --------
    >>> from efh_screen import pseudonymise_id
    >>> key = b"an example key that is long enough only for a demo!"
    >>> pseudonymise_id("943 476 5919", key=key) == pseudonymise_id("9434765919", key=key)
    True
    """
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the key must be at least {MIN_KEY_BYTES} bytes")
    normalised = _normalise(identifier)
    if not normalised:
        raise ValueError("the identifier is blank")
    digest = hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:_HEX_CHARACTERS]


@dataclass(frozen=True, slots=True)
class PseudonymisationSummary:
    """What :func:`pseudonymise_file` did; every data row is counted once.

    Attributes
    ----------
    rows : int
        Data rows read (the header is row 1).
    pseudonymised : int
        Rows written with the identifier replaced.
    blank_rows : tuple of int
        Row numbers left out because the identifier cell was blank (no value is shown).
    """

    rows: int
    pseudonymised: int
    blank_rows: tuple[int, ...]


def pseudonymise_file(
    source: str | os.PathLike[str],
    *,
    column: str,
    key: bytes,
    out: str | os.PathLike[str],
) -> PseudonymisationSummary:
    """Replace one column of a CSV export with pseudonymous ids.

    The output is the same CSV with that column's cells replaced; it is written only
    if the whole file is read (all or nothing). Rows whose identifier is blank are left
    out and listed by row number.

    Parameters
    ----------
    source : path-like
        The CSV export (UTF-8; a byte-order mark is ignored).
    column : str
        The header of the identifier column.
    key : bytes
        The partnership's secret key (see :func:`load_key`).
    out : path-like
        The pseudonymised CSV.

    Returns
    -------
    PseudonymisationSummary
        Rows read, written and left out.

    Raises
    ------
    InputError
        If the file cannot be read, has no such column, or the key is too short.
    """
    if len(key) < MIN_KEY_BYTES:
        reason = f"is shorter than {MIN_KEY_BYTES} bytes"
        raise InputError([FieldProblem("key", reason)])
    try:
        stream = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror}); check the path"
        raise InputError([FieldProblem(str(source), reason)]) from None
    tally = [0, 0]  # rows read, rows written
    blank: list[int] = []  # row numbers of blank identifiers
    with stream, OutputFiles(inputs=[source]) as files:  # an output error names the output
        try:
            reader = csv.reader(stream)
            header: list[str] = next(reader, [])
            position = _identifier_position(header, column)
            writer = SafeCsvWriter(files.open("--out", out))
            writer.writerow(header)
            rows = _pseudonymised_rows(reader, position=position, key=key, tally=tally, blank=blank)
            for row in rows:
                writer.writerow(row)
        except (UnicodeDecodeError, csv.Error):
            reason = "is not a UTF-8 CSV file; save the export as CSV UTF-8"
            raise InputError([FieldProblem(str(source), reason)]) from None
    return PseudonymisationSummary(rows=tally[0], pseudonymised=tally[1], blank_rows=tuple(blank))


def _identifier_position(header: list[str], column: str) -> int:
    """Return the identifier column's position; refuse it absent, or present twice.

    A second copy of the column would be left in clear text.
    """
    if column not in header:
        reason = "is not a column of the export; give the identifier column's header"
        raise InputError([FieldProblem("--column", reason)])
    if header.count(column) > 1:
        reason = (
            "names a column that appears more than once in the header; rename the copies so "
            "no identifier is left in clear text"
        )
        raise InputError([FieldProblem("--column", reason)])
    return header.index(column)


def _pseudonymised_rows(
    rows: Iterable[list[str]], *, position: int, key: bytes, tally: list[int], blank: list[int]
) -> Iterator[list[str]]:
    """Yield each row with its identifier replaced; count rows, note blank ones by number."""
    for number, row in enumerate(rows, start=2):  # the header is row 1
        tally[0] += 1
        cell = row[position] if position < len(row) else ""
        if not _normalise(cell):
            blank.append(number)
            continue
        row[position] = pseudonymise_id(cell, key=key)
        tally[1] += 1
        yield row
