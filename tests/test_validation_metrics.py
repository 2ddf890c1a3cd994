"""Overall figures, thresholds and calibration agree with scikit-learn on the same data."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
)

from efh_screen import ValidationInputError
from efh_screen.validation import (
    BANDS_ORDER,
    CONFIDENCE_RANGE,
    CONSTRAINT_COUNT,
    N_BOOT_RANGE,
    NO_CUT_MEETS,
    OUTCOMES_ONE_CLASS,
    OUTCOMES_VALUES,
    OVERALL_METRICS,
    SCORES_LENGTH,
    SCORES_NOT_FINITE,
    Evaluation,
    evaluate,
)


def cohort(kind: str, n: int = 3000, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "points":
        scores = rng.binomial(16, 0.25, n).astype(float)
        risk = 1 / (1 + np.exp(-(scores - 7) / 1.5))
    else:
        scores = rng.normal(size=n)
        risk = 1 / (1 + np.exp(-(scores * 1.5 - 2)))
    outcomes = (rng.random(n) < risk).astype(int)
    return scores, outcomes


KINDS = ["points", "floats"]


def confusion_rates(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    tn, fp, fn, tp = confusion_matrix(y, flagged, labels=[0, 1]).ravel()
    return {
        "flag_rate": (tp + fp) / len(y),
        "sensitivity": tp / (tp + fn),
        "specificity": tn / (tn + fp),
        "false_positive_rate": fp / (fp + tn),
        "false_negative_rate": fn / (fn + tp),
        "ppv": tp / (tp + fp) if tp + fp else math.nan,
        "npv": tn / (tn + fn) if tn + fn else math.nan,
        "reviews_per_true_case": (tp + fp) / tp if tp else math.nan,
        "true_cases_per_100_reviews": 100 * tp / (tp + fp) if tp + fp else math.nan,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_discrimination_equals_sklearn(kind: str) -> None:
    scores, y = cohort(kind)
    result = evaluate(scores, y, threshold=float(np.median(scores)), n_boot=0)
    assert_allclose(result.overall["auroc"].value, roc_auc_score(y, scores), rtol=1e-12)
    assert_allclose(
        result.overall["average_precision"].value, average_precision_score(y, scores), rtol=1e-12
    )
    assert result.n == len(y)
    assert result.outcomes == int(y.sum())
    assert set(result.overall) == set(OVERALL_METRICS)


@pytest.mark.parametrize("input_type", [list, np.asarray, tuple])
def test_accepts_plain_sequences(input_type: type) -> None:
    scores, y = cohort("points", n=400)
    result = evaluate(input_type(scores.tolist()), input_type(y.tolist()), threshold=6, n_boot=0)
    assert_allclose(result.overall["auroc"].value, roc_auc_score(y, scores))


@pytest.mark.parametrize("kind", KINDS)
def test_rates_at_every_cut_equal_confusion_matrix(kind: str) -> None:
    scores, y = cohort(kind, n=1500)
    result = evaluate(scores, y, threshold=0.5, n_boot=0)
    table = result.thresholds
    assert np.all(np.diff(table.cuts) > 0)
    for i in range(0, len(table.cuts), max(1, len(table.cuts) // 25)):
        cut = table.cuts[i]
        expected = confusion_rates(y, (scores >= cut).astype(int))
        for name, value in expected.items():
            assert_allclose(table.value[name][i], value, rtol=1e-12, equal_nan=True, err_msg=name)


def test_rates_at_the_threshold_equal_confusion_matrix() -> None:
    scores, y = cohort("points")
    result = evaluate(scores, y, threshold=6.5, n_boot=0)
    expected = confusion_rates(y, (scores >= 6.5).astype(int))
    for name, value in expected.items():
        assert_allclose(result.overall[name].value, value, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("mapping", ["logistic", "isotonic"])
def test_brier_of_mapping_equals_sklearn(mapping: str) -> None:
    scores, y = cohort("points")
    result = evaluate(scores, y, threshold=7, n_boot=0, mapping=mapping)  # type: ignore[arg-type]
    probability = result.calibration.probability(scores)
    assert_allclose(result.overall["brier"].value, brier_score_loss(y, probability), rtol=1e-10)
    assert result.calibration.brier.value == result.overall["brier"].value


def test_isotonic_mapping_equals_sklearn() -> None:
    scores, y = cohort("points")
    result = evaluate(scores, y, threshold=7, n_boot=0, mapping="isotonic")
    reference = IsotonicRegression(out_of_bounds="clip").fit(scores, y)
    assert_allclose(result.calibration.probability(scores), reference.predict(scores), atol=1e-12)


def test_logistic_mapping_matches_unpenalised_fit() -> None:
    from sklearn.linear_model import LogisticRegression

    scores, y = cohort("points")
    result = evaluate(scores, y, threshold=7, n_boot=0)
    model = LogisticRegression(C=1e12, max_iter=1000).fit(scores[:, None], y)
    assert_allclose(result.calibration.slope, model.coef_[0, 0], rtol=1e-3)
    assert_allclose(result.calibration.intercept, model.intercept_[0], rtol=1e-3)


def test_observed_rates_per_value_and_band_with_wilson() -> None:
    scores, y = cohort("points")
    bands = {"low": 0, "medium": 5, "high": 9}
    result = evaluate(scores, y, threshold=9, n_boot=0, bands=bands)
    rows = result.calibration.by_value
    assert [float(r.label) for r in rows] == sorted(set(scores.tolist()))
    for row in rows:
        mask = scores == row.lowest
        assert row.n == mask.sum()
        assert row.outcomes == y[mask].sum()
        assert_allclose(row.observed_rate, y[mask].mean())
        assert row.wilson_low <= row.observed_rate <= row.wilson_high
    edges = [0, 5, 9, math.inf]
    for row, lo, hi in zip(result.calibration.by_band, edges, edges[1:], strict=False):
        mask = (scores >= lo) & (scores < hi)
        assert row.n == mask.sum()
        assert_allclose(row.observed_rate, y[mask].mean())


def test_wilson_interval_hand_worked() -> None:
    # 3 of 10 at 95%: Wilson interval 0.1078 to 0.6032 (standard tables).
    scores = np.array([1.0] * 10 + [2.0] * 10)
    y = np.array([1] * 3 + [0] * 7 + [1] * 5 + [0] * 5)
    row = evaluate(scores, y, threshold=2, n_boot=0).calibration.by_value[0]
    assert_allclose([row.wilson_low, row.wilson_high], [0.1078, 0.6032], atol=5e-5)


def test_expected_calibration_error_by_hand() -> None:
    scores, y = cohort("points")
    result = evaluate(scores, y, threshold=7, n_boot=0)
    probability = result.calibration.probability(scores)
    ece = sum(
        abs(y[scores == v].sum() - probability[scores == v].sum()) for v in np.unique(scores)
    ) / len(y)
    assert_allclose(result.overall["ece"].value, ece, rtol=1e-10)


def test_many_distinct_scores_are_binned_for_calibration() -> None:
    scores, y = cohort("floats")
    result = evaluate(scores, y, threshold=0, n_boot=0)
    assert len(result.calibration.by_value) == 10
    assert sum(r.n for r in result.calibration.by_value) == len(y)


def test_default_threshold_uses_review_capacity() -> None:
    scores, y = cohort("points")
    result = evaluate(scores, y, review_capacity=0.2, n_boot=0)
    assert result.threshold_source == "review_capacity"
    assert (scores >= result.threshold).mean() <= 0.2
    lower = np.max(scores[scores < result.threshold])
    assert (scores >= lower).mean() > 0.2


def test_operating_points() -> None:
    scores, y = cohort("points")
    table = evaluate(scores, y, threshold=7, n_boot=0).thresholds
    capacity = table.operating_point(max_flag_rate=0.15)
    flagged = scores >= capacity.threshold
    assert flagged.mean() <= 0.15
    # every cut within capacity finds no more cases
    within = table.value["flag_rate"] <= 0.15
    assert capacity.figures["sensitivity"].value == np.max(table.value["sensitivity"][within])
    target = table.operating_point(min_sensitivity=0.8)
    assert target.figures["sensitivity"].value >= 0.8
    meets = table.value["sensitivity"] >= 0.8
    assert target.figures["flag_rate"].value == np.min(table.value["flag_rate"][meets])
    assert capacity.rule == "highest sensitivity with flag rate <= 15.0%"


def test_operating_point_errors() -> None:
    scores, y = cohort("points", n=500)
    table = evaluate(scores, y, threshold=7, n_boot=0).thresholds
    with pytest.raises(ValidationInputError) as info:
        table.operating_point(max_flag_rate=0.1, min_sensitivity=0.5)
    assert str(info.value) == CONSTRAINT_COUNT.format(count=2)
    with pytest.raises(ValidationInputError, match="no cut meets"):
        table.operating_point(max_flag_rate=0.0)
    assert NO_CUT_MEETS.startswith("no cut meets")


def test_bootstrap_intervals_bracket_and_are_seeded() -> None:
    scores, y = cohort("points")
    first = evaluate(scores, y, threshold=7, n_boot=300, seed=3)
    again = evaluate(scores, y, threshold=7, n_boot=300, seed=3)
    other = evaluate(scores, y, threshold=7, n_boot=300, seed=4)
    assert first.to_dict() == again.to_dict()
    assert first.to_dict() != other.to_dict()
    for name in ("auroc", "average_precision", "brier", "sensitivity", "ppv", "flag_rate"):
        fig = first.overall[name]
        assert fig.low <= fig.value <= fig.high, name
    no_boot = evaluate(scores, y, threshold=7, n_boot=0)
    assert math.isnan(no_boot.overall["auroc"].low)


@pytest.mark.parametrize("kind", KINDS)
def test_bootstrap_interval_matches_a_loop_of_sklearn(kind: str) -> None:
    """Counts-based replicates give the same interval as resampling records and calling sklearn."""
    scores, y = cohort(kind, n=1500)
    ours = evaluate(scores, y, threshold=0.5, n_boot=1000, seed=11).overall["auroc"]
    rng = np.random.default_rng(12)
    values = []
    for _ in range(400):
        pick = rng.integers(0, len(y), len(y))
        values.append(roc_auc_score(y[pick], scores[pick]))
    lo, hi = np.quantile(values, [0.025, 0.975])
    assert_allclose([ours.low, ours.high], [lo, hi], atol=0.008)


def test_to_dict_is_json_with_stable_keys() -> None:
    scores, y = cohort("points", n=800)
    rng = np.random.default_rng(0)
    groups = rng.choice(["a", "b"], len(y))
    result = evaluate(scores, y, groups=groups, threshold=7, n_boot=20, bands={"low": 0, "high": 7})
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert list(data) == [
        "kind",
        "settings",
        "n",
        "outcomes",
        "threshold",
        "threshold_source",
        "overall",
        "calibration",
        "thresholds",
        "decision_curve",
        "fairness",
        "warnings",
    ]
    assert list(data["overall"]) == list(OVERALL_METRICS)
    assert set(data["overall"]["auroc"]) == {"value", "low", "high"}
    assert isinstance(result, Evaluation)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": [1, 2, np.nan], "outcomes": [0, 1, 0]}, SCORES_NOT_FINITE.format(count=1)),
        (
            {"scores": [1, 2, 3], "outcomes": [0, 1]},
            SCORES_LENGTH.format(name="outcomes", got=2, expected=3),
        ),
        ({"scores": [1, 2, 3], "outcomes": [0, 2, 1]}, OUTCOMES_VALUES.format(count=1)),
        ({"scores": [1, 2, 3], "outcomes": [0, 0, 0]}, OUTCOMES_ONE_CLASS.format(value=0)),
        ({"scores": [1, 2], "outcomes": [0, 1], "n_boot": -1}, N_BOOT_RANGE.format(value=-1)),
        (
            {"scores": [1, 2], "outcomes": [0, 1], "confidence": 95},
            CONFIDENCE_RANGE.format(value=95),
        ),
        (
            {"scores": [1, 2], "outcomes": [0, 1], "bands": {"a": 3, "b": 1}},
            BANDS_ORDER.format(name="b"),
        ),
    ],
)
def test_errors_name_the_field_and_the_fix(kwargs: dict[str, object], message: str) -> None:
    scores = kwargs.pop("scores")
    outcomes = kwargs.pop("outcomes")
    with pytest.raises(ValidationInputError) as info:
        evaluate(scores, outcomes, threshold=1, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message
