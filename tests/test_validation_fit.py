"""Fitting whole points, fitted weightings the Screener uses, and sensitivity to each point."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from efh_screen import INDICATORS, InputError, Screener, ValidationInputError, Weights
from efh_screen.synth import generate_cohort
from efh_screen.validation import (
    COHORT_UNLABELLED,
    FIT_INDICATORS_VALUES,
    SmallGroupWarning,
    evaluate,
    evaluate_cohort,
    fit_points,
    fit_weights,
    read_cohort,
    score_cohort,
    threshold_sensitivity,
    weight_sensitivity,
)

AS_OF = dt.date(2026, 9, 1)
TRUE_POINTS = {0: 2, 3: 1, 5: 3, 8: 1, 12: 2, 17: 1, 21: -1, 23: -2}


def indicator_cohort(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary indicators with a known sparse logistic model in whole points."""
    rng = np.random.default_rng(seed)
    p = 24
    prevalence = np.random.default_rng(99).uniform(0.05, 0.4, p)
    x = (rng.random((n, p)) < prevalence).astype(np.int8)
    true = np.zeros(p)
    for j, points in TRUE_POINTS.items():
        true[j] = points
    y = (rng.random(n) < 1 / (1 + np.exp(-(-3.0 + 0.7 * (x @ true))))).astype(int)
    protective = np.zeros(p, dtype=bool)
    protective[20:] = True
    return x, y, protective


@pytest.fixture(scope="module")
def fitted():  # type: ignore[no-untyped-def]
    x, y, protective = indicator_cohort(12_000, seed=1)
    return fit_points(x, y, protective=protective, max_points=5, max_indicators=8, folds=4)


def test_fit_recovers_the_generating_indicators(fitted) -> None:  # type: ignore[no-untyped-def]
    assert set(np.flatnonzero(fitted.points)) == set(TRUE_POINTS)
    assert all(np.sign(fitted.points[j]) == np.sign(p) for j, p in TRUE_POINTS.items())


def test_fit_respects_signs_and_limits(fitted) -> None:  # type: ignore[no-untyped-def]
    protective = np.zeros(24, dtype=bool)
    protective[20:] = True
    assert np.all(fitted.points[~protective] >= 0)
    assert np.all(fitted.points[protective] <= 0)
    assert np.abs(fitted.points).max() <= fitted.max_points <= 5
    assert np.count_nonzero(fitted.points) <= 8
    assert fitted.points.dtype == np.int64


def test_fit_matches_unconstrained_logistic_regression_held_out(fitted) -> None:  # type: ignore[no-untyped-def]
    x, y, _ = indicator_cohort(12_000, seed=1)
    x_test, y_test, _ = indicator_cohort(12_000, seed=2)
    reference = LogisticRegression(C=np.inf, max_iter=2000).fit(x, y)
    auc_reference = roc_auc_score(y_test, reference.decision_function(x_test))
    auc_points = roc_auc_score(y_test, fitted.score(x_test))
    assert auc_points >= auc_reference - 0.01


@pytest.mark.slow
def test_fit_is_seeded(fitted) -> None:  # type: ignore[no-untyped-def]
    x, y, protective = indicator_cohort(12_000, seed=1)
    again = fit_points(x, y, protective=protective, max_points=5, max_indicators=8, folds=4)
    assert np.array_equal(again.points, fitted.points)
    assert again.cv_auroc == fitted.cv_auroc


def test_fit_errors() -> None:
    with pytest.raises(ValidationInputError) as info:
        fit_points([[0, 2], [1, 0]], [0, 1])
    assert str(info.value) == FIT_INDICATORS_VALUES
    with pytest.raises(ValidationInputError, match="max_points must be a whole number"):
        fit_points([[0, 1], [1, 0]], [0, 1], max_points=0)


@pytest.fixture(scope="module")
def cohort():  # type: ignore[no-untyped-def]
    items = list(generate_cohort(1500, seed=4, as_of=AS_OF, population="early-help"))
    return score_cohort(items, as_of=AS_OF, group_by=("ethnicity", "sex"))


def test_cohort_flags_equal_the_screeners(cohort) -> None:  # type: ignore[no-untyped-def]
    assert np.array_equal(cohort.batch.flag, cohort.scores >= cohort.threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        result = evaluate_cohort(cohort, n_boot=0)
    assert_allclose(result.overall["flag_rate"].value, cohort.batch.flag.mean())
    assert_allclose(result.overall["auroc"].value, roc_auc_score(cohort.outcomes, cohort.scores))
    assert set(result.fairness) == {"ethnicity", "sex", "ethnicity × sex"}
    assert [r.label for r in result.calibration.by_band] == [b.key for b in cohort.weights.bands]


def test_fitted_weights_are_used_by_the_screener_directly(cohort, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fit = fit_weights(
        cohort,
        fitted_on=dt.date(2026, 11, 26),
        max_points=4,
        max_indicators=10,
        folds=3,
        n_boot=20,
    )
    weights = fit.weights
    assert weights.status == "fitted"
    batch = Screener(weights).score_matrix(cohort.matrix)
    assert np.array_equal(batch.score, fit.points.score(cohort.matrix.values))
    for ind in INDICATORS:
        entry = weights.points.get(ind.key)
        if entry is not None:
            assert entry.points <= 0 if ind.protective else entry.points >= 0
    provenance = weights.provenance or {}
    assert provenance["fitted_on"] == "2026-11-26"
    assert provenance["data"]["n"] == 1500
    assert set(provenance["metrics"]) >= {"cv_auroc", "train_auroc_expert", "train_auroc_fitted"}
    assert provenance["base"]["sha256"] == cohort.weights.sha256
    # The file round-trips and keeps its hash.
    path = tmp_path / "fitted.json"
    weights.save(path)
    assert Weights.load(path).sha256 == weights.sha256
    # The flag band starts at the lowest score that flags no larger share than the expert
    # weightings did (whole-point scores cannot always match a share closely).
    expert_share = float(np.mean(cohort.scores >= cohort.threshold))
    flag_min = next(b.min_score for b in weights.bands if b.flag)
    assert np.mean(batch.score >= flag_min) <= expert_share
    assert np.mean(batch.score >= flag_min - 1) > expert_share
    table = fit.comparison.to_dict()
    assert {"key", "label", "expert", "fitted"} == set(table["points"][0])
    assert set(table["figures"]["auroc"]) == {"expert", "fitted"}


def test_threshold_sensitivity_by_hand() -> None:
    scores = np.array([0, 3, 3, 4, 4, 4, 7, 8, 8, 9])
    table = threshold_sensitivity(
        scores, {"low": 0, "review": 4, "priority": 8}, flag_band="review"
    )
    got = {(r.key, r.change): (r.band_changes, r.flag_changes) for r in table.rows}
    assert got == {
        ("review", 1): (3, 3),  # the three 4s drop to low
        ("review", -1): (2, 2),  # the two 3s rise to review
        ("priority", 1): (2, 0),  # the two 8s drop to review
        ("priority", -1): (1, 0),  # the 7 rises to priority
    }


def test_weight_sensitivity_counts_band_changes(cohort) -> None:  # type: ignore[no-untyped-def]
    table = weight_sensitivity(cohort)
    points_rows = [r for r in table.rows if r.kind == "points"]
    assert points_rows == sorted(points_rows, key=lambda r: -r.band_changes)
    values = cohort.matrix.values
    for row in points_rows:
        column = [i.key for i in INDICATORS].index(row.key)
        # Only young people with the indicator can change band.
        assert row.band_changes <= int(values[:, column].sum())
    # Without overrides, threshold rows equal the plain-array count on the raw scores.
    plain = cohort.weights.model_copy(update={"overrides": ()})
    plain_cohort = score_cohort(
        list(generate_cohort(1500, seed=4, as_of=AS_OF, population="early-help")),
        as_of=AS_OF,
        weights=Weights.model_validate(plain.model_dump()),
    )
    ours = [r for r in weight_sensitivity(plain_cohort).rows if r.kind == "threshold"]
    bands = {b.key: b.min_score for b in plain.bands}
    flag_band = next(b.key for b in plain.bands if b.flag)
    reference = threshold_sensitivity(plain_cohort.batch.score, bands, flag_band=flag_band).rows
    assert [(r.key, r.change, r.band_changes, r.flag_changes) for r in ours] == [
        (r.key, r.change, r.band_changes, r.flag_changes) for r in reference
    ]


def test_read_cohort_accounts_for_every_line(tmp_path: Path) -> None:
    items = list(generate_cohort(5, seed=1, as_of=AS_OF))
    lines = [item.model_dump_json() for item in items]
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert [c.profile.id for c in read_cohort(path)] == [c.profile.id for c in items]
    bare = json.dumps(json.loads(lines[0])["profile"])
    path.write_text("\n".join([*lines[:2], bare, "{not json", *lines[2:]]) + "\n")
    with pytest.raises(InputError) as info:
        read_cohort(path)
    fields = info.value.fields
    assert fields[0] == "line 3"
    assert info.value.problems[0].reason == COHORT_UNLABELLED
    assert fields[1].startswith("line 4")


def test_evaluate_matches_between_cohort_and_arrays(cohort) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        a = evaluate_cohort(cohort, n_boot=50, seed=3)
        b = evaluate(
            cohort.scores,
            cohort.outcomes,
            groups=cohort.groups,
            threshold=cohort.threshold,
            bands=cohort.bands,
            n_boot=50,
            seed=3,
        )
    assert a.to_dict() == b.to_dict()


def test_a_screener_can_be_given_instead_of_weights(cohort) -> None:  # type: ignore[no-untyped-def]
    items = list(generate_cohort(200, seed=4, as_of=AS_OF, population="early-help"))
    by_screener = score_cohort(items, as_of=AS_OF, weights=Screener(cohort.weights))
    by_weights = score_cohort(items, as_of=AS_OF, weights=cohort.weights)
    assert np.array_equal(by_screener.scores, by_weights.scores)
