"""Research tools: validate a screening score, examine fairness by group, re-fit the weightings.

Everything here works on plain arrays, so it can validate any screening score
(this project's points or another tool's). A young person is *flagged for
review* when their score reaches a cut; figures describe how well flags found
the young people who went on to have the outcome, at what cost in reviews,
and how evenly across groups. None of it predicts harm to any one child.

The error messages (``BANDS_ORDER`` ...) are templates, with ``str.format``
fields in braces, of the text of the errors these tools raise, so callers and
tests can match them.
"""

import typing as _typing

from ._calibration import CalibrationRow, CalibrationTable
from ._checks import (
    BANDS_ORDER,
    CONFIDENCE_RANGE,
    ESTIMATOR_CLASSES,
    ESTIMATOR_NOT_BINARY,
    ESTIMATOR_UNKNOWN_KEYS,
    N_BOOT_RANGE,
    OUTCOMES_ONE_CLASS,
    OUTCOMES_VALUES,
    SCORES_LENGTH,
    SCORES_NOT_FINITE,
)
from ._cohort import (
    COHORT_UNLABELLED,
    CohortScores,
    evaluate_cohort,
    read_cohort,
    rescore_cohort,
    score_cohort,
)
from ._decision import DECISION_THRESHOLDS, DecisionCurve
from ._evaluation import OVERALL_METRICS, PROBABILITIES_RANGE, Evaluation, evaluate
from ._fairness import GROUP_METRICS, UNKNOWN_REFERENCE, GroupFairness, SmallGroupWarning
from ._figure import Figure
from ._fitting import (
    FIT_FORCED,
    FIT_INDICATORS_VALUES,
    FIT_SIGNS,
    FittedPoints,
    PointsSolution,
    fit_points,
    search_points,
)
from ._frames import RESEARCH_EXTRA_MISSING
from ._points_cv import CrossValidatedSetting, CrossValidationTable
from ._refit import WeightsComparison, WeightsFit, compare_weights, fit_weights
from ._report import render_html, render_json
from ._sensitivity import (
    SensitivityRow,
    SensitivityTable,
    threshold_sensitivity,
    weight_sensitivity,
)
from ._thresholds import CONSTRAINT_COUNT, NO_CUT_MEETS, OperatingPoint, ThresholdTable

if _typing.TYPE_CHECKING:  # imported when first asked for (see __getattr__), with scikit-learn
    from ._estimator import PointsClassifier

# ``__all__`` is built from named groups, so it reads as a table of contents.
__all__: list[str] = []
# evaluation: every figure about a screening score, in one object
__all__ += ["OVERALL_METRICS", "Evaluation", "Figure", "evaluate"]
# fairness: figures by group
__all__ += ["GROUP_METRICS", "GroupFairness", "SmallGroupWarning"]
# thresholds: the cut and what each cut costs and finds
__all__ += [
    "OperatingPoint",
    "SensitivityRow",
    "SensitivityTable",
    "ThresholdTable",
    "threshold_sensitivity",
    "weight_sensitivity",
]
# calibration: observed outcome rates against the score
__all__ += ["CalibrationRow", "CalibrationTable"]
# decisions: net benefit of flagging at each threshold outcome rate
__all__ += ["DECISION_THRESHOLDS", "DecisionCurve"]
# fitting: whole points from a labelled cohort, and a weightings file from them
__all__ += [
    "CrossValidatedSetting",
    "CrossValidationTable",
    "FittedPoints",
    "PointsSolution",
    "WeightsComparison",
    "WeightsFit",
    "compare_weights",
    "fit_points",
    "fit_weights",
    "search_points",
]
# estimator: whole points as a scikit-learn classifier (imports scikit-learn when first used)
__all__ += ["PointsClassifier"]
# cohorts: labelled profiles read, screened and evaluated
__all__ += ["CohortScores", "evaluate_cohort", "read_cohort", "rescore_cohort", "score_cohort"]
# reports: JSON and a self-contained HTML page
__all__ += ["render_html", "render_json"]
# error messages: templates of the text of the errors raised, for matching
__all__ += [
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
]


def __getattr__(name: str) -> object:
    """Import ``PointsClassifier`` (and with it scikit-learn) only when it is asked for."""
    if name == "PointsClassifier":
        from ._estimator import PointsClassifier

        return PointsClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "PointsClassifier"})
