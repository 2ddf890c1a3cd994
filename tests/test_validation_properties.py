"""Properties of the research tools that hold for any data (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.metrics import average_precision_score, roc_auc_score

from efh_screen.validation import evaluate

seeds = st.integers(0, 2**32 - 1)


def labelled(seed: int, n: int, levels: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, levels, n).astype(float)
    outcomes = (rng.random(n) < 0.1 + 0.6 * scores / levels).astype(int)
    outcomes[:2] = [0, 1]
    return scores, outcomes


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n=st.integers(5, 300), levels=st.integers(1, 40))
def test_auroc_and_ap_equal_sklearn_for_any_data(seed: int, n: int, levels: int) -> None:
    scores, y = labelled(seed, n, levels)
    result = evaluate(scores, y, threshold=levels / 2, n_boot=0)
    assert_allclose(result.overall["auroc"].value, roc_auc_score(y, scores), rtol=1e-12)
    assert_allclose(
        result.overall["average_precision"].value, average_precision_score(y, scores), rtol=1e-12
    )


@settings(max_examples=30, deadline=None)
@given(seed=seeds, levels=st.integers(2, 30), power=st.floats(0.2, 3.0), shift=st.floats(-50, 50))
def test_discrimination_is_invariant_to_monotone_transforms(
    seed: int, levels: int, power: float, shift: float
) -> None:
    scores, y = labelled(seed, 200, levels)
    transformed = np.exp(power * scores / levels) + shift
    a = evaluate(scores, y, threshold=1, n_boot=0).overall
    b = evaluate(transformed, y, threshold=1, n_boot=0).overall
    assert_allclose(a["auroc"].value, b["auroc"].value, rtol=1e-12)
    assert_allclose(a["average_precision"].value, b["average_precision"].value, rtol=1e-12)


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_bootstrap_interval_contains_point_estimate_for_large_n(seed: int) -> None:
    scores, y = labelled(seed, 5000, 12)
    result = evaluate(scores, y, threshold=6, n_boot=200, seed=seed % 1000)
    for name in ("auroc", "average_precision", "sensitivity", "specificity", "ppv", "brier"):
        fig = result.overall[name]
        assert fig.low <= fig.value <= fig.high, name


@settings(max_examples=20, deadline=None)
@given(seed=seeds, levels=st.integers(2, 25))
def test_threshold_table_is_monotone(seed: int, levels: int) -> None:
    scores, y = labelled(seed, 400, levels)
    table = evaluate(scores, y, threshold=1, n_boot=0).thresholds
    assert np.all(np.diff(table.value["flag_rate"]) <= 0)
    assert np.all(np.diff(table.value["sensitivity"]) <= 0)
    assert np.all(np.diff(table.value["specificity"]) >= 0)
    assert table.value["flag_rate"][0] == 1.0
