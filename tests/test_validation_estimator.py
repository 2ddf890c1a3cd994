"""PointsClassifier: a scikit-learn estimator whose points become weightings the Screener uses."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import check_estimator

from efh_screen import INDICATORS, Screener, ValidationInputError
from efh_screen.synth import generate_cohort
from efh_screen.validation import (
    ESTIMATOR_CLASSES,
    ESTIMATOR_NOT_BINARY,
    PointsClassifier,
    SmallGroupWarning,
    fit_points,
    score_cohort,
)

AS_OF = dt.date(2026, 9, 1)


def indicators(n: int, seed: int) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Six 0/1 indicators, the last protective, with a known logistic model."""
    rng = np.random.default_rng(seed)
    x = (rng.random((n, 6)) < [0.3, 0.2, 0.4, 0.1, 0.3, 0.5]).astype(np.int8)
    linear = -2.5 + x @ np.array([1.4, 0.7, 0.0, 2.0, 0.3, -0.9])
    y = (rng.random(n) < 1 / (1 + np.exp(-linear))).astype(np.int64)
    return x, y


PROTECTIVE = [False, False, False, False, False, True]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_passes_scikit_learns_estimator_checks() -> None:
    # Run on binarize="median": the default refuses X other than 0/1 by design, and the
    # checks feed continuous data. Only check_array_api_input is skipped, by scikit-learn
    # itself, unless SCIPY_ARRAY_API is set.
    results = check_estimator(PointsClassifier(binarize="median"), on_fail=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    skipped = {r["check_name"] for r in results if r["status"] == "skipped"}
    assert failed == []
    assert skipped <= {"check_array_api_input"}
    assert len(results) > 40


def test_fits_the_same_points_as_fit_points() -> None:
    x, y = indicators(3000, seed=1)
    model = PointsClassifier(protective=PROTECTIVE, max_points=4).fit(x, y)
    direct = fit_points(x, y, protective=PROTECTIVE, max_points=4)
    assert model.points_.tolist() == direct.points.tolist()
    assert model.points_[-1] <= 0
    assert (model.points_[:-1] >= 0).all()
    assert model.classes_.tolist() == [0, 1]
    assert model.n_features_in_ == 6
    score = model.screening_score(x)
    assert score.tolist() == direct.score(x).tolist()
    decision = model.decision_function(x)
    assert_allclose(decision, model.intercept_ + model.slope_ * score)
    proba = model.predict_proba(x)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-decision)))
    assert (model.predict(x) == (decision > 0)).all()


def test_names_and_labels_of_a_dataframe() -> None:
    x, y = indicators(1500, seed=2)
    frame = pd.DataFrame(x, columns=[f"factor_{j}" for j in range(6)])
    labels = np.where(y == 1, "outcome", "none")
    model = PointsClassifier(protective=["factor_5"]).fit(frame, labels)
    assert model.feature_names_in_.tolist() == list(frame.columns)
    assert model.fitted_points_.keys == tuple(frame.columns)
    assert model.classes_.tolist() == ["none", "outcome"]
    assert set(model.predict(frame)) <= {"none", "outcome"}
    assert model.points_[-1] <= 0


def test_not_fitted_and_bad_input_get_clear_errors() -> None:
    x, y = indicators(400, seed=3)
    with pytest.raises(NotFittedError):
        PointsClassifier().predict(x)
    with pytest.raises(ValidationInputError, match=ESTIMATOR_NOT_BINARY.format(count=400)[:40]):
        PointsClassifier().fit(x + 0.5 * (np.arange(6) == 0), y)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        PointsClassifier().fit(x, y + (np.arange(len(y)) % 3 == 0))
    assert "{count}" in ESTIMATOR_CLASSES
    binarised = PointsClassifier(binarize=0.5).fit(x * 3.0, y)
    assert binarised.points_.tolist() == PointsClassifier().fit(x, y).points_.tolist()


def test_works_in_pipeline_cross_val_score_and_grid_search() -> None:
    x, y = indicators(2000, seed=4)
    pipeline = Pipeline(
        [
            ("as_float", FunctionTransformer(lambda a: np.asarray(a, dtype=float))),
            ("points", PointsClassifier(protective=PROTECTIVE, folds=3)),
        ]
    )
    scores = cross_val_score(pipeline, x, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    assert (scores > 0.65).all()
    search = GridSearchCV(
        PointsClassifier(protective=PROTECTIVE, folds=3),
        {"max_points": [1, 2, 4]},
        cv=3,
        scoring="roc_auc",
    )
    search.fit(x, y)
    assert search.best_params_["max_points"] in (1, 2, 4)
    assert int(np.abs(search.best_estimator_.points_).max()) <= search.best_params_["max_points"]
    assert search.cv_results_["mean_test_score"].shape == (3,)


def test_held_out_auroc_is_close_to_logistic_regression() -> None:
    x, y = indicators(6000, seed=5)
    test_x, test_y = indicators(6000, seed=6)
    points = PointsClassifier(protective=PROTECTIVE).fit(x, y)
    logistic = LogisticRegression().fit(x, y)
    ours = roc_auc_score(test_y, points.decision_function(test_x))
    reference = roc_auc_score(test_y, logistic.decision_function(test_x))
    assert ours > reference - 0.02


def test_fitted_points_become_weightings_the_screener_uses() -> None:
    items = list(generate_cohort(1200, seed=4, as_of=AS_OF, population="early-help"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        cohort = score_cohort(items, as_of=AS_OF)
    keys = [indicator.key for indicator in INDICATORS]
    frame = pd.DataFrame(cohort.matrix.values.astype(float), columns=keys)
    model = PointsClassifier(
        max_points=3, max_indicators=8, folds=3, bands={"consider_review": 3, "priority_review": 5}
    )
    model.fit(frame, cohort.outcomes)
    weights = model.to_weights(fitted_on=dt.date(2026, 11, 26))
    assert weights.status == "fitted"
    assert {band.key: band.min_score for band in weights.bands}["priority_review"] == 5
    batch = Screener(weights).score_matrix(cohort.matrix)
    assert batch.score.tolist() == model.screening_score(frame).tolist()
    with pytest.raises(ValidationInputError, match="unknown: x0"):
        PointsClassifier(folds=3).fit(frame.to_numpy()[:, :3], cohort.outcomes).to_weights(
            fitted_on=dt.date(2026, 11, 26)
        )


def test_importing_the_research_tools_imports_neither_sklearn_nor_pandas() -> None:
    code = (
        "import sys, efh_screen.validation as v\n"
        "assert 'sklearn' not in sys.modules and 'pandas' not in sys.modules\n"
        "v.evaluate([0, 1, 2, 3], [0, 1, 0, 1], threshold=2, n_boot=10)\n"
        "assert 'sklearn' not in sys.modules and 'pandas' not in sys.modules\n"
        "v.PointsClassifier\n"
        "assert 'sklearn' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_missing_optional_package_names_the_install_command() -> None:
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None\n"
        "sys.modules['sklearn'] = None\n"
        "import efh_screen.validation as v\n"
        "result = v.evaluate([0, 1, 2, 3], [0, 1, 0, 1], threshold=2, n_boot=0)\n"
        "for action in (result.to_frame, lambda: v.PointsClassifier):\n"
        "    try:\n"
        "        action()\n"
        "    except ImportError as error:\n"
        "        assert 'pip install \"efh_screen[research]\"' in str(error), error\n"
        "    else:\n"
        "        raise SystemExit('no error')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
