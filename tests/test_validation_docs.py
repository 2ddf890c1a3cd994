"""The researcher guide's code runs, and the validation namespace is exactly what is intended."""

from __future__ import annotations

import inspect
import re
import warnings
from pathlib import Path

import pytest

import efh_screen.validation as validation

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "validation.md"
_PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)

#: Templates of error text, exported so callers and tests can match them.
MESSAGES = {
    "BANDS_ORDER",
    "COHORT_UNLABELLED",
    "CONFIDENCE_RANGE",
    "CONSTRAINT_COUNT",
    "ESTIMATOR_CLASSES",
    "ESTIMATOR_NOT_BINARY",
    "ESTIMATOR_UNKNOWN_KEYS",
    "FIT_FORCED",
    "FIT_INDICATORS_VALUES",
    "FIT_SIGNS",
    "NO_CUT_MEETS",
    "N_BOOT_RANGE",
    "OUTCOMES_ONE_CLASS",
    "OUTCOMES_VALUES",
    "PROBABILITIES_RANGE",
    "RESEARCH_EXTRA_MISSING",
    "SCORES_LENGTH",
    "SCORES_NOT_FINITE",
    "UNKNOWN_REFERENCE",
}

EXPECTED = MESSAGES | {
    "DECISION_THRESHOLDS",
    "DecisionCurve",
    "GROUP_METRICS",
    "OVERALL_METRICS",
    "CalibrationRow",
    "CalibrationTable",
    "CohortScores",
    "CrossValidatedSetting",
    "CrossValidationTable",
    "Evaluation",
    "Figure",
    "FittedPoints",
    "GroupFairness",
    "OperatingPoint",
    "PointsClassifier",
    "PointsSolution",
    "SensitivityRow",
    "SensitivityTable",
    "SmallGroupWarning",
    "ThresholdTable",
    "WeightsComparison",
    "WeightsFit",
    "compare_weights",
    "evaluate",
    "evaluate_cohort",
    "fit_points",
    "fit_weights",
    "read_cohort",
    "render_html",
    "render_json",
    "rescore_cohort",
    "score_cohort",
    "search_points",
    "threshold_sensitivity",
    "weight_sensitivity",
}


def test_namespace_is_exactly_all() -> None:
    public = {n for n in dir(validation) if not n.startswith("_")}
    modules = {n for n in public if inspect.ismodule(getattr(validation, n))}
    assert set(validation.__all__) == EXPECTED
    assert public - modules == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_public_names_have_numpydoc_docstrings(name: str) -> None:
    obj = getattr(validation, name)
    if isinstance(obj, tuple | str):
        return
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 40, name
    if inspect.isfunction(obj) and inspect.signature(obj).parameters:
        assert "Parameters\n----------" in doc, name


def test_guide_code_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _PYTHON_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_validation"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the guide's examples must not warn
        for code in blocks:
            exec(compile(code, str(GUIDE), "exec"), namespace)
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "fitted_weights.json").exists()


@pytest.mark.parametrize(
    "module",
    ["_cohort", "_evaluation", "_fitting", "_sensitivity", "_thresholds"],
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(f"efh_screen.validation.{module}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_error_messages_are_templates_of_text(name: str) -> None:
    message = getattr(validation, name)
    assert isinstance(message, str)
    assert len(message) > 20, name
