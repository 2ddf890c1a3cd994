"""efh_screen: a transparent screen that flags young people for an early-help review by a person.

It never decides anything about a child: a flag is a prompt for a person to look.
"""

from ._errors import (
    EfhScreenError,
    FieldProblem,
    InputError,
    ProfileError,
    ValidationInputError,
    WeightsError,
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
from ._scoring import (
    REVIEW_NOTICE,
    Contribution,
    MissingInformation,
    Screener,
    ScreeningBatch,
    ScreeningResult,
)
from ._version import __version__
from ._weights import Band, IndicatorPoints, OverrideRule, Reference, Weights, WeightsStamp

__all__ = [
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
]
