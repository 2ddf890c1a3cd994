"""The sparse integer points search: recovery, constraints, determinism, the CV table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from efh_screen import ValidationInputError
from efh_screen.synth import generate_cohort
from efh_screen.validation import (
    CrossValidationTable,
    PointsSolution,
    fit_points,
    fit_weights,
    score_cohort,
    search_points,
)
from strategies import points_problems

TRUE_POINTS = {1: 3, 4: 2, 6: 1, 9: 2, 13: 1, 16: -2, 18: -1}
PROTECTIVE_FROM = 15


def known_truth(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """20 binary indicators; the outcome's log-odds are whole points on 7 of them."""
    rng = np.random.default_rng(seed)
    p = 20
    prevalence = np.random.default_rng(7).uniform(0.1, 0.5, p)
    x = (rng.random((n, p)) < prevalence).astype(np.int8)
    true = np.zeros(p)
    for j, points in TRUE_POINTS.items():
        true[j] = points
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2.5 + 0.8 * (x @ true))))).astype(np.int8)
    signs = np.where(np.arange(p) >= PROTECTIVE_FROM, -1, 1)
    return x, y, signs


@pytest.fixture(scope="module")
def truth() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return known_truth(8000, seed=3)


def test_search_recovers_the_generating_indicators(truth: Any) -> None:
    x, y, signs = truth
    found = search_points(x, y, signs=signs, max_points=5, max_indicators=len(TRUE_POINTS))
    assert isinstance(found, PointsSolution)
    assert set(np.flatnonzero(found.points)) == set(TRUE_POINTS)
    # The largest true weight gets the most points, and the signs are the true ones.
    assert int(np.argmax(found.points)) == 1
    assert all(np.sign(found.points[j]) == np.sign(p) for j, p in TRUE_POINTS.items())
    assert found.slope > 0
    again = search_points(x, y, signs=signs, max_points=5, max_indicators=len(TRUE_POINTS))
    assert np.array_equal(again.points, found.points)
    assert (again.intercept, again.slope) == (found.intercept, found.slope)
    probability = found.probability(x)
    assert np.all((probability > 0) & (probability < 1))
    assert abs(probability.mean() - y.mean()) < 0.01


def test_fewer_indicators_keep_the_strongest(truth: Any) -> None:
    x, y, signs = truth
    found = search_points(x, y, signs=signs, max_points=3, max_indicators=2)
    assert set(np.flatnonzero(found.points)) <= set(TRUE_POINTS)
    assert 1 in np.flatnonzero(found.points)
    assert np.abs(found.points).max() <= 3


def test_unfloored_score_can_be_negative(truth: Any) -> None:
    x, y, signs = truth
    found = search_points(x, y, signs=signs, max_points=5, max_indicators=7, floor=False)
    assert not found.floor
    assert found.score(x).min() < 0
    floored = search_points(x, y, signs=signs, max_points=5, max_indicators=7)
    assert floored.score(x).min() == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points_problems())
def test_signs_bounds_and_forced_indicators_always_hold(problem: dict[str, Any]) -> None:
    found = search_points(**problem)
    points = found.points
    signs = np.asarray(problem["signs"])
    assert points.dtype == np.int64
    assert np.all(points[signs == 1] >= 0)
    assert np.all(points[signs == -1] <= 0)
    assert np.abs(points).max(initial=0) <= problem["max_points"]
    assert np.count_nonzero(points) <= problem["max_indicators"]
    assert np.all(points[problem["forced_in"]] != 0)
    assert np.all(points[problem["forced_out"]] == 0)
    scores = found.score(problem["indicators"])
    if problem["floor"]:
        assert scores.min() >= 0


@pytest.fixture(scope="module")
def fitted(truth: Any) -> Any:
    x, y, signs = truth
    return fit_points(
        x[:4000], y[:4000], protective=signs < 0, max_points=3, max_indicators=8, folds=3, seed=5
    )


def test_cross_validation_table_covers_the_grid(fitted: Any) -> None:
    table = fitted.cross_validation
    assert isinstance(table, CrossValidationTable)
    assert table.folds == 3
    pairs = [(s.max_indicators, s.max_points) for s in table.settings]
    assert pairs == [(k, m) for k in (1, 2, 3, 4, 5, 6, 8) for m in (1, 2, 3)]
    for setting in table.settings:
        for figure in (setting.auroc, setting.observed_to_expected, setting.calibration_slope):
            assert figure.low <= figure.value <= figure.high
        assert setting.indicators_used <= setting.max_indicators
    # By default the card uses the limits given; the table is beside it.
    assert (fitted.settings["max_indicators_chosen"], fitted.max_points) == (8, 3)
    assert fitted.cv_auroc == {m: table.setting(8, m).auroc.value for m in (1, 2, 3)}
    best = table.best()
    assert best.auroc.value == max(s.auroc.value for s in table.settings)
    simpler = table.best(tolerance=1.0)
    assert (simpler.max_indicators, simpler.max_points) == (1, 1)
    lines = table.to_text().splitlines()
    assert len(lines) == len(table.settings) + 1
    assert lines[0].split()[:3] == ["indicators", "points", "used"]


@pytest.mark.slow
def test_fit_is_deterministic_per_seed_byte_for_byte(truth: Any, fitted: Any) -> None:
    x, y, signs = truth
    again = fit_points(
        x[:4000], y[:4000], protective=signs < 0, max_points=3, max_indicators=8, folds=3, seed=5
    )
    first = json.dumps(fitted.to_dict(), sort_keys=True, allow_nan=False)
    assert json.dumps(again.to_dict(), sort_keys=True, allow_nan=False) == first
    other = fit_points(
        x[:4000], y[:4000], protective=signs < 0, max_points=3, max_indicators=8, folds=3, seed=6
    )
    assert other.cross_validation is not None and fitted.cross_validation is not None
    assert other.cross_validation.to_dict() != fitted.cross_validation.to_dict()


def test_tolerance_lets_cross_validation_choose(truth: Any, fitted: Any) -> None:
    x, y, signs = truth
    chosen = fit_points(
        x[:4000],
        y[:4000],
        protective=signs < 0,
        max_points=3,
        max_indicators=8,
        folds=3,
        seed=5,
        tolerance=0.0,
    )
    best = fitted.cross_validation.best()
    assert chosen.max_points == best.max_points
    assert chosen.settings["max_indicators_chosen"] == best.max_indicators
    assert np.count_nonzero(chosen.points) <= best.max_indicators
    assert np.abs(chosen.points).max() <= best.max_points


def test_forced_indicators_by_key(truth: Any) -> None:
    x, y, signs = truth
    keys = [f"ind{j}" for j in range(x.shape[1])]
    fit = fit_points(
        x[:3000],
        y[:3000],
        keys=keys,
        protective=signs < 0,
        max_points=2,
        max_indicators=3,
        folds=2,
        forced_in=["ind0"],
        forced_out=["ind1"],
    )
    assert fit.points[0] != 0
    assert fit.points[1] == 0
    assert fit.settings["forced_in"] == ["ind0"]
    assert fit.settings["forced_out"] == ["ind1"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"signs": [1, 0]}, "signs must hold"),
        ({"forced_in": [5]}, "forced_in must list"),
        ({"forced_in": [0], "forced_out": [0]}, "cannot be forced both in and out"),
        ({"max_indicators": 3}, "max_indicators must be a whole number"),
    ],
)
def test_search_errors_name_the_field(arguments: dict[str, Any], message: str) -> None:
    x = np.array([[0, 1], [1, 0], [1, 1], [0, 0]])
    with pytest.raises(ValidationInputError, match=message):
        search_points(x, [0, 1, 1, 0], **arguments)


def test_fit_errors_name_the_field() -> None:
    x = np.array([[0, 1], [1, 0], [1, 1], [0, 0]])
    with pytest.raises(ValidationInputError, match="forced_in must list"):
        fit_points(x, [0, 1, 1, 0], forced_in=["nope"], folds=2)
    with pytest.raises(ValidationInputError, match="tolerance must be"):
        fit_points(x, [0, 1, 1, 0], tolerance=-0.1, folds=2)


@pytest.mark.slow
def test_same_cohort_and_seed_give_the_same_weightings_file(tmp_path: Path) -> None:
    as_of = dt.date(2026, 9, 1)
    written = []
    for name in ("first.json", "second.json"):
        cohort = score_cohort(
            generate_cohort(1200, seed=8, as_of=as_of, population="early-help"), as_of=as_of
        )
        fit = fit_weights(
            cohort, fitted_on=as_of, max_points=4, max_indicators=6, folds=3, seed=2, n_boot=0
        )
        fit.weights.save(tmp_path / name)
        written.append((tmp_path / name).read_bytes())
    assert written[0] == written[1]
