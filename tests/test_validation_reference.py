"""Research figures checked against scikit-learn on continuous scores."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

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
