"""The screen: integer points, bands, overrides and the range the unknowns allow.

Scoring rules (the same on both paths):

* ``risk`` is the sum of the points of the risk indicators that are present;
* ``protective`` is the sum of the (negative) points of protective factors
  present; it lowers the score by at most ``protective_cap`` points and never
  below 0: ``score = risk - min(-protective, cap, risk)``. When the cap bites,
  an explicit "protective cap" contribution is listed, so contributions always
  sum exactly to the score;
* the band is the highest whose ``min_score`` the score reaches, raised to at
  least the override band of any override indicator present; the case is
  flagged when its band flags;
* unknown indicators count as not present for the score; the score range
  takes each unknown at its extremes (risk present and protective absent for
  the top; the reverse for the bottom). Every indicator is monotone, so these
  two fills give the exact range under the assumption that each unknown
  indicator could independently go either way.

:meth:`Screener.screen` computes one result in plain Python with full evidence;
:meth:`Screener.screen_many` derives a :class:`~efh_screen.FeatureMatrix` and
scores it with numpy. Tests check that the two agree exactly.
"""

from __future__ import annotations

import datetime as dt
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from ._errors import ProfileError
from ._factors import FACTORS, Agency
from ._features import (
    INDICATOR_INDEX,
    INDICATORS,
    EvidenceItem,
    FeatureMatrix,
    FeatureVector,
    _derive,
    _matrix_from_rows,
    derive_features,
)
from ._profile import Profile, date_problems
from ._version import __version__
from ._weights import Weights, WeightsStamp

__all__ = [
    "REVIEW_NOTICE",
    "AceCount",
    "AgencyGap",
    "Contribution",
    "Evidence",
    "MissingInformation",
    "ScoreRange",
    "Screener",
    "ScreeningBatch",
    "ScreeningResult",
    "TriggeredOverride",
]

REVIEW_NOTICE = (
    "A flag is a prompt for an early-help review by a person, not a decision about a child."
)
"""Shown on every result, card, list and page."""

_STATUS_NOTICE = {
    "illustrative": "These weightings are illustrative and have not been validated on local data.",
    "draft": "These weightings are a draft and have not been validated on local data.",
    "fitted": "These weightings were fitted to data; check their validation report before use.",
    "retired": "These weightings are retired; use a current version.",
}

PROTECTIVE_CAP_KEY = "protective_cap"

_CONFIG = ConfigDict(frozen=True, extra="forbid")


class Evidence(BaseModel):
    """Where a point came from: the agency, the date and a short note."""

    model_config = _CONFIG

    source: Agency | None
    date: dt.date | None
    note: str


class Contribution(BaseModel):
    """Points from one indicator (or the protective cap), with the evidence behind them."""

    model_config = _CONFIG

    indicator: str
    factor: str
    label: str
    points: int
    evidence: tuple[Evidence, ...] = ()


class ScoreRange(BaseModel):
    """Lowest and highest score the unknowns allow."""

    model_config = _CONFIG

    low: int
    high: int


class BandRange(BaseModel):
    """Lowest and highest band the unknowns allow (band keys)."""

    model_config = _CONFIG

    low: str
    high: str


class AceCount(BaseModel):
    """ACE categories recorded present, and the most there could be."""

    model_config = _CONFIG

    known: int
    max: int


class TriggeredOverride(BaseModel):
    """An override rule that put the case into at least a band."""

    model_config = _CONFIG

    indicator: str
    label: str
    band: str
    reason: str


class MissingInformation(BaseModel):
    """Information that is unknown and could move the score.

    ``max_change`` is how far knowing it could move the score (positive for risk
    information, negative for protective); ``could_change_flag`` says whether
    knowing it alone could change the flag.
    """

    model_config = _CONFIG

    key: str
    label: str
    indicators: tuple[str, ...]
    max_change: int
    could_change_flag: bool
    agencies: tuple[Agency, ...]


class AgencyGap(BaseModel):
    """Missing information an agency could supply."""

    model_config = _CONFIG

    agency: Agency
    label: str
    items: tuple[str, ...]
    points_at_stake: int


class ScreeningResult(BaseModel):
    """The result of screening one profile as of a date.

    Attributes
    ----------
    id : str
        The profile's pseudonymous id.
    as_of : datetime.date
        The screening date.
    score : int
        Points, with unknowns counted as not present.
    score_range : ScoreRange
        Lowest and highest score the unknowns allow.
    band, band_label : str
        Band key and plain words.
    band_range : BandRange
        Lowest and highest band the unknowns allow.
    flag : bool
        Whether the case is flagged for an early-help review by a person.
    flag_could_change : bool
        Whether the flag could change once the unknowns are known.
    overrides : tuple of TriggeredOverride
        Override rules triggered.
    ace_count : AceCount
        ACE categories known present, and the most there could be.
    contributions : tuple of Contribution
        Every point, with evidence; they sum exactly to ``score``.
    protective_factors : tuple of str
        Protective factors recognised (indicator keys).
    missing_information : tuple of MissingInformation
        Unknowns that could move the score, most important first.
    missing_by_agency : tuple of AgencyGap
        The same, grouped by the agency that could supply it. ``points_at_stake``
        adds up the items' ``max_change`` magnitudes, so it ranks agencies; it is
        not a change the score could make (items can overlap, e.g. an unknown ACE
        and the ACE count).
    weights : WeightsStamp
        Name, version, status and SHA-256 of the weightings used.
    library_version : str
        efh_screen version.
    notice : str
        A flag is a prompt for review, not a decision; and how far the weightings
        can be relied on.
    """

    model_config = _CONFIG

    id: str
    as_of: dt.date
    score: int
    score_range: ScoreRange
    band: str
    band_label: str
    band_range: BandRange
    flag: bool
    flag_could_change: bool
    overrides: tuple[TriggeredOverride, ...]
    ace_count: AceCount
    contributions: tuple[Contribution, ...]
    protective_factors: tuple[str, ...]
    missing_information: tuple[MissingInformation, ...]
    missing_by_agency: tuple[AgencyGap, ...]
    weights: WeightsStamp
    library_version: str
    notice: str = REVIEW_NOTICE


# ---------------------------------------------------------------------------------------------
# The compiled scheme shared by both paths.

_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(ind.group for ind in INDICATORS))
_GROUP_OF_COLUMN = np.array([_GROUPS.index(ind.group) for ind in INDICATORS], dtype=np.intp)


def _group_label(group: str) -> str:
    if group == "ace_count":
        return "ACE count (unknown ACE categories)"
    if group == "escalation":
        return "Recent incident history (escalation)"
    return FACTORS[group].label


@dataclass(frozen=True)
class _Scheme:
    points: tuple[int, ...]
    protective: tuple[bool, ...]
    cap: int
    thresholds: tuple[int, ...]
    band_flags: tuple[bool, ...]
    overrides: tuple[tuple[int, int], ...]  # (column, band index)

    @classmethod
    def compile(cls, weights: Weights) -> _Scheme:
        return cls(
            points=tuple(weights.points_vector()),
            protective=tuple(ind.protective for ind in INDICATORS),
            cap=weights.protective_cap,
            thresholds=tuple(b.min_score for b in weights.bands),
            band_flags=tuple(b.flag for b in weights.bands),
            overrides=tuple(
                (INDICATOR_INDEX[r.indicator], weights.band_index(r.band))
                for r in weights.overrides
            ),
        )

    def totals(self, values: Sequence[int]) -> tuple[int, int, int]:
        """Return (risk, protective reduction available, score)."""
        risk = protective = 0
        for v, p, is_protective in zip(values, self.points, self.protective, strict=True):
            if v:
                if is_protective:
                    protective -= p
                else:
                    risk += p
        return risk, protective, risk - min(protective, self.cap, risk)

    def band(self, score: int, values: Sequence[int]) -> int:
        band = bisect_right(self.thresholds, score) - 1
        for col, b in self.overrides:
            if values[col] and b > band:
                band = b
        return band


def _fill(
    values: Sequence[int], known: Sequence[bool], protective: Sequence[bool], *, high: bool
) -> list[int]:
    """Set each unknown indicator to its score-raising (high) or score-lowering value."""
    return [
        v if k else (int(not p) if high else int(p))
        for v, k, p in zip(values, known, protective, strict=True)
    ]


class Screener:
    """Screen profiles for an early-help review by a person.

    Parameters
    ----------
    weights : Weights, optional
        The weightings to use; ``None`` uses the embedded default
        (illustrative, not locally validated).

    Examples
    --------
    >>> import datetime as dt
    >>> from efh_screen import Screener, parse_profile
    >>> profile = parse_profile({
    ...     "id": "YP-0001",
    ...     "date_of_birth": "2010-05-01",
    ...     "factors": {"domestic_abuse": {"status": "present", "source": "police"},
    ...                 "adhd": {"status": "present", "source": "camhs"}},
    ... })
    >>> result = Screener().screen(profile, as_of=dt.date(2026, 9, 1))
    >>> result.score, result.band_label
    (3, 'no concern indicated')
    >>> sum(c.points for c in result.contributions) == result.score
    True
    """

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights if weights is not None else Weights.default()
        self._scheme = _Scheme.compile(self.weights)
        self._stamp = self.weights.stamp
        extra = _STATUS_NOTICE.get(self.weights.status)
        self._notice = REVIEW_NOTICE if extra is None else f"{REVIEW_NOTICE} {extra}"
        if self.weights.status == "retired":
            warnings.warn(
                f"weightings {self.weights.name!r} v{self.weights.version} are retired; "
                "use a current version",
                UserWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        w = self.weights
        return f"Screener(weights={w.name!r} v{w.version}, sha256={w.sha256[:12]}…)"

    # -- one profile -------------------------------------------------------------------------

    def check(self, profile: Profile, *, as_of: dt.date) -> None:
        """Raise :class:`ProfileError` if the profile is impossible as of ``as_of``."""
        problems = date_problems(profile, as_of)
        if problems:
            raise ProfileError(problems, record_id=profile.id)

    def features(self, profile: Profile, *, as_of: dt.date) -> FeatureVector:
        """Derive the profile's indicators with this screener's windows and counts."""
        self.check(profile, as_of=as_of)
        return derive_features(
            profile, as_of=as_of, windows=self.weights.windows, counts=self.weights.counts
        )

    def screen(self, profile: Profile, *, as_of: dt.date) -> ScreeningResult:
        """Screen one profile as of a date.

        Parameters
        ----------
        profile : Profile
            A validated profile.
        as_of : datetime.date
            The screening date (an explicit input: nothing reads today's clock).

        Returns
        -------
        ScreeningResult
            Score, range, band, flag, every contribution with its evidence, and
            the missing information.

        Raises
        ------
        ProfileError
            If the profile is impossible as of ``as_of`` (an event after it, or a
            date of birth that makes the young person implausibly old or unborn).
        """
        fv = self.features(profile, as_of=as_of)
        return self._result(fv)

    def _result(self, fv: FeatureVector) -> ScreeningResult:
        s = self._scheme
        w = self.weights
        values, known = fv.values, fv.known
        risk, protective, score = s.totals(values)
        band = s.band(score, values)
        low_values = _fill(values, known, s.protective, high=False)
        high_values = _fill(values, known, s.protective, high=True)
        low_score = s.totals(low_values)[2]
        high_score = s.totals(high_values)[2]
        band_low = s.band(low_score, low_values)
        band_high = s.band(high_score, high_values)
        flag = s.band_flags[band]

        contributions = self._contributions(values, fv.evidence, risk, protective)
        overrides = tuple(
            TriggeredOverride(
                indicator=r.indicator,
                label=INDICATORS[INDICATOR_INDEX[r.indicator]].label,
                band=r.band,
                reason=r.reason,
            )
            for r in w.overrides
            if values[INDICATOR_INDEX[r.indicator]]
        )
        missing = self._missing(values, known, flag)
        return ScreeningResult(
            id=fv.id,
            as_of=fv.as_of,
            score=score,
            score_range=ScoreRange(low=low_score, high=high_score),
            band=w.bands[band].key,
            band_label=w.bands[band].label,
            band_range=BandRange(low=w.bands[band_low].key, high=w.bands[band_high].key),
            flag=flag,
            flag_could_change=s.band_flags[band_low] != s.band_flags[band_high],
            overrides=overrides,
            ace_count=AceCount(known=fv.ace_present, max=fv.ace_present + fv.ace_unknown),
            contributions=contributions,
            protective_factors=tuple(
                ind.key for ind, v in zip(INDICATORS, values, strict=True) if v and ind.protective
            ),
            missing_information=missing,
            missing_by_agency=_by_agency(missing),
            weights=self._stamp,
            library_version=__version__,
            notice=self._notice,
        )

    def _contributions(
        self,
        values: Sequence[int],
        evidence: dict[str, tuple[EvidenceItem, ...]],
        risk: int,
        protective: int,
    ) -> tuple[Contribution, ...]:
        s = self._scheme
        items: list[tuple[tuple[int, int, int], Contribution]] = []
        for col, (ind, v, p) in enumerate(zip(INDICATORS, values, s.points, strict=True)):
            if not v or p == 0:
                continue
            ev = tuple(
                Evidence(source=e.source, date=e.date, note=e.note)
                for e in evidence.get(ind.key, ())
            )
            contribution = Contribution(
                indicator=ind.key, factor=ind.group, label=ind.label, points=p, evidence=ev
            )
            # Risk first, largest first; then protective, largest reduction first.
            items.append(((0, -p, col) if p > 0 else (1, p, col), contribution))
        items.sort(key=lambda t: t[0])
        out = [c for _, c in items]
        reduction = min(protective, s.cap, risk)
        if reduction < protective:
            why = (
                f"protective factors lower a score by at most {s.cap} points"
                if reduction == s.cap
                else "protective factors cannot lower a score below 0"
            )
            out.append(
                Contribution(
                    indicator=PROTECTIVE_CAP_KEY,
                    factor=PROTECTIVE_CAP_KEY,
                    label=f"Protective cap: {why}",
                    points=protective - reduction,
                )
            )
        return tuple(out)

    def _missing(
        self, values: Sequence[int], known: Sequence[bool], flag: bool
    ) -> tuple[MissingInformation, ...]:
        s = self._scheme
        override_cols = {col for col, _ in s.overrides}
        by_group: dict[str, list[int]] = {}
        for col, (ind, k, p) in enumerate(zip(INDICATORS, known, s.points, strict=True)):
            if not k and (p != 0 or col in override_cols):
                by_group.setdefault(ind.group, []).append(col)
        found: list[tuple[tuple[int, int, int], MissingInformation]] = []
        for group, cols in by_group.items():
            resolved = list(values)
            for col in cols:
                resolved[col] = 1
            _, _, new_score = s.totals(resolved)
            new_flag = s.band_flags[s.band(new_score, resolved)]
            _, _, score = s.totals(values)
            change = new_score - score
            found.append(
                (
                    (0 if new_flag != flag else 1, -abs(change), _GROUPS.index(group)),
                    MissingInformation(
                        key=group,
                        label=_group_label(group),
                        indicators=tuple(INDICATORS[c].key for c in cols),
                        max_change=change,
                        could_change_flag=new_flag != flag,
                        agencies=_agencies_for(group, cols, known),
                    ),
                )
            )
        found.sort(key=lambda t: t[0])
        return tuple(m for _, m in found)

    # -- many profiles -----------------------------------------------------------------------

    def feature_matrix(self, profiles: Iterable[Profile], *, as_of: dt.date) -> FeatureMatrix:
        """Derive a feature matrix, checking each profile is plausible as of ``as_of``.

        Raises
        ------
        ProfileError
            On the first profile that is impossible as of ``as_of`` (the batch
            readers check records one by one and reject them instead).
        """
        ordinal = as_of.toordinal()
        windows, counts = self.weights.windows, self.weights.counts
        ids: list[str] = []
        rows: list[list[int]] = []
        masks: list[list[bool]] = []
        aces: list[tuple[int, int]] = []
        for profile in profiles:
            self.check(profile, as_of=as_of)
            values, known, ace_present, ace_unknown = _derive(
                profile, ordinal, windows, counts, None
            )
            ids.append(profile.id)
            rows.append(values)
            masks.append(known)
            aces.append((ace_present, ace_unknown))
        return _matrix_from_rows(ids, as_of, rows, masks, aces)

    def score_matrix(self, matrix: FeatureMatrix) -> ScreeningBatch:
        """Score a feature matrix with numpy (the vectorised path).

        Parameters
        ----------
        matrix : FeatureMatrix
            Indicators of shape (n_profiles, n_indicators) with a known-mask.

        Returns
        -------
        ScreeningBatch
            Scores, ranges, bands, flags and top contributions as arrays,
            agreeing exactly with :meth:`screen`.
        """
        return _score_matrix(self, matrix)

    def screen_many(self, profiles: Iterable[Profile], *, as_of: dt.date) -> ScreeningBatch:
        """Screen many profiles through the vectorised path.

        Parameters
        ----------
        profiles : iterable of Profile
            Validated profiles.
        as_of : datetime.date
            The screening date.

        Returns
        -------
        ScreeningBatch
            One row per profile, in input order.

        Raises
        ------
        ProfileError
            If a profile is impossible as of ``as_of``.
        """
        return self.score_matrix(self.feature_matrix(profiles, as_of=as_of))


def _agencies_for(group: str, cols: Sequence[int], known: Sequence[bool]) -> tuple[Agency, ...]:
    """Agencies that could fill the gap: for derived groups, those holding the unknown factors."""
    if group == "ace_count":
        factors = [k for k in INDICATORS[cols[0]].factors if not known[INDICATOR_INDEX[k]]]
    elif group == "escalation":
        unknown_groups = {INDICATORS[c].group for c, k in enumerate(known) if not k}
        factors = [k for k in INDICATORS[cols[0]].factors if k in unknown_groups]
    else:
        factors = [group]
    seen: dict[Agency, None] = {}
    for key in factors or INDICATORS[cols[0]].factors:
        for agency in FACTORS[key].agencies:
            seen.setdefault(agency, None)
    return tuple(seen)


def _by_agency(missing: Sequence[MissingInformation]) -> tuple[AgencyGap, ...]:
    gaps: dict[Agency, tuple[list[str], int]] = {}
    for item in missing:
        for agency in item.agencies:
            keys, total = gaps.get(agency, ([], 0))
            keys.append(item.key)
            gaps[agency] = (keys, total + abs(item.max_change))
    order = list(Agency)
    ranked = sorted(gaps.items(), key=lambda kv: (-kv[1][1], order.index(kv[0])))
    return tuple(
        AgencyGap(agency=a, label=a.label, items=tuple(keys), points_at_stake=total)
        for a, (keys, total) in ranked
    )


# ---------------------------------------------------------------------------------------------
# The vectorised path.


@dataclass(frozen=True)
class ScreeningBatch:
    """Scores of many profiles, as arrays (one row per profile).

    Attributes
    ----------
    ids : list of str
        Pseudonymous ids.
    as_of : datetime.date
        The screening date.
    score, score_low, score_high : numpy.ndarray of shape (n_profiles,), int32
        Score and the range the unknowns allow.
    band, band_low, band_high : numpy.ndarray of shape (n_profiles,), int8
        Band index into ``weights.bands`` (and its range).
    flag, flag_could_change : numpy.ndarray of shape (n_profiles,), bool
        Flag for review, and whether it could change once unknowns are known.
    contributions : numpy.ndarray of shape (n_profiles, n_indicators), int32
        Points per indicator actually added (before any protective cap).
    cap_adjustment : numpy.ndarray of shape (n_profiles,), int32
        Points added back by the protective cap (0 when it does not bite).
    unknown_points : numpy.ndarray of shape (n_profiles, n_groups), int32
        For each missing-information group, how far knowing it could move the score.
    unknown_flips : numpy.ndarray of shape (n_profiles, n_groups), bool
        Whether knowing that group alone could change the flag.
    unknown_groups : numpy.ndarray of shape (n_profiles, n_groups), bool
        Whether the group has unknown indicators that matter (points or an override).
    ace_known, ace_max : numpy.ndarray of shape (n_profiles,), int16
        ACE count known, and the most it could be.
    weights : Weights
        The weightings used.
    """

    ids: list[str]
    as_of: dt.date
    score: NDArray[np.int32]
    score_low: NDArray[np.int32]
    score_high: NDArray[np.int32]
    band: NDArray[np.int8]
    band_low: NDArray[np.int8]
    band_high: NDArray[np.int8]
    flag: NDArray[np.bool_]
    flag_could_change: NDArray[np.bool_]
    contributions: NDArray[np.int32]
    cap_adjustment: NDArray[np.int32]
    unknown_points: NDArray[np.int32]
    unknown_flips: NDArray[np.bool_]
    unknown_groups: NDArray[np.bool_]
    ace_known: NDArray[np.int16]
    ace_max: NDArray[np.int16]
    weights: Weights

    def __len__(self) -> int:
        return len(self.ids)

    def top_reasons(self, k: int = 3) -> list[list[tuple[str, int]]]:
        """Top ``k`` risk contributions per profile as (indicator key, points).

        Ordered by points, then catalogue order, as in :attr:`ScreeningResult.contributions`.
        """
        if len(self.ids) == 0:
            return []
        # Sort key: larger points first, then column order (stable argsort on -points).
        order = np.argsort(-self.contributions, axis=1, kind="stable")[:, :k]
        pts = np.take_along_axis(self.contributions, order, axis=1)
        keys = [ind.key for ind in INDICATORS]
        out: list[list[tuple[str, int]]] = []
        for row_cols, row_pts in zip(order.tolist(), pts.tolist(), strict=True):
            out.append([(keys[c], v) for c, v in zip(row_cols, row_pts, strict=True) if v > 0])
        return out

    def main_missing(self, k: int = 1) -> list[list[str]]:
        """Return the ``k`` most important missing-information groups per profile (group keys).

        Ranked as :attr:`ScreeningResult.missing_information`: first what could
        change the flag, then how far it could move the score, then catalogue order.
        """
        n = len(self.ids)
        if n == 0:
            return []
        magnitude = np.abs(self.unknown_points)
        present = self.unknown_groups
        # Composite key, smaller is more important: flips first, larger moves next.
        big = int(magnitude.max(initial=0)) + 1
        key = np.where(self.unknown_flips, 0, big) + (big - 1 - magnitude)
        key = np.where(present, key, 4 * big)
        order = np.argsort(key, axis=1, kind="stable")[:, :k]
        chosen = np.take_along_axis(present, order, axis=1)
        return [
            [_GROUPS[g] for g, ok in zip(row, ok_row, strict=True) if ok]
            for row, ok_row in zip(order.tolist(), chosen.tolist(), strict=True)
        ]

    def band_keys(self) -> list[str]:
        """Band key per profile."""
        keys = [b.key for b in self.weights.bands]
        return [keys[b] for b in self.band.tolist()]

    def to_records(self, *, reasons: int = 3, missing: int = 3) -> list[dict[str, Any]]:
        """Compact JSON-ready records, one per profile, with stable keys."""
        bands = self.weights.bands
        stamp = self.weights.stamp.model_dump()
        top = self.top_reasons(reasons)
        gaps = self.main_missing(missing)
        out: list[dict[str, Any]] = []
        for i, pid in enumerate(self.ids):
            b = int(self.band[i])
            out.append(
                {
                    "id": pid,
                    "as_of": self.as_of.isoformat(),
                    "score": int(self.score[i]),
                    "score_range": {"low": int(self.score_low[i]), "high": int(self.score_high[i])},
                    "band": bands[b].key,
                    "band_label": bands[b].label,
                    "flag": bool(self.flag[i]),
                    "flag_could_change": bool(self.flag_could_change[i]),
                    "ace_count": {"known": int(self.ace_known[i]), "max": int(self.ace_max[i])},
                    "top_reasons": [{"indicator": k, "points": v} for k, v in top[i]],
                    "main_missing": gaps[i],
                    "weights": stamp,
                    "library_version": __version__,
                }
            )
        return out


def _band_index(thresholds: Sequence[int], sc: NDArray[Any]) -> NDArray[np.int8]:
    """Band index by score: the number of thresholds reached, minus one.

    The same as ``searchsorted(thresholds, sc, side="right") - 1`` for sorted
    thresholds, but a few comparisons are much faster than a search for the
    handful of bands a weightings file has.
    """
    b = np.full(sc.shape, -1, dtype=np.int8)
    for t in thresholds:
        b += sc >= t
    return b


def _scores_and_bands(
    s: _Scheme, values: NDArray[np.float32]
) -> tuple[NDArray[np.int32], NDArray[np.int8], NDArray[np.float32]]:
    """Scores and bands of a feature matrix with one BLAS product (the fast core).

    Returns ``(score, band, totals)`` where ``totals`` has the risk points and the
    protective reduction available as its first two columns. Further columns
    count, for each override band, the override indicators present, so bands
    need no second pass over the matrix.
    """
    p = values.shape[1]
    levels = sorted({level for _, level in s.overrides})
    w = np.zeros((p, 2 + len(levels)), dtype=np.float32)
    for col, (v, is_protective) in enumerate(zip(s.points, s.protective, strict=True)):
        w[col, 1 if is_protective else 0] = -v if is_protective else v
    for col, level in s.overrides:
        w[col, 2 + levels.index(level)] = 1.0
    totals = values @ w
    risk, prot = totals[:, 0], totals[:, 1]
    score_f = risk - np.minimum(np.minimum(prot, np.float32(s.cap)), risk)
    band = _band_index(s.thresholds, score_f)
    for k, level in enumerate(levels):
        np.maximum(band, np.where(totals[:, 2 + k] > 0, np.int8(level), np.int8(0)), out=band)
    return score_f.astype(np.int32), band, totals


def _score_matrix(screener: Screener, matrix: FeatureMatrix) -> ScreeningBatch:
    s = screener._scheme
    values = matrix.values
    known = matrix.known
    p = values.shape[1]
    points = np.asarray(s.points, dtype=np.float32)
    protective = np.asarray(s.protective, dtype=np.bool_)
    # Risk points and protective reduction (positive), one BLAS product with the bands.
    w2 = np.zeros((p, 2), dtype=np.float32)
    w2[~protective, 0] = points[~protective]
    w2[protective, 1] = -points[protective]
    score, band, totals = _scores_and_bands(s, values)
    risk = totals[:, 0].astype(np.int32)
    prot = totals[:, 1].astype(np.int32)
    cap = np.int32(s.cap)

    def score_of(r: NDArray[np.int32], q: NDArray[np.int32]) -> NDArray[np.int32]:
        return (r - np.minimum(np.minimum(q, cap), r)).astype(np.int32)

    unknown = (~known).astype(np.float32)
    unknown_totals = unknown @ w2
    unk_risk = unknown_totals[:, 0].astype(np.int32)
    unk_prot = unknown_totals[:, 1].astype(np.int32)
    score_low = score_of(risk, prot + unk_prot)
    score_high = score_of(risk + unk_risk, prot)

    band_flags = np.asarray(s.band_flags, dtype=np.bool_)

    def band_of(sc: NDArray[np.int32], present: NDArray[np.bool_]) -> NDArray[np.int8]:
        b = _band_index(s.thresholds, sc)
        for col, level in s.overrides:
            np.maximum(b, np.where(present[:, col], np.int8(level), np.int8(0)), out=b)
        return b

    present = values > 0
    band_low = band_of(score_low, present)
    band_high = band_of(score_high, present | (~known & ~protective[None, :]))
    flag = band_flags[band]
    flag_could_change = band_flags[band_low] != band_flags[band_high]

    contributions = (values * points[None, :]).astype(np.int32)
    cap_adjustment = (prot - (risk - score)).astype(np.int32)

    # Missing information by group: resolve each group's unknowns (risk present,
    # protective present) holding everything else at the current fill.
    override_cols = np.zeros(p, dtype=np.bool_)
    for col, _ in s.overrides:
        override_cols[col] = True
    relevant = ~known & ((points != 0) | override_cols)[None, :]
    n_groups = len(_GROUPS)
    g_risk = np.zeros((p, n_groups), dtype=np.float32)
    g_prot = np.zeros((p, n_groups), dtype=np.float32)
    g_risk[np.arange(p), _GROUP_OF_COLUMN] = np.where(protective, 0, points)
    g_prot[np.arange(p), _GROUP_OF_COLUMN] = np.where(protective, -points, 0)
    rel = relevant.astype(np.float32)
    add_risk = (rel @ g_risk).astype(np.int32)
    add_prot = (rel @ g_prot).astype(np.int32)
    new_score = score_of(risk[:, None] + add_risk, prot[:, None] + add_prot)
    unknown_points = (new_score - score[:, None]).astype(np.int32)
    new_band = _band_index(s.thresholds, new_score)
    for col, level in s.overrides:
        # An override present now applies to every group's resolution; an unknown one
        # only to its own group's.
        applies = np.repeat(present[:, col][:, None], n_groups, axis=1)
        applies[:, _GROUP_OF_COLUMN[col]] |= relevant[:, col]
        np.maximum(new_band, np.where(applies, np.int8(level), np.int8(0)), out=new_band)
    unknown_groups = (rel @ _GROUP_MEMBERSHIP) > 0
    unknown_flips = (band_flags[new_band] != flag[:, None]) & unknown_groups
    unknown_points = np.where(unknown_groups, unknown_points, 0).astype(np.int32)

    return ScreeningBatch(
        ids=matrix.ids,
        as_of=matrix.as_of,
        score=score,
        score_low=score_low,
        score_high=score_high,
        band=band,
        band_low=band_low,
        band_high=band_high,
        flag=flag,
        flag_could_change=flag_could_change,
        contributions=contributions,
        cap_adjustment=cap_adjustment,
        unknown_points=unknown_points,
        unknown_flips=unknown_flips,
        unknown_groups=unknown_groups,
        ace_known=matrix.ace_present,
        ace_max=(matrix.ace_present + matrix.ace_unknown).astype(np.int16),
        weights=screener.weights,
    )


_GROUP_MEMBERSHIP = np.zeros((len(INDICATORS), len(_GROUPS)), dtype=np.float32)
_GROUP_MEMBERSHIP[np.arange(len(INDICATORS)), _GROUP_OF_COLUMN] = 1.0
