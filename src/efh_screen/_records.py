"""Records read from a file: the validated ones, the rejected ones, and why.

Every physical line (JSONL) or data row (CSV) is one record. It either validates (an
:class:`InputRecord`) or is rejected (a :class:`RejectedRecord` with its line number, the id
where it can be read, and one :class:`~efh_screen.FieldProblem` per bad field). Reasons
never repeat the input's values; the id is reported only when it is a well-formed
pseudonymous id (:func:`safe_id`).

The readers (``_jsonl``, ``_csv``) and the batch runner (``_batch``) share these types and
the reasons worded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._errors import FieldProblem
from ._profile import Profile, record_id

__all__ = [
    "REASON_DUPLICATE",
    "REASON_EMPTY_LINE",
    "REASON_EMPTY_ROW",
    "InputRecord",
    "RejectedRecord",
    "safe_id",
]

REASON_EMPTY_LINE = "is an empty line; remove it or put one profile on it"
REASON_EMPTY_ROW = "is an empty row; remove it or put one profile on it"
REASON_DUPLICATE = (
    "duplicate id; first seen on line {line}; each young person must appear once — merge the "
    "records or remove the later one"
)


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One record read and validated.

    Attributes
    ----------
    line : int
        Physical line it came from, from 1 (for CSV, the line its row starts on; the
        header is line 1).
    profile : Profile
        The validated profile.
    outcome : int or None
        The outcome (0 or 1) of a labelled line, else None.
    """

    line: int
    profile: Profile
    outcome: int | None = None


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """One record that could not be screened, and why.

    Attributes
    ----------
    line : int
        Physical line, from 1 (for CSV, the line the row starts on; the header is line 1).
    id : str or None
        The record's pseudonymous id where it could be read, else None.
    problems : tuple of FieldProblem
        One or more problems, each naming the field (for CSV, the column) and
        saying how to fix it. Input values are never repeated.
    """

    line: int
    id: str | None
    problems: tuple[FieldProblem, ...] = field(default_factory=tuple)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per problem: ``{"line", "id", "field", "reason"}``."""
        return [
            {"line": self.line, "id": self.id, "field": problem.field, "reason": problem.reason}
            for problem in self.problems
        ]


def safe_id(value: object) -> str | None:
    """Return ``value`` if it is a well-formed pseudonymous id (never anything else)."""
    return record_id({"id": value})
