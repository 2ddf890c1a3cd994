"""Research figures checked against scikit-learn on continuous scores."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from numpy.testing import assert_allclose
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

from efh_screen import ValidationInputError
from efh_screen.validation import evaluate


def _continuous_cohort(
    seed: int, *, scale: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Probabilities from a logistic model with thousands of distinct values, and outcomes."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6000, 3))
    linear = -4.5 + scale * x @ np.array([1.0, 0.7, 0.5])
    probabilities = 1.0 / (1.0 + np.exp(-linear))
    outcomes = (rng.random(6000) < probabilities).astype(np.int64)
    return np.round(probabilities, 8), outcomes


def _reference_fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> tuple[float, float]:
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=200)
    model.fit(x[:, None], y)
    return float(model.intercept_[0]), float(model.coef_[0, 0])


@pytest.mark.parametrize(("seed", "scale"), [(0, 2.0), (1, 1.0), (3, 1.0), (4, 3.0)])
def test_logistic_mapping_equals_unpenalised_logistic_regression(seed: int, scale: float) -> None:
    # These cohorts made the earlier undamped Newton fit slope the wrong way.
    scores, outcomes = _continuous_cohort(seed, scale=scale)
    assert np.unique(scores).size > 5000
    result = evaluate(scores, outcomes, threshold=0.1, n_boot=0)
    intercept, slope = _reference_fit(scores, outcomes)
    assert result.calibration.slope > 0
    assert_allclose(result.calibration.slope, slope, rtol=1e-6)
    assert_allclose(result.calibration.intercept, intercept, rtol=1e-6)


def test_probabilities_as_given_match_scikit_learn() -> None:
    probabilities, outcomes = _continuous_cohort(1, scale=1.0)
    result = evaluate(probabilities, outcomes, probabilities=True, threshold=0.1, n_boot=0)
    calibration = result.calibration
    assert calibration.method == "given"
    # Brier score of the probabilities as they are, not of a fitted mapping.
    assert_allclose(
        calibration.brier.value, brier_score_loss(outcomes, probabilities), rtol=0, atol=1e-12
    )
    assert_allclose(result.overall["brier"].value, calibration.brier.value, rtol=0, atol=0)
    # Reliability diagram: the bins of calibration_curve(strategy="uniform").
    observed, predicted = calibration_curve(outcomes, probabilities, n_bins=10)
    rows = calibration.by_value
    assert_allclose([row.observed_rate for row in rows], observed, rtol=1e-12)
    assert_allclose([row.mean_score for row in rows], predicted, rtol=1e-12)
    # Calibration intercept and slope: the outcome regressed on the log-odds given.
    log_odds = np.log(probabilities / (1 - probabilities))
    intercept, slope = _reference_fit(log_odds, outcomes)
    assert_allclose(calibration.slope, slope, rtol=1e-6)
    assert_allclose(calibration.intercept, intercept, rtol=1e-6, atol=1e-6)
    assert calibration.figures["slope"].value == calibration.slope
    # Calibration in the large and observed to expected.
    in_the_large = outcomes.mean() - probabilities.mean()
    assert_allclose(calibration.figures["in_the_large"].value, in_the_large, atol=1e-12)
    assert_allclose(
        result.overall["observed_to_expected"].value,
        outcomes.sum() / probabilities.sum(),
        rtol=1e-12,
    )


def test_probabilities_outside_0_to_1_are_refused() -> None:
    with pytest.raises(ValidationInputError, match="found 1 outside"):
        evaluate([0.1, 0.2, 1.5, 0.3], [0, 1, 0, 1], probabilities=True, n_boot=0)


def test_net_benefit_matches_the_definition() -> None:
    probabilities, outcomes = _continuous_cohort(2, scale=1.0)
    result = evaluate(probabilities, outcomes, probabilities=True, threshold=0.1, n_boot=0)
    curve = result.decision_curve
    n = len(outcomes)
    for index, threshold in enumerate(curve.thresholds.tolist()):
        flagged = probabilities >= threshold
        true_positives = np.sum(flagged & (outcomes == 1))
        false_positives = np.sum(flagged & (outcomes == 0))
        expected = true_positives / n - false_positives / n * threshold / (1 - threshold)
        assert_allclose(curve.value[index], expected, atol=1e-12)
    prevalence = outcomes.mean()
    assert_allclose(
        curve.review_everyone,
        prevalence - (1 - prevalence) * curve.thresholds / (1 - curve.thresholds),
    )


def test_stratified_bootstrap_keeps_the_number_of_outcomes() -> None:
    probabilities, outcomes = _continuous_cohort(0, scale=1.0)
    for scores in (np.rint(probabilities * 20), probabilities):
        result = evaluate(scores, outcomes, threshold=0.1, n_boot=50, stratify=True)
        prevalence = result.overall["prevalence"]
        assert prevalence.low == pytest.approx(prevalence.value)
        assert prevalence.high == pytest.approx(prevalence.value)
        assert result.settings["stratify"] is True
        plain = evaluate(scores, outcomes, threshold=0.1, n_boot=50)
        assert plain.overall["prevalence"].low < plain.overall["prevalence"].value


def test_counts_are_reported_without_an_interval() -> None:
    probabilities, outcomes = _continuous_cohort(0, scale=1.0)
    groups = np.where(np.arange(len(outcomes)) % 3 == 0, "a", "b")
    result = evaluate(probabilities, outcomes, groups=groups, threshold=0.1, n_boot=20)
    for figure in (result.overall["n"], result.fairness["group"].by_group["a"]["n"]):
        assert np.isnan(figure.low)
        assert np.isnan(figure.high)


def test_largest_gap_has_the_interval_of_the_two_groups_it_names() -> None:
    # Four groups with the same screen: the largest of four noisy differences is biased
    # upwards, but the difference between two named groups is centred on zero.
    rng = np.random.default_rng(3)
    n = 2000
    groups = rng.choice(["a", "b", "c", "d"], n)
    scores = rng.integers(0, 10, n)
    outcomes = (rng.random(n) < 0.05 + 0.03 * scores).astype(int)
    result = evaluate(scores, outcomes, groups=groups, threshold=5, n_boot=400)
    fairness = result.fairness["group"]
    highest, lowest = fairness.groups_compared("sensitivity")
    sensitivity = fairness.metric("sensitivity")
    gap = fairness.difference("sensitivity")
    assert gap.value == pytest.approx(sensitivity[highest].value - sensitivity[lowest].value)
    assert gap.low < 0 < gap.high


def test_ratio_to_reference_compares_the_group_furthest_from_it() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    groups = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    scores = rng.integers(0, 10, n) + np.where(groups == "c", 3, 0) - np.where(groups == "b", 1, 0)
    outcomes = (rng.random(n) < 0.1).astype(int)
    result = evaluate(scores, outcomes, groups=groups, threshold=6, n_boot=100, reference_group="a")
    fairness = result.fairness["group"]
    rates = {label: figure.value for label, figure in fairness.metric("flag_rate").items()}
    inverted = {label: min(rate / rates["a"], rates["a"] / rate) for label, rate in rates.items()}
    furthest = min(inverted, key=inverted.__getitem__)
    assert fairness.groups_compared("flag_rate", method="to_reference", ratio=True) == (
        furthest,
        "a",
    )
    ratio = fairness.ratio("flag_rate", method="to_reference")
    assert ratio.value == pytest.approx(inverted[furthest])
    assert ratio.low <= ratio.value <= ratio.high
