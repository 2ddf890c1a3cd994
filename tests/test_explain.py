"""Summaries and points cards say what the points are and that a flag is not a decision."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from efh_screen import (
    Profile,
    Screener,
    ScreeningResult,
    parse_profile,
    points_card,
    points_card_html,
    points_card_markdown,
    summary_text,
)
from strategies import AS_OF, profiles

EXAMPLES = json.loads((Path(__file__).parent / "data" / "worked_examples.json").read_text())[
    "examples"
]


def audit_pattern() -> ScreeningResult:
    ex = EXAMPLES[0]
    return Screener().screen(parse_profile(ex["profile"]), as_of=dt.date.fromisoformat(ex["as_of"]))


def test_summary_states_score_band_reasons_and_notice() -> None:
    text = summary_text(audit_pattern())
    assert "Score 23 (could be 21 to 46" in text
    assert "priority review" in text
    assert "Four or more ACEs (+3)" in text
    assert "Engaged family network (−2)" in text
    assert "not a decision" in text
    assert "Ask:" in text


def test_markdown_card_rows_sum_to_total() -> None:
    result = audit_pattern()
    md = points_card_markdown(result)
    points = [int(m.replace("−", "-")) for m in re.findall(r"^\| [^|]+ \| ([+−]?\d+) \|", md, re.M)]
    assert sum(points) == result.score == 23
    assert "| **Total** | **23** |" in md
    assert "| 12+ | priority review |" in md
    assert "not a decision" in md


def test_html_card_is_escaped_and_self_contained() -> None:
    profile = Profile.model_validate(
        {
            "id": "SYN-H1",
            "date_of_birth": "2011-01-01",
            "factors": {"adhd": {"status": "present", "note": "<script>alert(1)</script>"}},
        }
    )
    html = points_card_html(Screener().screen(profile, as_of=AS_OF))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "http" not in html
    assert "not a decision" in html


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(profiles())
def test_card_rows_always_sum_to_the_total(profile: Profile) -> None:
    result = Screener().screen(profile, as_of=AS_OF)
    card = points_card(result)
    assert sum(r.points for r in card.rows) == card.total == result.score
    assert card.score_low <= card.total <= card.score_high


def test_the_markdown_card_escapes_html_from_notes() -> None:
    profile = parse_profile(
        {
            "id": "A1",
            "date_of_birth": "2012-01-01",
            "factors": {"adhd": {"status": "present", "note": "<img src=x onerror=alert(1)>"}},
        }
    )
    card = points_card_markdown(Screener().screen(profile, as_of=AS_OF))
    assert "<img" not in card and "&lt;img" in card
