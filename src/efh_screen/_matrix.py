"""The vectorised path: score a feature matrix with numpy.

The scoring rules are those of :mod:`efh_screen._scoring`; the scalar path there
and this one are checked to agree exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._features import INDICATORS, FeatureMatrix
from ._scheme import CORROBORATION_COLUMNS, GROUP_MEMBERSHIP, GROUP_OF_COLUMN, GROUPS, Scheme
from ._version import __version__
from ._weights import Weights

__all__ = ["CoverageColumns", "RankedColumns", "ScreeningBatch", "score_matrix", "scores_and_bands"]


class RankedColumns(NamedTuple):
    """The first ``k`` columns of each row by rank, and which of them are chosen."""

    columns: NDArray[np.intp]
    """Column per rank, of shape (n_profiles, k)."""
    chosen: NDArray[np.bool_]
    """Whether each ranked column is chosen, of shape (n_profiles, k); chosen ones come first."""


class CoverageColumns(NamedTuple):
    """Each profile's coverage under the weightings' coverage rule, as arrays."""

    known_percent: NDArray[np.int64]
    """Known risk points as a whole percentage of all of them (rounded down), of shape
    (n_profiles,)."""
    enough: NDArray[np.bool_]
    """Whether that reaches the rule's ``min_known_percent``, of shape (n_profiles,)."""


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
        Points per indicator actually added (before either cap).
    needs_adjustment : numpy.ndarray of shape (n_profiles,), int32
        Points taken off by the needs cap, as a negative number (0 when it does not bite).
    cap_adjustment : numpy.ndarray of shape (n_profiles,), int32
        Points added back by the protective cap (0 when it does not bite).
    known_points : numpy.ndarray of shape (n_profiles,), int32
        Risk points whose indicators are known (the coverage).
    total_points : int
        All the risk points the weightings can give (the coverage denominator).
    not_enough_known : numpy.ndarray of shape (n_profiles,), bool
        Not flagged, and less known than the weightings' coverage rule asks (never
        True without a rule); :meth:`band_keys` and :meth:`to_records` then give the
        rule's key and label instead of the score band in :attr:`band`.
    unknown_points : numpy.ndarray of shape (n_profiles, n_groups), int32
        For each missing-information group (named by :attr:`group_keys`, in column
        order), how far knowing it could move the score.
    unknown_flips : numpy.ndarray of shape (n_profiles, n_groups), bool
        Whether knowing that group alone could change the flag.
    unknown_groups : numpy.ndarray of shape (n_profiles, n_groups), bool
        Whether the group has unknown indicators that matter (points or an override).
    corroboration_missing : numpy.ndarray of shape (n_profiles, n_groups), bool
        Whether all that matters unknown in the group is another agency's
        corroboration of a label (so only an agency other than the police can fill it).
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
    needs_adjustment: NDArray[np.int32]
    cap_adjustment: NDArray[np.int32]
    known_points: NDArray[np.int32]
    total_points: int
    not_enough_known: NDArray[np.bool_]
    unknown_points: NDArray[np.int32]
    unknown_flips: NDArray[np.bool_]
    unknown_groups: NDArray[np.bool_]
    corroboration_missing: NDArray[np.bool_]
    ace_known: NDArray[np.int16]
    ace_max: NDArray[np.int16]
    weights: Weights

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def group_keys(self) -> tuple[str, ...]:
        """Missing-information group keys, one per column of ``unknown_points``."""
        return GROUPS

    def ranked_reasons(self, k: int = 3) -> RankedColumns:
        """Return the top ``k`` risk contributions per profile, as arrays.

        The vectorised form of :meth:`top_reasons`.

        Returns
        -------
        RankedColumns
            ``columns`` (indicator columns) and ``chosen`` (whether the contribution is a
            reason: it carries risk points), of shape (n_profiles, min(k, n_indicators)).
            The chosen entries of each row come first.
        """
        # Sort key: larger points first, then column order (stable argsort on -points).
        order = np.argsort(-self.contributions, axis=1, kind="stable")[:, :k]
        points = np.take_along_axis(self.contributions, order, axis=1)
        return RankedColumns(columns=order, chosen=points > 0)

    def top_reasons(self, k: int = 3) -> list[list[tuple[str, int]]]:
        """Top ``k`` risk contributions per profile as (indicator key, points).

        Ordered by points, then catalogue order, as in :attr:`ScreeningResult.contributions`.
        """
        if len(self.ids) == 0:
            return []
        ranked = self.ranked_reasons(k)
        points = np.take_along_axis(self.contributions, ranked.columns, axis=1)
        keys = [ind.key for ind in INDICATORS]
        out: list[list[tuple[str, int]]] = []
        for row_columns, row_points in zip(ranked.columns.tolist(), points.tolist(), strict=True):
            out.append(
                [
                    (keys[column], value)
                    for column, value in zip(row_columns, row_points, strict=True)
                    if value > 0
                ]
            )
        return out

    def ranked_missing(self, k: int = 1) -> RankedColumns:
        """Return the ``k`` most important missing-information groups per profile, as arrays.

        The vectorised form of :meth:`main_missing`.

        Returns
        -------
        RankedColumns
            ``columns`` (indices into :attr:`group_keys`) and ``chosen`` (whether the group
            has unknowns that matter), of shape (n_profiles, min(k, n_groups)). The chosen
            entries of each row come first.
        """
        magnitude = np.abs(self.unknown_points)
        present = self.unknown_groups
        # Composite rank, smaller is more important: flips first, larger moves first among
        # them; everything that cannot change the flag ties, so the stable sort keeps
        # catalogue order.
        step = int(magnitude.max(initial=0)) + 1
        rank = np.where(self.unknown_flips, step - 1 - magnitude, step)
        rank = np.where(present, rank, 4 * step)
        order = np.argsort(rank, axis=1, kind="stable")[:, :k]
        return RankedColumns(columns=order, chosen=np.take_along_axis(present, order, axis=1))

    def main_missing(self, k: int = 1) -> list[list[str]]:
        """Return the ``k`` most important missing-information groups per profile (group keys).

        Ranked as :attr:`ScreeningResult.missing_information`: first what could
        change the flag, largest possible move first; then the rest in catalogue order.
        """
        if len(self.ids) == 0:
            return []
        ranked = self.ranked_missing(k)
        return [
            [GROUPS[group] for group, is_chosen in zip(row, chosen_row, strict=True) if is_chosen]
            for row, chosen_row in zip(ranked.columns.tolist(), ranked.chosen.tolist(), strict=True)
        ]

    def band_keys(self) -> list[str]:
        """Band key per profile (the coverage rule's key where not enough is known)."""
        keys = [band.key for band in self.weights.bands]
        coverage = self.weights.coverage
        return [
            coverage.key if short and coverage is not None else keys[band]
            for band, short in zip(self.band.tolist(), self.not_enough_known.tolist(), strict=True)
        ]

    def coverage_columns(self) -> CoverageColumns | None:
        """Return each profile's known percent and whether it is enough, as arrays.

        ``None`` when the weightings have no coverage rule.
        """
        coverage = self.weights.coverage
        if coverage is None:
            return None
        known, total = self.known_points.astype(np.int64) * 100, self.total_points
        percents = known // total if total else np.full(len(self.ids), 100, dtype=np.int64)
        return CoverageColumns(
            known_percent=percents, enough=known >= coverage.min_known_percent * total
        )

    def coverage_records(self) -> list[dict[str, Any] | None]:
        """Return the ``coverage`` of each record: known percent and whether it is enough.

        ``None`` for every profile when the weightings have no coverage rule.
        """
        columns = self.coverage_columns()
        if columns is None:
            return [None] * len(self.ids)
        return [
            {"known_percent": percent, "enough": is_enough}
            for percent, is_enough in zip(
                columns.known_percent.tolist(), columns.enough.tolist(), strict=True
            )
        ]

    def band_labels(self) -> list[str]:
        """Band label per profile (the coverage rule's label where not enough is known)."""
        labels = [band.label for band in self.weights.bands]
        coverage = self.weights.coverage
        return [
            coverage.label if short and coverage is not None else labels[band]
            for band, short in zip(self.band.tolist(), self.not_enough_known.tolist(), strict=True)
        ]

    def to_records(self, *, reasons: int = 3, missing: int = 3) -> list[dict[str, Any]]:
        """Compact JSON-ready records, one per profile, with stable keys."""
        stamp = self.weights.stamp.model_dump()
        top = self.top_reasons(reasons)
        gaps = self.main_missing(missing)
        coverage = self.coverage_records()
        band_keys = self.band_keys()
        band_labels = self.band_labels()
        out: list[dict[str, Any]] = []
        for i, profile_id in enumerate(self.ids):
            out.append(
                {
                    "id": profile_id,
                    "as_of": self.as_of.isoformat(),
                    "score": int(self.score[i]),
                    "score_range": {"low": int(self.score_low[i]), "high": int(self.score_high[i])},
                    "band": band_keys[i],
                    "band_label": band_labels[i],
                    "flag": bool(self.flag[i]),
                    "flag_could_change": bool(self.flag_could_change[i]),
                    "coverage": coverage[i],
                    "ace_count": {"known": int(self.ace_known[i]), "max": int(self.ace_max[i])},
                    "top_reasons": [{"indicator": k, "points": v} for k, v in top[i]],
                    "main_missing": gaps[i],
                    "weights": stamp,
                    "library_version": __version__,
                }
            )
        return out


def _band_index(thresholds: Sequence[int], scores: NDArray[Any]) -> NDArray[np.int8]:
    """Band index by score: the number of thresholds reached, minus one.

    The same as ``searchsorted(thresholds, scores, side="right") - 1`` for sorted
    thresholds, but a few comparisons are much faster than a search for the
    handful of bands a weightings file has.
    """
    band = np.full(scores.shape, -1, dtype=np.int8)
    for threshold in thresholds:
        band += scores >= threshold
    return band


def scores_and_bands(
    scheme: Scheme, values: NDArray[np.float32]
) -> tuple[NDArray[np.int32], NDArray[np.int8], NDArray[np.float32]]:
    """Scores and bands of a feature matrix with one BLAS product (the fast core).

    Parameters
    ----------
    scheme : Scheme
        The compiled weightings.
    values : numpy.ndarray of shape (n_profiles, n_indicators), float32
        Indicator values, 0 where unknown.

    Returns
    -------
    score : numpy.ndarray of shape (n_profiles,), int32
    band : numpy.ndarray of shape (n_profiles,), int8
    totals : numpy.ndarray of shape (n_profiles, 3 + n_override_bands), float32
        The risk points (developmental needs included), the needs points and the
        protective reduction available as its first three columns. Further columns
        count, for each override band, the override indicators present, so bands
        need no second pass over the matrix.
    """
    n_indicators = values.shape[1]
    levels = sorted({level for _, level in scheme.overrides})
    weights = np.zeros((n_indicators, 3 + len(levels)), dtype=np.float32)
    weights[:, :3] = _points_split(scheme)
    for column, level in scheme.overrides:
        weights[column, 3 + levels.index(level)] = 1.0
    totals = values @ weights
    score = _capped_score(scheme, _points_of(totals))
    band = _band_index(scheme.thresholds, score)
    for k, level in enumerate(levels):
        np.maximum(band, np.where(totals[:, 3 + k] > 0, np.int8(level), np.int8(0)), out=band)
    return score, band, totals


class _Points(NamedTuple):
    """Points per profile (or per profile and group), all as positive numbers."""

    risk: NDArray[np.int32]
    """Risk points, developmental needs included."""
    needs: NDArray[np.int32]
    """Of those, the developmental needs' points."""
    protective: NDArray[np.int32]
    """Protective reduction available."""

    def plus(self, other: _Points) -> _Points:
        """Add two sets of points, column by column (broadcasting)."""
        return _Points(
            risk=self.risk + other.risk,
            needs=self.needs + other.needs,
            protective=self.protective + other.protective,
        )


class _MissingByGroup(NamedTuple):
    unknown_points: NDArray[np.int32]
    unknown_flips: NDArray[np.bool_]
    unknown_groups: NDArray[np.bool_]
    corroboration_missing: NDArray[np.bool_]


def _points_split(scheme: Scheme) -> NDArray[np.float32]:
    """Each indicator's points as (risk, needs, protective reduction), of shape (n_indicators, 3).

    Risk holds every risk indicator's points, developmental needs included; needs
    holds the needs' points again, so that the needs cap can be taken off.
    """
    points = np.asarray(scheme.points, dtype=np.float32)
    protective = np.asarray(scheme.protective, dtype=np.bool_)
    needs = np.asarray(scheme.needs, dtype=np.bool_) & ~protective
    split = np.zeros((points.shape[0], 3), dtype=np.float32)
    split[~protective, 0] = points[~protective]
    split[needs, 1] = points[needs]
    split[protective, 2] = -points[protective]
    return split


def _points_of(totals: NDArray[np.float32]) -> _Points:
    """Split a product with :func:`_points_split` into its (risk, needs, protective) columns."""
    return _Points(
        risk=totals[..., 0].astype(np.int32),
        needs=totals[..., 1].astype(np.int32),
        protective=totals[..., 2].astype(np.int32),
    )


def _needs_reduction(scheme: Scheme, needs: NDArray[np.int32]) -> NDArray[np.int32]:
    """Points the needs cap takes off: ``max(0, needs - needs_cap)`` (0 without a cap)."""
    if scheme.needs_cap is None:
        return np.zeros(needs.shape, dtype=np.int32)
    reduction: NDArray[np.int32] = np.maximum(needs - np.int32(scheme.needs_cap), 0).astype(
        np.int32
    )
    return reduction


def _capped_score(scheme: Scheme, points: _Points) -> NDArray[np.int32]:
    """Score after both caps: ``capped - min(protective, cap, capped)``.

    ``capped`` is the risk points less what the needs cap takes off.
    """
    cap = np.int32(scheme.cap)
    capped = points.risk - _needs_reduction(scheme, points.needs)
    score: NDArray[np.int32] = (
        capped - np.minimum(np.minimum(points.protective, cap), capped)
    ).astype(np.int32)
    return score


def _bands_with_overrides(
    scheme: Scheme, scores: NDArray[np.int32], present: NDArray[np.bool_]
) -> NDArray[np.int8]:
    band = _band_index(scheme.thresholds, scores)
    for column, level in scheme.overrides:
        np.maximum(band, np.where(present[:, column], np.int8(level), np.int8(0)), out=band)
    return band


def _unknown_points(scheme: Scheme, known: NDArray[np.bool_]) -> _Points:
    """Risk points, needs points and protective reduction that the unknowns could add."""
    return _points_of((~known).astype(np.float32) @ _points_split(scheme))


def _missing_by_group(
    scheme: Scheme,
    matrix: FeatureMatrix,
    *,
    current: _Points,
    score: NDArray[np.int32],
    flag: NDArray[np.bool_],
) -> _MissingByGroup:
    """Resolve each group's unknowns (risk present, protective present), all else as is."""
    n_indicators = matrix.values.shape[1]
    points = np.asarray(scheme.points, dtype=np.float32)
    override_columns = np.zeros(n_indicators, dtype=np.bool_)
    for column, _ in scheme.overrides:
        override_columns[column] = True
    relevant = ~matrix.known & ((points != 0) | override_columns)[None, :]
    relevant_values = relevant.astype(np.float32)
    # Each column's (risk, needs, protective) points in its group's slot, of shape
    # (n_indicators, n_groups, 3): one product gives every group's added points.
    by_group = np.zeros((n_indicators, len(GROUPS), 3), dtype=np.float32)
    by_group[np.arange(n_indicators), GROUP_OF_COLUMN] = _points_split(scheme)
    product = relevant_values @ by_group.reshape(n_indicators, len(GROUPS) * 3)
    added = _points_of(product.reshape(len(matrix), len(GROUPS), 3))
    now = _Points(
        risk=current.risk[:, None],
        needs=current.needs[:, None],
        protective=current.protective[:, None],
    )
    new_score = _capped_score(scheme, now.plus(added))
    unknown_points = (new_score - score[:, None]).astype(np.int32)
    new_band = _resolved_group_bands(
        scheme, new_score, present=matrix.values > 0, relevant=relevant
    )
    band_flags = np.asarray(scheme.band_flags, dtype=np.bool_)
    unknown_groups = (relevant_values @ GROUP_MEMBERSHIP) > 0
    corroboration = np.zeros(n_indicators, dtype=np.float32)
    corroboration[list(CORROBORATION_COLUMNS)] = 1.0
    other_unknowns = (relevant_values * (1.0 - corroboration)) @ GROUP_MEMBERSHIP > 0
    return _MissingByGroup(
        unknown_points=np.where(unknown_groups, unknown_points, 0).astype(np.int32),
        unknown_flips=(band_flags[new_band] != flag[:, None]) & unknown_groups,
        unknown_groups=unknown_groups,
        corroboration_missing=unknown_groups & ~other_unknowns,
    )


def _resolved_group_bands(
    scheme: Scheme,
    new_score: NDArray[np.int32],
    *,
    present: NDArray[np.bool_],
    relevant: NDArray[np.bool_],
) -> NDArray[np.int8]:
    """Band of each profile with each group's unknowns resolved, of shape (n_profiles, n_groups)."""
    new_band = _band_index(scheme.thresholds, new_score)
    for column, level in scheme.overrides:
        # An override present now applies to every group's resolution; an unknown one
        # only to its own group's.
        applies = np.repeat(present[:, column][:, None], len(GROUPS), axis=1)
        applies[:, GROUP_OF_COLUMN[column]] |= relevant[:, column]
        np.maximum(new_band, np.where(applies, np.int8(level), np.int8(0)), out=new_band)
    return new_band


def score_matrix(scheme: Scheme, weights: Weights, matrix: FeatureMatrix) -> ScreeningBatch:
    """Score a feature matrix with numpy, agreeing exactly with the scalar path.

    Parameters
    ----------
    scheme : Scheme
        ``weights`` compiled.
    weights : Weights
        The weightings, recorded on the batch.
    matrix : FeatureMatrix
        Indicators of shape (n_profiles, n_indicators) with a known-mask.

    Returns
    -------
    ScreeningBatch
        Scores, ranges, bands, flags, contributions and missing information.
    """
    values, known = matrix.values, matrix.known
    points = np.asarray(scheme.points, dtype=np.float32)
    protective = np.asarray(scheme.protective, dtype=np.bool_)
    score, band, totals = scores_and_bands(scheme, values)
    current = _points_of(totals)
    unknown = _unknown_points(scheme, known)
    none = np.zeros_like(current.risk)
    score_low = _capped_score(scheme, current.plus(_Points(none, none, unknown.protective)))
    score_high = _capped_score(scheme, current.plus(_Points(unknown.risk, unknown.needs, none)))
    present = values > 0
    band_low = _bands_with_overrides(scheme, score_low, present)
    band_high = _bands_with_overrides(scheme, score_high, present | (~known & ~protective[None, :]))
    band_flags = np.asarray(scheme.band_flags, dtype=np.bool_)
    flag = band_flags[band]
    missing = _missing_by_group(scheme, matrix, current=current, score=score, flag=flag)
    needs_reduction = _needs_reduction(scheme, current.needs)
    capped = current.risk - needs_reduction
    known_points = (
        known.astype(np.float32) @ np.asarray(scheme.coverage_points, np.float32)
    ).astype(np.int32)
    enough = (
        np.ones(len(matrix), dtype=np.bool_)
        if scheme.min_known_percent is None
        else known_points.astype(np.int64) * 100 >= scheme.min_known_percent * scheme.total_points
    )
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
        flag_could_change=band_flags[band_low] != band_flags[band_high],
        contributions=(values * points[None, :]).astype(np.int32),
        needs_adjustment=(-needs_reduction).astype(np.int32),
        cap_adjustment=(current.protective - (capped - score)).astype(np.int32),
        known_points=known_points,
        total_points=scheme.total_points,
        not_enough_known=~enough & ~flag,
        unknown_points=missing.unknown_points,
        unknown_flips=missing.unknown_flips,
        unknown_groups=missing.unknown_groups,
        corroboration_missing=missing.corroboration_missing,
        ace_known=matrix.ace_present,
        ace_max=(matrix.ace_present + matrix.ace_unknown).astype(np.int16),
        weights=weights,
    )
