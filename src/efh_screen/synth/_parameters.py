"""Parameters of the synthetic-cohort model, with documented defaults.

Every number the generator (:mod:`efh_screen.synth._generator`) uses lives in
one frozen object, :class:`SynthParameters`; the model is described in
``docs/synthetic-data.md``. The catalogue as the model sees it (ACE,
status-factor, agency, event-type and group orderings) is in
:mod:`efh_screen.synth._catalogue`.

The generative model, in brief
------------------------------
1. **Demographics** (audit only): ethnicity and sex drawn from fixed
   proportions, and (when ``disability_prevalence`` is set) disability, tied
   to developmental need (the latent ``D`` below, apart from adversity). They
   change nothing except through explicit knobs: ``outcome_log_odds_shift``
   (a base-rate difference per ethnic group) and ``recording_bias`` (an event
   type or a status factor recorded more often for one group at the same
   underlying truth).
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
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .._errors import FieldProblem, InputError, location_to_path
from .._factors import FACTORS, Agency, Domain, EventType
from .._profile import Disability, Ethnicity, Sex
from ._catalogue import ACE_KEYS, EVENT_TYPES, LATENT_KEYS

__all__ = [
    "EventSpec",
    "LatentFactorSpec",
    "Loading",
    "OutcomeModel",
    "Population",
    "Probability",
    "RecordingBias",
    "SynthParameters",
]

Population = Literal["general", "early-help"]

_MODEL_CONFIG = ConfigDict(frozen=True, extra="forbid")
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Loading = Annotated[float, Field(ge=-0.99, le=0.99)]


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
            if key not in ACE_KEYS:
                raise ValueError(
                    f"ace key {key!r} is not an ACE category; use one of {', '.join(ACE_KEYS)}"
                )
        return self


class RecordingBias(BaseModel):
    """Record one event type or status factor more (or less) often for one group, at the same truth.

    Give ``event_type`` or ``factor``, and the group by ``ethnicity``,
    ``disability`` or both (then the young people in both).

    Parameters
    ----------
    event_type : EventType, optional
        An event type whose recording is biased, e.g. ``police_contact``.
    factor : str, optional
        A contextual, developmental or protective status factor whose
        recording is biased, e.g. ``gang_association`` or ``sen_support``.
    ethnicity : Ethnicity, optional
        The ethnic group affected.
    disability : Disability, optional
        ``yes`` (disabled young people) or ``no``; needs
        ``disability_prevalence`` above 0.
    rate_ratio : float
        For an event type: recorded events per underlying event, relative to
        everyone else (``2.0``: recorded twice as often); times the event
        type's ``recording_probability`` it must not exceed 1. For a status
        factor: how many times as many young people in the group are recorded
        with the factor as truly have it, at the general population's
        prevalence (``2.0``: the label is also recorded for as many again,
        those whose liability comes closest to the factor's threshold;
        ``0.5``: half of the true cases go unrecorded). Times the factor's
        ``prevalence`` it must be below 1.
    agency : Agency, optional
        For a status factor only: the agency whose records carry the bias
        (e.g. ``police``; one of the factor's holding agencies). The group's
        status is then as that agency records it wherever its information is
        present, and the account names it when it differs from the truth. By
        default, whichever agency recorded the factor.
    """

    model_config = _MODEL_CONFIG

    event_type: EventType | None = None
    factor: str | None = None
    ethnicity: Ethnicity | None = None
    disability: Disability | None = None
    rate_ratio: Annotated[float, Field(gt=0.0, le=100.0)]
    agency: Agency | None = None

    @model_validator(mode="after")
    def _check_target(self) -> RecordingBias:
        if (self.event_type is None) == (self.factor is None):
            raise ValueError("give event_type or factor (exactly one of them)")
        if self.factor is not None and self.factor not in LATENT_KEYS:
            raise ValueError(
                f"factor {self.factor!r} is not a contextual, developmental or protective status "
                f"factor; use one of {', '.join(LATENT_KEYS)}"
            )
        if self.ethnicity is None and self.disability is None:
            raise ValueError("name the group: give ethnicity, disability or both")
        if self.disability is Disability.NOT_RECORDED:
            raise ValueError("disability must be 'yes' or 'no' (synthetic disability is recorded)")
        if self.agency is not None:
            if self.factor is None:
                raise ValueError(
                    "agency applies to a status factor only (an event's agency is its factor's "
                    "source)"
                )
            holders = FACTORS[self.factor].agencies
            if self.agency not in holders:
                raise ValueError(
                    f"agency {self.agency.value!r} does not hold {self.factor}; use one of "
                    + ", ".join(agency.value for agency in holders)
                )
        return self


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
    disability_prevalence : float
        Share of the general population with a disability (audit only). At 0,
        the default, disability is left out of the profiles.
    disability_loading : float
        Correlation of the disability liability with the part of the
        developmental latent ``D`` not shared with adversity: how much more
        common developmental needs truly are among disabled young people. It
        leaves adversity and behaviour alone, so the outcome differs by
        disability only through the needs' own outcome weights.
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
    # Declared before recording_bias, which is checked against them.
    disability_prevalence: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    disability_loading: Loading = 0.6
    recording_bias: tuple[RecordingBias, ...] = ()

    @field_validator("recording_bias")
    @classmethod
    def _check_recording_bias(
        cls, knobs: tuple[RecordingBias, ...], info: ValidationInfo
    ) -> tuple[RecordingBias, ...]:
        """Refuse a recording bias the model cannot carry out, saying how to fix it."""
        for knob in knobs:
            problem = _recording_bias_problem(knob, info.data)
            if problem:
                raise ValueError(problem)
        return knobs

    @model_validator(mode="after")
    def _check(self) -> SynthParameters:
        if set(self.ace_prevalence) != set(ACE_KEYS):
            raise ValueError(
                "ace_prevalence must give a prevalence for exactly the ten ACE categories: "
                + ", ".join(ACE_KEYS)
            )
        if set(self.status_factors) != set(LATENT_KEYS):
            missing = sorted(set(LATENT_KEYS) - set(self.status_factors))
            extra = sorted(set(self.status_factors) - set(LATENT_KEYS))
            raise ValueError(
                "status_factors must cover every contextual, developmental and protective "
                f"status factor; missing {missing}, not allowed {extra}"
            )
        if set(self.events) != set(EVENT_TYPES):
            raise ValueError(
                "events must give a spec for every event type: "
                + ", ".join(event_type.value for event_type in EVENT_TYPES)
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
                    FieldProblem(name, "is not a synthetic-cohort parameter; see SynthParameters")
                    for name in unknown
                ]
            )
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise InputError(_problems(exc)) from None


def _recording_bias_problem(knob: RecordingBias, data: dict[str, Any]) -> str | None:
    """Return why the model cannot carry out one recording-bias knob, or None.

    ``data`` holds the parameters validated so far (a field that failed is missing).
    """
    if knob.disability is not None and data.get("disability_prevalence", 1.0) == 0.0:
        return (
            "names a disability group but disability_prevalence is 0; set "
            "disability_prevalence (e.g. 0.1)"
        )
    events, factors = data.get("events", {}), data.get("status_factors", {})
    if knob.event_type is not None and knob.event_type in events:
        recording = events[knob.event_type].recording_probability
        if knob.rate_ratio * recording > 1.0:
            return (
                f"for {knob.event_type.value}: rate_ratio {knob.rate_ratio} times "
                f"recording_probability {recording} exceeds 1; lower the rate_ratio or the "
                "event type's recording_probability"
            )
    if knob.factor is not None and knob.factor in factors:
        prevalence = factors[knob.factor].prevalence
        if knob.rate_ratio * prevalence >= 1.0:
            return (
                f"for {knob.factor}: rate_ratio {knob.rate_ratio} times prevalence {prevalence} "
                "is not below 1; lower the rate_ratio"
            )
    return None


def _problems(exc: ValidationError) -> list[FieldProblem]:
    """Translate a pydantic error about parameters into plain field problems.

    Parameters are not personal data, so field paths are given as they are.
    """
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        field = location_to_path(error.get("loc", ()))
        reason = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        reason = reason[:1].lower() + reason[1:]
        problems.append(FieldProblem("(parameters)" if field == "(record)" else field, reason))
    return problems


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

# Illustrative general-population prevalences (not published targets; see the docs).
_STATUS_FACTORS: dict[str, LatentFactorSpec] = {
    "alternative_provision": LatentFactorSpec(prevalence=0.01, loading=0.6),
    "not_registered_gp": LatentFactorSpec(prevalence=0.03, loading=0.3),
    "gang_association": LatentFactorSpec(prevalence=0.01, loading=0.75),
    "child_sexual_exploitation": LatentFactorSpec(prevalence=0.005, loading=0.7),
    "child_criminal_exploitation": LatentFactorSpec(prevalence=0.007, loading=0.75),
    "trafficking": LatentFactorSpec(prevalence=0.001, loading=0.7),
    "substance_misuse": LatentFactorSpec(prevalence=0.04, loading=0.55),
    "self_harm": LatentFactorSpec(prevalence=0.06, loading=0.45),
    "challenging_behaviour_home": LatentFactorSpec(prevalence=0.08, loading=0.6),
    "peer_concerns": LatentFactorSpec(prevalence=0.05, loading=0.65),
    "domestic_abuse_of_child": LatentFactorSpec(prevalence=0.02, loading=0.5),
    "violence_history": LatentFactorSpec(prevalence=0.03, loading=0.75),
    "care_experience": LatentFactorSpec(prevalence=0.015, loading=0.55),
    "early_caregiver_disruption": LatentFactorSpec(prevalence=0.04, loading=0.4),
    "poor_school_achievement": LatentFactorSpec(prevalence=0.10, loading=0.5),
    "place_concerns": LatentFactorSpec(prevalence=0.03, loading=0.5),
    "online_contact_concerns": LatentFactorSpec(prevalence=0.03, loading=0.5),
    "adhd": LatentFactorSpec(prevalence=0.05, loading=0.6),
    "speech_language_needs": LatentFactorSpec(prevalence=0.08, loading=0.55),
    "learning_disability": LatentFactorSpec(prevalence=0.03, loading=0.5),
    "mental_health_needs": LatentFactorSpec(prevalence=0.10, loading=0.6),
    "sen_support": LatentFactorSpec(prevalence=0.15, loading=0.7),
    "trusted_adult": LatentFactorSpec(prevalence=0.85, loading=0.5),
    "engaged_family_network": LatentFactorSpec(prevalence=0.65, loading=0.5),
    "positive_school_relationship": LatentFactorSpec(prevalence=0.75, loading=0.5),
    "prosocial_activity": LatentFactorSpec(prevalence=0.55, loading=0.45),
    "mentor": LatentFactorSpec(prevalence=0.05, loading=-0.3),
    "engages_with_support": LatentFactorSpec(prevalence=0.70, loading=0.5),
}

_EVENTS: dict[EventType, EventSpec] = {
    EventType.SUSPENSION: EventSpec(
        rate_per_year=0.006, from_age=5, behaviour_slope=1.0,
        ace_effects={"physical_abuse": 0.3, "domestic_abuse": 0.3},
    ),
    EventType.PERMANENT_EXCLUSION: EventSpec(
        rate_per_year=0.0001, from_age=5, behaviour_slope=1.5,
    ),
    EventType.HOME_MOVE: EventSpec(
        rate_per_year=0.045, behaviour_slope=0.3,
        ace_effects={"parental_separation": 0.7, "domestic_abuse": 0.4},
        cross_borough_probability=0.3,
    ),
    EventType.MISSED_HEALTH_APPOINTMENT: EventSpec(
        rate_per_year=0.012, behaviour_slope=0.4,
        ace_effects={"physical_neglect": 0.9, "emotional_neglect": 0.4,
                     "household_substance_misuse": 0.3},
    ),
    EventType.POLICE_CONTACT: EventSpec(
        rate_per_year=0.10, from_age=10, behaviour_slope=1.4, recording_probability=0.08,
    ),
    EventType.MISSING_EPISODE: EventSpec(
        rate_per_year=0.0013, from_age=8, behaviour_slope=1.3,
        ace_effects={"emotional_abuse": 0.3, "physical_abuse": 0.3},
        recording_probability=0.8,
    ),
    EventType.DOMESTIC_ABUSE_INCIDENT: EventSpec(
        rate_per_year=0.25, requires="domestic_abuse", recording_probability=0.6,
    ),
    EventType.VIOLENCE_VICTIM: EventSpec(
        rate_per_year=0.0055, from_age=8, behaviour_slope=1.0, recording_probability=0.5,
    ),
    EventType.WEAPON_INCIDENT: EventSpec(
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
        "violence_history": 0.6,
        "care_experience": 0.3,
        "online_contact_concerns": 0.3,
        "domestic_abuse_of_child": 0.2,
    },
    protective_weight=-0.25,
)
