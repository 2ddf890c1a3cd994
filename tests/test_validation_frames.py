"""Tidy pandas tables of every result: value, low and high per figure and group."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve

from efh_screen.validation import (
    GROUP_METRICS,
    OVERALL_METRICS,
    Evaluation,
    SmallGroupWarning,
    evaluate,
)


@pytest.fixture(scope="module")
def result() -> Evaluation:
    rng = np.random.default_rng(8)
    n = 3000
    group = rng.choice(["a", "b", "c"], n)
    scores = rng.integers(0, 12, n)
    outcomes = (rng.random(n) < 0.02 + 0.03 * scores).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        return evaluate(
            scores,
            outcomes,
            groups={"group": group},
            threshold=6,
            n_boot=50,
            bands={"low": 0, "high": 6},
        )


def test_evaluation_frame_holds_everyone_then_each_group(result: Evaluation) -> None:
    frame = result.to_frame()
    assert list(frame.columns) == ["attribute", "group", "figure", "value", "low", "high"]
    everyone = frame[frame["group"] == "all"]
    assert everyone["figure"].tolist() == list(OVERALL_METRICS)
    auroc = everyone.set_index("figure").loc["auroc"]
    assert auroc["value"] == result.overall["auroc"].value
    assert auroc["low"] == result.overall["auroc"].low
    assert len(frame) == len(OVERALL_METRICS) + 3 * len(GROUP_METRICS)


def test_group_frame_is_one_row_per_group_and_figure(result: Evaluation) -> None:
    fairness = result.fairness["group"]
    frame = fairness.to_frame()
    assert list(frame.columns) == [
        "attribute", "group", "too_small", "figure", "value", "low", "high",
    ]  # fmt: skip
    wide = frame.pivot(index="group", columns="figure", values="value")
    for label in fairness.labels:
        assert wide.loc[label, "flag_rate"] == fairness.by_group[label]["flag_rate"].value


def test_threshold_frame_gives_the_precision_recall_curve(result: Evaluation) -> None:
    table = result.thresholds
    frame = table.to_frame()
    assert list(frame.columns) == [
        "threshold", "tp", "fp", "tn", "fn", "figure", "value", "low", "high",
    ]  # fmt: skip
    assert len(frame) == len(table.cuts) * 9
    wide = frame.pivot(index="threshold", columns="figure", values="value")
    assert wide["ppv"].tolist() == pytest.approx(table.value["ppv"].tolist(), nan_ok=True)
    assert wide["sensitivity"].tolist() == table.value["sensitivity"].tolist()


def test_calibration_and_decision_frames(result: Evaluation) -> None:
    calibration = result.calibration.to_frame()
    assert calibration["table"].tolist() == ["by_value"] * 12 + ["by_band"] * 2
    assert calibration["n"].sum() == 2 * result.n
    decision = result.decision_curve.to_frame()
    assert list(decision.columns) == ["threshold", "value", "low", "high", "review_everyone"]
    assert decision["threshold"].iloc[0] == 0.01
    assert isinstance(decision, pd.DataFrame)


def test_reliability_frame_equals_calibration_curve() -> None:
    rng = np.random.default_rng(9)
    probabilities = rng.beta(1, 8, 5000)
    outcomes = (rng.random(5000) < probabilities).astype(int)
    result = evaluate(probabilities, outcomes, probabilities=True, threshold=0.2, n_boot=0)
    frame = result.calibration.to_frame()
    observed, predicted = calibration_curve(outcomes, probabilities, n_bins=10)
    assert frame["observed_rate"].to_numpy() == pytest.approx(observed, rel=1e-12)
    assert frame["mean_score"].to_numpy() == pytest.approx(predicted, rel=1e-12)
