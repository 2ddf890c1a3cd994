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
from ._version import __version__

__all__ = [
    "FACTORS",
    "Agency",
    "AttendanceRecord",
    "Audit",
    "Domain",
    "EfhScreenError",
    "Ethnicity",
    "Event",
    "EventType",
    "Factor",
    "FieldProblem",
    "InputError",
    "LabelledProfile",
    "Observation",
    "Profile",
    "ProfileError",
    "Sex",
    "Status",
    "ValidationInputError",
    "WeightsError",
    "__version__",
    "factor_catalogue",
    "parse_profile",
]
