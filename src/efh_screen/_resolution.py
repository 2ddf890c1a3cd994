"""The resolution rule: several agencies' accounts of a factor -> the one status that is scored.

A profile can hold more than one account of a factor (the GP's and the
police's, say). The rule is part of the weightings, so it is versioned and
stamped on every result with the points:

* ``present`` when any account records the factor present;
* ``absent`` when no account records it present and an account that can vouch
  for its absence records it absent. With ``absent="usual_holder"`` (the
  default) only an agency that usually holds the factor (the catalogue says
  which) can vouch for it, or an account with no named agency, which is the
  partnership's own assembled view; with ``absent="any_account"`` any account
  can;
* ``unknown`` otherwise. Unknown is not absent, and the reason an account gives
  for not knowing never changes the status.

A single account from the agency that holds the factor (or from no named
agency) resolves to its own status, so such one-account profiles score as before. A
single ``absent`` from an agency that does not usually hold the factor (a school saying
"no domestic abuse") is now ``unknown``: before the rule it counted as absent. Such a
profile's score is unchanged, but its range can widen and its flag can become one that
could change once the holder is asked.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ._factors import FACTORS, Agency
from ._profile import Observation, Status

__all__ = ["ResolutionRule", "can_vouch_absent", "resolved_statuses"]

_PRESENT, _ABSENT, _UNKNOWN = Status.PRESENT, Status.ABSENT, Status.UNKNOWN
# Agencies that usually hold each factor, and None: an account with no named agency.
_HOLDERS: dict[str, frozenset[Agency | None]] = {
    key: frozenset((*factor.agencies, None)) for key, factor in FACTORS.items()
}


class _Anyone:
    """Every agency (and none) can vouch for absence: the ``any_account`` rule."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY_HOLDER: dict[str, Container[Agency | None]] = dict.fromkeys(FACTORS, _Anyone())


class ResolutionRule(BaseModel):
    """How several agencies' accounts of a factor become the status that is scored.

    Parameters
    ----------
    present : {"any_account"}
        A factor is present when any account records it present.
    absent : {"usual_holder", "any_account"}
        Which ``absent`` accounts make a factor absent when none records it
        present: only those from an agency that usually holds the factor (or
        from no named agency), or any account. Otherwise the factor is unknown.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    present: Literal["any_account"] = "any_account"
    absent: Literal["usual_holder", "any_account"] = "usual_holder"

    def resolve(self, key: str, accounts: Sequence[Observation]) -> Status:
        """Resolve one factor's accounts to the status that is scored.

        Parameters
        ----------
        key : str
            The factor key (the catalogue says which agencies usually hold it).
        accounts : sequence of Observation
            Every agency's account of the factor.

        Returns
        -------
        Status
            ``present``, ``absent`` or ``unknown``.
        """
        return resolved_statuses({key: accounts}, self)[key]


def can_vouch_absent(key: str, source: Agency | None, rule: ResolutionRule) -> bool:
    """Whether an ``absent`` account from ``source`` can make factor ``key`` absent."""
    return rule.absent == "any_account" or source in _HOLDERS[key]


def resolved_statuses(
    factors: Mapping[str, Sequence[Observation]], rule: ResolutionRule
) -> dict[str, Status]:
    """Resolve every factor's accounts to the status that is scored.

    Parameters
    ----------
    factors : mapping of str to sequence of Observation
        A profile's accounts by factor key.
    rule : ResolutionRule
        The weightings' resolution rule.

    Returns
    -------
    dict of str to Status
        One status per factor listed.
    """
    any_account = rule.absent == "any_account"
    holders = _ANY_HOLDER if any_account else _HOLDERS
    # This runs for every record of a batch: one account per factor is the common case, so
    # it is resolved in one comprehension; several accounts are resolved after.
    statuses: dict[str, Status] = {
        key: (
            status
            if (status := (account := accounts[0]).status) is not _ABSENT
            or account.source in holders[key]
            else _UNKNOWN
        )
        for key, accounts in factors.items()
        if len(accounts) == 1
    }
    if len(statuses) < len(factors):
        for key, accounts in factors.items():
            if len(accounts) != 1:
                statuses[key] = _resolve_several(key, accounts, holders)
    return statuses


def _resolve_several(
    key: str, accounts: Sequence[Observation], holders: Mapping[str, Container[Agency | None]]
) -> Status:
    status = _UNKNOWN
    for account in accounts:
        if account.status is _PRESENT:
            return _PRESENT
        if account.status is _ABSENT and account.source in holders[key]:
            status = _ABSENT
    return status
