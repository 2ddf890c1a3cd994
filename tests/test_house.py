"""The house rules hold: no import cycles, short functions, no private names across modules.

The checks live in ``scripts/check_house.py`` (also a pre-commit hook); this test runs them
and shows that each rule can fail.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_house.py"


def load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_house", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_house"] = module
    spec.loader.exec_module(module)
    return module


CHECKER = load_checker()


def test_the_package_keeps_the_house_rules() -> None:
    assert CHECKER.breaches() == []


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "efh_screen"
    root.mkdir()
    (root / "__init__.py").write_text("")
    monkeypatch.setattr(CHECKER, "ROOT", root)
    return root


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text))


def test_an_import_cycle_is_found_even_inside_a_function(package: Path) -> None:
    write(package / "_a.py", "from ._b import thing\n")
    write(package / "_b.py", "def thing():\n    from ._a import other\n")
    assert CHECKER.breaches() == ["import cycle: efh_screen._a -> efh_screen._b"]


def test_a_private_name_crossing_modules_is_found(package: Path) -> None:
    write(package / "_a.py", "_secret = 1\n")
    write(package / "_b.py", "from ._a import _secret\n")
    (found,) = CHECKER.breaches()
    assert "imports the underscore name _secret from efh_screen._a" in found


def test_a_long_function_is_found_unless_its_docstring_says_why(package: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    write(package / "_a.py", "def long():\n" + body)
    (found,) = CHECKER.breaches()
    assert "long has 61 lines" in found
    reason = '    """Do it.\n\n    Longer than 60 lines because a table reads best.\n    """\n'
    write(package / "_a.py", "def long():\n" + reason + body)
    assert CHECKER.breaches() == []


def test_the_architecture_page_shows_the_real_import_order() -> None:
    page = (SCRIPT.parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page[page.index("### Import order") :]
    start = section.index("```\n") + 4
    shown = section[start : section.index("```\n", start)].rstrip("\n")
    assert shown == CHECKER.render_layers(), "run: python scripts/check_house.py --layers"
