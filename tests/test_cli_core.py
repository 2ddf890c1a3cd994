"""The factors, explain and schema commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from efh_screen import CIN_CODES, FACTORS, Profile, ScreeningResult
from efh_screen.__main__ import EXIT_UNUSABLE, main

DATA = Path(__file__).parent / "data"


def write_case(tmp_path: Path) -> Path:
    example = json.loads((DATA / "worked_examples.json").read_text())["examples"][0]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(example["profile"]))
    return path


def test_factors_json_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["factors", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [f["key"] for f in listed] == list(FACTORS)
    assert sum(f["is_ace"] for f in listed) == 10


def test_factors_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["factors"]) == 0
    out = capsys.readouterr().out
    assert "PROTECTIVE" in out and "child_criminal_exploitation" in out and "24A" in out


def test_factors_cin_lists_every_census_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["factors", "--cin"]) == 0
    out = capsys.readouterr().out
    assert "3A   Domestic abuse: the child is the subject -> domestic_abuse_of_child" in out
    assert "21   No factors identified -> recorded, not scored" in out
    assert main(["factors", "--cin", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [entry["code"] for entry in listed] == list(CIN_CODES)
    assert listed[0]["factors"] == ["substance_misuse"] and listed[0]["scored"] is True


def test_explain_prints_summary_and_card(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path)
    assert main(["explain", str(case), "--as-of", "2026-09-01"]) == 0
    out = capsys.readouterr().out
    assert "Score 23" in out and "| **Total** | **23** |" in out and "not a decision" in out


def test_explain_json_is_the_full_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path)
    assert main(["explain", str(case), "--as-of", "2026-09-01", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["score"] == 23
    assert result["weights"]["name"] == "efh-default"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["explain", "missing.json", "--as-of", "2026-09-01"], "cannot be read"),
        (["explain", "CASE", "--as-of", "1/9/2026"], "YYYY-MM-DD"),
        (["explain", "CASE", "--as-of", "2026-09-01", "--weights", "nope.json"], "cannot be read"),
        (["explain", "CASE", "--as-of", "2008-09-01"], "date_of_birth"),
    ],
)
def test_bad_invocations_exit_2_with_a_plain_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    case = write_case(tmp_path)
    args = [str(case) if a == "CASE" else a for a in args]
    code = main(args)
    err = capsys.readouterr().err
    assert code == EXIT_UNUSABLE
    assert needle in err
    assert "Traceback" not in err


def test_invalid_profile_is_explained_not_traced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "bad.json"
    case.write_text(
        json.dumps({"id": "SYN-1", "date_of_birth": "2010-01-01", "factors": {"x": {}}})
    )
    assert main(["explain", str(case), "--as-of", "2026-09-01"]) == EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert "factors.(key 1): is not a factor key" in err
    assert "x" not in err.replace("efh-screen", "").replace("explain", "")


def schemas() -> dict[str, dict[str, object]]:
    return {
        "profile.schema.json": Profile.model_json_schema(),
        "screening-result.schema.json": ScreeningResult.model_json_schema(),
    }


def test_schema_command_writes_both_schemas(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for name, schema in schemas().items():
        assert json.loads((tmp_path / name).read_text()) == schema


def test_schema_copies_in_docs_are_in_sync() -> None:
    docs = Path(__file__).parents[1] / "docs" / "schema"
    for name, schema in schemas().items():
        committed = json.loads((docs / name).read_text())
        assert committed == schema, (
            f"docs/schema/{name} is stale: run efh-screen schema --out docs/schema"
        )


def test_every_subcommand_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    from efh_screen.__main__ import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert "example" in out.lower() and "efh-screen" in out, name
