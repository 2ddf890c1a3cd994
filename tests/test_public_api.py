"""The public namespace is exactly what is intended, and every public name is documented."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

import efh_screen

# The public namespace, group by group, as a newcomer should find it. Adding or removing a
# public name is a deliberate change to this list (and to the changelog).
EXPECTED = {
    "efh_screen": [
        # catalogue
        "CIN_CODES", "FACTORS", "FACTOR_BY_EVENT", "Agency", "CinCode", "Domain", "EventType",
        "Factor", "Weapon",
        "factor_catalogue",
        # profile
        "AttendanceRecord", "Audit", "Disability", "Ethnicity", "Event", "LabelledProfile",
        "Observation", "Profile", "Sex", "Status", "UnknownReason", "parse_profile",
        # features
        "INDICATORS", "CountThresholds", "EvidenceItem", "FeatureMatrix", "FeatureVector",
        "Indicator", "Windows", "derive_features", "feature_matrix",
        # weightings and the screener
        "Band", "CoverageRule", "IndicatorPoints", "NeedsCap", "OverrideRule", "Reference",
        "ResolutionRule", "Screener", "Weights", "WeightsStamp",
        # results
        "REVIEW_NOTICE", "Account", "AceCount", "AgencyFactors", "AgencyGap", "BandRange",
        "Contribution", "Coverage", "Evidence", "FactorAccounts", "JigsawView",
        "MissingInformation", "ScoreRange", "ScreeningBatch", "ScreeningResult",
        "TriggeredOverride",
        # explanations
        "CardRow", "PointsCard", "explanation_html", "points_card", "points_card_html",
        "points_card_markdown",
        "summary_text",
        # assembling and linking
        "MIN_KEY_BYTES", "AgencyPairCount", "AssemblySummary", "CohortJigsaw", "Extract",
        "ExtractCount", "FactorCount", "PseudonymisationSummary", "assemble", "load_key",
        "pseudonymise_file", "pseudonymise_id",
        # since last screen
        "Change", "ChangeSummary", "ScreenChange", "compare_screens", "read_results",
        # batch and files
        "FLAT_COLUMNS", "BatchSummary", "ColumnMapping", "InputRecord", "RejectedRecord",
        "ReviewEntry", "read_csv", "read_jsonl", "screen_file", "screen_records", "write_csv",
        "write_rejected_jsonl", "write_review_csv", "write_review_html",
        # errors
        "EfhScreenError", "FieldProblem", "InputError", "ProfileError", "ValidationInputError",
        "WeightsError",
        "__version__",
    ],
    "efh_screen.validation": [
        # evaluation
        "OVERALL_METRICS", "Evaluation", "Figure", "evaluate",
        # fairness
        "GROUP_METRICS", "GroupFairness", "SmallGroupWarning",
        # thresholds and sensitivity
        "OperatingPoint", "SensitivityRow", "SensitivityTable", "ThresholdTable",
        "threshold_sensitivity", "weight_sensitivity",
        # calibration
        "CalibrationRow", "CalibrationTable",
        # decisions
        "DECISION_THRESHOLDS", "DecisionCurve",
        # fitting
        "CrossValidatedSetting", "CrossValidationTable", "FittedPoints", "PointsSolution",
        "WeightsComparison", "WeightsFit", "compare_weights", "fit_points", "fit_weights",
        "search_points",
        # estimator
        "PointsClassifier",
        # cohorts
        "CohortScores", "evaluate_cohort", "read_cohort", "rescore_cohort", "score_cohort",
        # reports
        "render_html", "render_json",
        # error messages
        "BANDS_ORDER", "COHORT_UNLABELLED", "CONFIDENCE_RANGE", "CONSTRAINT_COUNT",
        "ESTIMATOR_CLASSES", "ESTIMATOR_NOT_BINARY", "ESTIMATOR_UNKNOWN_KEYS", "FIT_FORCED",
        "FIT_INDICATORS_VALUES", "FIT_SIGNS", "NO_CUT_MEETS", "N_BOOT_RANGE",
        "OUTCOMES_ONE_CLASS", "OUTCOMES_VALUES", "PROBABILITIES_RANGE", "RESEARCH_EXTRA_MISSING",
        "SCORES_LENGTH", "SCORES_NOT_FINITE",
        "UNKNOWN_REFERENCE",
    ],
    "efh_screen.synth": [
        "CHUNK_SIZE", "CohortSummary", "CohortTruth", "EventSpec", "GroundTruth",
        "LatentFactorSpec", "OutcomeModel", "Population", "RecordingBias", "SynthParameters",
        "SyntheticCase", "generate_cases", "generate_cohort", "generate_truth", "write_cohort",
    ],
    "efh_screen.tables": [
        "DERIVED_INDICATORS", "RESULT_COLUMNS", "TABLES_EXTRA_MISSING", "TABLE_FILES",
        "TABLE_NAMES", "CaseTables", "FrameTables", "SourceRows", "TableBatch", "TableChunk",
        "TableCount",
        "TableCounts", "TableRows", "TableScreening", "arrow_schemas", "describe_layout",
        "iter_tables", "profiles_to_tables", "read_tables", "screen_folder",
        "screen_table_files", "screen_tables", "tables_from_frame", "write_screening",
        "write_tables",
    ],
    "efh_screen.__main__": [
        "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_REJECTED", "EXIT_TERMINATED", "EXIT_UNUSABLE",
        "build_parser", "main",
    ],
}  # fmt: skip


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_public_namespace_is_exactly_as_intended(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == EXPECTED[module_name]
    public = {
        name
        for name in dir(module)
        if not name.startswith("_") and not inspect.ismodule(getattr(module, name))
    }
    imported_helpers = {"annotations"}  # `from __future__ import annotations`
    assert public - imported_helpers == set(EXPECTED[module_name]) - {"__version__"}


def test_every_result_model_is_exported() -> None:
    """A whole family or none: every model a ScreeningResult is built from is public."""
    from pydantic import BaseModel

    def models_in(model: type[BaseModel]) -> set[type[BaseModel]]:
        found = {model}
        for field in model.model_fields.values():
            for candidate in _types_in(field.annotation):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    found |= models_in(candidate)
        return found

    for root in (efh_screen.ScreeningResult, efh_screen.Profile, efh_screen.Weights):
        for model in models_in(root):
            assert model.__name__ in efh_screen.__all__, f"{model.__name__} is not exported"


def _types_in(annotation: object) -> list[object]:
    import typing

    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [inner for arg in args for inner in _types_in(arg)]


def test_every_public_callable_has_a_docstring() -> None:
    for name in efh_screen.__all__:
        obj = getattr(efh_screen, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_errors_share_one_root() -> None:
    for name in ("ProfileError", "WeightsError", "InputError", "ValidationInputError"):
        assert issubclass(getattr(efh_screen, name), efh_screen.EfhScreenError)


@pytest.mark.parametrize(
    "module",
    ["_factors", "_profile", "_scoring", "_weights", "_features", "_explain", "tables._profiles"],
)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(f"efh_screen.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
