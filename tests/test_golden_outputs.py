"""Byte-identical command outputs, stored in ``tests/data/golden/``.

These pin what ``screen --sample``, ``screen`` on a mapped CSV export, ``explain`` (every
format) and ``validate`` write, so that a change meant to move code around cannot change what
a worker or a researcher reads. A deliberate change of output regenerates them with::

    EFH_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_outputs.py

and the diff of ``tests/data/golden/`` is then reviewed like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from efh_screen.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "golden"
EXAMPLES = ROOT / "examples" / "data"
AS_OF = "2026-09-01"
COHORT = ROOT / "src" / "efh_screen" / "data" / "sample_cohort.jsonl"


def _screen_sample(out: Path) -> list[str]:
    return [
        "screen", "--sample", "--as-of", AS_OF, "--limit", "0",
        "--out", str(out / "results.jsonl"), "--review", str(out / "review.csv"),
        "--html", str(out / "review.html"), "--errors", str(out / "rejected.jsonl"),
    ]  # fmt: skip


def _screen_sample_full(out: Path) -> list[str]:
    return ["screen", "--sample", "--as-of", AS_OF, "--full", "--out", str(out / "full.jsonl")]


def _screen_mapped_csv(out: Path) -> list[str]:
    return [
        "screen", str(EXAMPLES / "caseload_export.csv"),
        "--mapping", str(EXAMPLES / "mapping.json"), "--as-of", AS_OF, "--limit", "0",
        "--out", str(out / "results.jsonl"),
        "--review", str(out / "review.csv"), "--errors", str(out / "rejected.jsonl"),
    ]  # fmt: skip


def _explain(fmt: str) -> object:
    def argv(out: Path) -> list[str]:
        return ["explain", str(EXAMPLES / "case.json"), "--as-of", AS_OF, "--format", fmt]

    return argv


def _validate(out: Path) -> list[str]:
    return [
        "validate", str(COHORT), "--as-of", AS_OF, "--n-boot", "50", "--seed", "7",
        "--sensitivity", "--json", str(out / "report.json"), "--html", str(out / "report.html"),
    ]  # fmt: skip


CASES = {
    "screen_sample": _screen_sample,
    "screen_sample_full": _screen_sample_full,
    "screen_mapped_csv": _screen_mapped_csv,
    "explain_text": _explain("text"),
    "explain_markdown": _explain("markdown"),
    "explain_json": _explain("json"),
    "explain_html": _explain("html"),
    "validate_sample": _validate,
}


def _without_paths(text: str, out: Path) -> bytes:
    return text.replace(str(out), "OUT").replace(str(ROOT), "ROOT").encode()


def _run(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    out = tmp_path / "out"
    out.mkdir()
    code = main(CASES[name](out))  # type: ignore[operator]
    captured = capsys.readouterr()
    files = {
        "exit_code.txt": f"{code}\n".encode(),
        "stdout.txt": _without_paths(captured.out, out),
        "stderr.txt": _without_paths(captured.err, out),
    }
    for path in sorted(out.iterdir()):
        files[path.name] = path.read_bytes()
    return files


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_byte_identical_to_the_stored_copy(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    produced = _run(name, tmp_path, capsys)
    folder = GOLDEN / name
    if os.environ.get("EFH_UPDATE_GOLDEN") == "1":
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for file_name, content in produced.items():
            (folder / file_name).write_bytes(content)
    stored = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    assert sorted(produced) == sorted(stored)
    for file_name, content in produced.items():
        assert content == stored[file_name], f"{name}/{file_name} differs from the stored copy"
