"""The screen: integer points, bands, overrides and the range the unknowns allow.

Scoring rules (the same on both paths):

* ``risk`` is the sum of the points of the risk indicators that are present;
  the developmental needs among them add at most ``needs_cap`` points
  together (no cap when the weightings set none), and a "needs cap"
  contribution takes off what is over it: ``capped = risk - max(0, needs - needs_cap)``;
* ``protective`` is the sum of the (negative) points of protective factors
  present; it lowers the score by at most ``protective_cap`` points and never
  below 0: ``score = capped - min(-protective, cap, capped)``. When the cap
  bites, an explicit "protective cap" contribution is listed, so contributions
  always sum exactly to the score;
* the band is the highest whose ``min_score`` the score reaches, raised to at
  least the override band of any override indicator present; the case is
  flagged when its band flags. A case that is not flagged, and whose known risk
  points fall short of the weightings' coverage rule, takes the rule's key and
  label ("not enough known to screen") instead; a flagged case keeps its band;
* unknown indicators count as not present for the score; the score range
  takes each unknown at its extremes (risk present and protective absent for
  the top; the reverse for the bottom). Every indicator is monotone, so these
  two fills give the exact range under the assumption that each unknown
  indicator could independently go either way.

:meth:`Screener.screen` computes one result (:mod:`efh_screen._result`) in plain
Python with full evidence; :meth:`Screener.screen_many` derives a
:class:`~efh_screen.FeatureMatrix` and scores it with numpy
(:mod:`efh_screen._matrix`). Both use the compiled scheme in
:mod:`efh_screen._scheme`. Tests check that the two agree exactly.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ._errors import ProfileError
from ._factors import Agency, agencies_holding
from ._features import (
    INDICATOR_INDEX,
    INDICATORS,
    EvidenceItem,
    FeatureMatrix,
    FeatureVector,
    corroborating_agencies,
    derive_features,
    feature_matrix,
)
from ._jigsaw import ProfileJigsaw, profile_jigsaw
from ._matrix import ScreeningBatch, score_matrix
from ._profile import Profile, check_as_of, date_problems
from ._result import (
    NEEDS_CAP_KEY,
    PROTECTIVE_CAP_KEY,
    REVIEW_NOTICE,
    AceCount,
    AgencyGap,
    BandRange,
    Contribution,
    Coverage,
    Evidence,
    MissingInformation,
    ScoreRange,
    ScreeningResult,
    TriggeredOverride,
)
from ._scheme import (
    CORROBORATION_COLUMNS,
    GROUPS,
    Scheme,
    ScoreTotals,
    fill_unknowns,
    group_label,
)
from ._version import __version__
from ._weights import Weights

__all__ = ["Screener"]

_STATUS_NOTICE = {
    "illustrative": "These weightings are illustrative and have not been validated on local data.",
    "draft": "These weightings are a draft and have not been validated on local data.",
    "fitted": "These weightings were fitted to data; check their validation report before use.",
    "retired": "These weightings are retired; use a current version.",
}


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
    >>> result.score, result.band_label  # two factors known: too little to say "no concern"
    (3, 'not enough known to screen')
    >>> sum(c.points for c in result.contributions) == result.score
    True
    """

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights if weights is not None else Weights.default()
        self._scheme = Scheme.compile(self.weights)
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
        weights = self.weights
        return (
            f"Screener(weights={weights.name!r} v{weights.version}, sha256={weights.sha256[:12]}…)"
        )

    # -- one profile -------------------------------------------------------------------------

    def check(self, profile: Profile, *, as_of: dt.date) -> None:
        """Raise :class:`ProfileError` if the profile is impossible as of ``as_of``."""
        problems = date_problems(profile, check_as_of(as_of))
        if problems:
            raise ProfileError(problems, record_id=profile.id)

    def features(self, profile: Profile, *, as_of: dt.date) -> FeatureVector:
        """Derive the profile's indicators with this screener's windows and counts."""
        self.check(profile, as_of=as_of)
        weights = self.weights
        return derive_features(
            profile,
            as_of=as_of,
            windows=weights.windows,
            counts=weights.counts,
            resolution=weights.resolution,
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
        features = self.features(profile, as_of=as_of)
        return self._result(
            features,
            profile_jigsaw(profile, self.weights.resolution),
            cin_codes_not_scored=profile.cin_codes_not_scored,
        )

    def _result(
        self,
        features: FeatureVector,
        jigsaw: ProfileJigsaw,
        *,
        cin_codes_not_scored: tuple[str, ...] = (),
    ) -> ScreeningResult:
        scheme = self._scheme
        bands = self.weights.bands
        values, known = features.values, features.known
        totals = scheme.totals(values)
        band = scheme.band(totals.score, values)
        low_values = fill_unknowns(values, known, scheme.protective, high=False)
        high_values = fill_unknowns(values, known, scheme.protective, high=True)
        low_score = scheme.totals(low_values).score
        high_score = scheme.totals(high_values).score
        band_low = scheme.band(low_score, low_values)
        band_high = scheme.band(high_score, high_values)
        flag = scheme.band_flags[band]
        coverage = self._coverage(known)
        band_key, band_label = bands[band].key, bands[band].label
        rule = self.weights.coverage
        if rule is not None and coverage is not None and not coverage.enough and not flag:
            band_key, band_label = rule.key, rule.label  # never a reassurance, never a demotion
        missing = self._missing(values, known, flag, jigsaw.reasons)
        return ScreeningResult(
            id=features.id,
            as_of=features.as_of,
            score=totals.score,
            score_range=ScoreRange(low=low_score, high=high_score),
            band=band_key,
            band_label=band_label,
            band_range=BandRange(low=bands[band_low].key, high=bands[band_high].key),
            flag=flag,
            flag_could_change=scheme.band_flags[band_low] != scheme.band_flags[band_high],
            coverage=coverage,
            overrides=self._triggered_overrides(values),
            ace_count=AceCount(
                known=features.ace_present, max=features.ace_present + features.ace_unknown
            ),
            contributions=self._contributions(values, features.evidence, totals),
            protective_factors=tuple(
                indicator.key
                for indicator, value in zip(INDICATORS, values, strict=True)
                if value and indicator.protective
            ),
            missing_information=missing,
            missing_by_agency=_by_agency(missing),
            accounts=jigsaw.accounts,
            jigsaw=jigsaw.view,
            cin_codes_not_scored=cin_codes_not_scored,
            weights=self._stamp,
            library_version=__version__,
            notice=self._notice,
        )

    def _coverage(self, known: Sequence[bool]) -> Coverage | None:
        """How much of what the screen weighs is known; None without a coverage rule."""
        scheme = self._scheme
        if scheme.min_known_percent is None:
            return None
        known_points = scheme.known_points(known)
        total = scheme.total_points
        return Coverage(
            known_points=known_points,
            total_points=total,
            known_percent=100 * known_points // total if total else 100,
            min_known_percent=scheme.min_known_percent,
            enough=scheme.enough_known(known_points),
        )

    def _triggered_overrides(self, values: Sequence[int]) -> tuple[TriggeredOverride, ...]:
        return tuple(
            TriggeredOverride(
                indicator=rule.indicator,
                label=INDICATORS[INDICATOR_INDEX[rule.indicator]].label,
                band=rule.band,
                reason=rule.reason,
            )
            for rule in self.weights.overrides
            if values[INDICATOR_INDEX[rule.indicator]]
        )

    def _contributions(
        self,
        values: Sequence[int],
        evidence: dict[str, tuple[EvidenceItem, ...]],
        totals: ScoreTotals,
    ) -> tuple[Contribution, ...]:
        """Every point: risk largest first, the needs cap, protective, then the protective cap."""
        scheme = self._scheme
        items: list[tuple[tuple[int, int, int], Contribution]] = []
        for column, (indicator, value, points) in enumerate(
            zip(INDICATORS, values, scheme.points, strict=True)
        ):
            if not value or points == 0:
                continue
            contribution = Contribution(
                indicator=indicator.key,
                factor=indicator.group,
                label=indicator.label,
                points=points,
                evidence=tuple(
                    Evidence(source=item.source, date=item.date, note=item.note)
                    for item in evidence.get(indicator.key, ())
                ),
            )
            # Risk first, largest first; then protective, largest reduction first.
            order = (0, -points, column) if points > 0 else (2, points, column)
            items.append((order, contribution))
        if totals.needs_reduction:
            items.append(((1, 0, 0), self._needs_cap_contribution(totals.needs_reduction)))
        items.sort(key=lambda item: item[0])
        out = [contribution for _, contribution in items]
        capped = totals.risk - totals.needs_reduction
        reduction = min(totals.protective, scheme.cap, capped)
        if reduction < totals.protective:
            why = (
                f"protective factors lower a score by at most {scheme.cap} points"
                if reduction == scheme.cap
                else "protective factors cannot lower a score below 0"
            )
            out.append(
                Contribution(
                    indicator=PROTECTIVE_CAP_KEY,
                    factor=PROTECTIVE_CAP_KEY,
                    label=f"Protective cap: {why}",
                    points=totals.protective - reduction,
                )
            )
        return tuple(out)

    def _needs_cap_contribution(self, reduction: int) -> Contribution:
        cap = self._scheme.needs_cap or 0
        return Contribution(
            indicator=NEEDS_CAP_KEY,
            factor=NEEDS_CAP_KEY,
            label=(
                f"Needs cap: developmental needs add at most {cap} point{'' if cap == 1 else 's'} "
                "together; they are needs for the plan to support, not risks"
            ),
            points=-reduction,
        )

    def _missing(
        self,
        values: Sequence[int],
        known: Sequence[bool],
        flag: bool,
        reasons: Mapping[str, tuple[str, ...]],
    ) -> tuple[MissingInformation, ...]:
        scheme = self._scheme
        override_columns = {column for column, _ in scheme.overrides}
        by_group: dict[str, list[int]] = {}
        for column, (indicator, is_known, points) in enumerate(
            zip(INDICATORS, known, scheme.points, strict=True)
        ):
            if not is_known and (points != 0 or column in override_columns):
                by_group.setdefault(indicator.group, []).append(column)
        score = scheme.totals(values).score
        unknown_groups = {
            INDICATORS[column].group for column, is_known in enumerate(known) if not is_known
        }
        found: list[tuple[tuple[int, int, int], MissingInformation]] = []
        for group, columns in by_group.items():
            # Resolve this group's unknowns (risk present, protective present), all else as is.
            resolved = list(values)
            for column in columns:
                resolved[column] = 1
            new_score = scheme.totals(resolved).score
            new_flag = scheme.band_flags[scheme.band(new_score, resolved)]
            change = new_score - score
            flips = new_flag != flag
            found.append(
                (
                    # Points rank only what could change the flag; the rest stays in
                    # catalogue order, so no item leads merely for carrying many points.
                    (0 if flips else 1, -abs(change) if flips else 0, GROUPS.index(group)),
                    MissingInformation(
                        key=group,
                        label=group_label(
                            group, corroboration=CORROBORATION_COLUMNS.issuperset(columns)
                        ),
                        indicators=tuple(INDICATORS[column].key for column in columns),
                        max_change=change,
                        could_change_flag=flips,
                        agencies=_agencies_for(group, columns, known),
                        reasons=tuple(
                            reason
                            for factor in INDICATORS[columns[0]].factors
                            if factor in unknown_groups
                            for reason in reasons.get(factor, ())
                        ),
                    ),
                )
            )
        found.sort(key=lambda item: item[0])
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

        def checked(items: Iterable[Profile]) -> Iterator[Profile]:
            for profile in items:
                self.check(profile, as_of=as_of)
                yield profile

        weights = self.weights
        return feature_matrix(
            checked(profiles),
            as_of=as_of,
            windows=weights.windows,
            counts=weights.counts,
            resolution=weights.resolution,
        )

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
        return score_matrix(self._scheme, self.weights, matrix)

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


def _agencies_for(group: str, columns: Sequence[int], known: Sequence[bool]) -> tuple[Agency, ...]:
    """Agencies that could fill the gap: for derived groups, those holding the unknown factors.

    Only an agency other than the police can corroborate a label, so for that gap
    alone the police are not asked.
    """
    if CORROBORATION_COLUMNS.issuperset(columns):
        return corroborating_agencies(group)
    group_factors = INDICATORS[columns[0]].factors
    if group == "ace_count":
        factors = [key for key in group_factors if not known[INDICATOR_INDEX[key]]]
    elif group == "escalation":
        unknown_groups = {
            INDICATORS[column].group for column, is_known in enumerate(known) if not is_known
        }
        factors = [key for key in group_factors if key in unknown_groups]
    else:
        factors = [group]
    return agencies_holding(factors or group_factors)


def _by_agency(missing: Sequence[MissingInformation]) -> tuple[AgencyGap, ...]:
    gaps: dict[Agency, tuple[list[str], int]] = {}
    for item in missing:
        for agency in item.agencies:
            keys, total = gaps.get(agency, ([], 0))
            keys.append(item.key)
            gaps[agency] = (keys, total + abs(item.max_change))
    order = list(Agency)
    ranked = sorted(gaps.items(), key=lambda gap: (-gap[1][1], order.index(gap[0])))
    return tuple(
        AgencyGap(agency=agency, label=agency.label, items=tuple(keys), points_at_stake=total)
        for agency, (keys, total) in ranked
    )
