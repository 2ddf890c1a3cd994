"""Synthetic disability and recording bias on status factors: each knob changes only what it should.

Two cohorts from the same seed that differ in one knob hold the same young people: the same
true lives and outcomes. Only the affected group's records of the affected factor may differ.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from efh_screen import Agency, Disability, Ethnicity, EventType, InputError
from efh_screen.synth import RecordingBias, SynthParameters, generate_truth, write_cohort

AS_OF = dt.date(2026, 9, 1)
DEVELOPMENTAL = ("adhd", "speech_language_needs", "learning_disability", "sen_support")
GANG_LABELS = RecordingBias(
    factor="gang_association", ethnicity=Ethnicity.BLACK, rate_ratio=2.0, agency=Agency.POLICE
)
NEEDS_RECORDED = tuple(
    RecordingBias(factor=key, disability=Disability.YES, rate_ratio=1.5) for key in DEVELOPMENTAL
)
WITH_DISABILITY = SynthParameters.early_help().replace(disability_prevalence=0.1)


def lines(parameters: SynthParameters, n: int = 6000, seed: int = 31) -> list[str]:
    buffer = io.StringIO()
    write_cohort(buffer, n, seed=seed, as_of=AS_OF, parameters=parameters)
    return buffer.getvalue().splitlines()


def profile(line: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(line)["profile"]
    return data


def status(data: dict[str, Any], key: str) -> str | None:
    account = data.get("factors", {}).get(key)
    return None if account is None else str(account["status"])


def test_disability_adds_the_audit_field_and_changes_nothing_else() -> None:
    before = lines(SynthParameters.early_help())
    after = lines(WITH_DISABILITY)
    assert before == [re.sub(r',"disability":"(yes|no)"', "", line) for line in after]
    disabled = [profile(line)["audit"]["disability"] == "yes" for line in after]
    assert 0.085 < np.mean(disabled) < 0.115  # apart from adversity: as in the general population


def test_disability_goes_with_developmental_needs_not_with_the_outcome() -> None:
    parameters = SynthParameters.general().replace(disability_prevalence=0.1)
    truth = generate_truth(60_000, seed=5, as_of=AS_OF, parameters=parameters)
    plain = generate_truth(60_000, seed=5, as_of=AS_OF)
    assert abs(truth.disability.mean() - 0.1) < 0.005
    for key in DEVELOPMENTAL:
        need = truth.factor(key)
        assert need[truth.disability].mean() > 2 * need[~truth.disability].mean(), key
    # Tied to need apart from adversity: much the same risk of the outcome, and the same ACEs.
    assert truth.risk[truth.disability].mean() < 1.15 * truth.risk[~truth.disability].mean()
    assert abs(truth.ace_count[truth.disability].mean() - truth.ace_count.mean()) < 0.05
    # The outcome model never reads disability: the same risks and outcomes as without it.
    assert np.array_equal(truth.risk, plain.risk)
    assert np.array_equal(truth.outcome, plain.outcome)
    assert not plain.disability.any()


def test_police_gang_labels_change_only_black_young_peoples_records() -> None:
    before = lines(SynthParameters.early_help())
    after = lines(SynthParameters.early_help().replace(recording_bias=(GANG_LABELS,)))
    added = 0
    for old, new in zip(before, after, strict=True):
        old_profile, new_profile = profile(old), profile(new)
        assert json.loads(old)["outcome"] == json.loads(new)["outcome"]
        if old == new:
            continue
        assert new_profile["audit"]["ethnicity"] == "black"
        label = new_profile["factors"].pop("gang_association")
        assert label["status"] == "present"
        assert label["source"] == "police"
        assert status(old_profile, "gang_association") == "absent"
        old_profile["factors"].pop("gang_association")
        assert old_profile == new_profile  # nothing else moved
        added += 1
    black = [line for line in before if profile(line)["audit"]["ethnicity"] == "black"]
    labelled = sum(status(profile(line), "gang_association") == "present" for line in black)
    # About as many again as truly have the label, where police information is present.
    assert 0.3 * labelled < added < 2.0 * labelled


def test_developmental_needs_recorded_more_for_disabled_young_people_only() -> None:
    before = lines(WITH_DISABILITY)
    after = lines(WITH_DISABILITY.replace(recording_bias=NEEDS_RECORDED))
    changed = 0
    for old, new in zip(before, after, strict=True):
        if old == new:
            continue
        old_profile, new_profile = profile(old), profile(new)
        assert new_profile["audit"]["disability"] == "yes"
        for key in DEVELOPMENTAL:
            if status(old_profile, key) != status(new_profile, key):
                assert (status(old_profile, key), status(new_profile, key)) == ("absent", "present")
                changed += 1
    assert changed > 50


def test_an_event_type_can_be_recorded_more_for_disabled_young_people() -> None:
    knob = RecordingBias(
        event_type=EventType.POLICE_CONTACT, disability=Disability.YES, rate_ratio=2
    )
    parameters = SynthParameters.general().replace(disability_prevalence=0.1)
    a = generate_truth(20_000, seed=13, as_of=AS_OF, parameters=parameters)
    b = generate_truth(
        20_000, seed=13, as_of=AS_OF, parameters=parameters.replace(recording_bias=(knob,))
    )
    assert np.array_equal(a.true_event_counts, b.true_event_counts)
    assert np.array_equal(
        a.listed_event_counts[~a.disability], b.listed_event_counts[~a.disability]
    )
    column = a.event_types.index("police_contact")
    ratio = (
        b.listed_event_counts[a.disability, column].sum()
        / a.listed_event_counts[a.disability, column].sum()
    )
    assert 1.6 < ratio < 2.4


def test_a_ratio_below_one_leaves_true_cases_unrecorded() -> None:
    fewer = RecordingBias(factor="sen_support", disability=Disability.NO, rate_ratio=0.5)
    before = lines(WITH_DISABILITY, n=3000)
    after = lines(WITH_DISABILITY.replace(recording_bias=(fewer,)), n=3000)
    moved = [
        (status(profile(old), "sen_support"), status(profile(new), "sen_support"))
        for old, new in zip(before, after, strict=True)
        if old != new
    ]
    assert moved
    assert set(moved) == {("present", "absent")}


def test_the_same_knobs_and_seed_give_the_same_bytes() -> None:
    parameters = WITH_DISABILITY.replace(recording_bias=(GANG_LABELS, *NEEDS_RECORDED))
    first = write_cohort(io.StringIO(), 5000, seed=9, as_of=AS_OF, parameters=parameters)
    second = write_cohort(io.StringIO(), 5000, seed=9, as_of=AS_OF, parameters=parameters)
    assert first.sha256 == second.sha256


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"recording_bias": [{"factor": "gang", "ethnicity": "black", "rate_ratio": 2}]},
            "recording_bias[0]",
            "not a contextual, developmental or protective status factor",
        ),
        (
            {
                "recording_bias": [
                    {"event_type": "police_contact", "factor": "gang_association", "rate_ratio": 2}
                ]
            },
            "recording_bias[0]",
            "exactly one of them",
        ),
        (
            {"recording_bias": [{"factor": "gang_association", "rate_ratio": 2}]},
            "recording_bias[0]",
            "name the group",
        ),
        (
            {
                "recording_bias": [
                    {"factor": "adhd", "ethnicity": "black", "rate_ratio": 2, "agency": "police"}
                ]
            },
            "recording_bias[0]",
            "does not hold adhd",
        ),
        (
            {"recording_bias": [{"factor": "adhd", "disability": "yes", "rate_ratio": 2}]},
            "recording_bias",
            "set disability_prevalence",
        ),
        (
            {"recording_bias": [{"factor": "sen_support", "ethnicity": "black", "rate_ratio": 7}]},
            "recording_bias",
            "lower the rate_ratio",
        ),
        ({"disability_prevalence": 1.0}, "disability_prevalence", "less than 1"),
    ],
)
def test_unusable_knobs_are_refused_naming_the_parameter(
    changes: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InputError) as info:
        SynthParameters.general().replace(**changes)
    assert info.value.fields == (field,)
    assert words in str(info.value)


def test_the_command_line_knobs_write_what_the_library_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from efh_screen.__main__ import main

    out = tmp_path / "cohort.jsonl"
    argv = [
        "synth", "--n", "300", "--seed", "4", "--as-of", "2026-09-01", "--out", str(out),
        "--population", "early-help", "--disability-prevalence", "0.1",
        "--recording-bias", "factor=gang_association,ethnicity=black,rate_ratio=2,agency=police",
        *("--recording-bias", "factor=adhd,disability=yes,rate_ratio=1.5"),
    ]  # fmt: skip
    assert main(argv) == 0
    parameters = WITH_DISABILITY.replace(
        recording_bias=(
            GANG_LABELS,
            RecordingBias(factor="adhd", disability=Disability.YES, rate_ratio=1.5),
        )
    )
    assert out.read_text(encoding="utf-8") == "\n".join(lines(parameters, n=300, seed=4)) + "\n"
    bad = [*argv[:-2], "--recording-bias", "factor=adhd,disability=yes,rate_ratio=50"]
    capsys.readouterr()
    out.unlink()
    assert main(bad) == 2
    assert "--recording-bias: for adhd: rate_ratio 50.0" in capsys.readouterr().err
    assert not out.exists()
