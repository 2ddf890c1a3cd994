"""The factor catalogue as the synthetic-cohort model sees it.

Fixed orderings of ACE categories, latent status factors, events factors,
agencies, event types and audit groups. The model's arrays are indexed by
these orderings, so they are part of the seed stream: changing one changes
every cohort. Each is derived from the catalogue (:data:`efh_screen.FACTORS`)
or from its vocabularies, never written out again.
"""

from __future__ import annotations

from types import MappingProxyType

from .._factors import FACTOR_BY_EVENT, FACTORS, Agency, Domain, EventType, Weapon
from .._profile import Ethnicity, Sex

__all__ = [
    "ACE_KEYS",
    "AGENCIES",
    "AGENCY_INDEX",
    "ETHNICITIES",
    "EVENT_FACTOR_KEYS",
    "EVENT_TYPES",
    "EVENT_TYPES_OF_FACTOR",
    "FACTOR_KEY_OF_EVENT",
    "LATENT_KEYS",
    "RECORDED_BY",
    "SEXES",
    "WEAPONS",
]

ACE_KEYS: tuple[str, ...] = tuple(
    key for key, factor in FACTORS.items() if factor.domain is Domain.ACE
)
"""The ten ACE categories, in catalogue order."""

_STATUS_LATENT_DOMAINS = (Domain.CONTEXTUAL, Domain.DEVELOPMENTAL, Domain.PROTECTIVE)
LATENT_KEYS: tuple[str, ...] = tuple(
    key
    for key, factor in FACTORS.items()
    if factor.domain in _STATUS_LATENT_DOMAINS and factor.evidence == "status"
)
"""Contextual, developmental and protective status factors, thresholded on a latent score."""

EVENT_FACTOR_KEYS: tuple[str, ...] = tuple(
    key for key, factor in FACTORS.items() if factor.evidence == "events"
)
"""Factors whose evidence is a count of dated events, in catalogue order."""

FACTOR_KEY_OF_EVENT: MappingProxyType[EventType, str] = MappingProxyType(
    {
        event_type: key
        for key in EVENT_FACTOR_KEYS
        if (event_type := FACTORS[key].event_type) is not None
    }
)
"""The events factor each event type is counted for (domestic abuse incidents and emergency
department attendances have none: they are listed by the agency that records them)."""

EVENT_TYPES_OF_FACTOR: MappingProxyType[str, tuple[EventType, ...]] = MappingProxyType(
    {
        key: tuple(event for event, factor in FACTOR_BY_EVENT.items() if factor.key == key)
        for key in EVENT_FACTOR_KEYS
    }
)
"""Every event type that evidences each events factor (an emergency department attendance for
an assault evidences being a victim of violence), the factor's own event type first."""

RECORDED_BY: MappingProxyType[EventType, Agency] = MappingProxyType(
    {
        EventType.DOMESTIC_ABUSE_INCIDENT: Agency.POLICE,
        EventType.EMERGENCY_DEPARTMENT_ASSAULT: Agency.EMERGENCY_DEPARTMENT,
    }
)
"""The agency that lists each event type not counted for an events factor of its own."""

AGENCIES: tuple[Agency, ...] = tuple(Agency)
"""Agencies in vocabulary order: the columns of the availability and source arrays."""

AGENCY_INDEX: MappingProxyType[Agency, int] = MappingProxyType(
    {agency: column for column, agency in enumerate(AGENCIES)}
)
"""Column of each agency in :data:`AGENCIES`."""

EVENT_TYPES: tuple[EventType, ...] = tuple(EventType)
"""Event types in vocabulary order."""

ETHNICITIES: tuple[Ethnicity, ...] = tuple(Ethnicity)
"""Audit ethnicities in vocabulary order (codes in the ethnicity array)."""

SEXES: tuple[Sex, ...] = tuple(Sex)
"""Audit sexes in vocabulary order (codes in the sex array)."""

WEAPONS: tuple[Weapon, ...] = tuple(Weapon)
"""Weapons in vocabulary order (codes in the weapon array; -1 is not recorded)."""
