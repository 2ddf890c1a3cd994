"""Screen a caseload CSV exported with its own column names, using a mapping file.

For early-help teams and integrators: run from the repository root with

    python examples/screen_caseload_with_mapping.py

It reads ``examples/data/caseload_export.csv`` (synthetic; the case system's
own column names, ``Y``/``N`` words, ``DD/MM/YYYY`` dates and a Children in
Need census factor-code column) through ``examples/data/mapping.json``, writes
the results, the review list (CSV and HTML) and the rejected rows to a
temporary folder, and prints the review list and the summary. The same as::

    efh-screen screen examples/data/caseload_export.csv \\
        --mapping examples/data/mapping.json --as-of 2026-09-01 \\
        --out results.jsonl --review review.csv --html review.html --errors rejected.jsonl
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from efh_screen import ColumnMapping, screen_file

DATA = Path(__file__).parent / "data"
AS_OF = dt.date(2026, 9, 1)


def main() -> int:
    mapping = ColumnMapping.load(DATA / "mapping.json")
    out = Path(tempfile.mkdtemp(prefix="efh-screen-example-"))
    summary = screen_file(
        DATA / "caseload_export.csv",
        as_of=AS_OF,
        mapping=mapping,
        results=out / "results.jsonl",
        review_csv=out / "review.csv",
        review_html=out / "review.html",
        errors=out / "rejected.jsonl",
    )
    print(f"Screened as of {AS_OF}: {summary}.")
    print("A flag is a prompt for an early-help review by a person, not a decision.\n")
    print("Review list (highest band, then highest score):")
    for rank, case in enumerate(summary.review, start=1):
        print(f"{rank:>3}. {case.id}  {case.band_label} ({case.flag_text}), score {case.score}")
        print(f"       reasons: {case.reasons_text() or '-'}")
        print(f"       main missing information: {case.missing_text() or '-'}")
    print("\nRejected rows (fix these in the export and screen them again):")
    for line in (out / "rejected.jsonl").read_text().splitlines():
        item = json.loads(line)
        print(f"  row {item['line']} ({item['id']}): {item['field']}: {item['reason']}")
    print(f"\nOutputs written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
