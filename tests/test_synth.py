"""Tests of the synthetic-cohort generator (efh_screen.synth).

Tolerances are those stated in docs/synthetic-data.md; the cohort sizes make
them several standard errors wide, so the checks are not flaky.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest

import efh_screen.synth as synth
from efh_screen import (
    FACTORS,
    Agency,
    Ethnicity,
    EventType,
    InputError,
    LabelledProfile,
    Profile,
    Screener,
    Status,
)
from efh_screen.synth import (
    CHUNK_SIZE,
    RecordingBias,
    SynthParameters,
    generate_cases,
    generate_cohort,
    generate_truth,
    write_cohort,
)

AS_OF = dt.date(2026, 9, 1)
ACE_KEYS = [k for k, f in FACTORS.items() if f.is_ace]
# The England national survey did not ask about neglect: compare like with like.
ENGLAND_KEYS = [k for k in ACE_KEYS if k not in ("emotional_neglect", "physical_neglect")]


def test_public_namespace() -> None:
    assert sorted(synth.__all__) == sorted(
        [
            "CHUNK_SIZE",
            "CohortSummary",
            "CohortTruth",
            "EventSpec",
            "GroundTruth",
            "LatentFactorSpec",
            "OutcomeModel",
            "Population",
            "RecordingBias",
            "SynthParameters",
            "SyntheticCase",
            "generate_cases",
            "generate_cohort",
            "generate_truth",
            "write_cohort",
        ]
    )


# --- prevalences ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def general_truth() -> synth.CohortTruth:
    return generate_truth(60_000, seed=2026, as_of=AS_OF, population="general")


@pytest.fixture(scope="module")
def early_help_truth() -> synth.CohortTruth:
    return generate_truth(60_000, seed=2026, as_of=AS_OF, population="early-help")


def test_ace_category_prevalences_match_targets(general_truth: synth.CohortTruth) -> None:
    targets = SynthParameters.general().ace_prevalence
    for key in ACE_KEYS:
        measured = general_truth.factor(key).mean()
        assert abs(measured - targets[key]) <= 0.01, key


def test_ace_counts_match_england_survey(general_truth: synth.CohortTruth) -> None:
    count = np.stack([general_truth.factor(k) for k in ENGLAND_KEYS], axis=1).sum(axis=1)
    assert abs((count >= 1).mean() - 0.471) <= 0.02
    assert abs((count >= 4).mean() - 0.083) <= 0.015


def test_early_help_population_has_far_more_aces(
    general_truth: synth.CohortTruth, early_help_truth: synth.CohortTruth
) -> None:
    count = early_help_truth.ace_count
    assert abs((count >= 1).mean() - 0.84) <= 0.03
    assert abs((count >= 4).mean() - 0.43) <= 0.03
    assert (count >= 4).mean() > 3 * (general_truth.ace_count >= 4).mean()


def test_outcome_base_rates(
    general_truth: synth.CohortTruth, early_help_truth: synth.CohortTruth
) -> None:
    general = general_truth.outcome.mean()
    early_help = early_help_truth.outcome.mean()
    assert 0.02 <= general <= 0.05
    assert 0.06 <= early_help <= 0.12
    # the drawn outcomes follow the known risks
    assert abs(general - general_truth.risk.mean()) <= 0.003


def test_status_factor_prevalences_match_targets(general_truth: synth.CohortTruth) -> None:
    for key, spec in SynthParameters.general().status_factors.items():
        measured = general_truth.factor(key).mean()
        assert abs(measured - spec.prevalence) <= max(0.01, 0.1 * spec.prevalence), key


def test_risk_factors_cluster_with_aces(general_truth: synth.CohortTruth) -> None:
    many = general_truth.ace_count >= 4
    for key in ("police_contact", "suspensions", "school_attendance", "adhd"):
        present = general_truth.factor(key)
        assert present[many].mean() > 1.5 * present[~many].mean(), key
    trusted = general_truth.factor("trusted_adult")
    assert trusted[many].mean() < trusted[~many].mean()


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    sa = write_cohort(a, 1500, seed=11, as_of=AS_OF, population="early-help")
    sb = write_cohort(b, 1500, seed=11, as_of=AS_OF, population="early-help")
    assert a.read_bytes() == b.read_bytes()
    assert sa.sha256 == sb.sha256
    assert sa.n_profiles == 1500
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed


def test_different_seed_differs() -> None:
    a, b = io.StringIO(), io.StringIO()
    write_cohort(a, 200, seed=1, as_of=AS_OF)
    write_cohort(b, 200, seed=2, as_of=AS_OF)
    assert a.getvalue() != b.getvalue()


def test_smaller_cohort_is_a_prefix_of_a_larger_one() -> None:
    small, large = io.StringIO(), io.StringIO()
    write_cohort(small, 10, seed=5, as_of=AS_OF)
    write_cohort(large, CHUNK_SIZE + 10, seed=5, as_of=AS_OF)
    assert large.getvalue().startswith(small.getvalue())
    assert large.getvalue().count("\n") == CHUNK_SIZE + 10


def test_generate_cohort_matches_written_lines() -> None:
    buffer = io.StringIO()
    write_cohort(buffer, 50, seed=3, as_of=AS_OF)
    lines = buffer.getvalue().splitlines()
    cohort = list(generate_cohort(50, seed=3, as_of=AS_OF))
    assert [c.model_dump_json(exclude_defaults=True) for c in cohort] == lines


def test_truth_rows_line_up_with_profiles() -> None:
    cases = list(generate_cases(300, seed=9, as_of=AS_OF, population="early-help"))
    truth = generate_truth(300, seed=9, as_of=AS_OF, population="early-help")
    assert [c.labelled.outcome for c in cases] == truth.outcome.tolist()
    assert [c.truth.risk for c in cases] == truth.risk.tolist()
    assert [c.truth.ace_count for c in cases] == truth.ace_count.tolist()
    ethnicity = [c.labelled.profile.audit.ethnicity.value for c in cases]  # type: ignore[union-attr]
    assert ethnicity == truth.ethnicity.tolist()


# --- validity ------------------------------------------------------------------------------


@pytest.mark.parametrize("population", ["general", "early-help"])
def test_every_line_is_a_valid_canonical_labelled_profile(population: synth.Population) -> None:
    buffer = io.StringIO()
    summary = write_cohort(buffer, 3000, seed=21, as_of=AS_OF, population=population)
    lines = buffer.getvalue().splitlines()
    assert len(lines) == summary.n_profiles == 3000
    outcomes = 0
    for number, line in enumerate(lines, start=1):
        labelled = LabelledProfile.model_validate_json(line)
        assert labelled.model_dump_json(exclude_defaults=True) == line
        profile = labelled.profile
        assert profile.id == f"SYN-{number:07d}"
        Screener().check(profile, as_of=AS_OF)  # raises if impossible as of the date
        born = profile.date_of_birth
        age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
        assert 10 <= age <= 17
        assert all(e.date >= profile.date_of_birth for e in profile.events)
        assert list(profile.events) == sorted(profile.events, key=lambda e: e.date)
        for observation in [account for listed in profile.factors.values() for account in listed]:
            if observation.source is not None:
                assert observation.source in profile.agencies
        outcomes += labelled.outcome
    assert outcomes == summary.n_outcomes


def test_bare_profiles() -> None:
    buffer = io.StringIO()
    write_cohort(buffer, 20, seed=4, as_of=AS_OF, labelled=False)
    for line in buffer.getvalue().splitlines():
        assert "outcome" not in json.loads(line)
        Profile.model_validate_json(line)


# --- knobs ---------------------------------------------------------------------------------


def test_missing_agency_is_recorded_unknown_never_absent() -> None:
    missing = dict(SynthParameters.general().agency_missing)
    missing[Agency.POLICE] = 1.0
    missing[Agency.YOUTH_JUSTICE] = 1.0
    params = SynthParameters.general().replace(agency_missing=missing)
    cases = list(generate_cases(2000, seed=8, as_of=AS_OF, parameters=params))
    truly_present = sum(c.truth.factors["police_contact"] for c in cases)
    assert truly_present > 50  # there was something to miss
    explicit_unknown = 0
    for case in cases:
        profile = case.labelled.profile
        assert Agency.POLICE not in profile.agencies
        assert all(e.type is not EventType.POLICE_CONTACT for e in profile.events)
        assert all(e.source is not Agency.POLICE for e in profile.events)
        observation = (profile.factors.get("police_contact") or (None,))[0]
        if observation is not None:
            assert observation.status is Status.UNKNOWN
            explicit_unknown += 1
    assert 0 < explicit_unknown < len(cases)


def test_known_zero_events_are_recorded_absent() -> None:
    seen_absent = False
    for labelled in generate_cohort(200, seed=6, as_of=AS_OF):
        profile = labelled.profile
        for key in ("suspensions", "police_contact"):
            observation = (profile.factors.get(key) or (None,))[0]
            event_type = FACTORS[key].event_type
            listed = any(e.type is event_type for e in profile.events)
            if observation is not None and observation.status is Status.ABSENT:
                seen_absent = True
                assert not listed
    assert seen_absent


def test_recording_bias_changes_only_the_chosen_group() -> None:
    bias = RecordingBias(
        event_type=EventType.POLICE_CONTACT, ethnicity=Ethnicity.BLACK, rate_ratio=2.5
    )
    base = SynthParameters.general()
    biased = base.replace(recording_bias=(bias,))
    a = generate_truth(40_000, seed=13, as_of=AS_OF, parameters=base)
    b = generate_truth(40_000, seed=13, as_of=AS_OF, parameters=biased)
    column = a.event_types.index("police_contact")
    group = a.ethnicity == "black"
    # the same underlying behaviour and outcomes
    assert np.array_equal(a.true_event_counts, b.true_event_counts)
    assert np.array_equal(a.outcome, b.outcome)
    # other groups' records are untouched; the chosen group's police contacts rise ~2.5x
    assert np.array_equal(a.listed_event_counts[~group], b.listed_event_counts[~group])
    other_columns = [i for i in range(len(a.event_types)) if i != column]
    assert np.array_equal(
        a.listed_event_counts[:, other_columns], b.listed_event_counts[:, other_columns]
    )
    ratio = b.listed_event_counts[group, column].sum() / a.listed_event_counts[group, column].sum()
    assert 2.2 <= ratio <= 2.8


def test_base_rate_shift_changes_only_the_chosen_group() -> None:
    base = SynthParameters.general()
    shifted = base.replace(outcome_log_odds_shift={Ethnicity.ASIAN: 1.0})
    a = generate_truth(20_000, seed=17, as_of=AS_OF, parameters=base)
    b = generate_truth(20_000, seed=17, as_of=AS_OF, parameters=shifted)
    group = a.ethnicity == "asian"
    assert np.array_equal(a.risk[~group], b.risk[~group])
    assert b.risk[group].mean() > 2 * a.risk[group].mean()
    assert np.array_equal(a.factors, b.factors)


def test_demographics_do_not_change_risk_without_knobs(general_truth: synth.CohortTruth) -> None:
    overall = general_truth.ace_count.mean()
    for group in ("white", "asian", "black", "mixed"):
        rows = general_truth.ethnicity == group
        assert abs(general_truth.ace_count[rows].mean() - overall) < 0.12, group


# --- errors --------------------------------------------------------------------------------


def test_bad_arguments_raise_input_errors_naming_the_field() -> None:
    with pytest.raises(InputError) as info:
        list(generate_cohort(-1, seed=-3, as_of=AS_OF))
    assert info.value.fields == ("n", "seed")
    with pytest.raises(InputError) as info:
        SynthParameters.general().replace(no_such_knob=1)
    assert info.value.fields == ("no_such_knob",)
    with pytest.raises(InputError) as info:
        SynthParameters.for_population("somewhere")  # type: ignore[arg-type]
    assert info.value.fields == ("population",)


def test_impossible_recording_bias_is_refused_with_a_fix() -> None:
    bias = RecordingBias(
        event_type=EventType.POLICE_CONTACT, ethnicity=Ethnicity.BLACK, rate_ratio=20.0
    )
    with pytest.raises(InputError, match="lower the rate_ratio"):
        SynthParameters.general().replace(recording_bias=(bias,))


def test_failed_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with pytest.raises(InputError):
        write_cohort(target, 10, seed=-1, as_of=AS_OF)
    assert list(tmp_path.iterdir()) == []


# --- bundled samples and the command line --------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_samples_regenerate_byte_identically(tmp_path: Path) -> None:
    import runpy

    script = runpy.run_path(str(ROOT / "scripts" / "make_sample_data.py"))
    script["make_sample_data"](tmp_path)
    for name in script["SAMPLES"]:
        bundled = ROOT / "src" / "efh_screen" / "data" / name
        assert (tmp_path / name).read_bytes() == bundled.read_bytes(), name
        assert bundled.stat().st_size < 2_000_000, name


def test_bundled_caseload_is_bare_synthetic_profiles() -> None:
    path = ROOT / "src" / "efh_screen" / "data" / "sample_caseload.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200
    for line in lines:
        profile = Profile.model_validate_json(line)
        assert profile.id.startswith("SYN-")
        Screener().check(profile, as_of=AS_OF)  # raises if impossible as of the date


def test_cli_writes_the_same_bytes_as_the_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from efh_screen.__main__ import main

    out = tmp_path / "cohort.jsonl"
    argv = ["synth", "--n", "120", "--seed", "4", "--as-of", "2026-09-01", "--out", str(out)]
    assert main([*argv, "--population", "early-help"]) == 0
    err = capsys.readouterr().err
    assert "wrote 120 synthetic labelled profiles" in err
    assert err.count("\n") == 1
    buffer = io.StringIO()
    write_cohort(buffer, 120, seed=4, as_of=AS_OF, population="early-help")
    assert out.read_text(encoding="utf-8") == buffer.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["synth", "--n", "5", "--seed", "1", "--as-of", "01/09/2026", "--out", "x.jsonl"],
        ["synth", "--n", "-5", "--seed", "1", "--as-of", "2026-09-01", "--out", "x.jsonl"],
        ["synth", "--n", "5", "--seed", "1", "--as-of", "2026-09-01"],
        ["synth", "--n", "5", "--seed", "1", "--as-of", "2026-09-01", "--out", "no/such/x.jsonl"],
    ],
)
def test_cli_unusable_invocations_exit_2(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from efh_screen.__main__ import main

    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors exit directly
        code = int(exc.code or 0)
    assert code == 2
    assert list(tmp_path.iterdir()) == []
