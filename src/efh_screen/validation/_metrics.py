"""Screening-score metrics computed from counts per distinct score value.

Every function takes counts of young people without (``negatives``) and with
(``positives``) the outcome per distinct score value, ascending, as arrays of
shape ``(..., n_values)``. Leading axes are bootstrap replicates and slices
(everyone, each group), so one call computes a figure for all of them. A
young person is *flagged for review* at cut ``c`` when their score value index
is ``>= c``. Undefined figures (e.g. PPV when nobody is flagged) are NaN.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "RATE_NAMES",
    "auroc",
    "average_precision",
    "brier",
    "calibration_bins",
    "expected_calibration_error",
    "isotonic_probabilities",
    "logistic_probabilities",
    "observed_to_expected",
    "rates_at_cuts",
    "wilson_interval",
    "z_for",
]

_F = npt.NDArray[np.float64]

#: Figures that depend on where the cut is, in report order.
RATE_NAMES = (
    "flag_rate",
    "sensitivity",
    "specificity",
    "false_positive_rate",
    "false_negative_rate",
    "ppv",
    "npv",
    "reviews_per_true_case",
    "true_cases_per_100_reviews",
)

#: Values above this many distinct scores are grouped into this many bins for ECE.
_MAX_VALUE_BINS = 20
_QUANTILE_BINS = 10
_ISOTONIC_BLOCK = 64


def _divide(numerator: _F, denominator: _F) -> _F:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(numerator, denominator)
    return np.where(denominator > 0, out, np.nan)


def _reverse_cumsum(x: _F) -> _F:
    return np.flip(np.cumsum(np.flip(x, axis=-1), axis=-1), axis=-1)


def auroc(negatives: _F, positives: _F) -> _F:
    """Area under the ROC curve (Mann–Whitney, ties count one half).

    Equals ``sklearn.metrics.roc_auc_score`` on the records the counts came from.
    """
    below = np.cumsum(negatives, axis=-1) - negatives
    pairs = np.sum(positives * (below + 0.5 * negatives), axis=-1)
    return _divide(pairs, positives.sum(axis=-1) * negatives.sum(axis=-1))


def average_precision(negatives: _F, positives: _F) -> _F:
    """Average precision: mean PPV at each distinct cut, weighted by the cases it adds.

    Equals ``sklearn.metrics.average_precision_score``.
    """
    tp = _reverse_cumsum(positives)
    flagged = tp + _reverse_cumsum(negatives)
    precision = np.where(positives > 0, _divide(tp, flagged), 0.0)
    return _divide(np.sum(positives * precision, axis=-1), positives.sum(axis=-1))


def rates_at_cuts(negatives: _F, positives: _F, cuts: npt.NDArray[np.intp]) -> dict[str, _F]:
    """Confusion-matrix figures when flagging at each cut.

    Parameters
    ----------
    negatives, positives : ndarray of shape (..., n_values)
    cuts : ndarray of shape (n_cuts,)
        Index of the lowest flagged score value; ``n_values`` flags nobody.

    Returns
    -------
    dict of str to ndarray of shape (..., n_cuts)
        The figures named in ``RATE_NAMES`` plus the counts ``tp``, ``fp``,
        ``tn`` and ``fn``.
    """
    pad = [(0, 0)] * (negatives.ndim - 1) + [(0, 1)]
    tp = np.pad(_reverse_cumsum(positives), pad)[..., cuts]
    fp = np.pad(_reverse_cumsum(negatives), pad)[..., cuts]
    p = positives.sum(axis=-1)[..., None]
    neg = negatives.sum(axis=-1)[..., None]
    n = p + neg
    flagged = tp + fp
    fn = p - tp
    tn = neg - fp
    return {
        "flag_rate": _divide(flagged, np.broadcast_to(n, flagged.shape)),
        "sensitivity": _divide(tp, np.broadcast_to(p, tp.shape)),
        "specificity": _divide(tn, np.broadcast_to(neg, tn.shape)),
        "false_positive_rate": _divide(fp, np.broadcast_to(neg, fp.shape)),
        "false_negative_rate": _divide(fn, np.broadcast_to(p, fn.shape)),
        "ppv": _divide(tp, flagged),
        "npv": _divide(tn, tn + fn),
        "reviews_per_true_case": _divide(flagged, tp),
        "true_cases_per_100_reviews": 100.0 * _divide(tp, flagged),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def _log_likelihood(a: _F, b: _F, x: _F, negatives: _F, positives: _F, ridge: _F) -> _F:
    """Penalised binomial log-likelihood of ``a + b * x``, per leading index."""
    eta = a[..., None] + b[..., None] * x
    # log p = -log(1 + exp(-eta)) and log(1 - p) = -log(1 + exp(eta)), computed stably.
    value = -(positives * np.logaddexp(0.0, -eta) + negatives * np.logaddexp(0.0, eta))
    return np.asarray(value.sum(axis=-1) - 0.5 * ridge * b * b, dtype=np.float64)


def _newton_step(a: _F, b: _F, x: _F, negatives: _F, positives: _F, ridge: _F) -> tuple[_F, _F, _F]:
    """Newton direction for ``(a, b)`` and the size of the gradient."""
    total = negatives + positives
    p = 0.5 * (1.0 + np.tanh(0.5 * (a[..., None] + b[..., None] * x)))
    residual = positives - total * p
    w = total * p * (1.0 - p)
    g_a = residual.sum(axis=-1)
    g_b = (residual * x).sum(axis=-1) - ridge * b
    h_aa = w.sum(axis=-1) + ridge
    h_ab = (w * x).sum(axis=-1)
    h_bb = (w * x * x).sum(axis=-1) + ridge
    det = h_aa * h_bb - h_ab * h_ab
    step_a = np.nan_to_num(_divide(h_bb * g_a - h_ab * g_b, det))
    step_b = np.nan_to_num(_divide(h_aa * g_b - h_ab * g_a, det))
    return step_a, step_b, np.maximum(np.abs(g_a), np.abs(g_b))


def logistic_probabilities(values: _F, negatives: _F, positives: _F) -> tuple[_F, _F, _F]:
    """Fit ``P(outcome) = 1 / (1 + exp(-(a + b * score)))`` by maximum likelihood.

    Newton's method on the counts with step halving (every step increases
    the likelihood, so it converges from any start, also for continuous
    scores with thousands of distinct values), vectorised over leading axes.
    A vanishingly small ridge on the slope (1e-9 per record, on standardised
    scores) keeps perfectly separated data finite; otherwise the result
    equals unpenalised ``sklearn.linear_model.LogisticRegression``.

    Returns
    -------
    probabilities : ndarray of shape (..., n_values)
    intercept, slope : ndarray of shape (...)
        On the original score scale.
    """
    total = negatives + positives
    weight = np.maximum(total.sum(axis=-1), 1.0)
    pooled = np.maximum(total.reshape(-1, values.size).sum(0), 0)
    if pooled.sum() <= 0:
        pooled = np.ones_like(values)
    centre = float(np.average(values, weights=pooled))
    spread = float(np.sqrt(np.average((values - centre) ** 2, weights=pooled))) or 1.0
    x = (values - centre) / spread
    prevalence = np.clip(positives.sum(axis=-1) / weight, 1e-6, 1 - 1e-6)
    a = np.log(prevalence / (1 - prevalence))
    b = np.zeros_like(a)
    ridge = 1e-9 * weight
    current = _log_likelihood(a, b, x, negatives, positives, ridge)
    for _ in range(100):
        step_a, step_b, gradient = _newton_step(a, b, x, negatives, positives, ridge)
        if float(np.max(gradient / weight, initial=0.0)) < 1e-13:
            break
        size = np.ones_like(a)
        for _ in range(40):  # halve each step until the likelihood does not fall
            trial = _log_likelihood(
                a + size * step_a, b + size * step_b, x, negatives, positives, ridge
            )
            worse = ~(trial >= current - 1e-12 * np.abs(current))
            if not np.any(worse):
                break
            size = np.where(worse, size / 2.0, size)
        a = a + size * step_a
        b = b + size * step_b
        current = _log_likelihood(a, b, x, negatives, positives, ridge)
        moved = np.maximum(np.abs(size * step_a), np.abs(size * step_b))
        if float(np.max(moved, initial=0.0)) < 1e-12:
            break
    probabilities = 1.0 / (1.0 + np.exp(-(a[..., None] + b[..., None] * x)))
    slope = b / spread
    intercept = a - slope * centre
    return probabilities, intercept, slope


def isotonic_probabilities(negatives: _F, positives: _F) -> _F:
    """Non-decreasing observed rate per score value (weighted isotonic regression).

    Uses the max–min formula ``p_k = max_{i<=k} min_{j>=k} rate(i..j)``,
    vectorised over leading axes. Equals ``sklearn.isotonic.IsotonicRegression``
    fitted to the records. Score values with no records get NaN.
    """
    lead = negatives.shape[:-1]
    k = negatives.shape[-1]
    neg2 = negatives.reshape(-1, k)
    pos2 = positives.reshape(-1, k)
    out = np.empty_like(neg2)
    upper = np.triu(np.ones((k, k), dtype=bool))
    for start in range(0, neg2.shape[0], _ISOTONIC_BLOCK):
        n = neg2[start : start + _ISOTONIC_BLOCK] + pos2[start : start + _ISOTONIC_BLOCK]
        cn = np.concatenate([np.zeros((n.shape[0], 1)), np.cumsum(n, axis=-1)], axis=-1)
        cp = np.concatenate(
            [np.zeros((n.shape[0], 1)), np.cumsum(pos2[start : start + _ISOTONIC_BLOCK], axis=-1)],
            axis=-1,
        )
        # block[i, j] = rate over values i..j (j >= i)
        den = cn[:, None, 1:] - cn[:, :-1, None]
        num = cp[:, None, 1:] - cp[:, :-1, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            block = np.where(upper & (den > 0), num / np.where(den > 0, den, 1.0), np.inf)
        inner = np.flip(np.minimum.accumulate(np.flip(block, axis=-1), axis=-1), axis=-1)
        inner = np.where(upper & np.isfinite(inner), inner, -np.inf)
        best = inner.max(axis=-2)
        best = np.where(np.isfinite(best) & (n > 0), best, np.nan)
        out[start : start + _ISOTONIC_BLOCK] = best
    return out.reshape((*lead, k))


def brier(negatives: _F, positives: _F, probabilities: _F) -> _F:
    """Mean squared difference between outcome and mapped probability."""
    p = np.nan_to_num(probabilities)
    loss = positives * (1.0 - p) ** 2 + negatives * p**2
    return _divide(loss.sum(axis=-1), (negatives + positives).sum(axis=-1))


def calibration_bins(values: _F, totals: _F) -> npt.NDArray[np.intp]:
    """Bin of each score value for calibration error.

    One bin per value when there are at most 20 distinct values; otherwise
    10 bins holding roughly equal numbers of records.
    """
    k = values.shape[0]
    if k <= _MAX_VALUE_BINS:
        return np.arange(k, dtype=np.intp)
    before = (np.cumsum(totals) - totals) / max(float(totals.sum()), 1.0)
    bins = np.minimum((before * _QUANTILE_BINS).astype(np.intp), _QUANTILE_BINS - 1)
    # A value holding many records can span several tenths: number the bins in use.
    return np.unique(bins, return_inverse=True)[1].astype(np.intp)


def _by_bin(x: _F, bins: npt.NDArray[np.intp]) -> _F:
    n_bins = int(bins.max()) + 1
    onehot = np.zeros((bins.shape[0], n_bins))
    onehot[np.arange(bins.shape[0]), bins] = 1.0
    return np.asarray(x @ onehot, dtype=np.float64)


def expected_calibration_error(
    negatives: _F, positives: _F, probabilities: _F, bins: npt.NDArray[np.intp]
) -> _F:
    """Record-weighted mean |observed rate - mean mapped probability| over bins."""
    p = np.nan_to_num(probabilities)
    expected = _by_bin((negatives + positives) * p, bins)
    observed = _by_bin(positives, bins)
    return _divide(np.abs(observed - expected).sum(axis=-1), (negatives + positives).sum(axis=-1))


def observed_to_expected(negatives: _F, positives: _F, probabilities: _F) -> _F:
    """Observed outcomes over the sum of mapped probabilities (1 = calibrated in the large)."""
    expected = ((negatives + positives) * np.nan_to_num(probabilities)).sum(axis=-1)
    return _divide(positives.sum(axis=-1), expected)


def z_for(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(successes: _F, trials: _F, *, confidence: float) -> tuple[_F, _F]:
    """Wilson score interval for a proportion; NaN where there are no trials."""
    z = z_for(confidence)
    z2 = z * z
    n = np.asarray(trials, dtype=np.float64)
    phat = _divide(np.asarray(successes, dtype=np.float64), n)
    safe_n = np.where(n > 0, n, 1.0)
    centre = (phat + z2 / (2 * safe_n)) / (1 + z2 / safe_n)
    half = z * np.sqrt(phat * (1 - phat) / safe_n + z2 / (4 * safe_n**2)) / (1 + z2 / safe_n)
    low = np.where(n > 0, np.maximum(centre - half, 0.0), np.nan)
    high = np.where(n > 0, np.minimum(centre + half, 1.0), np.nan)
    return low, high
