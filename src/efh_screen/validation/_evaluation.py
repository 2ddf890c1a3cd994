"""``evaluate``: every figure about a screening score, with bootstrap intervals, in one object."""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

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
from ._decision import DECISION_THRESHOLDS, DecisionCurve, net_benefit
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
from ._frames import FIGURE_COLUMNS, figure_rows, frame
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
    "PROBABILITIES_RANGE",
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
PROBABILITIES_RANGE = (
    "with probabilities=True, scores must be probabilities between 0 and 1; found {count} "
    "outside; pass probabilities=False to validate a score on another scale"
)
THRESHOLD_AND_CAPACITY = (
    "review_capacity must be a proportion between 0 and 1 (e.g. 0.1 for 10%); got {value!r}"
)

_MAX_CUTS = 200
_MAX_ISOTONIC_VALUES = 200
#: Reliability diagram of probabilities as given: ten equal-width bins, as scikit-learn's
#: ``calibration_curve(strategy="uniform")``.
_RELIABILITY_BINS = 10
#: Probabilities are kept this far from 0 and 1 when taking their log-odds.
_LOGIT_EPSILON = 1e-12
#: Counts are facts about the cohort, not estimates: they are reported without intervals.
_COUNTS = frozenset({"n", "outcomes"})


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
        Observed rates per score value (or reliability bin) and band, and the
        mapping to an outcome rate (fitted, or the probabilities as given).
    decision_curve : DecisionCurve
        Net benefit of flagging at each threshold outcome rate.
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
    decision_curve: DecisionCurve
    fairness: Mapping[str, GroupFairness]
    settings: Mapping[str, Any]
    warnings: tuple[str, ...]

    def to_frame(self) -> Any:
        """Return every figure, for everyone and by group, as a tidy pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per slice and figure, with columns ``attribute``,
            ``group``, ``figure``, ``value``, ``low``, ``high``. Everyone's
            figures (``OVERALL_METRICS``) come first with attribute ``""``
            and group ``"all"``, then each group's (``GROUP_METRICS``). The
            threshold table, calibration and decision curve have their own
            ``to_frame()``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "efh_screen[research]"``).
        """
        rows = list(figure_rows(self.overall, attribute="", group="all"))
        for fairness in self.fairness.values():
            for label in fairness.labels:
                rows.extend(
                    figure_rows(fairness.by_group[label], attribute=fairness.attribute, group=label)
                )
        columns = ("attribute", "group", "figure", *FIGURE_COLUMNS)
        return frame(rows, columns, what="Evaluation.to_frame()")

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed, JSON-ready data (NaN and infinity become None).

        Top-level keys: ``kind``, ``settings``, ``n``, ``outcomes``,
        ``threshold``, ``threshold_source``, ``overall``, ``calibration``,
        ``thresholds``, ``decision_curve``, ``fairness``, ``warnings``.
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
            "decision_curve": self.decision_curve.to_dict(),
            "fairness": {k: v.to_dict() for k, v in self.fairness.items()},
            "warnings": list(self.warnings),
        }


_COUNT_NAMES = ("tp", "fp", "tn", "fn")


def _sum_by_index(values: _F, index: _I, n_out: int) -> _F:
    """Sum ``values`` over their last axis into ``n_out`` bins given by ``index``."""
    one_hot = np.zeros((index.shape[0], n_out))
    one_hot[np.arange(index.shape[0]), index] = 1.0
    return np.asarray(values @ one_hot, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _Plan:
    """What every batch of figures is computed over: the counts, cuts, bins and bands."""

    tab: Tabulation
    cuts: _I
    cut: int
    bins: _I
    n_bins: int
    bands: _I
    n_bands: int
    mapping: MappingMethod


@dataclass(frozen=True, eq=False)
class _Figures:
    """Every figure for a batch of count tables (or one table, with the batch axis dropped).

    Attributes
    ----------
    by_slice : mapping of str to ndarray of shape (batch, n_slices)
        The figures named in ``OVERALL_METRICS``, for everyone and each group.
    at_cuts : mapping of str to ndarray of shape (batch, n_cuts)
        The figures named in ``RATE_NAMES`` and the counts ``tp``, ``fp``,
        ``tn``, ``fn`` at each candidate cut, for everyone.
    probability : ndarray of shape (batch, n_values)
        Mapped outcome rate at each distinct score value.
    intercept, slope : ndarray of shape (batch,)
        Of the logistic mapping (NaN for the isotonic one).
    bin_probability : ndarray of shape (batch, n_bins)
        Mean mapped outcome rate per calibration bin.
    band_probability : ndarray of shape (batch, n_bands)
        Mean mapped outcome rate per band.
    in_the_large : ndarray of shape (batch,)
        Observed outcome rate less the mean mapped outcome rate (everyone).
    net_benefit : ndarray of shape (batch, n_thresholds)
        At each of ``DECISION_THRESHOLDS``.
    """

    by_slice: Mapping[str, _F]
    at_cuts: Mapping[str, _F]
    probability: _F
    intercept: _F
    slope: _F
    bin_probability: _F
    band_probability: _F
    in_the_large: _F
    net_benefit: _F

    def arrays(self) -> list[_F]:
        """Every array, in the order :meth:`rebuild` takes them."""
        return [
            *self.by_slice.values(),
            *self.at_cuts.values(),
            self.probability,
            self.intercept,
            self.slope,
            self.bin_probability,
            self.band_probability,
            self.in_the_large,
            self.net_benefit,
        ]

    def rebuild(self, arrays: Sequence[_F]) -> _Figures:
        """Return the same figures with each array replaced, in the order of :meth:`arrays`."""
        items = iter(arrays)
        return _Figures(
            by_slice={name: next(items) for name in self.by_slice},
            at_cuts={name: next(items) for name in self.at_cuts},
            probability=next(items),
            intercept=next(items),
            slope=next(items),
            bin_probability=next(items),
            band_probability=next(items),
            in_the_large=next(items),
            net_benefit=next(items),
        )


@dataclass(frozen=True, eq=False)
class _Estimates:
    """Point figures, their bootstrap replicates and percentile intervals."""

    point: _Figures
    draws: _Figures
    low: _Figures
    high: _Figures

    def figure(self, name: str, slice_index: int = 0) -> Figure:
        """One figure of ``OVERALL_METRICS`` for one slice, with its interval (none for counts)."""
        if name in _COUNTS:
            return Figure(float(self.point.by_slice[name][slice_index]))
        return Figure(
            float(self.point.by_slice[name][slice_index]),
            float(self.low.by_slice[name][slice_index]),
            float(self.high.by_slice[name][slice_index]),
        )


class _Cut(NamedTuple):
    """The single cut the headline figures use."""

    value_index: int
    value: float
    source: str


class _Fairness(NamedTuple):
    """Figures by group per attribute, and the warnings about groups too small."""

    by_attribute: dict[str, GroupFairness]
    messages: list[str]


@dataclass(frozen=True, eq=False)
class _Options:
    """The keyword arguments of :func:`evaluate`, checked."""

    threshold: float | None
    review_capacity: float
    band_items: tuple[tuple[str, float], ...]
    reference_group: Mapping[str, str] | str | None
    intersections: bool
    mapping: MappingMethod
    stratify: bool
    n_boot: int
    confidence: float
    seed: int | np.random.Generator
    min_group_size: int
    min_group_outcomes: int

    def settings(self, *, distinct_scores: int) -> dict[str, Any]:
        """Return how the figures were computed, as the report records it."""
        return {
            "n_boot": self.n_boot,
            "confidence": self.confidence,
            "seed": self.seed if isinstance(self.seed, int) else "generator",
            "mapping": self.mapping,
            "stratify": self.stratify,
            "review_capacity": float(self.review_capacity) if self.threshold is None else None,
            "bands": [{"name": name, "lowest": lowest} for name, lowest in self.band_items],
            "min_group_size": self.min_group_size,
            "min_group_outcomes": self.min_group_outcomes,
            "intersections": self.intersections,
            "distinct_scores": distinct_scores,
        }


def _mapping(plan: _Plan, everyone_negatives: _F, everyone_positives: _F) -> tuple[_F, _F, _F]:
    """Outcome rate at each score value, and the logistic intercept and slope (or NaN)."""
    values = plan.tab.values
    if plan.mapping == "logistic":
        return logistic_probabilities(values, everyone_negatives, everyone_positives)
    if plan.mapping == "given":
        # Calibration intercept and slope: the outcome regressed on the log-odds as given.
        clipped = np.clip(values, _LOGIT_EPSILON, 1.0 - _LOGIT_EPSILON)
        log_odds = np.log(clipped / (1.0 - clipped))
        _, intercept, slope = logistic_probabilities(
            log_odds, everyone_negatives, everyone_positives
        )
        return np.broadcast_to(values, everyone_negatives.shape).copy(), intercept, slope
    probability = isotonic_probabilities(everyone_negatives, everyone_positives)
    undefined = np.full(everyone_negatives.shape[0], np.nan)
    return probability, undefined, undefined.copy()


def _compute(plan: _Plan, negatives: _F, positives: _F) -> _Figures:
    """All figures for a batch of count tables of shape (batch, n_slices, n_values)."""
    everyone_negatives = negatives[:, 0]
    everyone_positives = positives[:, 0]
    probability, intercept, slope = _mapping(plan, everyone_negatives, everyone_positives)
    per_slice = probability[:, None, :]
    total = negatives + positives
    n = total.sum(axis=-1)
    outcomes = positives.sum(axis=-1)
    with np.errstate(all="ignore"):
        prevalence = np.where(n > 0, outcomes / n, np.nan)
    by_slice: dict[str, _F] = {
        "n": n,
        "outcomes": outcomes,
        "prevalence": prevalence,
        "auroc": auroc(negatives, positives),
        "average_precision": average_precision(negatives, positives),
        "brier": brier(negatives, positives, per_slice),
        "ece": expected_calibration_error(negatives, positives, per_slice, plan.bins),
        "observed_to_expected": observed_to_expected(negatives, positives, per_slice),
    }
    at_cut = rates_at_cuts(negatives, positives, np.array([plan.cut], dtype=np.intp))
    for name in RATE_NAMES:
        by_slice[name] = at_cut[name][..., 0]
    table = rates_at_cuts(everyone_negatives, everyone_positives, plan.cuts)
    # Mean mapped probability per calibration bin and per band (everyone).
    everyone_total = total[:, 0]
    weighted = everyone_total * np.nan_to_num(probability)
    band_probability = np.empty((negatives.shape[0], 0))
    with np.errstate(all="ignore"):
        bin_probability = _sum_by_index(weighted, plan.bins, plan.n_bins) / _sum_by_index(
            everyone_total, plan.bins, plan.n_bins
        )
        if plan.n_bands:
            band_probability = _sum_by_index(weighted, plan.bands, plan.n_bands) / _sum_by_index(
                everyone_total, plan.bands, plan.n_bands
            )
    return _Figures(
        by_slice=by_slice,
        at_cuts={name: table[name] for name in (*RATE_NAMES, *_COUNT_NAMES)},
        probability=probability,
        intercept=intercept,
        slope=slope,
        bin_probability=bin_probability,
        band_probability=band_probability,
        in_the_large=prevalence[:, 0]
        - (everyone_total * np.nan_to_num(probability)).sum(axis=-1) / n[:, 0],
        net_benefit=net_benefit(
            everyone_negatives, everyone_positives, probability, np.array(DECISION_THRESHOLDS)
        ),
    )


def _candidate_cuts(tab: Tabulation) -> _I:
    n_values = tab.values.shape[0]
    if n_values <= _MAX_CUTS:
        return np.arange(n_values, dtype=np.intp)
    totals = tab.counts.sum(axis=(0, 2))
    before = (np.cumsum(totals) - totals) / totals.sum()
    wanted = np.linspace(0.0, 1.0, _MAX_CUTS, endpoint=False)
    return np.unique(np.searchsorted(before, wanted, side="right") - 1).astype(np.intp)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _rows(
    labels: Sequence[str],
    *,
    lowest: _F,
    highest: _F,
    n: _F,
    outcomes: _F,
    mean_score: _F,
    probability: tuple[_F, _F, _F],
    confidence: float,
) -> tuple[CalibrationRow, ...]:
    wilson_low, wilson_high = wilson_interval(outcomes, n, confidence=confidence)
    rows = []
    for i, label in enumerate(labels):
        rows.append(
            CalibrationRow(
                label=label,
                lowest=float(lowest[i]),
                highest=float(highest[i]),
                n=int(n[i]),
                outcomes=int(outcomes[i]),
                mean_score=float(mean_score[i]),
                observed_rate=float(outcomes[i] / n[i]) if n[i] > 0 else math.nan,
                wilson_low=float(wilson_low[i]),
                wilson_high=float(wilson_high[i]),
                probability=Figure(
                    float(probability[0][i]), float(probability[1][i]), float(probability[2][i])
                ),
            )
        )
    return tuple(rows)


def _check_isotonic(mapping: str, n_values: int) -> None:
    """Refuse an isotonic mapping over more distinct values than it is fitted to."""
    if mapping == "isotonic" and n_values > _MAX_ISOTONIC_VALUES:
        raise ValidationInputError(
            ISOTONIC_TOO_MANY_VALUES.format(limit=_MAX_ISOTONIC_VALUES, count=n_values)
        )


def _choose_cut(
    tab: Tabulation, everyone_negatives: _F, everyone_positives: _F, options: _Options
) -> _Cut:
    """Take the given threshold, or the cut with the highest sensitivity within capacity."""
    threshold, review_capacity = options.threshold, options.review_capacity
    if threshold is not None:
        value = float(threshold)
        if not math.isfinite(value):
            raise ValidationInputError("threshold must be a finite number, e.g. 8")
        return _Cut(int(np.searchsorted(tab.values, value, side="left")), value, "given")
    if isinstance(review_capacity, bool) or not 0.0 < float(review_capacity) <= 1.0:
        raise ValidationInputError(THRESHOLD_AND_CAPACITY.format(value=review_capacity))
    all_cuts = np.arange(tab.values.shape[0], dtype=np.intp)
    table = rates_at_cuts(everyone_negatives, everyone_positives, all_cuts)
    within = np.flatnonzero(table["flag_rate"] <= float(review_capacity) + 1e-12)
    if within.size == 0:
        rule = f"a flag rate within review_capacity={float(review_capacity):.1%}"
        raise ValidationInputError(NO_CUT_MEETS.format(rule=rule))
    cut = int(within[0])  # lowest cut within capacity has the highest sensitivity
    return _Cut(cut, float(tab.values[cut]), "review_capacity")


def _make_plan(tab: Tabulation, cut: int, options: _Options) -> _Plan:
    band_items = options.band_items
    totals = tab.counts.sum(axis=(0, 2))
    if options.mapping == "given":
        edges = np.linspace(0.0, 1.0, _RELIABILITY_BINS + 1)
        uniform = np.searchsorted(edges[1:-1], tab.values)
        bins = np.unique(uniform, return_inverse=True)[1].astype(np.intp)
    else:
        bins = calibration_bins(tab.values, totals)
    if band_items:
        lowest = np.array([band[1] for band in band_items])
        band_index = np.clip(np.searchsorted(lowest, tab.values, side="right") - 1, 0, None)
    else:
        band_index = np.zeros(tab.values.shape[0], dtype=np.intp)
    return _Plan(
        tab=tab,
        cuts=_candidate_cuts(tab),
        cut=cut,
        bins=bins,
        n_bins=int(bins.max()) + 1,
        bands=band_index.astype(np.intp),
        n_bands=len(band_items),
        mapping=options.mapping,
    )


def _estimate(
    plan: _Plan,
    negatives: _F,
    positives: _F,
    *,
    rng: np.random.Generator,
    options: _Options,
) -> _Estimates:
    """Point figures from the counts, and bootstrap percentile intervals around them."""
    tab = plan.tab
    many_values = tab.values.shape[0] > _MAX_CUTS
    batch = _compute(plan, negatives, positives)
    point = batch.rebuild([array[0] for array in batch.arrays()])
    chunks: list[_Figures] = []
    for drawn in bootstrap_tables(tab, n_boot=options.n_boot, rng=rng, stratify=options.stratify):
        computed = _compute(plan, *slice_tables(tab, drawn))
        if many_values:
            # The mapping at each of many distinct values is not reported with intervals;
            # keeping it would cost n_boot x n_values memory.
            computed = replace(computed, probability=computed.probability[:, :0])
        chunks.append(computed)
    if chunks:
        arrays = [
            np.concatenate(parts) for parts in zip(*(c.arrays() for c in chunks), strict=True)
        ]
    else:
        arrays = [np.empty((0, *np.shape(array))) for array in point.arrays()]
    draws = point.rebuild(arrays)
    intervals = [percentile_interval(array, confidence=options.confidence) for array in arrays]
    low = point.rebuild([interval[0] for interval in intervals])
    high = point.rebuild([interval[1] for interval in intervals])
    if many_values:
        undefined = np.full(tab.values.shape[0], np.nan)
        low = replace(low, probability=undefined)
        high = replace(high, probability=undefined)
    return _Estimates(point=point, draws=draws, low=low, high=high)


def _threshold_table(plan: _Plan, estimates: _Estimates) -> ThresholdTable:
    point, low, high = estimates.point, estimates.low, estimates.high
    return ThresholdTable(
        cuts=plan.tab.values[plan.cuts],
        value={name: point.at_cuts[name] for name in RATE_NAMES},
        low={name: low.at_cuts[name] for name in RATE_NAMES},
        high={name: high.at_cuts[name] for name in RATE_NAMES},
        counts={name: point.at_cuts[name] for name in _COUNT_NAMES},
    )


def _rows_by_value(
    plan: _Plan, totals: _F, positives: _F, estimates: _Estimates, *, confidence: float
) -> tuple[CalibrationRow, ...]:
    """Calibration rows per score value (or bin of values), everyone."""
    values, bins, n_bins = plan.tab.values, plan.bins, plan.n_bins
    bin_n = _sum_by_index(totals, bins, n_bins)
    bin_low = np.array([values[bins == b].min() for b in range(n_bins)])
    bin_high = np.array([values[bins == b].max() for b in range(n_bins)])
    labels = [
        _number(low) if low == high else f"{_number(low)} to {_number(high)}"
        for low, high in zip(bin_low.tolist(), bin_high.tolist(), strict=True)
    ]
    with np.errstate(all="ignore"):
        bin_mean = _sum_by_index(totals * values, bins, n_bins) / bin_n
    return _rows(
        labels,
        lowest=bin_low,
        highest=bin_high,
        n=bin_n,
        outcomes=_sum_by_index(positives, bins, n_bins),
        mean_score=bin_mean,
        probability=(
            estimates.point.bin_probability,
            estimates.low.bin_probability,
            estimates.high.bin_probability,
        ),
        confidence=confidence,
    )


def _rows_by_band(
    plan: _Plan,
    totals: _F,
    positives: _F,
    estimates: _Estimates,
    *,
    band_items: Sequence[tuple[str, float]],
    confidence: float,
) -> tuple[CalibrationRow, ...]:
    """Calibration rows per band, everyone; none without bands."""
    if not band_items:
        return ()
    values, bands, n_bands = plan.tab.values, plan.bands, plan.n_bands
    band_n = _sum_by_index(totals, bands, n_bands)
    seen = totals > 0
    band_high = np.array(
        [
            values[(bands == b) & seen].max() if np.any((bands == b) & seen) else np.nan
            for b in range(n_bands)
        ]
    )
    with np.errstate(all="ignore"):
        band_mean = _sum_by_index(totals * values, bands, n_bands) / band_n
    return _rows(
        [band[0] for band in band_items],
        lowest=np.array([band[1] for band in band_items]),
        highest=band_high,
        n=band_n,
        outcomes=_sum_by_index(positives, bands, n_bands),
        mean_score=band_mean,
        probability=(
            estimates.point.band_probability,
            estimates.low.band_probability,
            estimates.high.band_probability,
        ),
        confidence=confidence,
    )


def _calibration_table(
    plan: _Plan,
    everyone_negatives: _F,
    everyone_positives: _F,
    estimates: _Estimates,
    options: _Options,
) -> CalibrationTable:
    totals = everyone_negatives + everyone_positives
    confidence = options.confidence
    return CalibrationTable(
        method=plan.mapping,
        intercept=float(estimates.point.intercept),
        slope=float(estimates.point.slope),
        values=plan.tab.values,
        probabilities=estimates.point.probability,
        by_value=_rows_by_value(plan, totals, everyone_positives, estimates, confidence=confidence),
        by_band=_rows_by_band(
            plan,
            totals,
            everyone_positives,
            estimates,
            band_items=options.band_items,
            confidence=confidence,
        ),
        brier=estimates.figure("brier", 0),
        ece=estimates.figure("ece", 0),
        figures={
            name: Figure(
                float(getattr(estimates.point, name)),
                float(getattr(estimates.low, name)),
                float(getattr(estimates.high, name)),
            )
            for name in ("intercept", "slope", "in_the_large")
        },
    )


def _decision_curve(estimates: _Estimates) -> DecisionCurve:
    """Net benefit at each threshold probability, and that of reviewing everyone."""
    prevalence = float(estimates.point.by_slice["prevalence"][0])
    thresholds = np.array(DECISION_THRESHOLDS)
    odds = thresholds / (1.0 - thresholds)
    return DecisionCurve(
        thresholds=thresholds,
        value=estimates.point.net_benefit,
        low=estimates.low.net_benefit,
        high=estimates.high.net_benefit,
        review_everyone=prevalence - (1.0 - prevalence) * odds,
    )


def _check_probabilities(scores: _F, probabilities: bool) -> None:
    """Refuse probabilities outside 0 to 1."""
    if probabilities:
        outside = int(np.count_nonzero((scores < 0.0) | (scores > 1.0)))
        if outside:
            raise ValidationInputError(PROBABILITIES_RANGE.format(count=outside))


def _small_group_message(
    attribute: str,
    label: str,
    *,
    n: int,
    outcomes: int,
    min_group_size: int,
    min_group_outcomes: int,
) -> str | None:
    """Return the warning for a group too small to say anything about, or None."""
    if n >= min_group_size and outcomes >= min_group_outcomes:
        return None
    reason = (
        SMALL_GROUP_FEW.format(min_n=min_group_size)
        if n < min_group_size
        else SMALL_GROUP_FEW_OUTCOMES.format(min_outcomes=min_group_outcomes)
    )
    return SMALL_GROUP.format(
        attribute=attribute, label=label, n=n, outcomes=outcomes, reason=reason
    )


def _attribute_fairness(
    tab: Tabulation,
    estimates: _Estimates,
    attribute: str,
    options: _Options,
) -> tuple[GroupFairness, list[str]]:
    """Return figures for each group of one attribute, and the warnings about small groups."""
    confidence = options.confidence
    point, draws = estimates.point.by_slice, estimates.draws.by_slice
    index = [i for i, s in enumerate(tab.slices) if s.attribute == attribute]
    labels = tuple(tab.slices[i].label for i in index)
    reference = choose_reference(attribute, labels, point["n"][index], options.reference_group)
    reference_slice = index[labels.index(reference)]
    with np.errstate(all="ignore"):
        rri_point = point["flag_rate"] / point["flag_rate"][reference_slice]
        rri_draws = draws["flag_rate"] / draws["flag_rate"][:, [reference_slice]]
    rri_point = np.where(np.isfinite(rri_point), rri_point, np.nan)
    rri_draws = np.where(np.isfinite(rri_draws), rri_draws, np.nan)
    rri_low, rri_high = percentile_interval(rri_draws, confidence=confidence)
    by_group: dict[str, dict[str, Figure]] = {}
    too_small: list[str] = []
    messages: list[str] = []
    for label, slice_index in zip(labels, index, strict=True):
        figures = {
            name: estimates.figure(name, slice_index)
            for name in GROUP_METRICS
            if name != "relative_rate_index"
        }
        figures["relative_rate_index"] = Figure(
            float(rri_point[slice_index]), float(rri_low[slice_index]), float(rri_high[slice_index])
        )
        by_group[label] = {name: figures[name] for name in GROUP_METRICS}
        message = _small_group_message(
            attribute,
            label,
            n=int(point["n"][slice_index]),
            outcomes=int(point["outcomes"][slice_index]),
            min_group_size=options.min_group_size,
            min_group_outcomes=options.min_group_outcomes,
        )
        if message is not None:
            too_small.append(label)
            messages.append(message)
    group_draws = {
        name: draws[name][:, index] for name in GROUP_METRICS if name != "relative_rate_index"
    }
    group_draws["relative_rate_index"] = rri_draws[:, index]
    fairness = GroupFairness(
        attribute=attribute,
        reference=reference,
        labels=labels,
        by_group=by_group,
        too_small=tuple(too_small),
        confidence=confidence,
        _draws=group_draws,
    )
    return fairness, messages


def _fairness(tab: Tabulation, estimates: _Estimates, options: _Options) -> _Fairness:
    """Return figures by group for every audit attribute (and intersection), in slice order."""
    result = _Fairness(by_attribute={}, messages=[])
    for attribute in dict.fromkeys(s.attribute for s in tab.slices[1:]):
        fairness, messages = _attribute_fairness(tab, estimates, attribute, options)
        result.by_attribute[attribute] = fairness
        result.messages.extend(messages)
    return result


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
    mapping: Literal["logistic", "isotonic"] = "logistic",
    probabilities: bool = False,
    stratify: bool = False,
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
        How scores are mapped to an outcome rate for Brier score and
        calibration, when they are not probabilities.
    probabilities : bool
        The scores are probabilities (another tool's): check their
        calibration as given (reliability diagram, calibration in the large,
        calibration intercept and slope, Brier score, ECE) instead of
        fitting a mapping.
    stratify : bool
        Resample young people with and without the outcome separately, so
        every bootstrap replicate keeps the cohort's number of outcomes.
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
    scores_array = as_scores(scores)
    outcomes_array = as_outcomes(outcomes, n=scores_array.shape[0])
    labelled = as_groups(groups, n=scores_array.shape[0])
    options = _Options(
        threshold=threshold,
        review_capacity=review_capacity,
        band_items=check_bands(bands),
        reference_group=reference_group,
        intersections=intersections,
        mapping="given" if probabilities else mapping,
        stratify=bool(stratify),
        n_boot=check_n_boot(n_boot),
        confidence=check_confidence(confidence),
        seed=seed,
        min_group_size=min_group_size,
        min_group_outcomes=min_group_outcomes,
    )
    rng = make_rng(seed)
    if mapping not in ("logistic", "isotonic"):
        raise ValidationInputError(MAPPING_METHOD.format(value=mapping))
    _check_probabilities(scores_array, probabilities)
    tab = tabulate(scores_array, outcomes_array, labelled, intersections=intersections)
    _check_isotonic(options.mapping, tab.values.shape[0])
    # Counts of shape (1, n_slices, n_values); slice 0 is everyone.
    negatives, positives = slice_tables(tab, tab.counts[None])
    cut = _choose_cut(tab, negatives[0, 0], positives[0, 0], options)
    plan = _make_plan(tab, cut.value_index, options)
    estimates = _estimate(plan, negatives, positives, rng=rng, options=options)
    fairness = _fairness(tab, estimates, options)
    for message in fairness.messages:
        warnings.warn(message, SmallGroupWarning, stacklevel=2)
    logger.debug(
        "evaluated %d records, %d slices, %d replicates", len(scores_array), len(tab.slices), n_boot
    )
    return Evaluation(
        n=int(scores_array.shape[0]),
        outcomes=int(outcomes_array.sum()),
        threshold=cut.value,
        threshold_source=cut.source,
        overall={name: estimates.figure(name, 0) for name in OVERALL_METRICS},
        thresholds=_threshold_table(plan, estimates),
        calibration=_calibration_table(plan, negatives[0, 0], positives[0, 0], estimates, options),
        decision_curve=_decision_curve(estimates),
        fairness=fairness.by_attribute,
        settings=options.settings(distinct_scores=tab.values.shape[0]),
        warnings=tuple(fairness.messages),
    )
