"""efh_screen: a transparent screen that flags young people for an early-help review by a person.

It never decides anything about a child: a flag is a prompt for a person to look.

The public names come in groups, each a family exported whole:

* **catalogue** — the factors, agencies and event types every profile speaks of;
* **profile** — the pydantic models of a young person's profile, and :func:`parse_profile`;
* **features** — the indicators derived from a profile as of a date, one or many at a time;
* **weightings** — the versioned points, bands and overrides, and the :class:`Screener`;
* **results** — every model a :class:`ScreeningResult` is made of, and the batch result;
* **explanations** — plain-English summaries and points cards;
* **assembling and linking** — each agency's extract linked into one profile per child,
  pseudonymisation at source, and the cohort's jigsaw (who knows what);
* **since last screen** — each child's change between two screening runs;
* **batch and files** — screening caseload files with every record accounted for, the
  JSONL and CSV readers and writers, and the review list;
* **errors** — one hierarchy rooted in :class:`EfhScreenError`.

Public subpackages: :mod:`efh_screen.validation` (research tools to validate and re-fit the
weightings) and :mod:`efh_screen.synth` (synthetic cohorts with known truth). The command
line is :mod:`efh_screen.__main__` (``efh-screen`` or ``python -m efh_screen``).
"""

from ._assemble import AssemblySummary, Extract, ExtractCount, assemble
from ._batch import screen_file, screen_records
from ._compare import Change, ChangeSummary, ScreenChange, compare_screens, read_results
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
    explanation_html,
    points_card,
    points_card_html,
    points_card_markdown,
    summary_text,
)
from ._factors import (
    CIN_CODES,
    FACTOR_BY_EVENT,
    FACTORS,
    Agency,
    CinCode,
    Domain,
    EventType,
    Factor,
    Weapon,
    factor_catalogue,
)
from ._features import (
    INDICATORS,
    CountThresholds,
    EvidenceItem,
    FeatureMatrix,
    FeatureVector,
    Indicator,
    Windows,
    derive_features,
    feature_matrix,
)
from ._jigsaw import AgencyPairCount, CohortJigsaw, FactorCount
from ._jsonl import read_jsonl, write_rejected_jsonl
from ._matrix import ScreeningBatch
from ._profile import (
    AttendanceRecord,
    Audit,
    Disability,
    Ethnicity,
    Event,
    LabelledProfile,
    Observation,
    Profile,
    Sex,
    Status,
    UnknownReason,
    parse_profile,
)
from ._pseudonymise import (
    MIN_KEY_BYTES,
    PseudonymisationSummary,
    load_key,
    pseudonymise_file,
    pseudonymise_id,
)
from ._records import InputRecord, RejectedRecord
from ._resolution import ResolutionRule
from ._result import (
    REVIEW_NOTICE,
    Account,
    AceCount,
    AgencyFactors,
    AgencyGap,
    BandRange,
    Contribution,
    Coverage,
    Evidence,
    FactorAccounts,
    JigsawView,
    MissingInformation,
    ScoreRange,
    ScreeningResult,
    TriggeredOverride,
)
from ._review import BatchSummary, ReviewEntry, write_review_csv, write_review_html
from ._scoring import Screener
from ._version import __version__
from ._weights import (
    Band,
    CoverageRule,
    IndicatorPoints,
    NeedsCap,
    OverrideRule,
    Reference,
    Weights,
    WeightsStamp,
)

# catalogue
__all__ = [
    "CIN_CODES",
    "FACTORS",
    "FACTOR_BY_EVENT",
    "Agency",
    "CinCode",
    "Domain",
    "EventType",
    "Factor",
    "Weapon",
    "factor_catalogue",
]

# profile
__all__ += [
    "AttendanceRecord",
    "Audit",
    "Disability",
    "Ethnicity",
    "Event",
    "LabelledProfile",
    "Observation",
    "Profile",
    "Sex",
    "Status",
    "UnknownReason",
    "parse_profile",
]

# features
__all__ += [
    "INDICATORS",
    "CountThresholds",
    "EvidenceItem",
    "FeatureMatrix",
    "FeatureVector",
    "Indicator",
    "Windows",
    "derive_features",
    "feature_matrix",
]

# weightings and the screener
__all__ += [
    "Band",
    "CoverageRule",
    "IndicatorPoints",
    "NeedsCap",
    "OverrideRule",
    "Reference",
    "ResolutionRule",
    "Screener",
    "Weights",
    "WeightsStamp",
]

# results
__all__ += [
    "REVIEW_NOTICE",
    "Account",
    "AceCount",
    "AgencyFactors",
    "AgencyGap",
    "BandRange",
    "Contribution",
    "Coverage",
    "Evidence",
    "FactorAccounts",
    "JigsawView",
    "MissingInformation",
    "ScoreRange",
    "ScreeningBatch",
    "ScreeningResult",
    "TriggeredOverride",
]

# explanations
__all__ += [
    "CardRow",
    "PointsCard",
    "explanation_html",
    "points_card",
    "points_card_html",
    "points_card_markdown",
    "summary_text",
]

# assembling and linking
__all__ += [
    "MIN_KEY_BYTES",
    "AgencyPairCount",
    "AssemblySummary",
    "CohortJigsaw",
    "Extract",
    "ExtractCount",
    "FactorCount",
    "PseudonymisationSummary",
    "assemble",
    "load_key",
    "pseudonymise_file",
    "pseudonymise_id",
]

# since last screen
__all__ += ["Change", "ChangeSummary", "ScreenChange", "compare_screens", "read_results"]

# batch and files
__all__ += [
    "FLAT_COLUMNS",
    "BatchSummary",
    "ColumnMapping",
    "InputRecord",
    "RejectedRecord",
    "ReviewEntry",
    "read_csv",
    "read_jsonl",
    "screen_file",
    "screen_records",
    "write_csv",
    "write_rejected_jsonl",
    "write_review_csv",
    "write_review_html",
]

# errors
__all__ += [
    "EfhScreenError",
    "FieldProblem",
    "InputError",
    "ProfileError",
    "ValidationInputError",
    "WeightsError",
]

__all__ += ["__version__"]
