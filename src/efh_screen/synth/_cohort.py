"""Synthetic cohorts with their ground truth: the public generators.

No one can share real children's records, so tests, demos, the bundled sample
caseload and researchers' power and bias studies use synthetic cohorts whose
truth is known. :mod:`efh_screen.synth._generator` draws profiles as numpy
arrays, chunk by chunk; :mod:`efh_screen.synth._records` turns a chunk into JSON
lines; this module checks the arguments, streams the lines as profiles with
their ground truth, and gathers the ground truth of a whole cohort as arrays.
:mod:`efh_screen.synth._writer` writes the same lines to a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._errors import FieldProblem, InputError
from .._factors import FACTORS, EventType
from .._profile import LabelledProfile
from ._catalogue import ACE_KEYS, ETHNICITIES, EVENT_TYPES
from ._generator import CHUNK_SIZE, BoolArray, Chunk, FloatArray, IntArray, chunks
from ._parameters import Population, SynthParameters
from ._records import Assembler

__all__ = [
    "CohortLine",
    "CohortTruth",
    "GroundTruth",
    "SyntheticCase",
    "check_arguments",
    "cohort_lines",
    "generate_cases",
    "generate_cohort",
    "generate_truth",
    "resolve_parameters",
]


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What is really true of a synthetic young person (never visible in the profile).

    Attributes
    ----------
    id : str
        The profile's pseudonymous id.
    risk : float
        True probability of the outcome under the known outcome model.
    adversity : float
        The latent adversity ``A``.
    behaviour : float
        The latent behavioural risk ``B``.
    ace_count : int
        Number of the ten ACE categories truly present.
    factors : dict of str to bool
        True status of every catalogue factor, in catalogue order (event
        factors: at least one underlying event; attendance: a true absence
        rate at or above ``persistent_absence``).
    """

    id: str
    risk: float
    adversity: float
    behaviour: float
    ace_count: int
    factors: dict[str, bool]


@dataclass(frozen=True, slots=True)
class SyntheticCase:
    """One generated young person: the labelled profile and its ground truth.

    Attributes
    ----------
    labelled : LabelledProfile
        The profile as the agencies recorded it, with the outcome.
    truth : GroundTruth
        What is really true.
    """

    labelled: LabelledProfile
    truth: GroundTruth


@dataclass(frozen=True, slots=True)
class CohortTruth:
    """The ground truth of a whole cohort as arrays (row ``i`` is ``SYN-{i+1:07d}``).

    Attributes
    ----------
    factor_keys : tuple of str
        Catalogue keys, the columns of ``factors``.
    factors : numpy.ndarray of bool, of shape (n_profiles, n_factors)
        True status of every factor (see :class:`GroundTruth`).
    risk : numpy.ndarray of float, of shape (n_profiles,)
        True outcome probability.
    outcome : numpy.ndarray of int, of shape (n_profiles,)
        The drawn outcome (0 or 1), as written in the cohort.
    adversity, behaviour : numpy.ndarray of float, of shape (n_profiles,)
        The latents ``A`` and ``B``.
    ethnicity : numpy.ndarray of str, of shape (n_profiles,)
        The audit ethnicity (values of :class:`~efh_screen.Ethnicity`).
    disability : numpy.ndarray of bool, of shape (n_profiles,)
        The audit disability (all false when ``disability_prevalence`` is 0).
    event_types : tuple of str
        Event type values, the columns of the event-count arrays.
    true_event_counts : numpy.ndarray of int, of shape (n_profiles, n_event_types)
        Underlying events, recorded or not.
    listed_event_counts : numpy.ndarray of int, of shape (n_profiles, n_event_types)
        Events listed in the profile (recorded, and the holding agency's
        information not missing).
    """

    factor_keys: tuple[str, ...]
    factors: BoolArray
    risk: FloatArray
    outcome: IntArray
    adversity: FloatArray
    behaviour: FloatArray
    ethnicity: npt.NDArray[np.str_]
    disability: BoolArray
    event_types: tuple[str, ...]
    true_event_counts: IntArray
    listed_event_counts: IntArray

    @property
    def ace_count(self) -> IntArray:
        """Number of ACE categories truly present, of shape (n_profiles,)."""
        columns = [self.factor_keys.index(key) for key in ACE_KEYS]
        count: IntArray = self.factors[:, columns].sum(axis=1)
        return count

    def factor(self, key: str) -> BoolArray:
        """Return the true status of one factor, of shape (n_profiles,).

        Parameters
        ----------
        key : str
            A catalogue key.

        Returns
        -------
        numpy.ndarray of bool
        """
        if key not in self.factor_keys:
            raise InputError(
                [FieldProblem("key", f"{key!r} is not a factor key; run 'efh-screen factors'")]
            )
        column: BoolArray = self.factors[:, self.factor_keys.index(key)]
        return column


# ---------------------------------------------------------------------------------------------
# Checking the call, and streaming lines


MAX_PROFILES = 10_000_000
"""Most profiles one call generates (about 32 GB of JSON lines; split larger studies)."""


def check_arguments(n: int, seed: int, as_of: dt.date) -> None:
    """Check the arguments every generator takes.

    Parameters
    ----------
    n : int
        Number of profiles (0 or more).
    seed : int
        Seed (0 or more).
    as_of : datetime.date
        The screening date (a date, not a datetime; 1950 or later).

    Raises
    ------
    InputError
        Naming each unusable argument and how to fix it.
    """
    problems: list[FieldProblem] = []
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PROFILES:
        problems.append(
            FieldProblem("n", f"must be a whole number of profiles from 0 to {MAX_PROFILES:,}")
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(FieldProblem("seed", "must be a whole number, 0 or more; pass e.g. 42"))
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        problems.append(FieldProblem("as_of", "must be a datetime.date, e.g. date(2026, 9, 1)"))
    elif as_of.year < 1950:
        problems.append(FieldProblem("as_of", "must be 1950 or later"))
    if problems:
        raise InputError(problems)


def resolve_parameters(
    population: Population, parameters: SynthParameters | None
) -> SynthParameters:
    """Return the parameters given, else the population's preset.

    Parameters
    ----------
    population : {"general", "early-help"}
        Preset to use when ``parameters`` is None.
    parameters : SynthParameters or None
        Every parameter of the model.

    Returns
    -------
    SynthParameters

    Raises
    ------
    InputError
        If ``parameters`` is not a SynthParameters or the population is unknown.
    """
    if parameters is not None:
        if not isinstance(parameters, SynthParameters):
            raise InputError(
                [FieldProblem("parameters", "must be a SynthParameters; use a preset")]
            )
        return parameters
    return SynthParameters.for_population(population)


class CohortLine(NamedTuple):
    """One profile's JSON line, with the chunk it was drawn in and its row there."""

    text: str
    chunk: Chunk
    row: int


def cohort_lines(
    n: int, *, seed: int, as_of: dt.date, parameters: SynthParameters, labelled: bool = True
) -> Iterator[CohortLine]:
    """Yield the JSON lines of a cohort of ``n`` profiles, in order.

    Parameters
    ----------
    n : int
        Number of profiles.
    seed : int
        Seed (0 or more).
    as_of : datetime.date
        The screening date.
    parameters : SynthParameters
        Every parameter of the model.
    labelled : bool
        Labelled lines (default) or bare profiles.

    Yields
    ------
    CohortLine
    """
    assembler = Assembler(parameters, as_of)
    for chunk in chunks(n, seed=seed, as_of=as_of, parameters=parameters):
        stop = min(CHUNK_SIZE, n - chunk.start)
        lines = assembler.lines(chunk, first_number=chunk.start + 1, labelled=labelled)
        for row, text in enumerate(lines):
            if row >= stop:
                break
            yield CohortLine(text, chunk, row)


@dataclass(frozen=True, slots=True)
class _TruthRows:
    """A chunk's ground truth as plain Python lists, one entry per row."""

    factors: list[list[bool]]
    risk: list[float]
    adversity: list[float]
    behaviour: list[float]
    ace_count: list[int]


def _truth_rows(chunk: Chunk) -> _TruthRows:
    matrix = np.stack([chunk.truth[key] for key in FACTORS], axis=1)
    ace_count = np.stack([chunk.truth[key] for key in ACE_KEYS], axis=1).sum(axis=1)
    return _TruthRows(
        factors=matrix.tolist(),
        risk=chunk.risk.tolist(),
        adversity=chunk.adversity.tolist(),
        behaviour=chunk.behaviour.tolist(),
        ace_count=ace_count.tolist(),
    )


def _ground_truth(rows: _TruthRows, row: int, record_id: str) -> GroundTruth:
    return GroundTruth(
        id=record_id,
        risk=rows.risk[row],
        adversity=rows.adversity[row],
        behaviour=rows.behaviour[row],
        ace_count=rows.ace_count[row],
        factors=dict(zip(FACTORS, rows.factors[row], strict=True)),
    )


# ---------------------------------------------------------------------------------------------
# The public generators


def generate_cases(
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    population: Population = "general",
    parameters: SynthParameters | None = None,
) -> Iterator[SyntheticCase]:
    """Generate synthetic young people with their ground truth, streamed.

    Parameters
    ----------
    n : int
        Number of profiles.
    seed : int
        Seed (0 or more). The same seed, date and parameters give the same cohort.
    as_of : datetime.date
        The screening date; every date in a profile is on or before it.
    population : {"general", "early-help"}
        Preset to use when ``parameters`` is not given.
    parameters : SynthParameters, optional
        Every parameter of the model (overrides ``population``).

    Yields
    ------
    SyntheticCase
        The labelled profile and what is really true of the young person.

    Raises
    ------
    InputError
        If ``n``, ``seed``, ``as_of`` or the parameters are unusable.
    """
    check_arguments(n, seed, as_of)
    resolved = resolve_parameters(population, parameters)
    current: Chunk | None = None
    rows: _TruthRows | None = None
    for line in cohort_lines(n, seed=seed, as_of=as_of, parameters=resolved):
        if line.chunk is not current or rows is None:
            current, rows = line.chunk, _truth_rows(line.chunk)
        labelled = LabelledProfile.model_validate_json(line.text)
        yield SyntheticCase(labelled, _ground_truth(rows, line.row, labelled.profile.id))


def generate_cohort(
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    population: Population = "general",
    parameters: SynthParameters | None = None,
) -> Iterator[LabelledProfile]:
    """Generate a labelled synthetic cohort, streamed in bounded memory.

    Parameters
    ----------
    n : int
        Number of profiles.
    seed : int
        Seed (0 or more). The same seed, date and parameters give the same
        cohort, and a smaller cohort is a prefix of a larger one.
    as_of : datetime.date
        The screening date; every date in a profile is on or before it.
    population : {"general", "early-help"}
        Preset to use when ``parameters`` is not given.
    parameters : SynthParameters, optional
        Every parameter of the model (overrides ``population``).

    Yields
    ------
    LabelledProfile
        Profiles with ids ``SYN-0000001`` onwards and the outcome from the known model.

    Raises
    ------
    InputError
        If ``n``, ``seed``, ``as_of`` or the parameters are unusable.

    Examples
    --------
    >>> import datetime as dt
    >>> from efh_screen.synth import generate_cohort
    >>> cohort = list(generate_cohort(3, seed=1, as_of=dt.date(2026, 9, 1)))
    >>> [labelled.profile.id for labelled in cohort]
    ['SYN-0000001', 'SYN-0000002', 'SYN-0000003']
    """
    check_arguments(n, seed, as_of)
    resolved = resolve_parameters(population, parameters)
    for line in cohort_lines(n, seed=seed, as_of=as_of, parameters=resolved):
        yield LabelledProfile.model_validate_json(line.text)


def generate_truth(
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    population: Population = "general",
    parameters: SynthParameters | None = None,
) -> CohortTruth:
    """Return the ground truth of the cohort the same arguments generate, as arrays.

    Row ``i`` belongs to the profile ``SYN-{i+1:07d}`` that
    :func:`generate_cohort` and :func:`write_cohort` produce with the same
    arguments. It is fast (no profiles are built) and holds about 60 bytes per
    profile, so it suits prevalence, power and bias studies.

    Parameters
    ----------
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

    Returns
    -------
    CohortTruth

    Raises
    ------
    InputError
        If ``n``, ``seed``, ``as_of`` or the parameters are unusable.
    """
    check_arguments(n, seed, as_of)
    resolved = resolve_parameters(population, parameters)
    parts: dict[str, list[Any]] = {
        "factors": [], "risk": [], "outcome": [], "adversity": [], "behaviour": [],
        "ethnicity": [], "disability": [], "true": [], "listed": [],
    }  # fmt: skip
    ethnicity_values = np.array([group.value for group in ETHNICITIES])
    for chunk in chunks(n, seed=seed, as_of=as_of, parameters=resolved):
        stop = min(CHUNK_SIZE, n - chunk.start)
        parts["factors"].append(np.stack([chunk.truth[key][:stop] for key in FACTORS], axis=1))
        parts["risk"].append(chunk.risk[:stop])
        parts["outcome"].append(chunk.outcome[:stop].astype(np.int64))
        parts["adversity"].append(chunk.adversity[:stop])
        parts["behaviour"].append(chunk.behaviour[:stop])
        parts["ethnicity"].append(ethnicity_values[chunk.ethnicity[:stop]])
        parts["disability"].append(chunk.disability[:stop])
        parts["true"].append(_event_columns(chunk.true_event_counts, stop))
        parts["listed"].append(_event_columns(chunk.events.counts, stop))

    def joined(name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        return np.concatenate(parts[name]) if parts[name] else np.zeros(shape, dtype=dtype)

    n_factors, n_event_types = len(FACTORS), len(EVENT_TYPES)
    return CohortTruth(
        factor_keys=tuple(FACTORS),
        factors=joined("factors", (0, n_factors), np.bool_),
        risk=joined("risk", (0,), np.float64),
        outcome=joined("outcome", (0,), np.int64),
        adversity=joined("adversity", (0,), np.float64),
        behaviour=joined("behaviour", (0,), np.float64),
        ethnicity=joined("ethnicity", (0,), np.str_),
        disability=joined("disability", (0,), np.bool_),
        event_types=tuple(event_type.value for event_type in EVENT_TYPES),
        true_event_counts=joined("true", (0, n_event_types), np.int64),
        listed_event_counts=joined("listed", (0, n_event_types), np.int64),
    )


def _event_columns(counts: dict[EventType, IntArray], stop: int) -> IntArray:
    """Return counts per event type as columns, of shape (stop, n_event_types)."""
    columns: IntArray = np.stack([counts[event_type][:stop] for event_type in EVENT_TYPES], 1)
    return columns
