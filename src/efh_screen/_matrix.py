"""The vectorised path: score a feature matrix with numpy.

The scoring rules are those of :mod:`efh_screen._scoring`; the scalar path there
and this one are checked to agree exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._features import INDICATORS, FeatureMatrix
from ._scheme import _GROUP_MEMBERSHIP, _GROUP_OF_COLUMN, _GROUPS, _Scheme
from ._version import __version__
from ._weights import Weights

__all__ = ["ScreeningBatch"]


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


def _score_matrix(scheme: _Scheme, weights: Weights, matrix: FeatureMatrix) -> ScreeningBatch:
    s = scheme
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
        weights=weights,
    )
