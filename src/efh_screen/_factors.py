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

The catalogue also holds every Children in Need census factor code (:data:`CIN_CODES`):
the factor each records, or why it is recorded but not scored. Each factor's CIN codes are
filled in from that one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "ACE_KEYS",
    "CIN_CODES",
    "FACTORS",
    "FACTOR_BY_CIN_CODE",
    "FACTOR_BY_EVENT",
    "Agency",
    "CinCode",
    "Domain",
    "EventType",
    "Factor",
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
    Agency.OTHER: "Other",
}


class Domain(StrEnum):
    """The four domains of the catalogue."""

    ACE = "ace"
    CONTEXTUAL = "contextual"
    DEVELOPMENTAL = "developmental"
    PROTECTIVE = "protective"


class EventType(StrEnum):
    """Types of dated event a profile can hold."""

    SUSPENSION = "suspension"
    PERMANENT_EXCLUSION = "permanent_exclusion"
    HOME_MOVE = "home_move"
    MISSED_HEALTH_APPOINTMENT = "missed_health_appointment"
    POLICE_CONTACT = "police_contact"
    MISSING_EPISODE = "missing_episode"
    DOMESTIC_ABUSE_INCIDENT = "domestic_abuse_incident"
    VIOLENCE_VICTIM = "violence_victim"
    WEAPON_INCIDENT = "weapon_incident"


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
        Children in Need census factor codes that record it, if any (filled in from
        :data:`CIN_CODES`, the one table of codes).
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


@dataclass(frozen=True, slots=True)
class CinCode:
    """One Children in Need census factor code ("factors identified at the end of assessment").

    Attributes
    ----------
    code : str
        The census code, e.g. ``"3A"``.
    label : str
        The census's own name for it, shortened.
    meaning : str
        What it records, in plain words.
    factors : tuple of str
        Catalogue factors it records, in order of preference: the code records the
        first of them present, or the next when a profile says the first is absent
        (only ``16A``, neglect of either kind, names two). Empty when the code is
        recorded but not scored.
    note : str
        Why it maps where it does, or why it is recorded but not scored.
    retired : bool
        A code of earlier census years, still found in older records.
    """

    code: str
    label: str
    meaning: str
    factors: tuple[str, ...]
    note: str = ""
    retired: bool = False

    @property
    def scored(self) -> bool:
        """Whether the code records a catalogue factor (else it is recorded, not scored)."""
        return bool(self.factors)

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data with stable keys."""
        return {
            "code": self.code,
            "label": self.label,
            "meaning": self.meaning,
            "factors": list(self.factors),
            "scored": self.scored,
            "note": self.note,
            "retired": self.retired,
        }


_NOT_SCORED_DISABILITY = (
    "Disability is a protected characteristic and is never scored. "
    "Support the child or family needs belongs in the plan."
)
_NOT_SCORED_PRIVATE_FOSTERING = (
    "A private fostering arrangement is a care arrangement the local "
    "authority must check, not a risk in itself; recorded so the review knows who cares for "
    "the child."
)

_CIN_TABLE: tuple[CinCode, ...] = (
    CinCode("1A", "Alcohol misuse: the child", "Concerns about alcohol misuse by the child.",
            ("substance_misuse",)),
    CinCode("1B", "Alcohol misuse: parent or carer",
            "Concerns about alcohol misuse by the child's parent(s) or carer(s).",
            ("household_substance_misuse",)),
    CinCode("1C", "Alcohol misuse: another person in the household",
            "Concerns about alcohol misuse by another person living in the household.",
            ("household_substance_misuse",)),
    CinCode("2A", "Drug misuse: the child", "Concerns about drug misuse by the child.",
            ("substance_misuse",)),
    CinCode("2B", "Drug misuse: parent or carer",
            "Concerns about drug misuse by the child's parent(s) or carer(s).",
            ("household_substance_misuse",)),
    CinCode("2C", "Drug misuse: another person in the household",
            "Concerns about drug misuse by another person living in the household.",
            ("household_substance_misuse",)),
    CinCode("3A", "Domestic abuse: the child is the subject",
            "Concerns about the child being the subject of domestic abuse (violence).",
            ("domestic_abuse_of_child",),
            "The child is the victim, for example in their own relationship: not the ACE of "
            "domestic abuse between adults in the household (3B, 3C)."),
    CinCode("3B", "Domestic abuse: parent or carer is the subject",
            "Concerns about the child's parent(s) or carer(s) being the subject of domestic "
            "abuse (violence).",
            ("domestic_abuse",)),
    CinCode("3C", "Domestic abuse: another person in the household is the subject",
            "Concerns about another person living in the household being the subject of "
            "domestic abuse (violence).",
            ("domestic_abuse",)),
    CinCode("4A", "Mental health: the child", "Concerns about the mental health of the child.",
            ("mental_health_needs",)),
    CinCode("4B", "Mental health: parent or carer",
            "Concerns about the mental health of the child's parent(s) or carer(s).",
            ("household_mental_illness",)),
    CinCode("4C", "Mental health: another person in the family or household",
            "Concerns about the mental health of another person in the family or household.",
            ("household_mental_illness",)),
    CinCode("5A", "Learning disability: the child",
            "Concerns about the child's learning disability.", ("learning_disability",)),
    CinCode("5B", "Learning disability: parent or carer",
            "Concerns about the learning disability of the child's parent(s) or carer(s).", (),
            _NOT_SCORED_DISABILITY),
    CinCode("5C", "Learning disability: another person in the family or household",
            "Concerns about the learning disability of another person in the family or "
            "household.", (), _NOT_SCORED_DISABILITY),
    CinCode("6A", "Physical disability or illness: the child",
            "Concerns about a physical disability or illness of the child.", (),
            _NOT_SCORED_DISABILITY),
    CinCode("6B", "Physical disability or illness: parent or carer",
            "Concerns about a physical disability or illness of the child's parent(s) or "
            "carer(s).", (), _NOT_SCORED_DISABILITY),
    CinCode("6C", "Physical disability or illness: another person in the family or household",
            "Concerns about a physical disability or illness of another person in the family "
            "or household.", (), _NOT_SCORED_DISABILITY),
    CinCode("7A", "Young carer",
            "Concerns that services may be needed, or the child's health or development "
            "impaired, because of their caring responsibilities.", (),
            "A young carer needs support (a young carer's needs "
            "assessment); caring is not a marker of risk of violence or exploitation."),
    CinCode("8B", "Privately fostered: overseas child who intends to return",
            "A privately fostered child from overseas who intends to return.", (),
            _NOT_SCORED_PRIVATE_FOSTERING),
    CinCode("8C", "Privately fostered: overseas child who intends to stay",
            "A privately fostered child from overseas who intends to stay.", (),
            _NOT_SCORED_PRIVATE_FOSTERING),
    CinCode("8D", "Privately fostered: UK child in an educational placement",
            "A privately fostered child from the UK, placed for education.", (),
            _NOT_SCORED_PRIVATE_FOSTERING),
    CinCode("8E", "Privately fostered: UK child in an alternative family arrangement",
            "A privately fostered child from the UK whose family made an alternative "
            "arrangement for their care.", (), _NOT_SCORED_PRIVATE_FOSTERING),
    CinCode("8F", "Privately fostered: other", "Any other privately fostered child.", (),
            _NOT_SCORED_PRIVATE_FOSTERING),
    CinCode("9A", "Unaccompanied asylum-seeking child",
            "Concerns that services may be needed, or the child may be at risk of harm, as an "
            "unaccompanied asylum-seeking child.", (),
            "Immigration status stands in for nationality and national "
            "origin, parts of the protected characteristic of race. Trafficking and "
            "exploitation concerns are recorded by their own codes (12A, 11A, 24A); being "
            "looked after is recorded as care experience."),
    CinCode("10A", "Going or being missing",
            "Concerns that the child may be at risk of harm because of going or being missing.",
            ("missing_episodes",),
            "Missing episodes are scored from their dates: without them the factor is recorded "
            "unknown, to be filled in."),
    CinCode("11A", "Child sexual exploitation",
            "Concerns that the child may be at risk of harm from child sexual exploitation.",
            ("child_sexual_exploitation",)),
    CinCode("12A", "Trafficking",
            "Concerns that the child may be at risk of harm from trafficking.",
            ("trafficking",)),
    CinCode("13A", "Gangs",
            "Concerns that the child may be at risk of harm because of involvement in or with "
            "gangs.", ("gang_association",)),
    CinCode("14A", "Socially unacceptable behaviour",
            "Concerns that the child may be at risk because of their socially unacceptable "
            "behaviour.", (),
            "The code names behaviour anywhere without saying what it "
            "is. It is not behaviour at home, and a label this broad is where adultification "
            "and disproportionality enter; record the behaviour itself (challenging behaviour "
            "at home, police contact, the child's own violence) as its own factor."),
    CinCode("15A", "Self-harm",
            "Concerns that the child may be at risk of harm from suspected or actual "
            "self-harm.", ("self_harm",)),
    CinCode("16A", "Abuse or neglect: neglect",
            "Concerns that the child may be suffering, or likely to suffer, significant harm "
            "from neglect.", ("physical_neglect", "emotional_neglect"),
            "Neglect is a failure to meet a child's basic physical and/or emotional needs; the "
            "code does not say which. It records physical neglect (or emotional neglect when "
            "physical neglect is recorded absent), never both: one concern is not two ACE "
            "categories. Emotional neglect stays unknown for the review to check."),
    CinCode("17A", "Abuse or neglect: emotional abuse",
            "Concerns that the child may be suffering, or likely to suffer, significant harm "
            "from emotional abuse.", ("emotional_abuse",)),
    CinCode("18A", "Abuse or neglect: physical abuse (before the split by perpetrator)",
            "Concerns of significant harm from physical abuse, as recorded before the census "
            "split the code into 18B and 18C.", ("physical_abuse",),
            "Kept so older records are read; most were abuse by an adult.", retired=True),
    CinCode("18B", "Abuse or neglect: physical abuse, child on child",
            "Concerns that the child may be suffering, or likely to suffer, significant harm "
            "from physical abuse by another child.", ("violence_victim",),
            "Violence from another child is not the ACE of physical abuse by a parent or "
            "carer: it is victimisation, scored from dated incidents. Without the dates the "
            "factor is recorded unknown, to be filled in."),
    CinCode("18C", "Abuse or neglect: physical abuse, adult on child",
            "Concerns that the child may be suffering, or likely to suffer, significant harm "
            "from physical abuse by an adult.", ("physical_abuse",)),
    CinCode("19A", "Abuse or neglect: sexual abuse (before the split by perpetrator)",
            "Concerns of significant harm from sexual abuse, as recorded before the census "
            "split the code into 19B and 19C.", ("sexual_abuse",),
            "Kept so older records are read.", retired=True),
    CinCode("19B", "Abuse or neglect: sexual abuse, child on child",
            "Concerns that the child may be suffering, or likely to suffer, significant harm "
            "from sexual abuse by another child.", ("sexual_abuse",),
            "The catalogue's sexual abuse covers abuse within or outside the family, by an "
            "adult or another child."),
    CinCode("19C", "Abuse or neglect: sexual abuse, adult on child",
            "Concerns that the child may be suffering, or likely to suffer, significant harm "
            "from sexual abuse by an adult.", ("sexual_abuse",)),
    CinCode("20", "Other", "Another factor, not named by the census.", (),
            "The code does not say what the factor is."),
    CinCode("21", "No factors identified",
            "No evidence of any of the census factors, and no further action.", (),
            "It does not record any factor absent: unknown is not absent, and a factor the "
            "assessment did not look at stays unknown."),
    CinCode("22A", "Female genital mutilation",
            "Concerns that the child may be at risk because of female genital mutilation.", (),
            "FGM has its own safeguarding duties (mandatory reporting, "
            "protection orders); the code covers risk as well as harm and is concentrated in "
            "some communities, so scoring it would stand in for ethnicity and national origin. "
            "Abuse found is recorded as the abuse itself."),
    CinCode("23A", "Abuse linked to faith or belief",
            "Concerns that the child may be at risk because of abuse linked to faith or "
            "belief.", (),
            "The abuse itself is recorded by its own code (17A, 18C, "
            "19C); religion or belief is a protected characteristic and is never scored."),
    CinCode("24A", "Child criminal exploitation",
            "Concerns that the child may be at risk of harm from child criminal exploitation.",
            ("child_criminal_exploitation",)),
)  # fmt: skip

A = Agency
_ACE_HOLDERS = (A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP, A.HEALTH_VISITING_SCHOOL_NURSING, A.GP)

_ENTRIES: tuple[Factor, ...] = (
    # --- ACE: the ten CDC-Kaiser categories -------------------------------------------------
    Factor("emotional_abuse", "Emotional abuse",
           "Persistent emotional maltreatment of the child by a parent or carer.",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP, A.CAMHS)),
    Factor("physical_abuse", "Physical abuse",
           "Physical harm caused to the child by a parent, carer or another adult.",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.GP)),
    Factor("sexual_abuse", "Sexual abuse",
           "Sexual abuse of the child (within or outside the family, not exploitation).",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.CAMHS)),
    Factor("emotional_neglect", "Emotional neglect",
           "The child's emotional needs persistently not met (no one to feel loved or "
           "protected by).",
           Domain.ACE, "status", _ACE_HOLDERS),
    Factor("physical_neglect", "Physical neglect",
           "The child's basic needs (food, clothing, safety, medical care) persistently not met.",
           Domain.ACE, "status", _ACE_HOLDERS),
    Factor("domestic_abuse", "Domestic abuse in the household",
           "The child lives, or has lived, with domestic abuse between adults in the household. "
           "Dated domestic abuse incidents in the events also evidence it. Abuse of the child "
           "themselves is 'Domestic abuse of the child'.",
           Domain.ACE, "status", (A.POLICE, A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP)),
    Factor("household_substance_misuse", "Household substance misuse",
           "A parent, carer or other household member misuses alcohol or drugs.",
           Domain.ACE, "status", (A.CHILDRENS_SOCIAL_CARE, A.SUBSTANCE_MISUSE_SERVICE, A.GP)),
    Factor("household_mental_illness", "Household mental illness",
           "A parent, carer or other household member has a serious mental illness.",
           Domain.ACE, "status", (A.GP, A.CHILDRENS_SOCIAL_CARE, A.EARLY_HELP)),
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
           Domain.CONTEXTUAL, "events", (A.POLICE, A.CHILDRENS_SOCIAL_CARE),
           event_type=EventType.MISSING_EPISODE),
    Factor("police_contact", "Police contact or low-level criminality concern",
           "Police contact with the child as a suspect, or low-level criminality concerns, "
           "each dated.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.YOUTH_JUSTICE),
           event_type=EventType.POLICE_CONTACT),
    Factor("violence_victim", "Victim of violence",
           "The child has been a victim of violence outside the home, each incident dated.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.GP), event_type=EventType.VIOLENCE_VICTIM),
    Factor("weapon_incident", "Weapon-related incident",
           "An incident involving the child and a knife or other weapon, dated.",
           Domain.CONTEXTUAL, "events", (A.POLICE, A.SCHOOL, A.YOUTH_JUSTICE),
           event_type=EventType.WEAPON_INCIDENT),
    Factor("gang_association", "Gang association",
           "Concern that the child is associated with, or groomed by, a gang.",
           Domain.CONTEXTUAL, "status", (A.POLICE, A.YOUTH_JUSTICE, A.CHILDRENS_SOCIAL_CARE)),
    Factor("child_sexual_exploitation", "Child sexual exploitation concern",
           "A known concern that the child is being, or is at risk of being, sexually exploited.",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE)),
    Factor("child_criminal_exploitation", "Child criminal exploitation concern",
           "A known concern that the child is being criminally exploited (e.g. county lines).",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.YOUTH_JUSTICE)),
    Factor("trafficking", "Trafficking concern",
           "A concern that the child has been trafficked (including internal trafficking).",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE)),
    Factor("substance_misuse", "Child's own substance misuse",
           "The child misuses alcohol or drugs.",
           Domain.CONTEXTUAL, "status", (A.SUBSTANCE_MISUSE_SERVICE, A.YOUTH_JUSTICE, A.GP)),
    Factor("self_harm", "Self-harm",
           "The child self-harms or has self-harmed.",
           Domain.CONTEXTUAL, "status", (A.CAMHS, A.GP, A.SCHOOL)),
    Factor("challenging_behaviour_home", "Challenging behaviour at home",
           "Behaviour at home that parents or carers struggle to manage (including child-to-"
           "parent violence).",
           Domain.CONTEXTUAL, "status", (A.EARLY_HELP, A.CHILDRENS_SOCIAL_CARE)),
    Factor("peer_concerns", "Peer association concerns",
           "Concern about the peer group the child spends time with: older or exploitative "
           "peers. A context to assess and change, not the child's behaviour.",
           Domain.CONTEXTUAL, "status", (A.SCHOOL, A.POLICE, A.YOUTH_JUSTICE)),
    Factor("domestic_abuse_of_child", "Domestic abuse of the child",
           "The child is the subject of domestic abuse: abused by a partner in their own "
           "relationship, or by a family member. Abuse between adults in the household is "
           "'Domestic abuse in the household'.",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.POLICE, A.EARLY_HELP)),
    Factor("violence_history", "The child's own use of violence",
           "The child has used violence against another person (an assault, a fight causing "
           "injury, robbery with violence), known to youth justice, the police or the school. "
           "Violence towards parents or carers is 'Challenging behaviour at home'; carrying or "
           "using a weapon is a weapon-related incident.",
           Domain.CONTEXTUAL, "status", (A.YOUTH_JUSTICE, A.POLICE, A.SCHOOL)),
    Factor("care_experience", "Looked after or care-experienced",
           "The child is, or has been, looked after by a local authority (in care), including "
           "care leavers. A known vulnerability to exploitation, not a protected "
           "characteristic: record it here to have it screened (audit attributes never are).",
           Domain.CONTEXTUAL, "status", (A.CHILDRENS_SOCIAL_CARE, A.SCHOOL, A.EARLY_HELP)),
    Factor("early_caregiver_disruption", "Early caregiver disruption",
           "In early childhood the child was separated from a primary caregiver for a long "
           "time or more than once (a parent's death or long absence, several carers or "
           "placements).",
           Domain.CONTEXTUAL, "status",
           (A.CHILDRENS_SOCIAL_CARE, A.HEALTH_VISITING_SCHOOL_NURSING, A.EARLY_HELP)),
    Factor("poor_school_achievement", "Poor school achievement",
           "The child is working well below the expected standard for their age (e.g. key "
           "stage results), whatever the reason.",
           Domain.CONTEXTUAL, "status", (A.SCHOOL,)),
    Factor("place_concerns", "Concern about a place",
           "A concern about a place where the child spends time (a park, estate, transport "
           "hub, shop or address) where harm to young people is known or suspected. A context "
           "to assess and change, not the child's behaviour.",
           Domain.CONTEXTUAL, "status", (A.POLICE, A.SCHOOL, A.EARLY_HELP, A.YOUTH_JUSTICE)),
    Factor("online_contact_concerns", "Concern about online contact",
           "A concern about contact with the child online: grooming, exploitation, threats or "
           "violence on social media, messaging or gaming platforms. A context to assess and "
           "change, not the child's behaviour.",
           Domain.CONTEXTUAL, "status", (A.SCHOOL, A.POLICE, A.CHILDRENS_SOCIAL_CARE)),
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
           Domain.DEVELOPMENTAL, "status", (A.SCHOOL, A.GP)),
    Factor("mental_health_needs", "Mental health needs",
           "The child has mental health needs (known to CAMHS or the GP).",
           Domain.DEVELOPMENTAL, "status", (A.CAMHS, A.GP)),
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

_CATALOGUE: tuple[Factor, ...] = tuple(
    replace(factor, cin_codes=tuple(c.code for c in _CIN_TABLE if factor.key in c.factors))
    for factor in _ENTRIES
)

FACTORS: MappingProxyType[str, Factor] = MappingProxyType(
    {factor.key: factor for factor in _CATALOGUE}
)
"""The catalogue, keyed by factor key, in catalogue order (read-only)."""

ACE_KEYS: tuple[str, ...] = tuple(factor.key for factor in _CATALOGUE if factor.is_ace)
"""Keys of the ten ACE categories, in catalogue order."""

FACTOR_BY_EVENT: dict[EventType, Factor] = {
    factor.event_type: factor for factor in _CATALOGUE if factor.event_type is not None
}
FACTOR_BY_EVENT[EventType.DOMESTIC_ABUSE_INCIDENT] = FACTORS["domestic_abuse"]
"""The factor each event type evidences (a domestic abuse incident evidences the ACE)."""

CIN_CODES: MappingProxyType[str, CinCode] = MappingProxyType({c.code: c for c in _CIN_TABLE})
"""Every Children in Need census factor code, in census order (read-only), with the factors
each records; codes that record none are recorded, not scored."""

FACTOR_BY_CIN_CODE: dict[str, Factor] = {
    c.code: FACTORS[c.factors[0]] for c in _CIN_TABLE if c.factors
}
"""The factor each scored Children in Need census code records first (see :class:`CinCode`)."""


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
