"""Regenerate the bundled synthetic sample files, byte for byte.

    python scripts/make_sample_data.py            # writes src/efh_screen/data/
    python scripts/make_sample_data.py OUT_DIR    # writes elsewhere (used by the tests)

Both files are synthetic: every id starts ``SYN-`` and no line describes a real
child. ``sample_caseload.jsonl`` holds bare profiles (as a caseload export would);
``sample_cohort.jsonl`` holds labelled lines for the research demo.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from efh_screen import Agency
from efh_screen.synth import CohortSummary, SynthParameters, write_cohort

AS_OF = dt.date(2026, 9, 1)
DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "efh_screen" / "data"

# The caseload is as an early-help team sees it before the multi-agency picture is
# assembled (the audit's "jigsaw"): many agencies have not contributed yet, so many
# factors are unknown and the review list shows what to ask for.
EARLY_HELP_VIEW = SynthParameters.early_help().replace(
    agency_missing={
        Agency.CHILDRENS_SOCIAL_CARE: 0.35,
        Agency.EARLY_HELP: 0.05,
        Agency.POLICE: 0.45,
        Agency.SCHOOL: 0.15,
        Agency.HEALTH_VISITING_SCHOOL_NURSING: 0.60,
        Agency.GP: 0.55,
        Agency.CAMHS: 0.60,
        Agency.YOUTH_JUSTICE: 0.65,
        Agency.PROBATION: 0.80,
        Agency.HOUSING: 0.75,
        Agency.SUBSTANCE_MISUSE_SERVICE: 0.70,
        Agency.OTHER: 1.0,
    }
)

# name: (profiles, seed, labelled, parameters); both from the early-help population
SAMPLES: dict[str, tuple[int, int, bool, SynthParameters]] = {
    "sample_caseload.jsonl": (200, 20260901, False, EARLY_HELP_VIEW),
    "sample_cohort.jsonl": (480, 20260902, True, SynthParameters.early_help()),
}


def make_sample_data(out_dir: Path = DATA_DIR) -> list[CohortSummary]:
    """Write every sample file into ``out_dir`` and return what was written."""
    return [
        write_cohort(
            out_dir / name,
            n,
            seed=seed,
            as_of=AS_OF,
            population="early-help",
            parameters=parameters,
            labelled=labelled,
        )
        for name, (n, seed, labelled, parameters) in SAMPLES.items()
    ]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR
    for summary in make_sample_data(target):
        print(f"{summary.path}: {summary.n_profiles} profiles, sha256 {summary.sha256}")
