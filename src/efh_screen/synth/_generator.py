"""Drawing synthetic profiles as numpy arrays, chunk by chunk.

Every number the model uses lives in one frozen object,
:class:`~efh_screen.synth._parameters.SynthParameters` (whose module sums up the
generative model); the model is described in ``docs/synthetic-data.md``.

:func:`draw_chunk` draws everything about one chunk of profiles, in named steps,
into a frozen :class:`Chunk`; :mod:`efh_screen.synth._records` turns a chunk
into JSON lines and :mod:`efh_screen.synth._cohort` into profiles and ground
truth.

Determinism
-----------
Profiles are generated in fixed chunks of :data:`CHUNK_SIZE`; chunk ``c`` draws
from ``numpy.random.SeedSequence(seed, spawn_key=(c,))``, and its disability
from that sequence's first child (``spawn_key=(c, 0)``), so adding disability
to the model changed no other draw. The same seed, as-of date and parameters
give byte-identical output (with the same numpy major version), and a smaller
cohort is a prefix of a larger one. The steps below draw in a fixed order, and
the number of draws never depends on the recording-bias, disability or
missingness knobs, so changing a knob changes only what it should.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from .._factors import FACTORS, Agency, Domain, EventType
from .._profile import Disability
from ._catalogue import (
    ACE_KEYS,
    AGENCIES,
    AGENCY_INDEX,
    ETHNICITIES,
    EVENT_FACTOR_KEYS,
    EVENT_TYPES,
    FACTOR_KEY_OF_EVENT,
    LATENT_KEYS,
    SEXES,
)
from ._parameters import EventSpec, RecordingBias, SynthParameters

__all__ = [
    "CHUNK_SIZE",
    "BoolArray",
    "Chunk",
    "FloatArray",
    "IntArray",
    "ListedEvents",
    "Observations",
    "chunks",
    "draw_chunk",
]

CHUNK_SIZE = 4096
"""Profiles generated per vectorised chunk (fixed: it is part of the seed stream)."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_NORMAL = NormalDist()
_DAYS_PER_YEAR = 365.25
_EPOCH = dt.date(1970, 1, 1)
"""Dates are held as whole days since this day."""


@dataclass(frozen=True, slots=True)
class Observations:
    """What the agencies recorded about each status and events factor.

    Keys are catalogue keys (every factor except attendance); arrays are of
    shape (size,).

    Attributes
    ----------
    known : dict of str to numpy.ndarray of bool
        Whether any agency holding the factor has information.
    present : dict of str to numpy.ndarray of bool
        Status factors only: whether the factor is recorded present where it
        is known (the truth, except where a recording-bias knob says otherwise).
    source : dict of str to numpy.ndarray of int
        The recording agency's column in :data:`~efh_screen.synth._catalogue.AGENCIES`.
    day : dict of str to numpy.ndarray of int
        The day the status was recorded (days since 1970-01-01).
    explicit_unknown : dict of str to numpy.ndarray of bool
        Written as ``unknown`` when no holder has information (else left out).
    """

    known: dict[str, BoolArray]
    present: dict[str, BoolArray]
    source: dict[str, IntArray]
    day: dict[str, IntArray]
    explicit_unknown: dict[str, BoolArray]


@dataclass(frozen=True, slots=True)
class ListedEvents:
    """The events listed in the profiles of a chunk, sorted by person, day and type.

    Attributes
    ----------
    counts : dict of EventType to numpy.ndarray of int
        Listed events per person, of shape (size,).
    person, day, event_type, source, cross_borough : numpy.ndarray of int
        One entry per listed event: the person's row, the day (days since
        1970-01-01), the column in ``EVENT_TYPES``, the recording agency's
        column in ``AGENCIES``, and for home moves 0 or 1 (else -1).
    bounds : numpy.ndarray of int, of shape (size + 1,)
        Person ``i``'s events are entries ``bounds[i]`` to ``bounds[i + 1]``.
    """

    counts: dict[EventType, IntArray]
    person: IntArray
    day: IntArray
    event_type: IntArray
    source: IntArray
    cross_borough: IntArray
    bounds: IntArray


@dataclass(frozen=True, slots=True)
class Chunk:
    """Everything drawn for one chunk of profiles (arrays of length ``size``).

    Attributes
    ----------
    start : int
        Row of the chunk's first profile in the cohort.
    size : int
        Profiles drawn (always :data:`CHUNK_SIZE`; a cohort uses a prefix).
    ethnicity, sex : numpy.ndarray of int
        Audit groups, as positions in ``ETHNICITIES`` and ``SEXES``.
    disability : numpy.ndarray of bool
        Audit disability (all false when ``disability_prevalence`` is 0).
    birth_day : numpy.ndarray of int
        Date of birth (days since 1970-01-01).
    adversity, behaviour : numpy.ndarray of float
        The latents ``A`` and ``B``.
    truth : dict of str to numpy.ndarray of bool
        True status of every factor, in catalogue order.
    possible_sessions, missed_sessions : numpy.ndarray of int, of shape (size, n_terms)
        Recorded attendance per school term.
    true_event_counts : dict of EventType to numpy.ndarray of int
        Underlying events per person, recorded or not.
    risk : numpy.ndarray of float
        True outcome probability.
    outcome : numpy.ndarray of bool
        The drawn outcome.
    available : numpy.ndarray of bool, of shape (size, n_agencies)
        Whether each agency's information is present.
    observations : Observations
        What was recorded about each status and events factor.
    events : ListedEvents
        The events listed in the profiles.
    """

    start: int
    size: int
    ethnicity: IntArray
    sex: IntArray
    disability: BoolArray
    birth_day: IntArray
    adversity: FloatArray
    behaviour: FloatArray
    truth: dict[str, BoolArray]
    possible_sessions: IntArray
    missed_sessions: IntArray
    true_event_counts: dict[EventType, IntArray]
    risk: FloatArray
    outcome: BoolArray
    available: BoolArray
    observations: Observations
    events: ListedEvents


@dataclass(frozen=True, slots=True)
class _Latents:
    adversity: FloatArray
    behaviour: FloatArray
    development: FloatArray
    protective: FloatArray


@dataclass(frozen=True, slots=True)
class _Statuses:
    """True status of the ACE and status factors, and the liability of each status factor."""

    truth: dict[str, BoolArray]
    liability: dict[str, FloatArray]


@dataclass(frozen=True, slots=True)
class _Groups:
    """The audit groups the recording-bias knobs select by."""

    ethnicity: IntArray
    disability: BoolArray

    def members(self, knob: RecordingBias) -> BoolArray:
        """Whether each person is in the knob's group."""
        inside: BoolArray = np.ones(len(self.ethnicity), dtype=np.bool_)
        if knob.ethnicity is not None:
            inside &= self.ethnicity == ETHNICITIES.index(knob.ethnicity)
        if knob.disability is not None:
            inside &= self.disability == (knob.disability is Disability.YES)
        return inside


@dataclass(frozen=True, slots=True)
class _Attendance:
    truly_persistent: BoolArray
    possible_sessions: IntArray
    missed_sessions: IntArray


@dataclass(frozen=True, slots=True)
class _UnderlyingEvents:
    """Every underlying event of one type: whose, when, whether recorded, cross-borough."""

    person: IntArray
    day: IntArray
    recorded: BoolArray
    cross_borough: IntArray


def chunks(n: int, *, seed: int, as_of: dt.date, parameters: SynthParameters) -> Iterator[Chunk]:
    """Yield the chunks that cover ``n`` profiles, each from its own seed stream.

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

    Yields
    ------
    Chunk
    """
    for index, start in enumerate(range(0, n, CHUNK_SIZE)):
        sequence = np.random.SeedSequence(entropy=seed, spawn_key=(index,))
        (audit_sequence,) = sequence.spawn(1)
        yield draw_chunk(
            parameters,
            np.random.default_rng(sequence),
            as_of=as_of,
            start=start,
            size=CHUNK_SIZE,
            audit_rng=np.random.default_rng(audit_sequence),
        )


def draw_chunk(
    parameters: SynthParameters,
    rng: np.random.Generator,
    *,
    as_of: dt.date,
    start: int,
    size: int,
    audit_rng: np.random.Generator,
) -> Chunk:
    """Draw one chunk of profiles: true lives first, then what the agencies recorded.

    Parameters
    ----------
    parameters : SynthParameters
        Every parameter of the model.
    rng : numpy.random.Generator
        The chunk's own random stream.
    as_of : datetime.date
        The screening date.
    start : int
        Row of the chunk's first profile in the cohort.
    size : int
        Profiles to draw.
    audit_rng : numpy.random.Generator
        The chunk's second stream, for disability.

    Returns
    -------
    Chunk
    """
    as_of_day = (as_of - _EPOCH).days
    ethnicity, sex = _draw_groups(parameters, rng, size)
    birth_day = _draw_birth_days(parameters, rng, as_of=as_of, size=size)
    age_days: IntArray = as_of_day - birth_day
    latents = _draw_latents(parameters, rng, size)
    groups = _Groups(ethnicity, _draw_disability(parameters, audit_rng, latents))
    statuses = _draw_statuses(parameters, rng, latents)
    truth = statuses.truth
    attendance = _draw_attendance(parameters, rng, latents.behaviour)
    truth["school_attendance"] = attendance.truly_persistent
    bias = _recording_bias(parameters, groups)
    true_event_counts: dict[EventType, IntArray] = {}
    underlying: dict[EventType, _UnderlyingEvents] = {}
    for row, event_type in enumerate(EVENT_TYPES):
        true_event_counts[event_type], underlying[event_type] = _draw_events(
            parameters,
            rng,
            event_type=event_type,
            as_of_day=as_of_day,
            age_days=age_days,
            behaviour=latents.behaviour,
            truth=truth,
            bias=bias[row],
        )
    for key in EVENT_FACTOR_KEYS:
        counted_type = FACTORS[key].event_type
        if counted_type is not None:
            truth[key] = true_event_counts[counted_type] > 0
    truth = {key: truth[key] for key in FACTORS}
    risk = _true_risk(parameters, truth=truth, behaviour=latents.behaviour, ethnicity=ethnicity)
    outcome: BoolArray = rng.random(size) < risk
    available = _draw_availability(parameters, rng, size)
    observations = _draw_observations(
        parameters, rng, truth=truth, available=available, age_days=age_days, as_of_day=as_of_day
    )
    observations = _biased_status_records(
        parameters, observations, liability=statuses.liability, groups=groups, available=available
    )
    events = _list_events(underlying, observations=observations, available=available, size=size)
    return Chunk(
        start=start,
        size=size,
        ethnicity=ethnicity,
        sex=sex,
        disability=groups.disability,
        birth_day=birth_day,
        adversity=latents.adversity,
        behaviour=latents.behaviour,
        truth=truth,
        possible_sessions=attendance.possible_sessions,
        missed_sessions=attendance.missed_sessions,
        true_event_counts=true_event_counts,
        risk=risk,
        outcome=outcome,
        available=available,
        observations=_date_event_factors(observations, events, size=size),
        events=events,
    )


# ---------------------------------------------------------------------------------------------
# True lives


def _draw_groups(
    parameters: SynthParameters, rng: np.random.Generator, size: int
) -> tuple[IntArray, IntArray]:
    """Audit ethnicity and sex (they change nothing except through the explicit knobs)."""
    ethnicity_weights = np.array(
        [parameters.ethnicity_proportions.get(group, 0.0) for group in ETHNICITIES]
    )
    sex_weights = np.array([parameters.sex_proportions.get(group, 0.0) for group in SEXES])
    ethnicity: IntArray = rng.choice(
        len(ETHNICITIES), size=size, p=ethnicity_weights / ethnicity_weights.sum()
    )
    sex: IntArray = rng.choice(len(SEXES), size=size, p=sex_weights / sex_weights.sum())
    return ethnicity, sex


def _draw_birth_days(
    parameters: SynthParameters, rng: np.random.Generator, *, as_of: dt.date, size: int
) -> IntArray:
    """Dates of birth giving calendar ages within ``age_range`` on the screening date.

    Born after the day ``oldest + 1`` years before, on or before the day
    ``youngest`` years before the screening date.
    """
    youngest, oldest = parameters.age_range
    latest = (_years_before(as_of, youngest) - _EPOCH).days
    earliest = (_years_before(as_of, oldest + 1) - _EPOCH).days + 1
    birth_day: IntArray = rng.integers(earliest, latest, size=size, endpoint=True)
    return birth_day


def _draw_latents(parameters: SynthParameters, rng: np.random.Generator, size: int) -> _Latents:
    adversity: FloatArray = parameters.adversity_shift + rng.standard_normal(size)
    return _Latents(
        adversity=adversity,
        behaviour=_correlated(rng, adversity, parameters.behaviour_loading, size),
        development=_correlated(rng, adversity, parameters.developmental_loading, size),
        protective=_correlated(rng, adversity, parameters.protective_loading, size),
    )


def _draw_disability(
    parameters: SynthParameters, audit_rng: np.random.Generator, latents: _Latents
) -> BoolArray:
    """Audit disability, thresholded on a liability tied to developmental need alone.

    The liability loads on the part of the developmental latent ``D`` not shared with
    adversity ``A``, so disabled young people have more developmental needs but no more
    adversity or behavioural risk: the outcome differs only through the needs' own weights.
    """
    loading = parameters.developmental_loading
    # D = loading * A + sqrt(1 - loading**2) * own_need, so own_need is N(0, 1) and apart from A
    own_need = (latents.development - loading * latents.adversity) / math.sqrt(1 - loading**2)
    size = len(own_need)
    liability = _correlated(audit_rng, own_need, parameters.disability_loading, size)
    if parameters.disability_prevalence == 0.0:
        return np.zeros(size, dtype=np.bool_)
    disability: BoolArray = liability > _threshold(parameters.disability_prevalence)
    return disability


def _draw_statuses(
    parameters: SynthParameters, rng: np.random.Generator, latents: _Latents
) -> _Statuses:
    """Draw true ACE and status factors, each thresholded on a liability tied to its latent."""
    size = len(latents.adversity)
    truth: dict[str, BoolArray] = {}
    liabilities: dict[str, FloatArray] = {}
    for key in ACE_KEYS:
        liability = _correlated(rng, latents.adversity, parameters.ace_loading, size)
        truth[key] = liability > _threshold(parameters.ace_prevalence[key])
    latent_of_domain = {
        Domain.CONTEXTUAL: latents.behaviour,
        Domain.DEVELOPMENTAL: latents.development,
        Domain.PROTECTIVE: latents.protective,
    }
    for key in LATENT_KEYS:
        spec = parameters.status_factors[key]
        latent = latent_of_domain[FACTORS[key].domain]
        liability = _correlated(rng, latent, spec.loading, size)
        truth[key] = liability > _threshold(spec.prevalence)
        liabilities[key] = liability
    return _Statuses(truth, liabilities)


def _draw_attendance(
    parameters: SynthParameters, rng: np.random.Generator, behaviour: FloatArray
) -> _Attendance:
    """Draw a true person-level absence rate, and recorded sessions per term around it."""
    size = len(behaviour)
    terms = parameters.attendance_terms
    absence_log_odds = parameters.absence_log_odds + parameters.absence_behaviour_slope * behaviour
    term_log_odds = absence_log_odds[:, None] + parameters.absence_term_sd * rng.standard_normal(
        (size, terms)
    )
    fewest, most = parameters.sessions_per_term
    possible: IntArray = rng.integers(fewest, most, size=(size, terms), endpoint=True)
    missed: IntArray = rng.binomial(possible, _expit(term_log_odds))
    return _Attendance(
        truly_persistent=_expit(absence_log_odds) >= parameters.persistent_absence,
        possible_sessions=possible,
        missed_sessions=missed,
    )


def _recording_bias(parameters: SynthParameters, groups: _Groups) -> FloatArray:
    """Recording-rate multiplier per event type (rows) and person (columns)."""
    bias: FloatArray = np.ones((len(EVENT_TYPES), len(groups.ethnicity)))
    for knob in parameters.recording_bias:
        if knob.event_type is not None:
            row = EVENT_TYPES.index(knob.event_type)
            bias[row, groups.members(knob)] *= knob.rate_ratio
    return bias


def _draw_events(
    parameters: SynthParameters,
    rng: np.random.Generator,
    *,
    event_type: EventType,
    as_of_day: int,
    age_days: IntArray,
    behaviour: FloatArray,
    truth: dict[str, BoolArray],
    bias: FloatArray,
) -> tuple[IntArray, _UnderlyingEvents]:
    """Underlying events of one type per person, each with its own date and recording draw."""
    spec: EventSpec = parameters.events[event_type]
    size = len(age_days)
    true_count: IntArray = rng.poisson(
        _event_mean(spec, age_days=age_days, behaviour=behaviour, truth=truth)
    )
    total = int(true_count.sum())
    person = np.repeat(np.arange(size, dtype=np.int64), true_count)
    exposure_days = np.maximum(age_days[person] - int(spec.from_age * _DAYS_PER_YEAR), 0)
    days_back = np.floor(exposure_days * rng.random(total) ** parameters.recency_exponent)
    recorded = rng.random(total) < spec.recording_probability * bias[person]
    if event_type is EventType.HOME_MOVE:
        cross_borough = (rng.random(total) < spec.cross_borough_probability).astype(np.int64)
    else:
        cross_borough = np.full(total, -1, dtype=np.int64)
    day = as_of_day - days_back.astype(np.int64)
    return true_count, _UnderlyingEvents(person, day, recorded, cross_borough)


def _event_mean(
    spec: EventSpec, *, age_days: IntArray, behaviour: FloatArray, truth: dict[str, BoolArray]
) -> FloatArray:
    """Return expected underlying events per person: rate x years exposed x exp(change)."""
    exposure_years = np.maximum(age_days / _DAYS_PER_YEAR - spec.from_age, 0.0)
    log_rate = spec.behaviour_slope * behaviour
    for ace, effect in spec.ace_effects.items():
        log_rate = log_rate + effect * truth[ace]
    mean: FloatArray = spec.rate_per_year * exposure_years * np.exp(log_rate)
    if spec.requires is not None:
        mean = np.where(truth[spec.requires], mean, 0.0)
    return mean


def _true_risk(
    parameters: SynthParameters,
    *,
    truth: dict[str, BoolArray],
    behaviour: FloatArray,
    ethnicity: IntArray,
) -> FloatArray:
    """Outcome probability from the known logistic model on the true factors."""
    model = parameters.outcome
    log_odds = model.intercept + model.behaviour_weight * behaviour
    for key, weight in model.weights.items():
        log_odds = log_odds + weight * truth[key]
    protective_count = sum(
        truth[key].astype(np.int64)
        for key, factor in FACTORS.items()
        if factor.domain is Domain.PROTECTIVE
    )
    log_odds = log_odds + model.protective_weight * protective_count
    shift = np.array([parameters.outcome_log_odds_shift.get(group, 0.0) for group in ETHNICITIES])
    log_odds = log_odds + shift[ethnicity]
    return _expit(log_odds)


# ---------------------------------------------------------------------------------------------
# What the agencies recorded


def _draw_availability(
    parameters: SynthParameters, rng: np.random.Generator, size: int
) -> BoolArray:
    """Whether each agency's information is present for each person."""
    missing = np.array([parameters.agency_missing.get(agency, 0.0) for agency in AGENCIES])
    available: BoolArray = rng.random((size, len(AGENCIES))) >= missing
    return available


def _draw_observations(
    parameters: SynthParameters,
    rng: np.random.Generator,
    *,
    truth: dict[str, BoolArray],
    available: BoolArray,
    age_days: IntArray,
    as_of_day: int,
) -> Observations:
    """Which factors are known, from which agency, recorded when."""
    size = len(age_days)
    observations = Observations(known={}, present={}, source={}, day={}, explicit_unknown={})
    for key, factor in FACTORS.items():
        if factor.evidence == "attendance":
            continue
        if factor.evidence == "status":
            observations.present[key] = truth[key]
        columns = [AGENCY_INDEX[agency] for agency in factor.agencies]
        known, chosen = _choose_source(
            rng, available[:, columns], parameters.primary_source_probability
        )
        observations.known[key] = known
        observations.source[key] = np.asarray(columns, dtype=np.int64)[chosen]
        observations.explicit_unknown[key] = ~known & (
            rng.random(size) < parameters.explicit_unknown_probability
        )
        # present: recorded within the last three years; absent: checked within the last year
        span = np.where(truth[key], 3 * 365, 365)
        days_back = np.minimum(rng.integers(0, span, endpoint=True), age_days)
        observations.day[key] = as_of_day - days_back
    return observations


def _biased_status_records(
    parameters: SynthParameters,
    observations: Observations,
    *,
    liability: dict[str, FloatArray],
    groups: _Groups,
    available: BoolArray,
) -> Observations:
    """Apply the status-factor recording-bias knobs to what was recorded (no draws)."""
    present = dict(observations.present)
    source = dict(observations.source)
    for knob in parameters.recording_bias:
        key = knob.factor
        if key is None:
            continue
        prevalence = parameters.status_factors[key].prevalence
        labelled = liability[key] > _threshold(knob.rate_ratio * prevalence)
        if knob.agency is None:
            recording = observations.known[key]
        else:
            recording = available[:, AGENCY_INDEX[knob.agency]]
        changed = groups.members(knob) & recording & (labelled != present[key])
        present[key] = np.where(changed, labelled, present[key])
        if knob.agency is not None:
            source[key] = np.where(changed, AGENCY_INDEX[knob.agency], source[key])
    return replace(observations, present=present, source=source)


def _list_events(
    underlying: dict[EventType, _UnderlyingEvents],
    *,
    observations: Observations,
    available: BoolArray,
    size: int,
) -> ListedEvents:
    """List the recorded events whose holding agency's information is present, sorted."""
    counts: dict[EventType, IntArray] = {}
    kept: list[_UnderlyingEvents] = []
    types: list[IntArray] = []
    sources: list[IntArray] = []
    for row, event_type in enumerate(EVENT_TYPES):
        if event_type is EventType.DOMESTIC_ABUSE_INCIDENT:
            column = AGENCY_INDEX[Agency.POLICE]
            known = available[:, column]
            source = np.full(size, column, dtype=np.int64)
        else:
            key = FACTOR_KEY_OF_EVENT[event_type]
            known = observations.known[key]
            source = observations.source[key]
        events = underlying[event_type]
        keep = events.recorded & known[events.person]
        counts[event_type] = np.bincount(events.person[keep], minlength=size)
        kept.append(
            _UnderlyingEvents(
                events.person[keep],
                events.day[keep],
                events.recorded[keep],
                events.cross_borough[keep],
            )
        )
        types.append(np.full(int(keep.sum()), row, dtype=np.int64))
        sources.append(source[events.person[keep]])
    person = np.concatenate([events.person for events in kept])
    day = np.concatenate([events.day for events in kept])
    event_type_column = np.concatenate(types)
    order = np.lexsort((event_type_column, day, person))
    return ListedEvents(
        counts=counts,
        person=person[order],
        day=day[order],
        event_type=event_type_column[order],
        source=np.concatenate(sources)[order],
        cross_borough=np.concatenate([events.cross_borough for events in kept])[order],
        bounds=np.searchsorted(person[order], np.arange(size + 1)),
    )


def _date_event_factors(
    observations: Observations, events: ListedEvents, *, size: int
) -> Observations:
    """Date each present events factor on the day of its latest listed event."""
    day = dict(observations.day)
    for key in EVENT_FACTOR_KEYS:
        counted_type = FACTORS[key].event_type
        if counted_type is None or not events.counts[counted_type].any():
            continue
        of_type = events.event_type == EVENT_TYPES.index(counted_type)
        latest = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(latest, events.person[of_type], events.day[of_type])
        has_events = events.counts[counted_type] > 0
        day[key] = np.where(has_events, latest, day[key])
    return replace(observations, day=day)


# ---------------------------------------------------------------------------------------------
# Small numerical steps


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _threshold(prevalence: float) -> float:
    """Standard-normal liability threshold above which a share ``prevalence`` lies."""
    return _NORMAL.inv_cdf(1.0 - prevalence)


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
    size, holders = available.shape
    any_available: BoolArray = np.asarray(available.any(axis=1), dtype=np.bool_)
    first: IntArray = np.argmax(available, axis=1).astype(np.int64)
    if holders == 1:
        return any_available, first
    # uniform among available: argmax of random keys over available columns
    random_keys = rng.random((size, holders))
    random_keys[~available] = -1.0
    uniform: IntArray = np.argmax(random_keys, axis=1).astype(np.int64)
    use_first = rng.random(size) < primary
    chosen: IntArray = np.where(use_first, first, uniform)
    return any_available, chosen


def _expit(log_odds: FloatArray) -> FloatArray:
    result: FloatArray = 1.0 / (1.0 + np.exp(-log_odds))
    return result
