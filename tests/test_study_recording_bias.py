"""The recording-bias study: its tables equal a direct computation, and its page is current.

``scripts/study_recording_bias.py`` writes ``docs/study-recording-bias.md``. Here it runs on
small cohorts, and every figure it tabulates is recomputed from the Screener's own flags.
"""

from __future__ import annotations

import hashlib
import runpy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from efh_screen import Audit, Screener, Weights
from efh_screen.synth import generate_cohort

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = runpy.run_path(str(ROOT / "scripts" / "study_recording_bias.py"))
PAGE = ROOT / "docs" / "study-recording-bias.md"
BEFORE = ROOT / "docs" / "studies" / "efh-default-1.1.0.json"
RERUN = f"the study page is out of date: run `{SCRIPT['COMMAND']}`"


@pytest.fixture(scope="module")
def study() -> Any:
    settings = SCRIPT["StudySettings"](n=1000, n_boot=40)
    return SCRIPT["run_study"](settings, before=Weights.load(BEFORE), after=Weights.default())


@pytest.fixture(scope="module")
def direct(study: Any) -> dict[str, Any]:
    """Flags, outcomes and groups computed here, without the script."""
    settings = study.settings
    flags = {}
    for cohort in SCRIPT["COHORTS"]:
        parameters = settings.parameters(knobs=cohort == "on")
        items = list(
            generate_cohort(
                settings.n, seed=settings.seed, as_of=SCRIPT["AS_OF"], parameters=parameters
            )
        )
        profiles = [item.profile for item in items]
        for screen, weights in study.weights.items():
            batch = Screener(weights).screen_many(profiles, as_of=SCRIPT["AS_OF"])
            flags[cohort, screen] = np.asarray(batch.flag, dtype=bool)
    audits = [item.profile.audit for item in items]
    return {
        "flags": flags,
        "outcomes": np.array([item.outcome for item in items]),
        "ethnicity": np.array([audit_word(audit, "ethnicity") for audit in audits]),
        "disability": np.array([audit_word(audit, "disability") for audit in audits]),
    }


def value(cell: str) -> str:
    """The figure in a table cell, without its interval."""
    return cell.split(" (")[0]


def percent(rate: float) -> str:
    return f"{rate:.1%}"


def points(difference: float) -> str:
    text = f"{100 * difference:+.1f}"
    return ("0.0" if text in ("+0.0", "-0.0") else text) + " pp"


def test_flags_are_the_screeners_own(study: Any, direct: dict[str, Any]) -> None:
    for key, screening in study.screenings.items():
        assert np.array_equal(screening.flags, direct["flags"][key]), key
    assert np.array_equal(study.outcomes, direct["outcomes"])
    assert np.array_equal(study.groups["disability"], direct["disability"])


@pytest.mark.parametrize("attribute", ["ethnicity", "disability"])
def test_flag_rates_and_rates_at_equal_outcomes_by_group(
    study: Any, direct: dict[str, Any], attribute: str
) -> None:
    labels = SCRIPT["ETHNIC_GROUPS"] if attribute == "ethnicity" else SCRIPT["DISABILITY_GROUPS"]
    rows = SCRIPT["rates_by_group"](study, attribute, labels)
    outcomes = direct["outcomes"]
    for row, label in zip(rows, labels, strict=True):
        group = direct[attribute] == label
        assert row[1] == f"{int(group.sum()):,}"
        assert value(row[2]) == percent(outcomes[group].mean())
        for cell, key in zip(row[3:], SCRIPT["COLUMN_TITLES"], strict=True):
            assert value(cell) == percent(direct["flags"][key][group].mean()), (label, key)
    rows = SCRIPT["rates_at_equal_outcomes"](study, attribute, labels)
    expected_rows = [(outcome, label) for outcome in (1, 0) for label in labels]
    for row, (outcome, label) in zip(rows, expected_rows, strict=True):
        within = (direct[attribute] == label) & (outcomes == outcome)
        for cell, key in zip(row[1:], SCRIPT["COLUMN_TITLES"], strict=True):
            assert value(cell) == percent(direct["flags"][key][within].mean()), (row[0], key)


@pytest.mark.parametrize("pair", [("ethnicity", "black", "white"), ("disability", "yes", "no")])
def test_gaps_between_groups(
    study: Any, direct: dict[str, Any], pair: tuple[str, str, str]
) -> None:
    attribute, first, second = pair
    outcomes = direct["outcomes"]
    rows = SCRIPT["gap_rows"](study, pair)
    for row, outcome in zip(rows, (None, 1, 0), strict=True):
        kept = np.ones(len(outcomes), bool) if outcome is None else outcomes == outcome
        for cell, key in zip(row[1:], SCRIPT["COLUMN_TITLES"], strict=True):
            flags = direct["flags"][key]
            gap = (
                flags[kept & (direct[attribute] == first)].mean()
                - flags[kept & (direct[attribute] == second)].mean()
            )
            assert value(cell) == points(gap), (row[0], key)


def test_how_far_the_knobs_move_flags(study: Any, direct: dict[str, Any]) -> None:
    rows = SCRIPT["moved_rows"](study, SCRIPT["paired_rates"](study))
    groups = [("ethnicity", label) for label in SCRIPT["ETHNIC_GROUPS"]]
    groups += [("disability", label) for label in SCRIPT["DISABILITY_GROUPS"]]
    for row, (attribute, label) in zip(rows, groups, strict=True):
        group = direct[attribute] == label
        for index, screen in enumerate(SCRIPT["SCREENS"]):
            on, off = direct["flags"]["on", screen], direct["flags"]["off", screen]
            change, counts = row[1 + 2 * index], row[2 + 2 * index]
            assert value(change) == points(on[group].mean() - off[group].mean())
            added = group & on & ~off
            with_outcome = int((added & (direct["outcomes"] == 1)).sum())
            removed = int((group & off & ~on).sum())
            assert counts == f"{int(added.sum()):,} ({with_outcome:,}) / {removed:,}"


def test_paired_intervals_hold_their_figure(study: Any) -> None:
    rates = SCRIPT["paired_rates"](study)
    for pair in SCRIPT["GAPS"]:
        for screen in SCRIPT["SCREENS"]:
            moved = SCRIPT["gap_moved_by_knobs"](rates, screen, pair)
            assert moved.low <= moved.value <= moved.high


def audit_word(audit: Audit | None, field: str) -> str:
    """The word a synthetic young person's audit records (synthetic cohorts always record it)."""
    assert audit is not None
    value = getattr(audit, field)
    assert value is not None
    return str(value.value)


def test_the_command_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    pages = []
    out = tmp_path / "study.md"
    for _ in range(2):
        assert SCRIPT["main"](["--n", "300", "--n-boot", "20", "--out", str(out)]) == 0
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    assert "--n 300 --n-boot 20 --out" in pages[0].decode()


def test_the_saved_old_default_keeps_its_meaning() -> None:
    # The file's own bytes are pinned. Its canonical hash (Weights.sha256) covers the
    # defaults of fields added since, so it moves when a field is added; those defaults
    # reproduce the old behaviour, which the scoring tests check.
    assert hashlib.sha256(BEFORE.read_bytes()).hexdigest() == (
        "da32427e058561a5bc1054499315628af556fb47d4b7c71f45d26c1ea91b5730"
    )
    old = Weights.load(BEFORE)
    assert (old.name, old.version) == ("efh-default", "1.1.0")


def test_the_page_was_written_by_the_script_with_todays_weightings() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert f"This page is written by `{SCRIPT['COMMAND']}` and must not" in page, RERUN
    stamp = SCRIPT["stamp"]
    assert f"| before | {stamp(Weights.load(BEFORE))}, " in page, RERUN
    assert f"| after | {stamp(Weights.default())}, the embedded default |" in page, RERUN
    settings = SCRIPT["StudySettings"]()
    assert f"| cohorts | {settings.n:,} young people each, seed {settings.seed}," in page, RERUN
