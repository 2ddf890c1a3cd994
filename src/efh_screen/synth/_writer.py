"""Writing synthetic cohorts as JSON Lines files, atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .._errors import FieldProblem, InputError
from .._files import atomic_output
from ._cohort import check_arguments, cohort_lines, resolve_parameters
from ._parameters import Population, SynthParameters

__all__ = ["CohortSummary", "write_cohort"]


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """What :func:`write_cohort` wrote.

    Attributes
    ----------
    path : str or None
        Where it was written (``None`` for an open file).
    n_profiles : int
        Lines written.
    n_outcomes : int
        Profiles with outcome 1.
    population : str
        The parameters' population name.
    seed : int
        The seed.
    as_of : datetime.date
        The screening date.
    sha256 : str
        SHA-256 of the bytes written (to check reproducibility).
    """

    path: str | None
    n_profiles: int
    n_outcomes: int
    population: str
    seed: int
    as_of: dt.date
    sha256: str

    @property
    def outcome_rate(self) -> float:
        """Share of profiles with outcome 1 (0 for an empty cohort)."""
        return self.n_outcomes / self.n_profiles if self.n_profiles else 0.0


def write_cohort(
    destination: str | os.PathLike[str] | IO[str],
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    population: Population = "general",
    parameters: SynthParameters | None = None,
    labelled: bool = True,
) -> CohortSummary:
    """Write a synthetic cohort as JSON Lines, atomically, in bounded memory.

    Each line is ``{"profile": ..., "outcome": 0 or 1}`` (or a bare profile
    when ``labelled=False``), in the canonical form
    ``model_dump_json(exclude_defaults=True)``.

    Parameters
    ----------
    destination : path or text file
        A path (written to a temporary file in the same directory, then
        renamed, so a failure never leaves a partial file) or an open text file.
    n : int
        Number of profiles.
    seed : int
        Seed (0 or more).
    as_of : datetime.date
        The screening date.
    population : {"general", "early-help"}
        Preset to use when ``parameters`` is not given.
    parameters : SynthParameters, optional
        Every parameter of the model (overrides ``population``).
    labelled : bool
        Write labelled lines (default) or bare profiles (a caseload).

    Returns
    -------
    CohortSummary
        Lines written, outcomes, and the SHA-256 of the bytes.

    Raises
    ------
    InputError
        If ``n``, ``seed``, ``as_of`` or the parameters are unusable.
    OSError
        If the destination cannot be written.
    """
    check_arguments(n, seed, as_of)
    resolved = resolve_parameters(population, parameters)
    if isinstance(destination, str | os.PathLike):
        path = Path(destination)
        if not path.parent.is_dir():
            raise InputError(
                [
                    FieldProblem(
                        "destination",
                        f"folder {str(path.parent)!r} does not exist; create it or choose "
                        "another output path",
                    )
                ]
            )
        with atomic_output(path) as handle:
            summary = _write_lines(
                handle,
                n,
                seed=seed,
                as_of=as_of,
                parameters=resolved,
                labelled=labelled,
                path=str(path),
            )
        return summary
    return _write_lines(
        destination, n, seed=seed, as_of=as_of, parameters=resolved, labelled=labelled, path=None
    )


def _write_lines(
    handle: IO[str],
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    parameters: SynthParameters,
    labelled: bool,
    path: str | None,
) -> CohortSummary:
    digest = hashlib.sha256()
    outcomes = 0
    count = 0
    buffer: list[str] = []
    lines = cohort_lines(n, seed=seed, as_of=as_of, parameters=parameters, labelled=labelled)
    for line in lines:
        outcomes += bool(line.chunk.outcome[line.row])
        count += 1
        buffer.append(line.text)
        if len(buffer) >= 1024:
            text = "\n".join(buffer) + "\n"
            handle.write(text)
            digest.update(text.encode("utf-8"))
            buffer.clear()
    if buffer:
        text = "\n".join(buffer) + "\n"
        handle.write(text)
        digest.update(text.encode("utf-8"))
    return CohortSummary(
        path=path,
        n_profiles=count,
        n_outcomes=outcomes,
        population=parameters.population,
        seed=seed,
        as_of=as_of,
        sha256=digest.hexdigest(),
    )
