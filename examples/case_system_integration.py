"""Call efh_screen from a Python case system and store the result JSON.

For integrators: run from the repository root with

    python examples/case_system_integration.py

A case system holds its own records; here a tiny in-memory "case system"
(synthetic) is turned into Profiles, screened as of an explicit date, and each
full result is stored as JSON in a SQLite table next to the weightings stamp,
so any later review can see exactly what the screen said and why. Records that
cannot be screened are stored with their plain reasons instead; nothing is
silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from efh_screen import ProfileError, Screener, parse_profile

AS_OF = dt.date(2026, 9, 1)

# What a case system might hold (synthetic). Its own field names are mapped below.
CASE_SYSTEM_RECORDS: list[dict[str, Any]] = [
    {
        "ref": "SYNTHETIC-0201",
        "dob": "2011-07-01",
        "flags": {"domestic_abuse": "Y", "child_criminal_exploitation": "Y", "trusted_adult": "N"},
        "suspensions": ["2026-02-02", "2026-05-11"],
        "agencies": ["school", "police"],
    },
    {
        "ref": "SYNTHETIC-0202",
        "dob": "2012-10-12",
        "flags": {"adhd": "Y", "mentor": "Y"},
        "suspensions": [],
        "agencies": ["school"],
    },
    {
        # A data-entry slip the case system let through: a suspension before birth.
        "ref": "SYNTHETIC-0203",
        "dob": "2013-05-05",
        "flags": {},
        "suspensions": ["2012-01-01"],
        "agencies": ["school"],
    },
]

WORDS = {"Y": "present", "N": "absent"}


def to_profile_dict(record: dict[str, Any]) -> dict[str, Any]:
    """Map the case system's record to the Profile JSON shape."""
    return {
        "id": record["ref"],
        "date_of_birth": record["dob"],
        "factors": {key: {"status": WORDS[v]} for key, v in record["flags"].items()},
        "events": [
            {"type": "suspension", "date": d, "source": "school"} for d in record["suspensions"]
        ],
        "agencies": record["agencies"],
    }


def main() -> int:
    screener = Screener()
    db_path = Path(tempfile.mkdtemp(prefix="efh-screen-example-")) / "screening.sqlite"
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE TABLE screening (id TEXT PRIMARY KEY, as_of TEXT, status TEXT, "
        "flag INTEGER, weights_sha256 TEXT, result_json TEXT)"
    )
    for record in CASE_SYSTEM_RECORDS:
        try:
            profile = parse_profile(to_profile_dict(record))
            result = screener.screen(profile, as_of=AS_OF)
        except ProfileError as exc:
            problems = [{"field": p.field, "reason": p.reason} for p in exc.problems]
            db.execute(
                "INSERT INTO screening VALUES (?, ?, 'rejected', NULL, ?, ?)",
                (record["ref"], AS_OF.isoformat(), screener.weights.sha256, json.dumps(problems)),
            )
            continue
        db.execute(
            "INSERT INTO screening VALUES (?, ?, 'screened', ?, ?, ?)",
            (
                result.id,
                AS_OF.isoformat(),
                int(result.flag),
                result.weights.sha256,
                result.model_dump_json(),
            ),
        )
    db.commit()

    print(f"Stored screening results in {db_path}")
    print("A flag is a prompt for an early-help review by a person, not a decision.\n")
    for rid, status, flag, payload in db.execute(
        "SELECT id, status, flag, result_json FROM screening ORDER BY id"
    ):
        data = json.loads(payload)
        if status == "rejected":
            reasons = "; ".join(f"{p['field']}: {p['reason']}" for p in data)
            print(f"{rid}: not screened — {reasons}")
        else:
            print(
                f"{rid}: score {data['score']} (range {data['score_range']['low']}-"
                f"{data['score_range']['high']}), {data['band_label']}, "
                f"{'flagged for review' if flag else 'not flagged'}"
            )
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
