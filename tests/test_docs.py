"""Run every ```python block in the documentation, so the docs cannot rot.

Each Markdown file's blocks run in order in one shared namespace (a later block
may use names from an earlier one), with the working directory set to a
temporary directory so that examples which write files leave nothing behind.
Shell commands belong in ```console blocks, which are not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# docs/validation.md has its own, stricter runner (no warnings allowed, outputs checked) in
# tests/test_validation_docs.py.
DOC_FILES = [
    *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "validation.md"),
    ROOT / "README.md",
]

# A fenced block opened by ```python (or ```py) at the start of a line, closed by ``` alone.
_PYTHON_BLOCK = re.compile(r"^```(?:python|py)[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """Return (line number of the opening fence, code) for each python block."""
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(1))
        for match in _PYTHON_BLOCK.finditer(text)
    ]


def test_block_extraction() -> None:
    text = "intro\n```python\nx = 1\n```\n```console\n$ ls\n```\n```python\ny = x + 1\n```\n"
    assert python_blocks(text) == [(2, "x = 1\n"), (8, "y = x + 1\n")]


@pytest.mark.parametrize(
    "path", [p for p in DOC_FILES if p.exists()], ids=lambda p: str(p.relative_to(ROOT))
)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip(f"{path.name} has no python blocks")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    for line, code in blocks:
        # Pad with blank lines so a traceback's line numbers are the Markdown file's own.
        padded = "\n" * line + code
        exec(compile(padded, str(path.relative_to(ROOT)), "exec"), namespace)
