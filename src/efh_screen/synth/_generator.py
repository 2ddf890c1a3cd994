"""Seeded synthetic cohorts with known ground truth.

No one can share real children's records, so tests, demos, the bundled sample
caseload and researchers' power and bias studies use synthetic cohorts whose
truth is known. Every number the generator uses lives in one frozen object,
:class:`~efh_screen._synth_parameters.SynthParameters` (whose module sums up the
generative model); the model is described in ``docs/synthetic-data.md``.

This module draws profiles as numpy arrays, chunk by chunk, and returns them
with their ground truth; :mod:`efh_screen._synth_records` turns a chunk into
JSON lines and :mod:`efh_screen._synth_io` writes a cohort to a file.

Determinism
-----------
Profiles are generated in fixed chunks of :data:`CHUNK_SIZE`; chunk ``c`` draws
from ``numpy.random.SeedSequence(seed, spawn_key=(c,))``. The same seed, as-of
date and parameters give byte-identical output (with the same numpy major
version), and a smaller cohort is a prefix of a larger one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import FieldProblem, InputError
from .._factors import FACTORS, Agency, Domain, EventType
from .._profile import LabelledProfile
from ._parameters import (
    _ACE_KEYS,
    _AGENCIES,
    _AGENCY_INDEX,
    _ETHNICITIES,
    _EVENT_FACTOR_KEYS,
    _EVENT_TYPES,
    _LATENT_KEYS,
    _SEXES,
    Population,
    SynthParameters,
)
from ._records import _Assembler

__all__ = [
    "CHUNK_SIZE",
    "CohortTruth",
    "GroundTruth",
    "SyntheticCase",
    "generate_cases",
    "generate_cohort",
    "generate_truth",
]

CHUNK_SIZE = 4096
"""Profiles generated per vectorised chunk (fixed: it is part of the seed stream)."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_NORMAL = NormalDist()
_DAYS_PER_YEAR = 365.25
_EPOCH = dt.date(1970, 1, 1)


# ---------------------------------------------------------------------------------------------
# Results


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
    event_types: tuple[str, ...]
    true_event_counts: IntArray
    listed_event_counts: IntArray

    @property
    def ace_count(self) -> IntArray:
        """Number of ACE categories truly present, of shape (n_profiles,)."""
        columns = [self.factor_keys.index(k) for k in _ACE_KEYS]
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
# Generation: numpy in chunks, then one plain dict per profile.


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check_call(n: int, seed: int, as_of: dt.date) -> None:
    problems: list[FieldProblem] = []
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        problems.append(FieldProblem("n", "must be a whole number of profiles, 0 or more"))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(FieldProblem("seed", "must be a whole number, 0 or more; pass e.g. 42"))
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        problems.append(FieldProblem("as_of", "must be a datetime.date, e.g. date(2026, 9, 1)"))
    elif as_of.year < 1950:
        problems.append(FieldProblem("as_of", "must be 1950 or later"))
    if problems:
        raise InputError(problems)


def _resolve(population: Population, parameters: SynthParameters | None) -> SynthParameters:
    if parameters is not None:
        if not isinstance(parameters, SynthParameters):
            raise InputError(
                [FieldProblem("parameters", "must be a SynthParameters; use a preset")]
            )
        return parameters
    return SynthParameters.for_population(population)


def _threshold(p: float) -> float:
    return _NORMAL.inv_cdf(1.0 - p)


def _correlated(
    rng: np.random.Generator, latent: FloatArray, loading: float, size: int
) -> FloatArray:
    noise: FloatArray = rng.standard_normal(size)
    result: FloatArray = loading * latent + math.sqrt(1.0 - loading * loading) * noise
    return result


def _choose_source(
    rng: np.random.Generator, available: BoolArray, primary: float
) -> tuple[BoolArray, IntArray]:
    """Per row: whether any holder is available, and the chosen holder's column."""
    n, h = available.shape
    any_available: BoolArray = np.asarray(available.any(axis=1), dtype=np.bool_)
    first: IntArray = np.argmax(available, axis=1).astype(np.int64)
    if h == 1:
        return any_available, first
    # uniform among available: argmax of random keys over available columns
    keys = rng.random((n, h))
    keys[~available] = -1.0
    uniform: IntArray = np.argmax(keys, axis=1).astype(np.int64)
    use_first = rng.random(n) < primary
    chosen: IntArray = np.where(use_first, first, uniform)
    return any_available, chosen


class _Chunk:
    """Everything drawn for one chunk of profiles (arrays of length n)."""

    def __init__(
        self, params: SynthParameters, rng: np.random.Generator, as_of: dt.date, n: int
    ) -> None:
        p = params
        as_of_day = (as_of - _EPOCH).days
        self.n = n
        # demographics (audit only)
        eth_p = np.array([p.ethnicity_proportions.get(e, 0.0) for e in _ETHNICITIES])
        sex_p = np.array([p.sex_proportions.get(s, 0.0) for s in _SEXES])
        self.ethnicity: IntArray = rng.choice(len(_ETHNICITIES), size=n, p=eth_p / eth_p.sum())
        self.sex: IntArray = rng.choice(len(_SEXES), size=n, p=sex_p / sex_p.sum())
        # age and date of birth
        # calendar ages: born after the day ``oldest + 1`` years before, on or before the
        # day ``youngest`` years before the screening date
        latest = (_years_before(as_of, p.age_range[0]) - _EPOCH).days
        earliest = (_years_before(as_of, p.age_range[1] + 1) - _EPOCH).days + 1
        self.dob_day: IntArray = rng.integers(earliest, latest, size=n, endpoint=True)
        self.age_days: IntArray = as_of_day - self.dob_day
        # latents
        adversity: FloatArray = p.adversity_shift + rng.standard_normal(n)
        self.adversity = adversity
        self.behaviour = _correlated(rng, adversity, p.behaviour_loading, n)
        development = _correlated(rng, adversity, p.developmental_loading, n)
        protective = _correlated(rng, adversity, p.protective_loading, n)
        # true factor statuses
        truth: dict[str, BoolArray] = {}
        for key in _ACE_KEYS:
            liability = _correlated(rng, adversity, p.ace_loading, n)
            truth[key] = liability > _threshold(p.ace_prevalence[key])
        latent_of = {
            Domain.CONTEXTUAL: self.behaviour,
            Domain.DEVELOPMENTAL: development,
            Domain.PROTECTIVE: protective,
        }
        for key in _LATENT_KEYS:
            spec = p.status_factors[key]
            liability = _correlated(rng, latent_of[FACTORS[key].domain], spec.loading, n)
            truth[key] = liability > _threshold(spec.prevalence)
        # attendance: a true person-level absence rate and per-term recorded sessions
        absence_logit = p.absence_log_odds + p.absence_behaviour_slope * self.behaviour
        truth["school_attendance"] = _expit(absence_logit) >= p.persistent_absence
        t = p.attendance_terms
        term_logit = absence_logit[:, None] + p.absence_term_sd * rng.standard_normal((n, t))
        self.possible: IntArray = rng.integers(
            p.sessions_per_term[0], p.sessions_per_term[1], size=(n, t), endpoint=True
        )
        self.missed: IntArray = rng.binomial(self.possible, _expit(term_logit))
        # underlying and recorded events
        bias = np.ones((len(_EVENT_TYPES), n))
        for rb in p.recording_bias:
            row = _EVENT_TYPES.index(rb.event_type)
            bias[row, self.ethnicity == _ETHNICITIES.index(rb.ethnicity)] *= rb.rate_ratio
        # Every underlying event gets its own date and recording draw, so the number of
        # random draws never depends on the recording-bias or missingness knobs: changing a
        # knob changes only what it should.
        self.true_counts: dict[EventType, IntArray] = {}
        self.recorded_counts: dict[EventType, IntArray] = {}
        self.underlying: dict[EventType, tuple[IntArray, IntArray, BoolArray, IntArray]] = {}
        for row, etype in enumerate(_EVENT_TYPES):
            es = p.events[etype]
            exposure_years = np.maximum(self.age_days / _DAYS_PER_YEAR - es.from_age, 0.0)
            log_rate = es.behaviour_slope * self.behaviour
            for ace, effect in es.ace_effects.items():
                log_rate = log_rate + effect * truth[ace]
            mean = es.rate_per_year * exposure_years * np.exp(log_rate)
            if es.requires is not None:
                mean = np.where(truth[es.requires], mean, 0.0)
            true_count: IntArray = rng.poisson(mean)
            total = int(true_count.sum())
            who = np.repeat(np.arange(n, dtype=np.int64), true_count)
            exposure_days = np.maximum(self.age_days[who] - int(es.from_age * _DAYS_PER_YEAR), 0)
            back = np.floor(exposure_days * rng.random(total) ** p.recency_exponent)
            recorded = rng.random(total) < es.recording_probability * bias[row, who]
            if etype is EventType.HOME_MOVE:
                cross = (rng.random(total) < es.cross_borough_probability).astype(np.int64)
            else:
                cross = np.full(total, -1, dtype=np.int64)
            self.true_counts[etype] = true_count
            self.recorded_counts[etype] = np.bincount(who[recorded], minlength=n)
            self.underlying[etype] = (who, as_of_day - back.astype(np.int64), recorded, cross)
        for key in _EVENT_FACTOR_KEYS:
            etype_of = FACTORS[key].event_type
            if etype_of is not None:
                truth[key] = self.true_counts[etype_of] > 0
        self.truth = {k: truth[k] for k in FACTORS}
        # outcome from the known model on true factors
        om = p.outcome
        logit = om.intercept + om.behaviour_weight * self.behaviour
        for key, weight in om.weights.items():
            logit = logit + weight * self.truth[key]
        n_protective = sum(
            self.truth[k].astype(np.int64)
            for k, f in FACTORS.items()
            if f.domain is Domain.PROTECTIVE
        )
        logit = logit + om.protective_weight * n_protective
        shift = np.array([p.outcome_log_odds_shift.get(e, 0.0) for e in _ETHNICITIES])
        logit = logit + shift[self.ethnicity]
        self.risk: FloatArray = _expit(logit)
        self.outcome: BoolArray = rng.random(n) < self.risk
        # missingness per agency
        missing = np.array([p.agency_missing.get(a, 0.0) for a in _AGENCIES])
        self.available: BoolArray = rng.random((n, len(_AGENCIES))) >= missing
        self._draw_records(p, rng, as_of_day)
        self._truth_rows: _TruthRows | None = None

    def truth_rows(self) -> _TruthRows:
        """Return the ground truth as plain Python lists (built once, on first use)."""
        if self._truth_rows is None:
            matrix = np.stack([self.truth[k] for k in FACTORS], axis=1)
            ace = np.stack([self.truth[k] for k in _ACE_KEYS], axis=1).sum(axis=1)
            self._truth_rows = _TruthRows(
                factors=matrix.tolist(),
                risk=self.risk.tolist(),
                adversity=self.adversity.tolist(),
                behaviour=self.behaviour.tolist(),
                ace_count=ace.tolist(),
            )
        return self._truth_rows

    def _draw_records(self, p: SynthParameters, rng: np.random.Generator, as_of_day: int) -> None:
        n = self.n
        # which factors are known, from which agency, recorded when
        self.obs_known: dict[str, BoolArray] = {}
        self.obs_source: dict[str, IntArray] = {}
        self.obs_day: dict[str, IntArray] = {}
        self.explicit_unknown: dict[str, BoolArray] = {}
        for key, factor in FACTORS.items():
            if factor.evidence == "attendance":
                continue
            cols = [_AGENCY_INDEX[a] for a in factor.agencies]
            known, chosen = _choose_source(
                rng, self.available[:, cols], p.primary_source_probability
            )
            self.obs_known[key] = known
            self.obs_source[key] = np.asarray(cols, dtype=np.int64)[chosen]
            self.explicit_unknown[key] = ~known & (rng.random(n) < p.explicit_unknown_probability)
            # present: recorded within the last three years; absent: checked within the last year
            span = np.where(self.truth[key], 3 * 365, 365)
            back = np.minimum(rng.integers(0, span, endpoint=True), self.age_days)
            self.obs_day[key] = as_of_day - back
        # listed events
        persons: list[IntArray] = []
        days: list[IntArray] = []
        types: list[IntArray] = []
        sources: list[IntArray] = []
        cross: list[IntArray] = []
        self.listed_counts: dict[EventType, IntArray] = {}
        for row, etype in enumerate(_EVENT_TYPES):
            if etype is EventType.DOMESTIC_ABUSE_INCIDENT:
                col = _AGENCY_INDEX[Agency.POLICE]
                known = self.available[:, col]
                source = np.full(n, col, dtype=np.int64)
            else:
                key = _event_factor_key(etype)
                known = self.obs_known[key]
                source = self.obs_source[key]
            who, day, recorded, cross_borough = self.underlying[etype]
            keep = recorded & known[who]
            self.listed_counts[etype] = np.bincount(who[keep], minlength=n)
            if etype is not EventType.DOMESTIC_ABUSE_INCIDENT and keep.any():
                # a present events factor is recorded on the date of its latest event
                latest = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
                np.maximum.at(latest, who[keep], day[keep])
                has = self.listed_counts[etype] > 0
                self.obs_day[key] = np.where(has, latest, self.obs_day[key])
            persons.append(who[keep])
            days.append(day[keep])
            types.append(np.full(int(keep.sum()), row, dtype=np.int64))
            sources.append(source[who[keep]])
            cross.append(cross_borough[keep])
        if persons:
            person = np.concatenate(persons)
            order = np.lexsort((np.concatenate(types), np.concatenate(days), person))
            self.ev_person = person[order]
            self.ev_day = np.concatenate(days)[order]
            self.ev_type = np.concatenate(types)[order]
            self.ev_source = np.concatenate(sources)[order]
            self.ev_cross = np.concatenate(cross)[order]
        else:
            empty = np.zeros(0, dtype=np.int64)
            self.ev_person = self.ev_day = self.ev_type = self.ev_source = self.ev_cross = empty
        self.ev_bounds: IntArray = np.searchsorted(self.ev_person, np.arange(n + 1))


@dataclass(frozen=True, slots=True)
class _TruthRows:
    factors: list[list[bool]]
    risk: list[float]
    adversity: list[float]
    behaviour: list[float]
    ace_count: list[int]


def _event_factor_key(etype: EventType) -> str:
    for key in _EVENT_FACTOR_KEYS:
        if FACTORS[key].event_type is etype:
            return key
    raise KeyError(etype)  # pragma: no cover - the catalogue covers every other type


def _expit(x: FloatArray) -> FloatArray:
    result: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return result


def _chunks(
    n: int, seed: int, as_of: dt.date, params: SynthParameters
) -> Iterator[tuple[_Chunk, int]]:
    for index, start in enumerate(range(0, n, CHUNK_SIZE)):
        rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(index,)))
        chunk = _Chunk(params, rng, as_of, CHUNK_SIZE)
        yield chunk, start


def _iter_lines(
    n: int, seed: int, as_of: dt.date, params: SynthParameters, *, labelled: bool = True
) -> Iterator[tuple[str, _Chunk, int]]:
    assembler = _Assembler(params, as_of)
    for chunk, start in _chunks(n, seed, as_of, params):
        stop = min(CHUNK_SIZE, n - start)
        for i, line in enumerate(assembler.lines(chunk, start + 1, labelled)):
            if i >= stop:
                break
            yield line, chunk, i


def _truth(chunk: _Chunk, i: int, record_id: str) -> GroundTruth:
    rows = chunk.truth_rows()
    factors = dict(zip(FACTORS, rows.factors[i], strict=True))
    return GroundTruth(
        id=record_id,
        risk=rows.risk[i],
        adversity=rows.adversity[i],
        behaviour=rows.behaviour[i],
        ace_count=rows.ace_count[i],
        factors=factors,
    )


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
    _check_call(n, seed, as_of)
    params = _resolve(population, parameters)
    for line, chunk, i in _iter_lines(n, seed, as_of, params):
        labelled = LabelledProfile.model_validate_json(line)
        yield SyntheticCase(labelled, _truth(chunk, i, labelled.profile.id))


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
    >>> [c.profile.id for c in cohort]
    ['SYN-0000001', 'SYN-0000002', 'SYN-0000003']
    """
    _check_call(n, seed, as_of)
    params = _resolve(population, parameters)
    for line, _chunk, _i in _iter_lines(n, seed, as_of, params):
        yield LabelledProfile.model_validate_json(line)


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
    _check_call(n, seed, as_of)
    params = _resolve(population, parameters)
    parts: dict[str, list[Any]] = {
        "factors": [], "risk": [], "outcome": [], "adversity": [], "behaviour": [],
        "ethnicity": [], "true": [], "listed": [],
    }  # fmt: skip
    ethnicity_values = np.array([e.value for e in _ETHNICITIES])
    for chunk, start in _chunks(n, seed, as_of, params):
        stop = min(CHUNK_SIZE, n - start)
        parts["factors"].append(np.stack([chunk.truth[k][:stop] for k in FACTORS], axis=1))
        parts["risk"].append(chunk.risk[:stop])
        parts["outcome"].append(chunk.outcome[:stop].astype(np.int64))
        parts["adversity"].append(chunk.adversity[:stop])
        parts["behaviour"].append(chunk.behaviour[:stop])
        parts["ethnicity"].append(ethnicity_values[chunk.ethnicity[:stop]])
        parts["true"].append(np.stack([chunk.true_counts[e][:stop] for e in _EVENT_TYPES], 1))
        parts["listed"].append(np.stack([chunk.listed_counts[e][:stop] for e in _EVENT_TYPES], 1))

    def joined(name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        return np.concatenate(parts[name]) if parts[name] else np.zeros(shape, dtype=dtype)

    n_factors, n_events = len(FACTORS), len(_EVENT_TYPES)
    return CohortTruth(
        factor_keys=tuple(FACTORS),
        factors=joined("factors", (0, n_factors), np.bool_),
        risk=joined("risk", (0,), np.float64),
        outcome=joined("outcome", (0,), np.int64),
        adversity=joined("adversity", (0,), np.float64),
        behaviour=joined("behaviour", (0,), np.float64),
        ethnicity=joined("ethnicity", (0,), np.str_),
        event_types=tuple(e.value for e in _EVENT_TYPES),
        true_event_counts=joined("true", (0, n_events), np.int64),
        listed_event_counts=joined("listed", (0, n_events), np.int64),
    )
