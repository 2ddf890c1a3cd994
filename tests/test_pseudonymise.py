"""Pseudonymisation at source: stable ids for one key, different across keys, key never shown."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from efh_screen import (
    MIN_KEY_BYTES,
    InputError,
    load_key,
    parse_profile,
    pseudonymise_file,
    pseudonymise_id,
)
from efh_screen.__main__ import main

KEY = b"k" * MIN_KEY_BYTES
OTHER_KEY = b"o" * MIN_KEY_BYTES
SECRET = "partnership-secret-" + "x" * 40


def test_ids_are_stable_for_a_key_normalised_and_differ_across_keys() -> None:
    first = pseudonymise_id("943 476 5919", key=KEY)
    assert (
        first == pseudonymise_id("9434765919", key=KEY) == pseudonymise_id("943-476-5919", key=KEY)
    )
    assert first != pseudonymise_id("9434765919", key=OTHER_KEY)
    assert first != pseudonymise_id("9434765918", key=KEY)
    assert pseudonymise_id("a123", key=KEY) == pseudonymise_id("A123", key=KEY)
    assert first.startswith("P-") and len(first) == 34
    assert parse_profile({"id": first, "date_of_birth": "2012-01-01"}).id == first


def test_a_short_key_or_a_blank_identifier_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        pseudonymise_id("9434765919", key=b"short")
    with pytest.raises(ValueError, match="blank"):
        pseudonymise_id(" - ", key=KEY)


def test_a_missing_or_short_key_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    short = tmp_path / "short.key"
    short.write_text("tiny-secret\n")
    with pytest.raises(InputError) as caught:
        load_key(short)
    assert "tiny-secret" not in str(caught.value)
    with pytest.raises(InputError):
        load_key(tmp_path / "missing.key")
    good = tmp_path / "good.key"
    good.write_text(SECRET + "\n")
    assert load_key(good) == SECRET.encode()


def export(tmp_path: Path) -> Path:
    path = tmp_path / "gp.csv"
    path.write_text(
        "NHS number,date_of_birth,adhd\n943 476 5919,2012-01-01,present\n,2012-02-02,absent\n"
        "9434765919,2012-01-01,present\n"
    )
    return path


def test_the_file_gets_the_same_ids_and_blank_rows_are_listed(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    summary = pseudonymise_file(export(tmp_path), column="NHS number", key=KEY, out=out)
    assert (summary.rows, summary.pseudonymised, summary.blank_rows) == (3, 2, (3,))
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["NHS number"] == rows[1]["NHS number"] == pseudonymise_id("9434765919", key=KEY)
    assert "9434765919" not in out.read_text() and "943 476 5919" not in out.read_text()
    with pytest.raises(InputError, match="not a column"):
        pseudonymise_file(export(tmp_path), column="UPN", key=KEY, out=out)


def test_the_command_never_prints_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "partnership.key"
    key.write_text(SECRET)
    out = tmp_path / "out.csv"
    source = export(tmp_path)
    args = ["pseudonymise", str(source), "--column", "NHS number", "--key-file", str(key)]
    assert main([*args, "--out", str(out)]) == 1  # one blank identifier left out
    captured = capsys.readouterr()
    assert "rows 3" in captured.err
    assert SECRET not in captured.out + captured.err + out.read_text()
    key.write_text("short")
    assert main([*args, "--out", str(tmp_path / "other.csv")]) == 2
    captured = capsys.readouterr()
    assert "shorter than 32 bytes" in captured.err and "short\n" not in captured.err
    assert not (tmp_path / "other.csv").exists()


def test_the_output_is_never_written_over_the_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "partnership.key"
    key.write_text(SECRET)
    source = export(tmp_path)
    args = ["pseudonymise", str(source), "--column", "NHS number", "--key-file", str(key)]
    assert main([*args, "--out", str(key)]) == 2
    assert key.read_text() == SECRET
    assert SECRET not in capsys.readouterr().err


@pytest.mark.parametrize("key_file", ["/dev/zero", "folder"])
def test_a_key_file_that_is_not_a_file_is_refused_without_reading_it(
    tmp_path: Path, key_file: str
) -> None:
    path = Path(key_file) if key_file.startswith("/") else tmp_path / key_file
    if not path.exists():
        path.mkdir()
    with pytest.raises(InputError, match="is not a file"):
        load_key(path)


def test_a_huge_key_file_is_refused_unread(tmp_path: Path) -> None:
    key = tmp_path / "big.key"
    key.write_bytes(b"k" * 100_000)
    with pytest.raises(InputError, match="larger than 4,096 bytes"):
        load_key(key)


def test_an_identifier_column_named_twice_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "twice.csv"
    source.write_text("NHS number,NHS number\n9434765919,9434765919\n")
    with pytest.raises(InputError, match="appears more than once"):
        pseudonymise_file(source, column="NHS number", key=KEY, out=tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_a_missing_output_folder_names_the_output_not_the_export(tmp_path: Path) -> None:
    source = export(tmp_path)
    target = tmp_path / "missing" / "out.csv"
    with pytest.raises(FileNotFoundError) as info:
        pseudonymise_file(source, column="NHS number", key=KEY, out=target)
    assert info.value.filename == str(target)


def test_the_pseudonymised_csv_is_spreadsheet_safe_and_reads_back(tmp_path: Path) -> None:
    """Every CSV the tool writes neutralises formulas; the pseudonymised export too."""
    source = tmp_path / "export.csv"
    with source.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(
            [["NHS number", "note"], ["9434765919", "=HYPERLINK(1)"], ["4010232137", "a\rb"]]
        )
    out = tmp_path / "out.csv"
    pseudonymise_file(source, column="NHS number", key=KEY, out=out)
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(1)", "a\rb"]
    assert len(rows) == 3
