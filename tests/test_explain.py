"""Summaries and points cards say what the points are and that a flag is not a decision."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from efh_screen import (
    Profile,
    Screener,
    ScreeningResult,
    explanation_html,
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
    assert "Score 23: priority review." in text
    assert "could be as high as 57 if everything not known turned out to be present" in text
    assert "as low as 21 if the protective factors not known turned out to be present" in text
    assert "21 to 57" not in text
    assert "priority review" in text
    assert "Four or more ACEs (+3)" in text
    assert "Engaged family network (−2)" in text
    assert "not a decision" in text
    assert "The flag cannot change whatever the missing information turns out to be." in text
    assert "listed by the agency that can fill each gap" in text
    assert "Police could say: Victim of violence; Weapon-related incident" in text


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


ROOT = Path(__file__).resolve().parent.parent


def history_awaited_case() -> ScreeningResult:
    """Priority by an override, with a home-move history awaited from a previous area."""
    return Screener().screen(
        parse_profile(
            {
                "id": "SYN-W1",
                "date_of_birth": "2011-01-01",
                "factors": {
                    "child_criminal_exploitation": {"status": "present", "source": "police"},
                    "home_moves": {
                        "status": "unknown",
                        "source": "housing",
                        "reason": "history_awaited",
                    },
                    "gang_association": [
                        {"status": "absent", "source": "school", "note": "no record"},
                        {"status": "present", "source": "police", "note": "seen with a group"},
                    ],
                },
            }
        ),
        as_of=AS_OF,
    )


def not_flagged_case() -> ScreeningResult:
    return Screener().screen(
        parse_profile(
            {
                "id": "SYN-W2",
                "date_of_birth": "2011-01-01",
                "factors": {
                    "adhd": {"status": "present"},
                    "domestic_abuse": {"status": "present"},
                },
            }
        ),
        as_of=AS_OF,
    )


def test_top_band_case_says_the_flag_cannot_change_and_lists_gaps_by_agency() -> None:
    result = history_awaited_case()
    assert result.flag and not result.flag_could_change
    card = points_card(result)
    assert card.missing_by_agency
    assert all(" could say: " in line for line in card.missing)
    housing = [line for line in card.missing if line.startswith("Housing could say:")]
    assert housing == [
        "Housing could say: Frequent home moves (Housing: history awaited from a previous area)."
    ]
    # Neutral words: no points and no ranking by points when nothing can change the flag.
    assert not any("could add up to" in line for line in card.missing)
    text = summary_text(result)
    assert "The flag cannot change whatever the missing information turns out to be." in text
    assert "Agencies that could fill the gaps" not in text


def test_gaps_are_ranked_by_what_could_change_the_flag_in_neutral_words() -> None:
    result = not_flagged_case()
    assert not result.flag and result.flag_could_change
    card = points_card(result)
    assert not card.missing_by_agency
    first = card.missing[0]
    assert first.endswith(".") and ": not known — knowing it could add up to " in first
    assert "; it could change the flag. Ask: " in first
    assert "could be flagged" not in summary_text(result)
    assert "Not known (what could change the flag first)" in points_card_markdown(result)
    rest = result.missing_information[5:]
    flips = sum(item.could_change_flag for item in rest)
    assert card.missing[-1] == f"…and {len(rest)} more item(s) not known; " + (
        f"{flips} of them could change the flag." if flips else "none alone could change the flag."
    )


def test_range_is_in_words_or_absent_in_worker_views() -> None:
    for result in (audit_pattern(), history_awaited_case(), not_flagged_case()):
        low, high = result.score_range.low, result.score_range.high
        for text in (summary_text(result), points_card_markdown(result)):
            assert f"{low} to {high}" not in text
            assert "Range the unknowns allow" not in text
        assert f"as high as {high} if everything not known" in summary_text(result)


def test_explanation_page_is_complete_printable_and_self_contained() -> None:
    page = explanation_html(history_awaited_case())
    assert page.startswith("<!DOCTYPE html>\n<html lang='en'>")
    assert page.rstrip().endswith("</html>")
    for heading in (
        "Summary",
        "Points card",
        "Agencies&#x27; accounts and conflicts",
        "Missing information, by agency",
    ):
        assert f">{heading}</h2>" in page
    assert "@media print" in page and "@page{size:A4" in page
    assert "<script" not in page and "http" not in page and "src=" not in page
    assert page.count("not a decision about a child") == 2  # header and footer
    assert "\u25cf Flagged: priority review" in page  # a shape and words, not colour alone
    assert "(agencies disagree)" in page and "seen with a group" in page
    assert "history awaited from a previous area" in page
    assert "<th scope='row'>Housing</th>" in page


def test_explanation_page_escapes_what_agencies_wrote() -> None:
    profile = Profile.model_validate(
        {
            "id": "SYN-H2",
            "date_of_birth": "2011-01-01",
            "factors": {"adhd": {"status": "present", "note": "<script>alert(1)</script>"}},
        }
    )
    page = explanation_html(Screener().screen(profile, as_of=AS_OF))
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_pages_fit_desktop_and_a4_widths_in_headless_chromium(tmp_path: Path) -> None:
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed")
    from efh_screen.__main__ import main

    explain = tmp_path / "explain.html"
    explain.write_text(explanation_html(history_awaited_case()), encoding="utf-8")
    review = tmp_path / "review.html"
    code = main(["screen", "--sample", "--as-of", "2026-09-01", "--quiet", "--html", str(review)])
    assert code == 0
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_page_fit.py"), str(explain), str(review)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


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


def test_codes_recorded_not_scored_are_listed_by_code_and_census_label_only() -> None:
    profile = parse_profile(
        {"id": "YP-7", "date_of_birth": "2011-01-01", "cin_codes_not_scored": ["7A", "21"]}
    )
    result = Screener().screen(profile, as_of=AS_OF)
    line = (
        "Children in Need census codes recorded, not scored: 7A (young carer); "
        "21 (no factors identified)."
    )
    assert line in summary_text(result)
    assert line in points_card(result).accounts
    assert line in points_card_markdown(result)
    assert line in explanation_html(result)
    plain = Screener().screen(
        parse_profile({"id": "YP-7", "date_of_birth": "2011-01-01"}), as_of=AS_OF
    )
    assert "recorded, not scored" not in summary_text(plain)


def worked(name: str) -> ScreeningResult:
    (ex,) = [example for example in EXAMPLES if example["name"] == name]
    return Screener().screen(parse_profile(ex["profile"]), as_of=dt.date.fromisoformat(ex["as_of"]))


def test_developmental_needs_are_said_to_be_needs_the_plan_must_support() -> None:
    result = worked("developmental needs only")
    text = summary_text(result)
    assert "Reasons: Persistent absence (10%+ sessions missed) (+2)." in text
    assert "Developmental needs recorded: ADHD (+1);" in text
    assert "needs the plan must support, not risks in themselves" in text
    assert "Together they add at most 2 points." in text
    assert "Protective factors recognised" not in text  # the needs cap is not a strength
    card = points_card(result)
    assert card.needs_text and sum(row.points for row in card.rows) == card.total == 4
    assert "needs the plan must support" in points_card_markdown(result)
    assert "<p class='needs'>" in points_card_html(result)
    assert "needs the plan must support" in explanation_html(result)


def test_not_enough_known_says_so_and_whom_to_ask() -> None:
    result = worked("almost nothing known")
    text = summary_text(result)
    assert "Score 0: not enough known to screen. Not flagged." in text
    assert "Only 8% of what the screen weighs is known (it needs 50% before" in text
    assert "not a reassurance. Ask: Police, Children's social care, School, GP." in text
    assert "no concern indicated" not in text
    assert points_card(result).coverage_text in points_card_markdown(result)
    page = explanation_html(result)
    assert "class='band not-enough-known'>? Not flagged: not enough known to screen<" in page
    flagged = summary_text(worked("override: known criminal exploitation concern"))
    assert "the flag stands on what is known" in flagged
