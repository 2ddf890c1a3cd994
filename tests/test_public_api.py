"""The public namespace is exactly what is intended, and every public name is documented."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

import efh_screen

EXPECTED_CORE = {
    "FACTORS",
    "INDICATORS",
    "REVIEW_NOTICE",
    "Agency",
    "AttendanceRecord",
    "Audit",
    "Band",
    "Contribution",
    "CountThresholds",
    "Domain",
    "EfhScreenError",
    "Ethnicity",
    "Event",
    "EventType",
    "Factor",
    "FeatureMatrix",
    "FeatureVector",
    "FieldProblem",
    "Indicator",
    "IndicatorPoints",
    "InputError",
    "LabelledProfile",
    "MissingInformation",
    "Observation",
    "OverrideRule",
    "Profile",
    "ProfileError",
    "Reference",
    "Screener",
    "ScreeningBatch",
    "ScreeningResult",
    "Sex",
    "Status",
    "ValidationInputError",
    "Weights",
    "WeightsError",
    "WeightsStamp",
    "Windows",
    "__version__",
    "derive_features",
    "factor_catalogue",
    "feature_matrix",
    "parse_profile",
    # batch screening
    "BatchSummary",
    "screen_file",
    "screen_records",
    "FLAT_COLUMNS",
    "ColumnMapping",
    "read_csv",
    "write_csv",
    "InputRecord",
    "RejectedRecord",
    "ReviewEntry",
    "read_jsonl",
    "write_rejected_jsonl",
    "write_review_csv",
    "write_review_html",
    # explanations
    "CardRow",
    "PointsCard",
    "points_card",
    "points_card_html",
    "points_card_markdown",
    "summary_text",
}


def test_public_namespace_is_exactly_all() -> None:
    public = {n for n in dir(efh_screen) if not n.startswith("_")} | {"__version__"}
    modules = {n for n in public if inspect.ismodule(getattr(efh_screen, n))}
    assert set(efh_screen.__all__) == public - modules
    assert set(efh_screen.__all__) >= EXPECTED_CORE


def test_every_public_callable_has_a_docstring() -> None:
    for name in efh_screen.__all__:
        obj = getattr(efh_screen, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_errors_share_one_root() -> None:
    for name in ("ProfileError", "WeightsError", "InputError", "ValidationInputError"):
        assert issubclass(getattr(efh_screen, name), efh_screen.EfhScreenError)


@pytest.mark.parametrize(
    "module", ["_factors", "_profile", "_scoring", "_weights", "_features", "_explain"]
)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(f"efh_screen.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
