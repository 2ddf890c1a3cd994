"""Figures by group agree with fairlearn's MetricFrame and scikit-learn on the same data."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.metrics import average_precision_score, precision_score, roc_auc_score

from efh_screen import Screener, ValidationInputError
from efh_screen.synth import SynthParameters, generate_cohort
from efh_screen.validation import (
    GROUP_METRICS,
    UNKNOWN_REFERENCE,
    SmallGroupWarning,
    evaluate,
    score_cohort,
)

THRESHOLD = 7


def cohort(n: int = 4000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ethnicity = rng.choice(["white", "black", "asian", "mixed"], n, p=[0.6, 0.2, 0.15, 0.05])
    sex = rng.choice(["female", "male"], n)
    shift = np.where(ethnicity == "black", 1, 0) + np.where(sex == "male", 1, 0)
    scores = rng.binomial(14, 0.3, n) + shift
    risk = 1 / (1 + np.exp(-(scores - 8) / 1.5))
    outcome = (rng.random(n) < risk).astype(int)
    return pd.DataFrame({"score": scores, "outcome": outcome, "ethnicity": ethnicity, "sex": sex})


def ppv(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(precision_score(y_true, y_pred, zero_division=np.nan))


FAIRLEARN = {
    "n": count,
    "flag_rate": selection_rate,
    "sensitivity": true_positive_rate,
    "specificity": true_negative_rate,
    "false_positive_rate": false_positive_rate,
    "false_negative_rate": false_negative_rate,
    "ppv": ppv,
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return cohort()


@pytest.fixture(scope="module")
def result(data: pd.DataFrame):  # type: ignore[no-untyped-def]
    return evaluate(
        data["score"],
        data["outcome"],
        groups={"ethnicity": data["ethnicity"], "sex": data["sex"]},
        threshold=THRESHOLD,
        reference_group={"ethnicity": "white", "sex": "female"},
        n_boot=200,
        seed=1,
    )


@pytest.mark.parametrize("attribute", ["ethnicity", "sex"])
def test_rates_by_group_equal_metricframe(data: pd.DataFrame, result, attribute: str) -> None:  # type: ignore[no-untyped-def]
    frame = MetricFrame(
        metrics=FAIRLEARN,
        y_true=data["outcome"],
        y_pred=(data["score"] >= THRESHOLD).astype(int),
        sensitive_features=data[attribute],
    )
    fairness = result.fairness[attribute]
    assert list(fairness.labels) == sorted(frame.by_group.index)
    for name in FAIRLEARN:
        ours = [fairness.by_group[g][name].value for g in fairness.labels]
        assert_allclose(ours, frame.by_group[name].loc[list(fairness.labels)], err_msg=name)
        assert_allclose(fairness.difference(name).value, frame.difference()[name], err_msg=name)
        assert_allclose(fairness.ratio(name).value, frame.ratio()[name], err_msg=name)
        assert_allclose(result.overall[name].value, frame.overall[name], err_msg=name)


def test_intersection_equals_metricframe_with_two_features(data: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    frame = MetricFrame(
        metrics=FAIRLEARN,
        y_true=data["outcome"],
        y_pred=(data["score"] >= THRESHOLD).astype(int),
        sensitive_features=data[["ethnicity", "sex"]],
    )
    fairness = result.fairness["ethnicity × sex"]
    for label in fairness.labels:
        key = tuple(label.split(" × "))
        for name in FAIRLEARN:
            assert_allclose(
                fairness.by_group[label][name].value, frame.by_group.loc[key, name], err_msg=name
            )


def test_auroc_by_group_equals_metricframe(data: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    frame = MetricFrame(
        metrics={"auroc": roc_auc_score, "average_precision": average_precision_score},
        y_true=data["outcome"],
        y_pred=data["score"],
        sensitive_features=data["ethnicity"],
    )
    fairness = result.fairness["ethnicity"]
    for name in ("auroc", "average_precision"):
        ours = [fairness.by_group[g][name].value for g in fairness.labels]
        assert_allclose(ours, frame.by_group[name].loc[list(fairness.labels)], rtol=1e-12)


def test_relative_rate_index_against_reference(data: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    flagged = data["score"] >= THRESHOLD
    rates = flagged.groupby(data["ethnicity"]).mean()
    fairness = result.fairness["ethnicity"]
    assert fairness.reference == "white"
    for label in fairness.labels:
        assert_allclose(
            fairness.by_group[label]["relative_rate_index"].value, rates[label] / rates["white"]
        )
    ref = fairness.by_group["white"]["relative_rate_index"]
    assert (ref.value, ref.low, ref.high) == (1.0, 1.0, 1.0)
    black = fairness.by_group["black"]["relative_rate_index"]
    assert black.low < black.value < black.high
    # Black young people were given higher scores in this synthetic cohort.
    assert black.low > 1.0


def test_calibration_within_group(data: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    probability = result.calibration.probability(data["score"].to_numpy())
    fairness = result.fairness["sex"]
    for label in fairness.labels:
        mask = (data["sex"] == label).to_numpy()
        expected = data["outcome"][mask].sum() / probability[mask].sum()
        assert_allclose(fairness.by_group[label]["observed_to_expected"].value, expected)
        brier = np.mean((data["outcome"][mask] - probability[mask]) ** 2)
        assert_allclose(fairness.by_group[label]["brier"].value, brier)


def test_every_group_metric_is_reported(result) -> None:  # type: ignore[no-untyped-def]
    table = result.to_dict()["fairness"]["ethnicity"]
    assert [list(g)[1:] for g in table["groups"]] == [list(GROUP_METRICS)] * 4
    assert table["reference"] == "white"


def test_small_group_is_warned_and_named() -> None:
    data = cohort(n=2000)
    groups = data["ethnicity"].to_numpy().copy()
    groups[:12] = "traveller"
    pattern = (
        r"'traveller' has 12 young people, \d+ with the outcome \(fewer than 30 young people\)"
    )
    with pytest.warns(SmallGroupWarning, match=pattern):
        result = evaluate(data["score"], data["outcome"], groups=groups, threshold=7, n_boot=50)
    assert result.fairness["group"].too_small == ("traveller",)
    assert any("traveller" in w for w in result.warnings)
    everyone = result.fairness["group"].difference("flag_rate")
    without = result.fairness["group"].difference("flag_rate", include_small=False)
    assert without.value <= everyone.value


def test_missing_labels_form_their_own_group() -> None:
    data = cohort(n=600)
    groups = data["sex"].astype(object).to_numpy().copy()
    groups[:100] = None
    groups[100:150] = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        result = evaluate(data["score"], data["outcome"], groups=groups, threshold=7, n_boot=0)
    assert result.fairness["group"].by_group["(not recorded)"]["n"].value == 150


def test_unknown_reference_group_is_named() -> None:
    data = cohort(n=300)
    with pytest.raises(ValidationInputError) as info:
        evaluate(
            data["score"],
            data["outcome"],
            groups=data["sex"],
            threshold=7,
            n_boot=0,
            reference_group="other",
        )
    assert str(info.value) == UNKNOWN_REFERENCE.format(
        label="other", attribute="group", labels="female, male"
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), copies=st.integers(2, 4))
def test_identical_groups_have_relative_rate_index_one(seed: int, copies: int) -> None:
    """Groups holding identical records are flagged at the same rate: RRI is exactly 1."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 10, 60)
    outcomes = rng.integers(0, 2, 60)
    outcomes[:2] = [0, 1]
    groups = np.repeat([f"g{i}" for i in range(copies)], 60)
    result = evaluate(
        np.tile(scores, copies),
        np.tile(outcomes, copies),
        groups=groups,
        threshold=5,
        n_boot=0,
        min_group_size=0,
        min_group_outcomes=0,
    )
    fairness = result.fairness["group"]
    for label in fairness.labels:
        rri = fairness.by_group[label]["relative_rate_index"].value
        assert rri == 1.0 or (math.isnan(rri) and (scores < 5).all())
    assert fairness.difference("sensitivity").value == 0.0


@pytest.mark.parametrize("name", ["flag_rate", "sensitivity", "false_positive_rate"])
def test_gap_between_two_named_groups(data: pd.DataFrame, result, name: str) -> None:  # type: ignore[no-untyped-def]
    frame = MetricFrame(
        metrics=FAIRLEARN[name],
        y_true=data["outcome"],
        y_pred=(data["score"] >= THRESHOLD).astype(int),
        sensitive_features=data["ethnicity"],
    )
    fairness = result.fairness["ethnicity"]
    gap = fairness.difference(name, between=("black", "white"))
    assert_allclose(gap.value, frame.by_group["black"] - frame.by_group["white"])
    assert gap.low <= gap.value <= gap.high
    reverse = fairness.difference(name, between=("white", "black"))
    assert_allclose([reverse.value, reverse.low, reverse.high], [-gap.value, -gap.high, -gap.low])
    ratio = fairness.ratio(name, between=("black", "white"))
    assert_allclose(ratio.value, frame.by_group["black"] / frame.by_group["white"])
    # Naming the two groups difference() would pick gives its figure, interval included.
    highest, lowest = fairness.groups_compared(name)
    assert fairness.difference(name, between=(highest, lowest)) == fairness.difference(name)


def test_gap_between_a_group_that_does_not_occur_is_refused(result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationInputError, match="'martian', which does not occur in 'sex'"):
        result.fairness["sex"].difference("flag_rate", between=("martian", "male"))


def test_flags_by_disability_at_equal_outcomes_equal_metricframe() -> None:
    as_of = dt.date(2026, 9, 1)
    parameters = SynthParameters.early_help().replace(disability_prevalence=0.15)
    cohort = list(generate_cohort(3000, seed=8, as_of=as_of, parameters=parameters))
    scored = score_cohort(cohort, as_of=as_of, group_by=("disability",))
    result = evaluate(
        scored.scores,
        scored.outcomes,
        groups=scored.groups,
        threshold=scored.threshold,
        n_boot=100,
    )
    disability = [item.profile.audit.disability.value for item in cohort]  # type: ignore[union-attr]
    flags = Screener().screen_many([item.profile for item in cohort], as_of=as_of).flag
    frame = MetricFrame(
        metrics={"sensitivity": true_positive_rate, "false_positive_rate": false_positive_rate},
        y_true=[item.outcome for item in cohort],
        y_pred=flags.astype(int),
        sensitive_features=pd.Series(disability, name="disability"),
    )
    fairness = result.fairness["disability"]
    assert fairness.labels == ("no", "yes")
    for name in ("sensitivity", "false_positive_rate"):
        for label in fairness.labels:
            assert_allclose(fairness.by_group[label][name].value, frame.by_group.loc[label, name])
        gap = fairness.difference(name, between=("yes", "no"))
        expected = frame.by_group.loc["yes", name] - frame.by_group.loc["no", name]
        assert_allclose(gap.value, expected)
        assert_allclose(abs(gap.value), frame.difference()[name])
        assert gap.low <= gap.value <= gap.high
