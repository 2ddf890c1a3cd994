"""``evaluate``: every figure about a screening score, with bootstrap intervals, in one object."""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import ValidationInputError
from ._calibration import CalibrationRow, CalibrationTable, MappingMethod
from ._checks import (
    as_groups,
    as_outcomes,
    as_scores,
    check_bands,
    check_confidence,
    check_n_boot,
    make_rng,
)
from ._counts import Tabulation, bootstrap_tables, slice_tables, tabulate
from ._fairness import (
    GROUP_METRICS,
    SMALL_GROUP,
    SMALL_GROUP_FEW,
    SMALL_GROUP_FEW_OUTCOMES,
    GroupFairness,
    SmallGroupWarning,
    choose_reference,
)
from ._figure import Figure, percentile_interval, plain
from ._metrics import (
    RATE_NAMES,
    auroc,
    average_precision,
    brier,
    calibration_bins,
    expected_calibration_error,
    isotonic_probabilities,
    logistic_probabilities,
    observed_to_expected,
    rates_at_cuts,
    wilson_interval,
)
from ._thresholds import NO_CUT_MEETS, ThresholdTable

__all__ = [
    "ISOTONIC_TOO_MANY_VALUES",
    "MAPPING_METHOD",
    "OVERALL_METRICS",
    "THRESHOLD_AND_CAPACITY",
    "Evaluation",
    "evaluate",
]

logger = logging.getLogger(__name__)

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.intp]

#: Figures reported for everyone, in report order.
OVERALL_METRICS = (
    "n",
    "outcomes",
    "prevalence",
    "auroc",
    "average_precision",
    "brier",
    "ece",
    "observed_to_expected",
    *RATE_NAMES,
)

MAPPING_METHOD = "mapping must be 'logistic' or 'isotonic'; got {value!r}"
ISOTONIC_TOO_MANY_VALUES = (
    "mapping='isotonic' needs at most {limit} distinct score values, got {count}; "
    "use mapping='logistic', or round the scores first"
)
THRESHOLD_AND_CAPACITY = (
    "review_capacity must be a proportion between 0 and 1 (e.g. 0.1 for 10%); got {value!r}"
)

_MAX_CUTS = 200
_MAX_ISOTONIC_VALUES = 200


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Everything measured about one screening score on one labelled cohort.

    A young person is *flagged for review* when their screening score is at
    least ``threshold``. Intervals are bootstrap percentile intervals from
    resampling young people with replacement. Compare two evaluations with
    ``to_dict()`` (the object holds arrays, so ``==`` is identity).

    Attributes
    ----------
    n, outcomes : int
        Young people, and how many had the outcome in the follow-up period.
    threshold : float
        The cut figures at a single cut use.
    threshold_source : str
        ``"given"``, or ``"review_capacity"`` when the cut was chosen as the
        one with the highest sensitivity within ``review_capacity``.
    overall : mapping of str to Figure
        Figures for everyone (names in ``OVERALL_METRICS``).
    thresholds : ThresholdTable
        Figures at every candidate cut.
    calibration : CalibrationTable
        Observed rates per score value and band, and the fitted mapping.
    fairness : mapping of str to GroupFairness
        Figures by group, per audit attribute (and intersection).
    settings : mapping of str to object
        How the figures were computed (``n_boot``, ``confidence``, ``seed``, ...).
    warnings : tuple of str
        Plain-English warnings, e.g. groups too small to say anything.
    """

    n: int
    outcomes: int
    threshold: float
    threshold_source: str
    overall: Mapping[str, Figure]
    thresholds: ThresholdTable
    calibration: CalibrationTable
    fairness: Mapping[str, GroupFairness]
    settings: Mapping[str, Any]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed, JSON-ready data (NaN and infinity become None).

        Top-level keys: ``kind``, ``settings``, ``n``, ``outcomes``,
        ``threshold``, ``threshold_source``, ``overall``, ``calibration``,
        ``thresholds``, ``fairness``, ``warnings``.
        """
        return {
            "kind": "efh_screen.validation.evaluation",
            "settings": dict(self.settings),
            "n": self.n,
            "outcomes": self.outcomes,
            "threshold": plain(self.threshold),
            "threshold_source": self.threshold_source,
            "overall": {k: v.to_dict() for k, v in self.overall.items()},
            "calibration": self.calibration.to_dict(),
            "thresholds": self.thresholds.to_dict(),
            "fairness": {k: v.to_dict() for k, v in self.fairness.items()},
            "warnings": list(self.warnings),
        }


def _by_index(x: _F, index: _I, n_out: int) -> _F:
    onehot = np.zeros((index.shape[0], n_out))
    onehot[np.arange(index.shape[0]), index] = 1.0
    return np.asarray(x @ onehot, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _Plan:
    tab: Tabulation
    cuts: _I
    cut: int
    bins: _I
    n_bins: int
    bands: _I
    n_bands: int
    mapping: MappingMethod


def _compute(plan: _Plan, negatives: _F, positives: _F) -> dict[str, _F]:
    """All figures for a batch of count tables of shape (batch, n_slices, n_values)."""
    values = plan.tab.values
    neg0 = negatives[:, 0]
    pos0 = positives[:, 0]
    if plan.mapping == "logistic":
        prob, intercept, slope = logistic_probabilities(values, neg0, pos0)
    else:
        prob = isotonic_probabilities(neg0, pos0)
        intercept = slope = np.full(neg0.shape[0], np.nan)
    per_slice = prob[:, None, :]
    total = negatives + positives
    out: dict[str, _F] = {
        "n": total.sum(axis=-1),
        "outcomes": positives.sum(axis=-1),
        "auroc": auroc(negatives, positives),
        "average_precision": average_precision(negatives, positives),
        "brier": brier(negatives, positives, per_slice),
        "ece": expected_calibration_error(negatives, positives, per_slice, plan.bins),
        "observed_to_expected": observed_to_expected(negatives, positives, per_slice),
        "probability": prob,
        "intercept": intercept,
        "slope": slope,
    }
    with np.errstate(all="ignore"):
        out["prevalence"] = np.where(out["n"] > 0, out["outcomes"] / out["n"], np.nan)
    at_cut = rates_at_cuts(negatives, positives, np.array([plan.cut], dtype=np.intp))
    for name in RATE_NAMES:
        out[name] = at_cut[name][..., 0]
    table = rates_at_cuts(neg0, pos0, plan.cuts)
    for name in (*RATE_NAMES, "tp", "fp", "tn", "fn"):
        out[f"cuts.{name}"] = table[name]
    # Mean mapped probability per calibration bin and per band (everyone).
    weighted = total[:, 0] * np.nan_to_num(prob)
    with np.errstate(all="ignore"):
        out["bin_probability"] = _by_index(weighted, plan.bins, plan.n_bins) / _by_index(
            total[:, 0], plan.bins, plan.n_bins
        )
        if plan.n_bands:
            out["band_probability"] = _by_index(weighted, plan.bands, plan.n_bands) / _by_index(
                total[:, 0], plan.bands, plan.n_bands
            )
    return out


def _candidate_cuts(tab: Tabulation) -> _I:
    k = tab.values.shape[0]
    if k <= _MAX_CUTS:
        return np.arange(k, dtype=np.intp)
    totals = tab.counts.sum(axis=(0, 2))
    before = (np.cumsum(totals) - totals) / totals.sum()
    wanted = np.linspace(0.0, 1.0, _MAX_CUTS, endpoint=False)
    return np.unique(np.searchsorted(before, wanted, side="right") - 1).astype(np.intp)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _rows(
    labels: Sequence[str],
    lowest: _F,
    highest: _F,
    n: _F,
    k: _F,
    mean_score: _F,
    probability: tuple[_F, _F, _F],
    confidence: float,
) -> tuple[CalibrationRow, ...]:
    w_low, w_high = wilson_interval(k, n, confidence=confidence)
    rows = []
    for i, label in enumerate(labels):
        rows.append(
            CalibrationRow(
                label=label,
                lowest=float(lowest[i]),
                highest=float(highest[i]),
                n=int(n[i]),
                outcomes=int(k[i]),
                mean_score=float(mean_score[i]),
                observed_rate=float(k[i] / n[i]) if n[i] > 0 else math.nan,
                wilson_low=float(w_low[i]),
                wilson_high=float(w_high[i]),
                probability=Figure(
                    float(probability[0][i]), float(probability[1][i]), float(probability[2][i])
                ),
            )
        )
    return tuple(rows)


def evaluate(
    scores: npt.ArrayLike,
    outcomes: npt.ArrayLike,
    *,
    groups: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    threshold: float | None = None,
    review_capacity: float = 0.1,
    bands: Mapping[str, float] | Sequence[tuple[str, float]] | None = None,
    reference_group: Mapping[str, str] | str | None = None,
    intersections: bool = True,
    mapping: MappingMethod = "logistic",
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int | np.random.Generator = 0,
    min_group_size: int = 30,
    min_group_outcomes: int = 5,
) -> Evaluation:
    """Measure how well a screening score finds young people who went on to have the outcome.

    Works on plain arrays, so it validates any score: this project's points
    or another tool's. Higher scores must mean more concern. A young person
    is flagged for review when their score is at least ``threshold``.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Screening score of each young person (integers or floats).
    outcomes : array-like of shape (n,)
        1 if the outcome was recorded in the follow-up period, else 0.
    groups : array-like of shape (n,) or mapping of str to array-like of shape (n,), optional
        Audit attributes for figures by group (e.g. ``{"ethnicity": ..., "sex": ...}``).
        Missing labels form the group ``"(not recorded)"``.
    threshold : float, optional
        Cut for the figures at a single cut. By default, the cut with the
        highest sensitivity whose flag rate is within ``review_capacity``.
    review_capacity : float
        Proportion of young people that can be reviewed; used only when
        ``threshold`` is not given.
    bands : mapping of str to float, optional
        Band name to lowest score in the band, increasing; adds observed
        rates per band.
    reference_group : str or mapping of str to str, optional
        Group that relative rate indices are taken against, per attribute.
        By default the largest group; choose it deliberately for a report.
    intersections : bool
        With two or more attributes, also report the groups of the first two
        crossed (e.g. ethnicity × sex).
    mapping : {"logistic", "isotonic"}
        How scores are mapped to an outcome rate for Brier score and calibration.
    n_boot : int
        Bootstrap replicates (0 for no intervals).
    confidence : float
        Level of the intervals.
    seed : int or numpy.random.Generator
        Source of randomness for the bootstrap; the same seed gives the same intervals.
    min_group_size, min_group_outcomes : int
        A group with fewer young people, or fewer outcomes, is reported as
        too small to say anything (and a ``SmallGroupWarning`` is issued).

    Returns
    -------
    Evaluation

    Raises
    ------
    ValidationInputError
        If the arrays do not fit; the message names the argument and the fix.

    Examples
    --------
    >>> from efh_screen.validation import evaluate
    >>> result = evaluate([0, 1, 2, 3, 4, 5], [0, 0, 1, 0, 1, 1], threshold=3, n_boot=0)
    >>> round(result.overall["auroc"].value, 3)
    0.889
    >>> result.overall["sensitivity"].value
    0.6666666666666666
    """
    x = as_scores(scores)
    y = as_outcomes(outcomes, n=x.shape[0])
    labelled = as_groups(groups, n=x.shape[0])
    band_items = check_bands(bands)
    n_boot = check_n_boot(n_boot)
    confidence = check_confidence(confidence)
    rng = make_rng(seed)
    if mapping not in ("logistic", "isotonic"):
        raise ValidationInputError(MAPPING_METHOD.format(value=mapping))
    tab = tabulate(x, y, labelled, intersections=intersections)
    k = tab.values.shape[0]
    if mapping == "isotonic" and k > _MAX_ISOTONIC_VALUES:
        raise ValidationInputError(
            ISOTONIC_TOO_MANY_VALUES.format(limit=_MAX_ISOTONIC_VALUES, count=k)
        )
    base_neg, base_pos = slice_tables(tab, tab.counts[None])
    cuts = _candidate_cuts(tab)

    if threshold is None:
        if isinstance(review_capacity, bool) or not 0.0 < float(review_capacity) <= 1.0:
            raise ValidationInputError(THRESHOLD_AND_CAPACITY.format(value=review_capacity))
        all_cuts = np.arange(k, dtype=np.intp)
        table = rates_at_cuts(base_neg[0, 0], base_pos[0, 0], all_cuts)
        ok = np.flatnonzero(table["flag_rate"] <= float(review_capacity) + 1e-12)
        if ok.size == 0:
            rule = f"a flag rate within review_capacity={float(review_capacity):.1%}"
            raise ValidationInputError(NO_CUT_MEETS.format(rule=rule))
        cut = int(ok[0])  # lowest cut within capacity has the highest sensitivity
        threshold_value = float(tab.values[cut])
        source = "review_capacity"
    else:
        threshold_value = float(threshold)
        if not math.isfinite(threshold_value):
            raise ValidationInputError("threshold must be a finite number, e.g. 8")
        cut = int(np.searchsorted(tab.values, threshold_value, side="left"))
        source = "given"

    totals = tab.counts.sum(axis=(0, 2))
    bins = calibration_bins(tab.values, totals)
    n_bins = int(bins.max()) + 1
    if band_items:
        lowest = np.array([b[1] for b in band_items])
        band_index = np.clip(np.searchsorted(lowest, tab.values, side="right") - 1, 0, None)
    else:
        band_index = np.zeros(k, dtype=np.intp)
    plan = _Plan(
        tab=tab,
        cuts=cuts,
        cut=cut,
        bins=bins,
        n_bins=n_bins,
        bands=band_index.astype(np.intp),
        n_bands=len(band_items),
        mapping=mapping,
    )
    point = {name: arr[0] for name, arr in _compute(plan, base_neg, base_pos).items()}

    chunks: list[dict[str, _F]] = []
    for drawn in bootstrap_tables(tab, n_boot=n_boot, rng=rng):
        neg, pos = slice_tables(tab, drawn)
        computed = _compute(plan, neg, pos)
        if k > _MAX_CUTS:
            # The mapping at each of many distinct values is not reported with intervals;
            # keeping it would cost n_boot x n_values memory.
            computed["probability"] = computed["probability"][:, :0]
        chunks.append(computed)
    draws: dict[str, _F] = {}
    for name, arr in point.items():
        if chunks:
            draws[name] = np.concatenate([c[name] for c in chunks])
        else:
            draws[name] = np.empty((0, *np.shape(arr)))
    if k > _MAX_CUTS:
        draws.pop("probability")
    low: dict[str, _F] = {}
    high: dict[str, _F] = {}
    for name, arr in draws.items():
        low[name], high[name] = percentile_interval(arr, confidence=confidence)
    if "probability" not in draws:
        low["probability"] = high["probability"] = np.full(k, np.nan)

    def figure(name: str, index: tuple[int, ...] | int = 0) -> Figure:
        return Figure(float(point[name][index]), float(low[name][index]), float(high[name][index]))

    overall = {name: figure(name, 0) for name in OVERALL_METRICS}

    thresholds = ThresholdTable(
        cuts=tab.values[cuts],
        value={n: point[f"cuts.{n}"] for n in RATE_NAMES},
        low={n: low[f"cuts.{n}"] for n in RATE_NAMES},
        high={n: high[f"cuts.{n}"] for n in RATE_NAMES},
        counts={n: point[f"cuts.{n}"] for n in ("tp", "fp", "tn", "fn")},
    )

    # Calibration rows, everyone.
    neg0, pos0 = base_neg[0, 0], base_pos[0, 0]
    bin_n = _by_index(neg0 + pos0, bins, n_bins)
    bin_k = _by_index(pos0, bins, n_bins)
    bin_low = np.array([tab.values[bins == b].min() for b in range(n_bins)])
    bin_high = np.array([tab.values[bins == b].max() for b in range(n_bins)])
    bin_labels = [
        _number(lo) if lo == hi else f"{_number(lo)} to {_number(hi)}"
        for lo, hi in zip(bin_low.tolist(), bin_high.tolist(), strict=True)
    ]
    totals0 = neg0 + pos0
    with np.errstate(all="ignore"):
        bin_mean = _by_index(totals0 * tab.values, bins, n_bins) / bin_n
    by_value = _rows(
        bin_labels,
        bin_low,
        bin_high,
        bin_n,
        bin_k,
        bin_mean,
        (point["bin_probability"], low["bin_probability"], high["bin_probability"]),
        confidence,
    )
    by_band: tuple[CalibrationRow, ...] = ()
    if band_items:
        lowest = np.array([b[1] for b in band_items])
        band_n = _by_index(totals0, plan.bands, plan.n_bands)
        seen = totals0 > 0
        band_high = np.array(
            [
                tab.values[(plan.bands == b) & seen].max()
                if np.any((plan.bands == b) & seen)
                else np.nan
                for b in range(plan.n_bands)
            ]
        )
        with np.errstate(all="ignore"):
            band_mean = _by_index(totals0 * tab.values, plan.bands, plan.n_bands) / band_n
        by_band = _rows(
            [b[0] for b in band_items],
            lowest,
            band_high,
            band_n,
            _by_index(pos0, plan.bands, plan.n_bands),
            band_mean,
            (point["band_probability"], low["band_probability"], high["band_probability"]),
            confidence,
        )
    calibration = CalibrationTable(
        method=mapping,
        intercept=float(point["intercept"]),
        slope=float(point["slope"]),
        values=tab.values,
        probabilities=point["probability"],
        by_value=by_value,
        by_band=by_band,
        brier=figure("brier", 0),
        ece=figure("ece", 0),
    )

    # Fairness, per attribute.
    messages: list[str] = []
    fairness: dict[str, GroupFairness] = {}
    attributes = list(dict.fromkeys(s.attribute for s in tab.slices[1:]))
    for attribute in attributes:
        index = [i for i, s in enumerate(tab.slices) if s.attribute == attribute]
        labels = tuple(tab.slices[i].label for i in index)
        sizes = point["n"][index]
        reference = choose_reference(attribute, labels, sizes, reference_group)
        ref_slice = index[labels.index(reference)]
        with np.errstate(all="ignore"):
            rri_point = point["flag_rate"] / point["flag_rate"][ref_slice]
            rri_draws = draws["flag_rate"] / draws["flag_rate"][:, [ref_slice]]
        rri_point = np.where(np.isfinite(rri_point), rri_point, np.nan)
        rri_draws = np.where(np.isfinite(rri_draws), rri_draws, np.nan)
        rri_low, rri_high = percentile_interval(rri_draws, confidence=confidence)
        by_group: dict[str, dict[str, Figure]] = {}
        too_small: list[str] = []
        for label, s in zip(labels, index, strict=True):
            figures = {
                name: figure(name, s) for name in GROUP_METRICS if name != "relative_rate_index"
            }
            figures["relative_rate_index"] = Figure(
                float(rri_point[s]), float(rri_low[s]), float(rri_high[s])
            )
            by_group[label] = {name: figures[name] for name in GROUP_METRICS}
            n_g, k_g = int(point["n"][s]), int(point["outcomes"][s])
            if n_g < min_group_size or k_g < min_group_outcomes:
                too_small.append(label)
                reason = (
                    SMALL_GROUP_FEW.format(min_n=min_group_size)
                    if n_g < min_group_size
                    else SMALL_GROUP_FEW_OUTCOMES.format(min_outcomes=min_group_outcomes)
                )
                messages.append(
                    SMALL_GROUP.format(
                        attribute=attribute, label=label, n=n_g, outcomes=k_g, reason=reason
                    )
                )
        group_draws = {
            name: draws[name][:, index] for name in GROUP_METRICS if name != "relative_rate_index"
        }
        group_draws["relative_rate_index"] = rri_draws[:, index]
        fairness[attribute] = GroupFairness(
            attribute=attribute,
            reference=reference,
            labels=labels,
            by_group=by_group,
            too_small=tuple(too_small),
            confidence=confidence,
            _draws=group_draws,
        )
    for message in messages:
        warnings.warn(message, SmallGroupWarning, stacklevel=2)
    logger.debug(
        "evaluated %d records, %d slices, %d replicates", x.shape[0], len(tab.slices), n_boot
    )

    settings: dict[str, Any] = {
        "n_boot": n_boot,
        "confidence": confidence,
        "seed": seed if isinstance(seed, int) else "generator",
        "mapping": mapping,
        "review_capacity": float(review_capacity) if threshold is None else None,
        "bands": [{"name": b[0], "lowest": b[1]} for b in band_items],
        "min_group_size": min_group_size,
        "min_group_outcomes": min_group_outcomes,
        "intersections": intersections,
        "distinct_scores": k,
    }
    return Evaluation(
        n=int(x.shape[0]),
        outcomes=int(y.sum()),
        threshold=threshold_value,
        threshold_source=source,
        overall=overall,
        thresholds=thresholds,
        calibration=calibration,
        fairness=fairness,
        settings=settings,
        warnings=tuple(messages),
    )
