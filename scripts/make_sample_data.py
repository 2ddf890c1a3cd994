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

from efh_screen.synth import CohortSummary, write_cohort

AS_OF = dt.date(2026, 9, 1)
DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "efh_screen" / "data"

# name: (profiles, seed, labelled); both from the early-help population
SAMPLES: dict[str, tuple[int, int, bool]] = {
    "sample_caseload.jsonl": (200, 20260901, False),
    "sample_cohort.jsonl": (550, 20260902, True),
}


def make_sample_data(out_dir: Path = DATA_DIR) -> list[CohortSummary]:
    """Write every sample file into ``out_dir`` and return what was written."""
    return [
        write_cohort(
            out_dir / name, n, seed=seed, as_of=AS_OF, population="early-help", labelled=labelled
        )
        for name, (n, seed, labelled) in SAMPLES.items()
    ]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR
    for summary in make_sample_data(target):
        print(f"{summary.path}: {summary.n_profiles} profiles, sha256 {summary.sha256}")
