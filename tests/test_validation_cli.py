"""The validate and fit subcommands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from efh_screen import Screener, Weights
from efh_screen.__main__ import main
from efh_screen.synth import generate_cohort

AS_OF = dt.date(2026, 9, 1)


@pytest.fixture(scope="module")
def cohort_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cohort") / "cohort.jsonl"
    items = generate_cohort(1200, seed=8, as_of=AS_OF, population="early-help")
    path.write_text("".join(item.model_dump_json() + "\n" for item in items))
    return path


@pytest.mark.parametrize("command", ["validate", "fit"])
def test_help_has_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text
    assert f"efh-screen {command} " in text


def test_validate_cohort_writes_json_and_html(
    cohort_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    page = tmp_path / "report.html"
    code = main(
        [
            "validate",
            str(cohort_file),
            "--as-of",
            "2026-09-01",
            "--group",
            "ethnicity",
            "--reference",
            "ethnicity=white",
            "--n-boot",
            "100",
            "--sensitivity",
            "--json",
            str(report),
            "--html",
            str(page),
        ]
    )
    assert code == 0
    out = capsys.readouterr()
    assert "AUROC" in out.out
    assert "reference white" in out.out
    data = json.loads(report.read_text())
    assert data["context"]["as_of"] == "2026-09-01"
    assert data["context"]["weights"]["sha256"] == Weights.default().sha256
    assert data["threshold"] == next(b.min_score for b in Weights.default().bands if b.flag)
    assert list(data["fairness"]) == ["ethnicity"]
    assert data["fairness"]["ethnicity"]["reference"] == "white"
    assert data["context"]["sensitivity"]["rows"]
    assert page.read_text().startswith("<!DOCTYPE html>")


def test_validate_scores_from_any_tool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    n = 600
    y = rng.integers(0, 2, n)
    score = rng.normal(size=n) + y
    group = rng.choice(["a", "b"], n)
    path = tmp_path / "scores.csv"
    rows = ["score,outcome,group"] + [
        f"{s:.6f},{o},{g}" for s, o, g in zip(score, y, group, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")
    report = tmp_path / "r.json"
    code = main(["validate", "--scores", str(path), "--n-boot", "50", "--json", str(report)])
    assert code == 0
    data = json.loads(report.read_text())
    assert data["threshold_source"] == "review_capacity"
    assert list(data["fairness"]) == ["group"]
    assert data["context"] == {"source": {"scores_file": "scores.csv"}}


def test_validate_checks_probabilities_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    probability = rng.beta(1, 6, 800)
    y = (rng.random(800) < probability).astype(int)
    path = tmp_path / "probabilities.csv"
    rows = ["score,outcome"] + [f"{p:.6f},{o}" for p, o in zip(probability, y, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    report = tmp_path / "r.json"
    arguments = ["validate", "--scores", str(path), "--probabilities", "--threshold", "0.2"]
    code = main([*arguments, "--stratify", "--n-boot", "50", "--json", str(report)])
    assert code == 0
    data = json.loads(report.read_text())
    assert data["calibration"]["method"] == "given"
    assert data["settings"]["stratify"] is True
    assert set(data["calibration"]["figures"]) == {"intercept", "slope", "in_the_large"}
    path.write_text("score,outcome\n0.2,0\n1.4,1\n0.5,1\n")
    assert main(["validate", "--scores", str(path), "--probabilities", "--threshold", "0.3"]) == 2
    assert "found 1 outside" in capsys.readouterr().err


def test_validate_rejects_bad_scores_with_row_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("score,outcome\n1,0\nx,1\n2,7\n")
    assert main(["validate", "--scores", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 3: score: must be a number" in err
    assert "row 4: outcome: must be 0 or 1" in err


def test_validate_needs_as_of_with_a_cohort(
    cohort_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(cohort_file)]) == 2
    assert "--as-of: is required" in capsys.readouterr().err


def test_fit_writes_weights_the_screener_uses(
    cohort_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fitted.json"
    report = tmp_path / "fit.json"
    code = main(
        [
            "fit",
            str(cohort_file),
            "--as-of",
            "2026-09-01",
            "--out",
            str(out),
            "--max-points",
            "4",
            "--max-indicators",
            "10",
            "--folds",
            "3",
            "--fitted-on",
            "2026-11-26",
            "--json",
            str(report),
        ]
    )
    assert code == 0
    weights = Weights.load(out)
    assert weights.status == "fitted"
    assert (weights.provenance or {})["fitted_on"] == "2026-11-26"
    assert Screener(weights).weights.sha256 == weights.sha256
    printed = capsys.readouterr().out
    assert "cross-validated AUROC" in printed
    assert json.loads(report.read_text())["weights"]["sha256"] == weights.sha256
    # The fitted file validates through the same command.
    assert (
        main(
            [
                "validate",
                str(cohort_file),
                "--as-of",
                "2026-09-01",
                "--weights",
                str(out),
                "--n-boot",
                "0",
            ]
        )
        == 0
    )


def test_fit_is_byte_identical_on_rerun_without_reading_the_clock(
    cohort_file: Path, tmp_path: Path
) -> None:
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        args = ["fit", str(cohort_file), "--as-of", "2026-09-01", "--out", str(out)]
        assert main([*args, "--max-indicators", "8", "--folds", "3"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert '"fitted_on": "2026-09-01"' in outs[0].read_text()
