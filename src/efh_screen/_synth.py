"""Seeded synthetic cohorts with known ground truth.

No one can share real children's records, so tests, demos, the bundled sample
caseload and researchers' power and bias studies use synthetic cohorts whose
truth is known. Every number the generator uses lives in one frozen object,
:class:`SynthParameters`; the model is described in ``docs/synthetic-data.md``.

The generative model, in brief
------------------------------
1. **Demographics** (audit only): ethnicity and sex drawn from fixed
   proportions. They change nothing except through two explicit knobs:
   ``outcome_log_odds_shift`` (a base-rate difference per group) and
   ``recording_bias`` (an event type recorded more often for one group at the
   same underlying behaviour).
2. **ACEs**: a Gaussian copula with one shared latent adversity factor
   ``A ~ N(shift, 1)``. Category ``k`` is present when
   ``loading * A + sqrt(1 - loading**2) * e_k > t_k``; the threshold ``t_k`` is
   set so that, in the general population (``shift = 0``), the category's
   prevalence is exactly its target. The early-help population is the same
   model with the latent shifted upwards.
3. **Contextual, developmental and protective factors**: three more latent
   scores, each ``N(0, 1)`` in the general population and correlated with
   ``A`` (behavioural risk ``B``, developmental need ``D``, protective
   resources ``P``, the latter negatively). Status factors are thresholded on
   their latent in the same way.
4. **Dated histories**: counts of underlying events per type are Poisson with
   a rate per year of exposure that rises with ``B`` and with specific ACEs;
   each underlying event is recorded with a probability (times the
   recording-bias ratio for a group), dated between the start of exposure and
   the screening date, more often recently. Attendance is recorded by school
   term, the share of sessions missed rising with ``B``.
5. **Missingness**: each agency's information is missing for a young person
   with a probability per agency. A factor whose holding agencies are all
   missing is left out (or, sometimes, recorded ``unknown``), never ``absent``;
   its events are not listed.
6. **Outcome**: a serious youth violence or exploitation concern in the 12
   months after the screening date, drawn from a known logistic model on the
   *true* factors and the latent ``B`` (not on what was recorded).

Determinism
-----------
Profiles are generated in fixed chunks of :data:`CHUNK_SIZE`; chunk ``c`` draws
from ``numpy.random.SeedSequence(seed, spawn_key=(c,))``. The same seed, as-of
date and parameters give byte-identical output (with the same numpy major
version), and a smaller cohort is a prefix of a larger one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import IO, Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._errors import FieldProblem, InputError
from ._factors import FACTORS, Agency, Domain, EventType
from ._profile import Ethnicity, LabelledProfile, Sex, problems_from_validation_error

__all__ = [
    "CHUNK_SIZE",
    "CohortSummary",
    "CohortTruth",
    "EventSpec",
    "GroundTruth",
    "LatentFactorSpec",
    "OutcomeModel",
    "Population",
    "RecordingBias",
    "SynthParameters",
    "SyntheticCase",
    "generate_cases",
    "generate_cohort",
    "generate_truth",
    "write_cohort",
]

CHUNK_SIZE = 4096
"""Profiles generated per vectorised chunk (fixed: it is part of the seed stream)."""

Population = Literal["general", "early-help"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MODEL_CONFIG = ConfigDict(frozen=True, extra="forbid")
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Loading = Annotated[float, Field(ge=-0.99, le=0.99)]

_ACE_KEYS: tuple[str, ...] = tuple(k for k, f in FACTORS.items() if f.domain is Domain.ACE)
_STATUS_LATENT_DOMAINS = (Domain.CONTEXTUAL, Domain.DEVELOPMENTAL, Domain.PROTECTIVE)
_LATENT_KEYS: tuple[str, ...] = tuple(
    k for k, f in FACTORS.items() if f.domain in _STATUS_LATENT_DOMAINS and f.evidence == "status"
)
_EVENT_FACTOR_KEYS: tuple[str, ...] = tuple(k for k, f in FACTORS.items() if f.evidence == "events")
_AGENCIES: tuple[Agency, ...] = tuple(Agency)
_AGENCY_INDEX = {a: i for i, a in enumerate(_AGENCIES)}
_EVENT_TYPES: tuple[EventType, ...] = tuple(EventType)
_ETHNICITIES: tuple[Ethnicity, ...] = tuple(Ethnicity)
_SEXES: tuple[Sex, ...] = tuple(Sex)
_NORMAL = NormalDist()
_DAYS_PER_YEAR = 365.25
_EPOCH = dt.date(1970, 1, 1)


# ---------------------------------------------------------------------------------------------
# Parameters


class LatentFactorSpec(BaseModel):
    """A status factor thresholded on a latent score.

    Parameters
    ----------
    prevalence : float
        Prevalence in the general population (the threshold is set from it).
    loading : float
        Correlation of the factor's liability with its latent score (negative
        means the factor is *less* likely when the latent is high).
    """

    model_config = _MODEL_CONFIG

    prevalence: Annotated[float, Field(gt=0.0, lt=1.0)]
    loading: Loading


class EventSpec(BaseModel):
    """How underlying events of one type arise and are recorded.

    The underlying count is Poisson with mean
    ``rate_per_year * years_exposed * exp(behaviour_slope * B + sum(ace_effects[k] * ace_k))``,
    where exposure runs from ``from_age`` to the screening date. Each
    underlying event is recorded with ``recording_probability`` (times the
    group's recording-bias ratio).

    Parameters
    ----------
    rate_per_year : float
        Baseline underlying rate per year of exposure at ``B = 0`` with no ACEs.
    from_age : int
        Age in years from which events of this type can happen.
    behaviour_slope : float
        Log-rate change per standard deviation of the behavioural latent ``B``.
    ace_effects : dict of str to float
        Log-rate change when an ACE category is truly present.
    requires : str, optional
        An ACE key that must be truly present for any event (e.g. domestic
        abuse incidents require domestic abuse in the household).
    recording_probability : float
        Probability that an underlying event is recorded.
    cross_borough_probability : float
        For home moves only: probability that a move crosses a borough boundary.
    """

    model_config = _MODEL_CONFIG

    rate_per_year: Annotated[float, Field(ge=0.0, le=50.0)]
    from_age: Annotated[int, Field(ge=0, le=17)] = 0
    behaviour_slope: Annotated[float, Field(ge=-5.0, le=5.0)] = 0.0
    ace_effects: dict[str, Annotated[float, Field(ge=-5.0, le=5.0)]] = Field(default_factory=dict)
    requires: str | None = None
    recording_probability: Probability = 1.0
    cross_borough_probability: Probability = 0.0

    @model_validator(mode="after")
    def _check_keys(self) -> EventSpec:
        for key in (*self.ace_effects, *([self.requires] if self.requires else [])):
            if key not in _ACE_KEYS:
                raise ValueError(
                    f"ace key {key!r} is not an ACE category; use one of {', '.join(_ACE_KEYS)}"
                )
        return self


class RecordingBias(BaseModel):
    """Record one event type more often for one group at the same underlying behaviour.

    Parameters
    ----------
    event_type : EventType
        The event type whose recording is biased, e.g. ``police_contact``.
    ethnicity : Ethnicity
        The group affected.
    rate_ratio : float
        Recorded events per underlying event, relative to everyone else
        (``2.0``: recorded twice as often). ``rate_ratio`` times the event
        type's ``recording_probability`` must not exceed 1.
    """

    model_config = _MODEL_CONFIG

    event_type: EventType
    ethnicity: Ethnicity
    rate_ratio: Annotated[float, Field(gt=0.0, le=100.0)]


class OutcomeModel(BaseModel):
    """The known logistic model of the outcome, on true factors.

    ``logit P(outcome) = intercept + behaviour_weight * B
    + sum(weights[k] * true_k) + protective_weight * (number of protective factors present)
    + outcome_log_odds_shift[group]``.

    Parameters
    ----------
    intercept : float
        Log-odds at ``B = 0`` with no risk or protective factors.
    behaviour_weight : float
        Weight of the behavioural latent ``B`` (risk the records cannot see).
    weights : dict of str to float
        Weight of each true risk factor (catalogue keys).
    protective_weight : float
        Weight per protective factor truly present (negative).
    """

    model_config = _MODEL_CONFIG

    intercept: float
    behaviour_weight: float
    weights: dict[str, float]
    protective_weight: float

    @model_validator(mode="after")
    def _check_keys(self) -> OutcomeModel:
        for key in self.weights:
            if key not in FACTORS or FACTORS[key].domain is Domain.PROTECTIVE:
                raise ValueError(
                    f"outcome weight key {key!r} is not a risk factor in the catalogue; "
                    "run 'efh-screen factors' for the keys (protective factors use "
                    "protective_weight)"
                )
        return self


class SynthParameters(BaseModel):
    """Every parameter of the synthetic-cohort model, with documented defaults.

    Use a preset, :meth:`general` or :meth:`early_help` (or
    :meth:`for_population`), and change knobs with :meth:`replace`, which
    validates the result. Prevalences are general-population targets; the
    early-help population shifts the adversity latent and so raises all of
    them. Sources of the ACE figures are in ``docs/synthetic-data.md``.

    Parameters
    ----------
    population : str
        Name of the population the parameters describe (recorded in summaries).
    adversity_shift : float
        Mean of the latent adversity ``A`` (0 for the general population).
    ace_loading : float
        Loading of each ACE category's liability on ``A``; it sets how strongly
        ACEs cluster (and so the share with four or more).
    ace_prevalence : dict of str to float
        General-population prevalence of each of the ten ACE categories.
    behaviour_loading, developmental_loading, protective_loading : float
        Correlation of the latents ``B``, ``D`` and ``P`` with ``A``.
    status_factors : dict of str to LatentFactorSpec
        Every contextual, developmental and protective status factor.
    events : dict of str to EventSpec
        Every event type (keys are :class:`EventType` values).
    recency_exponent : float
        Event dates are ``as_of - exposure * u**recency_exponent`` with ``u``
        uniform: above 1, most events are recent.
    attendance_terms : int
        Completed school terms of attendance recorded before the screening date.
    sessions_per_term : tuple of int
        Inclusive range of possible sessions per term.
    absence_log_odds : float
        Log-odds of missing a session at ``B = 0``.
    absence_behaviour_slope : float
        Change in that log-odds per standard deviation of ``B``.
    absence_term_sd : float
        Term-to-term standard deviation of the log-odds.
    persistent_absence : float
        True absence rate at or above which ``school_attendance`` is truly present.
    age_range : tuple of int
        Inclusive range of ages (years) at the screening date.
    agency_missing : dict of Agency to float
        Probability that an agency's information is missing for a young person.
    explicit_unknown_probability : float
        When all holders of a status factor are missing, the probability that
        it is written as ``unknown`` rather than left out.
    primary_source_probability : float
        Probability that the first available holding agency is the source (else
        one chosen uniformly among the available holders).
    ethnicity_proportions : dict of Ethnicity to float
        Proportions of ethnic groups (normalised).
    sex_proportions : dict of Sex to float
        Proportions of recorded sex (normalised).
    outcome : OutcomeModel
        The known outcome model.
    outcome_log_odds_shift : dict of Ethnicity to float
        Base-rate difference knob: added to the outcome log-odds for a group.
    recording_bias : tuple of RecordingBias
        Recording-bias knob.
    """

    model_config = _MODEL_CONFIG

    population: str = "general"
    adversity_shift: Annotated[float, Field(ge=-3.0, le=5.0)] = 0.0
    ace_loading: Loading = 0.68
    ace_prevalence: dict[str, Annotated[float, Field(gt=0.0, lt=1.0)]] = Field(
        default_factory=lambda: dict(_ACE_PREVALENCE)
    )
    behaviour_loading: Loading = 0.55
    developmental_loading: Loading = 0.35
    protective_loading: Loading = -0.45
    status_factors: dict[str, LatentFactorSpec] = Field(
        default_factory=lambda: dict(_STATUS_FACTORS)
    )
    events: dict[EventType, EventSpec] = Field(default_factory=lambda: dict(_EVENTS))
    recency_exponent: Annotated[float, Field(gt=0.0, le=10.0)] = 1.5
    attendance_terms: Annotated[int, Field(ge=0, le=30)] = 3
    sessions_per_term: tuple[
        Annotated[int, Field(ge=1, le=300)], Annotated[int, Field(ge=1, le=300)]
    ] = (120, 140)
    absence_log_odds: float = -2.8
    absence_behaviour_slope: float = 0.7
    absence_term_sd: Annotated[float, Field(ge=0.0, le=5.0)] = 0.35
    persistent_absence: Probability = 0.10
    age_range: tuple[Annotated[int, Field(ge=0, le=25)], Annotated[int, Field(ge=0, le=25)]] = (
        10,
        17,
    )
    agency_missing: dict[Agency, Probability] = Field(default_factory=lambda: dict(_AGENCY_MISSING))
    explicit_unknown_probability: Probability = 0.1
    primary_source_probability: Probability = 0.75
    ethnicity_proportions: dict[Ethnicity, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=lambda: dict(_ETHNICITY_PROPORTIONS)
    )
    sex_proportions: dict[Sex, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=lambda: dict(_SEX_PROPORTIONS)
    )
    outcome: OutcomeModel = Field(default_factory=lambda: _OUTCOME)
    outcome_log_odds_shift: dict[Ethnicity, Annotated[float, Field(ge=-10.0, le=10.0)]] = Field(
        default_factory=dict
    )
    recording_bias: tuple[RecordingBias, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> SynthParameters:
        if set(self.ace_prevalence) != set(_ACE_KEYS):
            raise ValueError(
                "ace_prevalence must give a prevalence for exactly the ten ACE categories: "
                + ", ".join(_ACE_KEYS)
            )
        if set(self.status_factors) != set(_LATENT_KEYS):
            missing = sorted(set(_LATENT_KEYS) - set(self.status_factors))
            extra = sorted(set(self.status_factors) - set(_LATENT_KEYS))
            raise ValueError(
                "status_factors must cover every contextual, developmental and protective "
                f"status factor; missing {missing}, not allowed {extra}"
            )
        if set(self.events) != set(_EVENT_TYPES):
            raise ValueError(
                "events must give a spec for every event type: "
                + ", ".join(e.value for e in _EVENT_TYPES)
            )
        if self.sessions_per_term[0] > self.sessions_per_term[1]:
            raise ValueError("sessions_per_term must be (low, high) with low <= high")
        if self.age_range[0] > self.age_range[1]:
            raise ValueError("age_range must be (youngest, oldest) with youngest <= oldest")
        for name, proportions in (
            ("ethnicity_proportions", self.ethnicity_proportions),
            ("sex_proportions", self.sex_proportions),
        ):
            if sum(proportions.values()) <= 0:
                raise ValueError(f"{name} must have at least one positive proportion")
        for bias in self.recording_bias:
            spec = self.events[bias.event_type]
            if bias.rate_ratio * spec.recording_probability > 1.0:
                raise ValueError(
                    f"recording_bias for {bias.event_type.value}: rate_ratio {bias.rate_ratio} "
                    f"times recording_probability {spec.recording_probability} exceeds 1; "
                    "lower the rate_ratio or the event type's recording_probability"
                )
        return self

    @classmethod
    def general(cls) -> SynthParameters:
        """Return the general-population preset (England-like ACE prevalences).

        Returns
        -------
        SynthParameters
        """
        return cls()

    @classmethod
    def early_help(cls) -> SynthParameters:
        """Return the early-help preset: the same model with higher latent adversity.

        Returns
        -------
        SynthParameters
        """
        return cls(population="early-help", adversity_shift=1.2)

    @classmethod
    def for_population(cls, population: Population, **changes: Any) -> SynthParameters:
        """Return a population's preset with some parameters changed.

        Parameters
        ----------
        population : {"general", "early-help"}
            Which preset to start from.
        **changes
            Parameters to change, as keyword arguments (validated).

        Returns
        -------
        SynthParameters

        Raises
        ------
        InputError
            If the population is unknown or a change is invalid.
        """
        if population == "general":
            base = cls.general()
        elif population == "early-help":
            base = cls.early_help()
        else:
            raise InputError(
                [FieldProblem("population", "must be 'general' or 'early-help'; use one of them")]
            )
        return base.replace(**changes) if changes else base

    def replace(self, **changes: Any) -> SynthParameters:
        """Return a copy with some parameters changed, validated.

        Parameters
        ----------
        **changes
            Parameters to change, e.g.
            ``recording_bias=(RecordingBias(event_type="police_contact",
            ethnicity="black", rate_ratio=2.0),)``.

        Returns
        -------
        SynthParameters

        Raises
        ------
        InputError
            If a change is not a parameter or is invalid; names the parameter.
        """
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise InputError(
                [
                    FieldProblem(k, "is not a synthetic-cohort parameter; see SynthParameters")
                    for k in unknown
                ]
            )
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise InputError(problems_from_validation_error(exc)) from None


# England national household ACE survey (Bellis et al. 2014, BMC Medicine 12:72), approximate
# category prevalences; the two neglect categories were not asked there and are the CDC-Kaiser
# figures (Felitti et al. 1998; CDC) scaled by the England/CDC-Kaiser ratio over shared categories.
_ACE_PREVALENCE: dict[str, float] = {
    "emotional_abuse": 0.173,
    "physical_abuse": 0.143,
    "sexual_abuse": 0.062,
    "emotional_neglect": 0.102,
    "physical_neglect": 0.068,
    "domestic_abuse": 0.121,
    "household_substance_misuse": 0.110,
    "household_mental_illness": 0.121,
    "parental_separation": 0.241,
    "household_imprisonment": 0.041,
}

_L = LatentFactorSpec
# Illustrative general-population prevalences (not published targets; see the docs).
_STATUS_FACTORS: dict[str, LatentFactorSpec] = {
    "alternative_provision": _L(prevalence=0.01, loading=0.6),
    "not_registered_gp": _L(prevalence=0.03, loading=0.3),
    "gang_association": _L(prevalence=0.01, loading=0.75),
    "child_sexual_exploitation": _L(prevalence=0.005, loading=0.7),
    "child_criminal_exploitation": _L(prevalence=0.007, loading=0.75),
    "trafficking": _L(prevalence=0.001, loading=0.7),
    "substance_misuse": _L(prevalence=0.04, loading=0.55),
    "self_harm": _L(prevalence=0.06, loading=0.45),
    "challenging_behaviour_home": _L(prevalence=0.08, loading=0.6),
    "peer_concerns": _L(prevalence=0.05, loading=0.65),
    "adhd": _L(prevalence=0.05, loading=0.6),
    "speech_language_needs": _L(prevalence=0.08, loading=0.55),
    "learning_disability": _L(prevalence=0.03, loading=0.5),
    "mental_health_needs": _L(prevalence=0.10, loading=0.6),
    "sen_support": _L(prevalence=0.15, loading=0.7),
    "trusted_adult": _L(prevalence=0.85, loading=0.5),
    "engaged_family_network": _L(prevalence=0.65, loading=0.5),
    "positive_school_relationship": _L(prevalence=0.75, loading=0.5),
    "prosocial_activity": _L(prevalence=0.55, loading=0.45),
    "mentor": _L(prevalence=0.05, loading=-0.3),
    "engages_with_support": _L(prevalence=0.70, loading=0.5),
}

_E = EventSpec
_EVENTS: dict[EventType, EventSpec] = {
    EventType.SUSPENSION: _E(
        rate_per_year=0.006, from_age=5, behaviour_slope=1.0,
        ace_effects={"physical_abuse": 0.3, "domestic_abuse": 0.3},
    ),
    EventType.PERMANENT_EXCLUSION: _E(rate_per_year=0.0001, from_age=5, behaviour_slope=1.5),
    EventType.HOME_MOVE: _E(
        rate_per_year=0.045, behaviour_slope=0.3,
        ace_effects={"parental_separation": 0.7, "domestic_abuse": 0.4},
        cross_borough_probability=0.3,
    ),
    EventType.MISSED_HEALTH_APPOINTMENT: _E(
        rate_per_year=0.012, behaviour_slope=0.4,
        ace_effects={"physical_neglect": 0.9, "emotional_neglect": 0.4,
                     "household_substance_misuse": 0.3},
    ),
    EventType.POLICE_CONTACT: _E(
        rate_per_year=0.10, from_age=10, behaviour_slope=1.4, recording_probability=0.08,
    ),
    EventType.MISSING_EPISODE: _E(
        rate_per_year=0.0013, from_age=8, behaviour_slope=1.3,
        ace_effects={"emotional_abuse": 0.3, "physical_abuse": 0.3},
        recording_probability=0.8,
    ),
    EventType.DOMESTIC_ABUSE_INCIDENT: _E(
        rate_per_year=0.25, requires="domestic_abuse", recording_probability=0.6,
    ),
    EventType.VIOLENCE_VICTIM: _E(
        rate_per_year=0.0055, from_age=8, behaviour_slope=1.0, recording_probability=0.5,
    ),
    EventType.WEAPON_INCIDENT: _E(
        rate_per_year=0.0008, from_age=10, behaviour_slope=1.6, recording_probability=0.7,
    ),
}  # fmt: skip

_AGENCY_MISSING: dict[Agency, float] = {
    Agency.CHILDRENS_SOCIAL_CARE: 0.05,
    Agency.EARLY_HELP: 0.10,
    Agency.POLICE: 0.10,
    Agency.SCHOOL: 0.05,
    Agency.HEALTH_VISITING_SCHOOL_NURSING: 0.30,
    Agency.GP: 0.15,
    Agency.CAMHS: 0.30,
    Agency.YOUTH_JUSTICE: 0.20,
    Agency.PROBATION: 0.40,
    Agency.HOUSING: 0.40,
    Agency.SUBSTANCE_MISUSE_SERVICE: 0.30,
    Agency.OTHER: 1.0,
}

# England school pupils, approximate high-level groups (DfE school census, recent years).
_ETHNICITY_PROPORTIONS: dict[Ethnicity, float] = {
    Ethnicity.WHITE: 0.71,
    Ethnicity.MIXED: 0.07,
    Ethnicity.ASIAN: 0.12,
    Ethnicity.BLACK: 0.06,
    Ethnicity.OTHER: 0.025,
    Ethnicity.NOT_RECORDED: 0.015,
}
_SEX_PROPORTIONS: dict[Sex, float] = {Sex.FEMALE: 0.49, Sex.MALE: 0.51, Sex.NOT_RECORDED: 0.0}

_OUTCOME: OutcomeModel = OutcomeModel(
    intercept=-4.1,
    behaviour_weight=0.7,
    weights={
        "gang_association": 1.0,
        "child_criminal_exploitation": 1.0,
        "child_sexual_exploitation": 0.6,
        "weapon_incident": 0.9,
        "police_contact": 0.6,
        "missing_episodes": 0.5,
        "violence_victim": 0.5,
        "suspensions": 0.3,
        "permanent_exclusion": 0.6,
        "school_attendance": 0.4,
        "domestic_abuse": 0.3,
        "physical_abuse": 0.2,
        "substance_misuse": 0.3,
        "peer_concerns": 0.4,
        "adhd": 0.2,
        "speech_language_needs": 0.2,
    },
    protective_weight=-0.25,
)


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


# ---------------------------------------------------------------------------------------------
# Generation: numpy in chunks, then one plain dict per profile.


@dataclass(frozen=True, slots=True)
class _Terms:
    starts: list[str]
    ends: list[str]


def _school_terms(as_of: dt.date, count: int) -> _Terms:
    """Return the last ``count`` terms (approximate England dates) ended before ``as_of``."""
    terms: list[tuple[dt.date, dt.date]] = []
    year = as_of.year
    while len(terms) < count:
        # school year starting in September of year-1
        candidates = [
            (dt.date(year, 4, 14), dt.date(year, 7, 21)),
            (dt.date(year, 1, 6), dt.date(year, 3, 27)),
            (dt.date(year - 1, 9, 3), dt.date(year - 1, 12, 19)),
        ]
        for start, end in candidates:
            if end < as_of and len(terms) < count:
                terms.append((start, end))
        year -= 1
    terms.reverse()
    return _Terms([s.isoformat() for s, _ in terms], [e.isoformat() for _, e in terms])


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


def _iso(days: npt.NDArray[np.int64]) -> list[str]:
    strings: list[str] = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()
    return strings


class _Assembler:
    """Turn chunks into JSON lines, exactly ``model_dump_json(exclude_defaults=True)``.

    Every string written is a catalogue word, an ISO date or a generated id, so
    the JSON is assembled from pre-rendered fragments without escaping.
    """

    def __init__(self, params: SynthParameters, as_of: dt.date) -> None:
        self.params = params
        terms = _school_terms(as_of, params.attendance_terms)
        self.term_prefixes = [
            f'{{"start":"{s}","end":"{e}","possible_sessions":'
            for s, e in zip(terms.starts, terms.ends, strict=True)
        ]
        self.keys = [k for k, f in FACTORS.items() if f.evidence != "attendance"]
        agencies = [a.value for a in _AGENCIES]
        # per factor: absent fragment per source agency, present prefix per source agency
        self.absent = {
            k: [f'"{k}":{{"status":"absent","source":"{a}"}}' for a in agencies] for k in self.keys
        }
        self.present = {
            k: [f'"{k}":{{"status":"present","source":"{a}","recorded":"' for a in agencies]
            for k in self.keys
        }
        self.unknown = {k: f'"{k}":{{"status":"unknown"}}' for k in self.keys}
        self.event_prefix = [
            [f'{{"type":"{e.value}","date":"' for _a in agencies] for e in _EVENT_TYPES
        ]
        self.event_suffix = [
            [f'","source":"{a}"' for a in agencies],
            [f'","source":"{a}","cross_borough":false' for a in agencies],
            [f'","source":"{a}","cross_borough":true' for a in agencies],
        ]
        self.agency_lists: dict[tuple[bool, ...], str] = {}
        self.agency_values = agencies
        self.audit = [
            [f'"audit":{{"ethnicity":"{e.value}","sex":"{s.value}"}}' for s in _SEXES]
            for e in _ETHNICITIES
        ]

    def _agencies(self, row: tuple[bool, ...]) -> str:
        text = self.agency_lists.get(row)
        if text is None:
            names = [f'"{a}"' for a, ok in zip(self.agency_values, row, strict=True) if ok]
            text = f'"agencies":[{",".join(names)}],' if names else ""
            self.agency_lists[row] = text
        return text

    def _factor_column(self, chunk: _Chunk, key: str) -> list[str]:
        n = chunk.n
        known = chunk.obs_known[key]
        etype = FACTORS[key].event_type
        present = (chunk.listed_counts[etype] > 0) if etype is not None else chunk.truth[key]
        source = chunk.obs_source[key].tolist()
        absent_table = self.absent[key]
        column = [""] * n
        for i in np.flatnonzero(known & ~present).tolist():
            column[i] = absent_table[source[i]]
        present_rows = np.flatnonzero(known & present)
        if present_rows.size:
            days = _iso(chunk.obs_day[key][present_rows])
            prefix = self.present[key]
            for i, day in zip(present_rows.tolist(), days, strict=True):
                column[i] = f'{prefix[source[i]]}{day}"}}'
        unknown = self.unknown[key]
        for i in np.flatnonzero(~known & chunk.explicit_unknown[key]).tolist():
            column[i] = unknown
        return column

    def lines(self, chunk: _Chunk, first_index: int, labelled: bool) -> Iterator[str]:
        n = chunk.n
        dob = _iso(chunk.dob_day)
        audit = self.audit
        ethnicity = chunk.ethnicity.tolist()
        sex = chunk.sex.tolist()
        outcome = chunk.outcome.tolist()
        available = [tuple(r) for r in chunk.available.tolist()]
        columns = [self._factor_column(chunk, key) for key in self.keys]
        # events, pre-rendered
        ev_day = _iso(chunk.ev_day)
        ev_type = chunk.ev_type.tolist()
        ev_source = chunk.ev_source.tolist()
        ev_cross = (chunk.ev_cross + 1).tolist()
        prefix, suffix = self.event_prefix, self.event_suffix
        event_text = [
            f"{prefix[t][s]}{d}{suffix[c][s]}}}"
            for t, s, d, c in zip(ev_type, ev_source, ev_day, ev_cross, strict=True)
        ]
        bounds = chunk.ev_bounds.tolist()
        school_col = _AGENCY_INDEX[Agency.SCHOOL]
        possible = chunk.possible.tolist()
        missed = chunk.missed.tolist()
        term_prefixes = self.term_prefixes
        for i in range(n):
            parts = [f'{{"id":"SYN-{first_index + i:07d}","date_of_birth":"{dob[i]}",']
            factors = ",".join([c[i] for c in columns if c[i]])
            if factors:
                parts.append(f'"factors":{{{factors}}},')
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo:
                parts.append(f'"events":[{",".join(event_text[lo:hi])}],')
            row = available[i]
            if row[school_col] and term_prefixes:
                pos, mis = possible[i], missed[i]
                terms = ",".join(
                    [
                        f'{p}{pos[t]},"missed_sessions":{mis[t]}}}'
                        for t, p in enumerate(term_prefixes)
                    ]
                )
                parts.append(f'"attendance":[{terms}],')
            parts.append(self._agencies(row))
            parts.append(audit[ethnicity[i]][sex[i]])
            profile = "".join(parts) + "}"
            if labelled:
                yield f'{{"profile":{profile},"outcome":{1 if outcome[i] else 0}}}'
            else:
                yield profile


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
    _check_call(n, seed, as_of)
    params = _resolve(population, parameters)
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
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                summary = _write_lines(handle, n, seed, as_of, params, labelled, str(path))
            os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp creates it private
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return summary
    return _write_lines(destination, n, seed, as_of, params, labelled, None)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_lines(
    handle: IO[str],
    n: int,
    seed: int,
    as_of: dt.date,
    params: SynthParameters,
    labelled: bool,
    path: str | None,
) -> CohortSummary:
    digest = hashlib.sha256()
    outcomes = 0
    count = 0
    buffer: list[str] = []
    for line, chunk, i in _iter_lines(n, seed, as_of, params, labelled=labelled):
        outcomes += bool(chunk.outcome[i])
        count += 1
        buffer.append(line)
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
        population=params.population,
        seed=seed,
        as_of=as_of,
        sha256=digest.hexdigest(),
    )
