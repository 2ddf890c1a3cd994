"""The recipes past one machine (docs/tables.md, "Past one machine").

The Dask recipe (examples/screen_with_dask.py) runs here on Dask's local schedulers: a
caseload screened bucket by bucket gives what one call gives (the same result lines, the same
rejected rows numbered as in the source tables, counts that add up), a child id on two rows
is rejected in its bucket, and a file in the wrong bucket, an id with results in two buckets
and counts that do not add up are refused. The docs show the recipe's own code. The Spark
recipe needs Java and pyspark, which the project does not install: it is only compiled here
(tests/test_examples.py), and was tried by hand as the docs record.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
import shutil
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from efh_screen.tables import read_tables, screen_tables, write_tables

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "examples" / "screen_with_dask.py"
DOC = ROOT / "docs" / "tables.md"
AS_OF = dt.date(2026, 9, 1)
BUCKETS = 5


def load_recipe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screen_with_dask", RECIPE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


recipe = load_recipe()


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bucketed synthetic caseload with a duplicate child, an orphan event and a bad date."""
    root = tmp_path_factory.mktemp("recipe")
    write_tables(recipe.messy_caseload(200), root / "caseload", sort=False)  # as exported
    recipe.write_buckets(root / "caseload", root / "buckets", buckets=BUCKETS)
    return root


@pytest.fixture(scope="module")
def one_call(caseload: Path) -> Any:
    return screen_tables(*read_tables(caseload / "caseload"), as_of=AS_OF)


def run(caseload: Path, out: Path, scheduler: str = "sync") -> Any:
    outcomes = recipe.screen_buckets(
        caseload / "buckets", out, buckets=BUCKETS, as_of=AS_OF, scheduler=scheduler
    )
    return outcomes, recipe.check_run(outcomes, caseload / "caseload", out)


def lines(out: Path) -> list[str]:
    return [
        line
        for path in sorted((out / "lines").glob("bucket=*/part-0.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def rejections(out: Path) -> list[dict[str, Any]]:
    table = ds.dataset(out / "rejected", format="parquet", partitioning="hive").to_table()
    return sorted(table.to_pylist(), key=lambda row: (row["table"], row["source_row"]))


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_buckets_screen_as_one_call(
    caseload: Path, one_call: Any, tmp_path: Path, scheduler: str
) -> None:
    outcomes, totals = run(caseload, tmp_path / "out", scheduler)
    assert sorted(outcome.bucket for outcome in outcomes) == list(range(BUCKETS))
    assert sorted(lines(tmp_path / "out")) == sorted(one_call.result_lines())
    assert totals == one_call.counts
    assert totals.children.read == 201 and totals.children.rejected == 3
    ours = rejections(tmp_path / "out")
    theirs = sorted(one_call.rejected.to_pylist(), key=lambda row: (row["table"], row["row"]))
    assert [(r["table"], r["source_row"], r["id"], r["field"]) for r in ours] == [
        (r["table"], r["row"], r["id"], r["field"]) for r in theirs
    ]
    # Reasons are the same words, save that a duplicate id's names the rows of its bucket.
    duplicate = [r for r in ours if r["table"] == "children"]
    assert [r["reason"] for r in ours if r not in duplicate] == [
        r["reason"] for r in theirs if r["table"] != "children"
    ]
    # Both rows of the child exported twice met in one bucket and were rejected there.
    assert {r["id"] for r in duplicate} == {"SYN-0000006"}
    assert len({r["bucket"] for r in duplicate}) == 1
    assert {r["source_row"] for r in duplicate} == {5, 200}


def test_every_bucket_agrees_with_its_own_counts(caseload: Path, tmp_path: Path) -> None:
    outcomes, _ = run(caseload, tmp_path / "out")
    for outcome in outcomes:
        bucket_lines = tmp_path / "out" / "lines" / f"bucket={outcome.bucket}" / "part-0.jsonl"
        screened = bucket_lines.read_text(encoding="utf-8").splitlines()
        assert len(screened) == outcome.counts.children.screened
        for count in outcome.counts:
            assert count.read == count.screened + count.rejected
        assert all(json.loads(line)["as_of"] == AS_OF.isoformat() for line in screened)


def test_a_file_in_the_wrong_bucket_is_refused(caseload: Path, tmp_path: Path) -> None:
    buckets = tmp_path / "buckets"
    shutil.copytree(caseload / "buckets", buckets)
    stray = buckets / "events" / "bucket=1" / "part-9.parquet"
    shutil.copy(buckets / "events" / "bucket=0" / "part-0.parquet", stray)
    with pytest.raises(ValueError, match="holds ids of another bucket"):
        recipe.screen_buckets(
            buckets, tmp_path / "out", buckets=BUCKETS, as_of=AS_OF, scheduler="sync"
        )


def test_an_id_with_results_in_two_buckets_is_refused(caseload: Path, tmp_path: Path) -> None:
    outcomes, _ = run(caseload, tmp_path / "out")
    results = tmp_path / "out" / "results"
    shutil.copytree(results / "bucket=0", results / "bucket=99")
    with pytest.raises(ValueError, match="results in two buckets"):
        recipe.check_run(outcomes, caseload / "caseload", tmp_path / "out")


def test_counts_that_do_not_add_up_are_refused(caseload: Path, tmp_path: Path) -> None:
    outcomes, _ = run(caseload, tmp_path / "out")
    with pytest.raises(ValueError, match="does not account for its"):
        recipe.check_run(outcomes[1:], caseload / "caseload", tmp_path / "out")


def test_a_run_writes_to_a_new_folder(caseload: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(FileExistsError):
        run(caseload, tmp_path / "out")


def test_bucket_of_is_crc32_of_the_id() -> None:
    ids = pa.array(["SYN-0000001", None, "SYN-0000001", "YP-1"]).dictionary_encode()
    expected = [zlib.crc32(b"SYN-0000001") % 7, 0, zlib.crc32(b"SYN-0000001") % 7]
    expected.append(zlib.crc32(b"YP-1") % 7)
    assert recipe.bucket_of(ids, 7).to_pylist() == expected


def doc_definitions() -> dict[str, str]:
    """The functions and classes the docs' "Past one machine" code defines, as ASTs."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Past one machine") :]
    section = section[: section.index("\n## ", 1)]
    blocks = [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]
    return {
        node.name: ast.dump(node)
        for block in blocks
        for node in ast.parse(block).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }


def test_docs_show_the_recipe_s_own_code() -> None:
    shown = doc_definitions()
    assert {"bucket_of", "write_buckets", "screen_bucket", "screen_buckets", "check_run"} <= set(
        shown
    )
    example = {
        node.name: ast.dump(node)
        for node in ast.parse(RECIPE.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }
    differ = [name for name, code in shown.items() if example.get(name) != code]
    assert not differ, f"docs/tables.md and {RECIPE.name} differ in {differ}"
