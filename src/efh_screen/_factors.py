"""The factor catalogue: the one source of truth for what efh_screen can record.

Every factor has a stable key, a plain label and description, a domain (ACE,
contextual, developmental or protective), the Children in Need (CIN) census
factor codes that correspond to it where one exists, the agencies that usually
hold the information, and how it is evidenced in a profile:

``status``
    a present / absent / unknown observation in ``Profile.factors``;
``events``
    dated events in ``Profile.events`` (an observation may also be given,
    e.g. ``absent`` to say "checked: none recorded");
``attendance``
    school attendance records in ``Profile.attendance``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "ACE_KEYS",
    "FACTORS",
    "FACTOR_BY_CIN_CODE",
    "FACTOR_BY_EVENT",
    "Agency",
    "Domain",
    "EventType",
    "Factor",
    "Weapon",
    "agencies_holding",
    "factor_catalogue",
]


class Agency(StrEnum):
    """Agencies that hold information about a young person (fixed vocabulary)."""

    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    EARLY_HELP = "early_help"
    POLICE = "police"
    SCHOOL = "school"
    HEALTH_VISITING_SCHOOL_NURSING = "health_visiting_school_nursing"
    GP = "gp"
    CAMHS = "camhs"
    YOUTH_JUSTICE = "youth_justice"
    PROBATION = "probation"
    HOUSING = "housing"
    SUBSTANCE_MISUSE_SERVICE = "substance_misuse_service"
    EMERGENCY_DEPARTMENT = "emergency_department"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Plain name of the agency."""
        return _AGENCY_LABELS[self]


_AGENCY_LABELS = {
    Agency.CHILDRENS_SOCIAL_CARE: "Children's social care",
    Agency.EARLY_HELP: "Early help",
    Agency.POLICE: "Police",
    Agency.SCHOOL: "School",
    Agency.HEALTH_VISITING_SCHOOL_NURSING: "Health visiting / school nursing",
    Agency.GP: "GP",
    Agency.CAMHS: "CAMHS",
    Agency.YOUTH_JUSTICE: "Youth justice",
    Agency.PROBATION: "Probation",
    Agency.HOUSING: "Housing",
    Agency.SUBSTANCE_MISUSE_SERVICE: "Substance misuse service",
    Agency.EMERGENCY_DEPARTMENT: "Hospital emergency department",
    Agency.OTHER: "Other",
}


class Domain(StrEnum):
    """The four domains of the catalogue."""

    ACE = "ace"
    CONTEXTUAL = "contextual"
    DEVELOPMENTAL = "developmental"
    PROTECTIVE = "protective"


class EventType(StrEnum):
    """Types of dated event a profile can hold.

    ``emergency_department_assault`` is an attendance at a hospital emergency department
    with an injury from an assault: it evidences ``violence_victim``, as a
    ``domestic_abuse_incident`` evidences ``domestic_abuse``.
    """

    SUSPENSION = "suspension"
    PERMANENT_EXCLUSION = "permanent_exclusion"
    HOME_MOVE = "home_move"
    MISSED_HEALTH_APPOINTMENT = "missed_health_appointment"
    POLICE_CONTACT = "police_contact"
    MISSING_EPISODE = "missing_episode"
    DOMESTIC_ABUSE_INCIDENT = "domestic_abuse_incident"
    VIOLENCE_VICTIM = "violence_victim"
    WEAPON_INCIDENT = "weapon_incident"
    EMERGENCY_DEPARTMENT_ASSAULT = "emergency_department_assault"


class Weapon(StrEnum):
    """The weapon used in, or involved in, a violent event (an optional event detail).

    ``knife`` covers any blade or sharp instrument; ``gun`` any firearm; ``none`` says
    that no weapon was used (for a victim of violence), which is not the same as the
    weapon not being recorded (the detail left out).
    """

    KNIFE = "knife"
    GUN = "gun"
    OTHER = "other"
    NONE = "none"


Evidence = Literal["status", "events", "attendance"]


@dataclass(frozen=True, slots=True)
class Factor:
    """One entry of the catalogue.

    Attributes
    ----------
    key : str
        Stable machine key, e.g. ``"domestic_abuse"``.
    label : str
        Short plain label for cards and lists.
    description : str
        What the factor means and how to record it.
    domain : Domain
        ACE, contextual, developmental or protective.
    evidence : {"status", "events", "attendance"}
        How a profile evidences it (see the module docstring).
    agencies : tuple of Agency
        Agencies that usually hold this information, most likely first.
    cin_codes : tuple of str
        Children in Need census factor codes that record it, if any.
    event_type : EventType or None
        For ``evidence="events"``, the event type that evidences it.
    """

    key: str
    label: str
    description: str
    domain: Domain
    evidence: Evidence
    agencies: tuple[Agency, ...]
    cin_codes: tuple[str, ...] = ()
    event_type: EventType | None = None

    @property
    def is_ace(self) -> bool:
        """Whether this is one of the ten CDC-Kaiser ACE categories."""
        return self.domain is Domain.ACE

    @property
    def is_protective(self) -> bool:
        """Whether this is a protective factor (it can only lower a score)."""
        return self.domain is Domain.PROTECTIVE

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data with stable keys."""
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "domain": self.domain.value,
            "is_ace": self.is_ace,
            "evidence": self.evidence,
            "event_type": None if self.event_type is None else self.event_type.value,
            "cin_codes": list(self.cin_codes),
            "agencies": [a.value for a in self.agencies],
        }


A = Agency
_ACE_HOLDERS = (A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP, A.HEALTH_VISITING_SCHOOL_NURSING, A.GP)

_CATALOGUE: tuple[Factor, ...] = (
    # --- ACE: the ten CDC-Kaiser categories -------------------------------------------------
    Factor("emotional_abuse", "Emotional abuse",
           "Persistent emotional maltreatment of the child by a parent or carer.",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP, A.CAMHS), ("17A",)),
    Factor("physical_abuse", "Physical abuse",
           "Physical harm caused to the child by a parent or carer.",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.GP), ("18A",)),
    Factor("sexual_abuse", "Sexual abuse",
           "Sexual abuse of the child (within or outside the family, not exploitation).",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.CAMHS), ("19A",)),
    Factor("emotional_neglect", "Emotional neglect",
           "The child's emotional needs persistently not met (no one to feel loved or "
           "protected by). CIN code 16A records neglect generally; it is mapped to "
           "physical neglect.",
           Domain.ACE, "status", _ACE_HOLDERS),
    Factor("physical_neglect", "Physical neglect",
           "The child's basic needs (food, clothing, safety, medical care) persistently not met.",
           Domain.ACE, "status", _ACE_HOLDERS, ("16A",)),
    Factor("domestic_abuse", "Domestic abuse in the household",
           "The child lives, or has lived, with domestic abuse between adults in the household. "
           "Dated domestic abuse incidents in the events also evidence it.",
           Domain.ACE, "status", (A.POLICE, A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP),
           ("3A", "3B", "3C")),
    Factor("household_substance_misuse", "Household substance misuse",
           "A parent, carer or other household member misuses alcohol or drugs.",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.SUBSTANCE_MISUSE_SERVICE, A.GP),
           ("1B", "1C", "2B", "2C")),
    Factor("household_mental_illness", "Household mental illness",
           "A parent, carer or other household member has a serious mental illness.",
           Domain.ACE, "status", (A.GP, A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP), ("4B", "4C")),
    Factor("parental_separation", "Parental separation",
           "The child's parents have separated or divorced, or a parent is absent.",
           Domain.ACE, "status", (A.EARLY_HELP, A.SCHOOL, A.CHILDRENS_SOCIAL_CARE)),
    Factor("household_imprisonment", "Household member in prison",
           "A parent, carer or other household member has been in prison.",
           Domain.ACE, "status", (A.PROBATION, A.POLICE, A.CHILDRENS_SOCIAL_CARE)),
    # --- contextual ----------------------------------------------------------------------------
    Factor("school_attendance", "Low school attendance",
           "Computed from attendance sessions in the attendance window: persistent absence is "
           "10% or more of possible sessions missed, severe absence 50% or more.",
           Domain.CONTEXTUAL, "attendance", (A.SCHOOL,)),
    Factor("suspensions", "Suspensions from school",
           "Fixed-period suspensions (formerly fixed-term exclusions), each dated.",
           Domain.CONTEXTUAL, "events", (A.SCHOOL,), event_type=EventType.SUSPENSION),
    Factor("permanent_exclusion", "Permanent exclusion",
           "Permanent exclusion from a school, dated.",
           Domain.CONTEXTUAL, "events", (A.SCHOOL,), event_type=EventType.PERMANENT_EXCLUSION),
    Factor("alternative_provision", "Alternative provision",
           "The child is, or recently was, educated in alternative provision or a pupil "
           "referral unit.",
           Domain.CONTEXTUAL, "status", (A.SCHOOL, A.EARLY_HELP)),
    Factor("home_moves", "Frequent home moves",
           "Changes of home address, each dated, noting whether the move crossed a borough "
           "boundary (history held by another borough is often missed).",
           Domain.CONTEXTUAL, "events", (A.HOUSING, A.SCHOOL, A.CHILDRENS_SOCIAL_CARE),
           event_type=EventType.HOME_MOVE),
    Factor("missed_health_appointments", "Not brought to health appointments",
           "Health appointments the child was not brought to ('was not brought'), each dated.",
           Domain.CONTEXTUAL, "events", (A.GP, A.HEALTH_VISITING_SCHOOL_NURSING),
           event_type=EventType.MISSED_HEALTH_APPOINTMENT),
    Factor("not_registered_gp", "Not registered with a GP",
           "The child is not registered with a GP practice.",
           Domain.CONTEXTUAL, "status", (A.GP, A.HEALTH_VISITING_SCHOOL_NURSING)),
    Factor("missing_episodes", "Going missing",
           "Episodes of the child going or being missing from home or care, each dated.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.CHILDRENS_SOCIAL_CARE), ("10A",),
           event_type=EventType.MISSING_EPISODE),
    Factor("police_contact", "Police contact or low-level criminality concern",
           "Police contact with the child as a suspect, or low-level criminality concerns, "
           "each dated.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.YOUTH_JUSTICE),
           event_type=EventType.POLICE_CONTACT),
    Factor("violence_victim", "Victim of violence",
           "The child has been a victim of violence outside the home, each incident dated, "
           "with the weapon used and whether the child was seriously injured where known. An "
           "attendance at a hospital emergency department for an assault injury "
           "(emergency_department_assault) also evidences it.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.EMERGENCY_DEPARTMENT, A.GP),
           event_type=EventType.VIOLENCE_VICTIM),
    Factor("weapon_incident", "Weapon-related incident",
           "An incident involving the child and a knife or other weapon, dated, with the "
           "weapon and whether the child was seriously injured where known.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.SCHOOL, A.YOUTH_JUSTICE),
           event_type=EventType.WEAPON_INCIDENT),
    Factor("gang_association", "Gang association",
           "Concern that the child is associated with, or groomed by, a gang.",
           Domain.CONTEXTUAL, "status", (A.POLICE, A.YOUTH_JUSTICE, A.CHILDRENS_SOCIAL_CARE),
           ("13A",)),
    Factor("child_sexual_exploitation", "Child sexual exploitation concern",
           "A known concern that the child is being, or is at risk of being, sexually exploited.",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE), ("11A",)),
    Factor("child_criminal_exploitation", "Child criminal exploitation concern",
           "A known concern that the child is being criminally exploited (e.g. county lines).",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.YOUTH_JUSTICE),
           ("24A",)),
    Factor("trafficking", "Trafficking concern",
           "A concern that the child has been trafficked (including internal trafficking).",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE), ("12A",)),
    Factor("substance_misuse", "Child's own substance misuse",
           "The child misuses alcohol or drugs.",
           Domain.CONTEXTUAL, "status", (A.SUBSTANCE_MISUSE_SERVICE, A.YOUTH_JUSTICE, A.GP),
           ("1A", "2A")),
    Factor("self_harm", "Self-harm",
           "The child self-harms or has self-harmed.",
           Domain.CONTEXTUAL, "status", (A.CAMHS, A.GP, A.SCHOOL), ("15A",)),
    Factor("challenging_behaviour_home", "Challenging behaviour at home",
           "Behaviour at home that parents or carers struggle to manage (including child-to-"
           "parent violence). CIN code 14A (socially unacceptable behaviour) is mapped here.",
           Domain.CONTEXTUAL, "status", (A.EARLY_HELP, A.CHILDRENS_SOCIAL_CARE), ("14A",)),
    Factor("peer_concerns", "Peer association concerns",
           "Concern about the child's associations with older or exploitative peers.",
           Domain.CONTEXTUAL, "status", (A.SCHOOL, A.POLICE, A.YOUTH_JUSTICE)),
    # --- developmental -------------------------------------------------------------------------
    Factor("adhd", "ADHD",
           "Attention deficit hyperactivity disorder, diagnosed or under assessment.",
           Domain.DEVELOPMENTAL, "status", (A.CAMHS, A.GP, A.SCHOOL)),
    Factor("speech_language_needs", "Speech, language and communication needs",
           "Speech, language or communication needs, e.g. poor receptive language that has "
           "needed speech and language therapy.",
           Domain.DEVELOPMENTAL, "status", (A.SCHOOL, A.HEALTH_VISITING_SCHOOL_NURSING)),
    Factor("learning_disability", "Learning disability",
           "A learning disability.",
           Domain.DEVELOPMENTAL, "status", (A.SCHOOL, A.GP), ("5A",)),
    Factor("mental_health_needs", "Mental health needs",
           "The child has mental health needs (known to CAMHS or the GP).",
           Domain.DEVELOPMENTAL, "status", (A.CAMHS, A.GP), ("4A",)),
    Factor("sen_support", "SEN support or EHC plan",
           "The child receives special educational needs support or has an education, health "
           "and care plan.",
           Domain.DEVELOPMENTAL, "status", (A.SCHOOL,)),
    # --- protective ----------------------------------------------------------------------------
    Factor("trusted_adult", "A trusted adult",
           "The child names an adult they trust and can go to.",
           Domain.PROTECTIVE, "status", (A.EARLY_HELP, A.SCHOOL, A.YOUTH_JUSTICE)),
    Factor("engaged_family_network", "Engaged family network",
           "Family or friends network engaged in supporting and safety planning for the child.",
           Domain.PROTECTIVE, "status", (A.EARLY_HELP, A.CHILDRENS_SOCIAL_CARE)),
    Factor("positive_school_relationship", "Positive relationship with school",
           "The child has a positive relationship with school staff or their school.",
           Domain.PROTECTIVE, "status", (A.SCHOOL,)),
    Factor("prosocial_activity", "Prosocial activity",
           "Regular involvement in sport, arts, faith, youth club or other prosocial activity.",
           Domain.PROTECTIVE, "status", (A.EARLY_HELP, A.SCHOOL, A.YOUTH_JUSTICE)),
    Factor("mentor", "A mentor",
           "The child has a mentor or lead worker they have chosen to work with.",
           Domain.PROTECTIVE, "status", (A.EARLY_HELP, A.YOUTH_JUSTICE)),
    Factor("engages_with_support", "Engages with offered support",
           "The child and family engage with support they have been offered.",
           Domain.PROTECTIVE, "status", (A.EARLY_HELP, A.CHILDRENS_SOCIAL_CARE)),
)  # fmt: skip

FACTORS: MappingProxyType[str, Factor] = MappingProxyType(
    {factor.key: factor for factor in _CATALOGUE}
)
"""The catalogue, keyed by factor key, in catalogue order (read-only)."""

ACE_KEYS: tuple[str, ...] = tuple(factor.key for factor in _CATALOGUE if factor.is_ace)
"""Keys of the ten ACE categories, in catalogue order."""

FACTOR_BY_EVENT: MappingProxyType[EventType, Factor] = MappingProxyType(
    {
        **{factor.event_type: factor for factor in _CATALOGUE if factor.event_type is not None},
        EventType.DOMESTIC_ABUSE_INCIDENT: FACTORS["domestic_abuse"],
        EventType.EMERGENCY_DEPARTMENT_ASSAULT: FACTORS["violence_victim"],
    }
)
"""The factor each event type evidences (read-only). A domestic abuse incident evidences the
ACE; an emergency department attendance for an assault evidences being a victim of violence."""

FACTOR_BY_CIN_CODE: dict[str, Factor] = {
    code: factor for factor in _CATALOGUE for code in factor.cin_codes
}
"""The factor each Children in Need census code records."""


def agencies_holding(factor_keys: Iterable[str]) -> tuple[Agency, ...]:
    """Agencies that usually hold any of the factors, without repeats.

    Parameters
    ----------
    factor_keys : iterable of str
        Factor keys, most important first.

    Returns
    -------
    tuple of Agency
        Each factor's agencies in turn, most likely first, each agency once.
    """
    seen: dict[Agency, None] = {}
    for key in factor_keys:
        for agency in FACTORS[key].agencies:
            seen.setdefault(agency, None)
    return tuple(seen)


def factor_catalogue() -> list[dict[str, Any]]:
    """Return the whole catalogue as JSON-ready data, in catalogue order.

    Returns
    -------
    list of dict
        One dict per factor with the keys of :meth:`Factor.as_dict`.

    Examples
    --------
    >>> from efh_screen import factor_catalogue
    >>> [f["key"] for f in factor_catalogue() if f["is_ace"]][:3]
    ['emotional_abuse', 'physical_abuse', 'sexual_abuse']
    """
    return [factor.as_dict() for factor in _CATALOGUE]
