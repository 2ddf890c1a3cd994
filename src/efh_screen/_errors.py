"""Errors raised by efh_screen.

Every error names the field at fault and says how to fix it. Messages never
contain personal data: at most the record's pseudonymous id.

Hierarchy::

    EfhScreenError
    ├── ProfileError        a profile is impossible or malformed
    ├── WeightsError        a weightings file is malformed
    ├── InputError          a file or record could not be read (batch, CSV mapping)
    └── ValidationInputError arrays given to the research tools do not fit
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EfhScreenError",
    "FieldProblem",
    "InputError",
    "ProfileError",
    "ValidationInputError",
    "WeightsError",
    "location_to_path",
]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one field.

    Attributes
    ----------
    field : str
        Dotted path to the field, e.g. ``"attendance[0].missed_sessions"``.
    reason : str
        Plain-English reason, saying how to fix it.
    """

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class EfhScreenError(Exception):
    """Root of every error efh_screen raises on purpose."""


class _ProblemsError(EfhScreenError):
    """An error that carries one or more field problems."""

    subject = "input"

    def __init__(self, problems: Sequence[FieldProblem], *, record_id: str | None = None) -> None:
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        self.record_id = record_id
        head = f"invalid {self.subject}"
        if record_id is not None:
            head += f" (id {record_id!r})"
        lines = [f"{head}:"] + [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    @property
    def fields(self) -> tuple[str, ...]:
        """Field paths named by the problems, in order."""
        return tuple(problem.field for problem in self.problems)


class ProfileError(_ProblemsError, ValueError):
    """A profile is malformed or impossible (as read, or as of the screening date)."""

    subject = "profile"


class WeightsError(_ProblemsError, ValueError):
    """A weightings file is malformed or inconsistent."""

    subject = "weightings"


class InputError(_ProblemsError, ValueError):
    """A file, mapping or record could not be read."""

    subject = "input"


class ValidationInputError(EfhScreenError, ValueError):
    """Arrays passed to the research tools have the wrong shape or values."""


def location_to_path(location: Iterable[Any]) -> str:
    """Render a pydantic error location as a dotted field path.

    Parameters
    ----------
    location : iterable of str or int
        The ``loc`` of a pydantic error, e.g. ``("attendance", 0, "end")``.

    Returns
    -------
    str
        The path, e.g. ``"attendance[0].end"``; ``"(record)"`` for an empty location.
    """
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out or "(record)"
