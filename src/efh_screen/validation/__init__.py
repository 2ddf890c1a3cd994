"""Research tools: validate a screening score, examine fairness by group, re-fit the weightings.

Everything here works on plain arrays, so it can validate any screening score
(this project's points or another tool's). A young person is *flagged for
review* when their score reaches a cut; figures describe how well flags found
the young people who went on to have the outcome, at what cost in reviews,
and how evenly across groups. None of it predicts harm to any one child.
"""

from ._calibration import CalibrationRow, CalibrationTable
from ._cohort import CohortScores, evaluate_cohort, read_cohort, rescore_cohort, score_cohort
from ._evaluation import OVERALL_METRICS, Evaluation, evaluate
from ._fairness import GROUP_METRICS, GroupFairness, SmallGroupWarning
from ._figure import Figure
from ._fitting import FittedPoints, fit_points
from ._refit import WeightsComparison, WeightsFit, compare_weights, fit_weights
from ._report import render_html, render_json
from ._sensitivity import (
    SensitivityRow,
    SensitivityTable,
    threshold_sensitivity,
    weight_sensitivity,
)
from ._thresholds import OperatingPoint, ThresholdTable

__all__ = [
    "GROUP_METRICS",
    "OVERALL_METRICS",
    "CalibrationRow",
    "CalibrationTable",
    "CohortScores",
    "Evaluation",
    "Figure",
    "FittedPoints",
    "GroupFairness",
    "OperatingPoint",
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
    "threshold_sensitivity",
    "weight_sensitivity",
]
