"""Generated documentation must match the code it is generated from."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from efh_screen import INDICATORS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_factor_docs.py"
FACTORS_DOC = ROOT / "docs" / "factors.md"
WEIGHTS_DOC = ROOT / "docs" / "weights.md"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_factor_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_factors_doc_matches_code() -> None:
    expected = _load_script().render()
    committed = FACTORS_DOC.read_text(encoding="utf-8")
    assert committed == expected, (
        "docs/factors.md is out of date with the code; run "
        "`python scripts/make_factor_docs.py` and commit the result"
    )


def test_weights_doc_lists_every_indicator() -> None:
    # Weightings error messages send users to docs/weights.md for the indicator keys.
    text = WEIGHTS_DOC.read_text(encoding="utf-8")
    missing = [ind.key for ind in INDICATORS if f"`{ind.key}`" not in text]
    assert not missing, f"docs/weights.md does not list these indicator keys: {missing}"
