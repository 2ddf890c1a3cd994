"""Screen a caseload held in a pandas DataFrame, one row per young person.

For early-help analysts who work in pandas: run from the repository root with

    python examples/screen_dataframe.py

It reads ``examples/data/caseload_export.csv`` (synthetic) into a DataFrame, as an export
from a case system or a data warehouse would arrive, screens it with the columnar tools
(``pip install "efh_screen[tables]" pandas``), prints the review list and writes it to a
CSV file in a temporary folder. Swap in your own DataFrame and mapping file.

A flag is a prompt for an early-help review by a person, never a decision about a child.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd

from efh_screen import INDICATORS, ColumnMapping
from efh_screen.tables import screen_tables, tables_from_frame

DATA = Path(__file__).parent / "data"
AS_OF = dt.date(2026, 9, 1)  # the date the screen looks back from; always given, never "today"
LABELS = {indicator.key: indicator.label for indicator in INDICATORS}


def main() -> int:
    # 1. The export: one row per young person, with the case system's own column names.
    #    Reading every cell as text keeps dates and codes exactly as they were exported.
    export = pd.read_csv(DATA / "caseload_export.csv", dtype=str, keep_default_na=False)

    # 2. The mapping file says which column holds which factor, and what "Y" and "N" mean.
    mapping = ColumnMapping.load(DATA / "mapping.json")

    # 3. Turn the rows into the tables the screen reads. A row that cannot be read is
    #    listed with the column and the reason (never dropped without a word).
    read = tables_from_frame(export, mapping=mapping)
    for problem in read.rejected.to_pylist():
        print(f"Not screened: row {problem['row']} ({problem['id']}): {problem['field']}: "
              f"{problem['reason']}")  # fmt: skip

    # 4. Screen every young person as of the date above. A record the screen cannot use
    #    (an event dated after AS_OF, say) is listed too.
    screening = screen_tables(*read.tables, as_of=AS_OF)
    for problem in screening.rejected.to_pylist():
        print(f"Not screened: {problem['id']}: {problem['field']}: {problem['reason']}")
    results = screening.results.to_pandas()

    # 5. The review list: flagged for review, could be flagged once missing information
    #    is known, or not enough known to screen at all. Highest score first.
    not_enough_known = results["coverage_enough"].eq(False)
    listed = results[results["flag"] | results["flag_could_change"] | not_enough_known]
    listed = listed.sort_values(["score", "id"], ascending=[False, True])
    shown_as_band = listed["flag"] | not_enough_known[listed.index]
    review = pd.DataFrame(
        {
            "id": listed["id"],
            "status": listed["band_label"].where(shown_as_band, "could be flagged once known"),
            "score": listed["score"],
            "highest_possible": listed["score_range_high"],  # if every unknown were present
            "reasons": [
                "; ".join(f"{LABELS[item['indicator']]} (+{item['points']})" for item in items)
                for items in listed["top_reasons"]
            ],
            "main_missing": [
                "; ".join(groups).replace("_", " ") for groups in listed["main_missing"]
            ],
        }
    )

    print(f"Screened {len(results)} of {len(export)} rows as of {AS_OF}.")
    # The list says who to look at first and why; the person reviewing decides what it means.
    print("A flag is a prompt for an early-help review by a person, not a decision.\n")
    for case in review.itertuples(index=False):
        print(f"{case.id}  {case.status}, score {case.score} (up to {case.highest_possible})")
        print(f"    reasons: {case.reasons or '-'}")
        print(f"    main missing information: {case.main_missing or '-'}")
    out = Path(tempfile.mkdtemp(prefix="efh-screen-example-")) / "review.csv"
    review.to_csv(out, index=False)
    print(f"\nReview list written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
