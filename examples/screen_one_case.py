"""Screen one young person's profile from a JSON file and explain the result.

For early-help workers: run from the repository root with

    python examples/screen_one_case.py

It reads ``examples/data/case.json`` (synthetic), screens it as of 1 September
2026 and prints a plain-English summary and the points card. A flag is a prompt
for an early-help review by a person, never a decision.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from efh_screen import ProfileError, Screener, parse_profile, points_card_markdown, summary_text

CASE = Path(__file__).parent / "data" / "case.json"
AS_OF = dt.date(2026, 9, 1)


def main() -> int:
    try:
        profile = parse_profile(CASE.read_bytes())
        result = Screener().screen(profile, as_of=AS_OF)
    except ProfileError as exc:
        # Every problem names the field and says how to fix it.
        print(exc)
        return 1
    print(summary_text(result))
    print()
    print(points_card_markdown(result))
    total = sum(c.points for c in result.contributions)
    print(f"\nContributions add up to the score: {total} == {result.score}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
