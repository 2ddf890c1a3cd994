"""efh_screen: a transparent screen that flags young people for an early-help review by a person.

It never decides anything about a child: a flag is a prompt for a person to look.

Public subpackages: :mod:`efh_screen.validation` (research tools to validate and re-fit the
weightings) and :mod:`efh_screen.synth` (synthetic cohorts with known truth).
"""

from ._batch import screen_file, screen_records
from ._csv import FLAT_COLUMNS, ColumnMapping, read_csv, write_csv
from ._errors import (
    EfhScreenError,
    FieldProblem,
    InputError,
    ProfileError,
    ValidationInputError,
    WeightsError,
)
from ._explain import (
    CardRow,
    PointsCard,
    points_card,
    points_card_html,
    points_card_markdown,
    summary_text,
)
from ._factors import FACTORS, Agency, Domain, EventType, Factor, factor_catalogue
from ._features import (
    INDICATORS,
    CountThresholds,
    FeatureMatrix,
    FeatureVector,
    Indicator,
    Windows,
    derive_features,
    feature_matrix,
)
from ._jsonl import read_jsonl, write_rejected_jsonl
from ._matrix import ScreeningBatch
from ._profile import (
    AttendanceRecord,
    Audit,
    Ethnicity,
    Event,
    LabelledProfile,
    Observation,
    Profile,
    Sex,
    Status,
    parse_profile,
)
from ._records import InputRecord, RejectedRecord
from ._result import REVIEW_NOTICE, Contribution, MissingInformation, ScreeningResult
from ._review import BatchSummary, ReviewEntry, write_review_csv, write_review_html
from ._scoring import Screener
from ._version import __version__
from ._weights import Band, IndicatorPoints, OverrideRule, Reference, Weights, WeightsStamp

__all__ = [
    "FACTORS",
    "FLAT_COLUMNS",
    "INDICATORS",
    "REVIEW_NOTICE",
    "Agency",
    "AttendanceRecord",
    "Audit",
    "Band",
    "BatchSummary",
    "CardRow",
    "ColumnMapping",
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
    "InputRecord",
    "LabelledProfile",
    "MissingInformation",
    "Observation",
    "OverrideRule",
    "PointsCard",
    "Profile",
    "ProfileError",
    "Reference",
    "RejectedRecord",
    "ReviewEntry",
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
    "points_card",
    "points_card_html",
    "points_card_markdown",
    "read_csv",
    "read_jsonl",
    "screen_file",
    "screen_records",
    "summary_text",
    "write_csv",
    "write_rejected_jsonl",
    "write_review_csv",
    "write_review_html",
]
