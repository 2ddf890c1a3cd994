"""Seeded synthetic cohorts with known ground truth.

Synthetic young people for tests, demos, the bundled sample caseload and
researchers' power and bias studies. Nothing here describes a real child: every
id starts ``SYN-``. The generative model and the prevalences it reproduces are
documented in ``docs/synthetic-data.md``; every parameter is in
:class:`SynthParameters`.

Examples
--------
>>> import datetime as dt
>>> from efh_screen.synth import generate_cohort
>>> first = next(generate_cohort(1, seed=42, as_of=dt.date(2026, 9, 1)))
>>> first.profile.id
'SYN-0000001'
"""

from ._cohort import (
    CohortTruth,
    GroundTruth,
    SyntheticCase,
    generate_cases,
    generate_cohort,
    generate_truth,
)
from ._generator import CHUNK_SIZE
from ._parameters import (
    EventSpec,
    LatentFactorSpec,
    OutcomeModel,
    Population,
    RecordingBias,
    SynthParameters,
)
from ._writer import CohortSummary, write_cohort

__all__ = [
    "CHUNK_SIZE",
    "CohortSummary",
    "CohortTruth",
    "EventSpec",
    "GroundTruth",
    "LatentFactorSpec",
    "OutcomeModel",
    "Population",
    "RecordingBias",
    "SynthParameters",
    "SyntheticCase",
    "generate_cases",
    "generate_cohort",
    "generate_truth",
    "write_cohort",
]
