"""Readers and atomic writers: every line ends as a record or a rejection."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from efh_screen import (
    InputRecord,
    LabelledProfile,
    RejectedRecord,
    read_jsonl,
    screen_file,
    write_rejected_jsonl,
)

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "batch_good.jsonl").read_bytes().splitlines()


def read(lines: list[bytes], **kwargs: int) -> list[InputRecord | RejectedRecord]:
    return list(read_jsonl(io.BytesIO(b"\n".join(lines) + b"\n"), **kwargs))


def test_good_lines_validate_in_order() -> None:
    records = read(GOOD)
    assert [r.line for r in records] == list(range(1, len(GOOD) + 1))
    assert all(isinstance(r, InputRecord) for r in records)


@pytest.mark.parametrize(
    ("line", "field", "rid"),
    [
        (b'{"id": "B-1", "date_of_birth": "2012-01-0', "(line)", None),
        (b'{"id": "B-2", "date_of_birth": 12}', "date_of_birth", "B-2"),
        (
            b'{"id": "B-3", "date_of_birth": "2012-01-02", "nickname": "Secret Name"}',
            "(key 3)",
            "B-3",
        ),
        (b'{"id": "B-4", "date_of_birth": "2012-02-30"}', "date_of_birth", "B-4"),
        (b"", "(line)", None),
        (b"   ", "(line)", None),
        (b"[1, 2, 3]", "(record)", None),
        (b'{"id": "Jane Smith", "date_of_birth": "2012-01-02"}', "id", None),
        (
            b'{"profile": {"id": "B-5", "date_of_birth": "2012-01-02"}, "outcome": 2}',
            "outcome",
            "B-5",
        ),
        (
            b'{"id": "B-6", "date_of_birth": "2012-01-02", '
            b'"factors": {"adhd": {"status": "maybe"}}}',
            "factors.adhd.status",
            "B-6",
        ),
    ],
)
def test_bad_lines_are_rejected_with_field_and_plain_reason(
    line: bytes, field: str, rid: str | None
) -> None:
    records = read([GOOD[0], line, GOOD[1]])
    assert isinstance(records[0], InputRecord)
    assert isinstance(records[2], InputRecord)
    bad = records[1]
    assert isinstance(bad, RejectedRecord)
    assert bad.line == 2
    assert bad.id == rid
    assert bad.problems[0].field == field
    text = json.dumps(bad.to_dicts())
    # Values from the input are never repeated (they may be personal).
    for secret in ("Secret Name", "Jane Smith", "maybe", "2012-02-30"):
        assert secret not in text
    assert "Traceback" not in text


def test_huge_line_rejected_without_parsing_and_reading_continues() -> None:
    huge = b'{"id": "H-1", "date_of_birth": "2012-01-02", "x": "' + b"a" * 50_000 + b'"}'
    records = read([GOOD[0], huge, GOOD[1]], max_line_bytes=10_000)
    assert [type(r).__name__ for r in records] == ["InputRecord", "RejectedRecord", "InputRecord"]
    bad = records[1]
    assert isinstance(bad, RejectedRecord)
    assert bad.line == 2
    assert "longer than 10000 bytes" in bad.problems[0].reason
    assert records[2].line == 3


def test_last_line_without_newline_is_read() -> None:
    records = list(read_jsonl(io.BytesIO(GOOD[0] + b"\n" + GOOD[1])))
    assert len(records) == 2
    assert all(isinstance(r, InputRecord) for r in records)


def test_labelled_lines_keep_their_outcome() -> None:
    profile = json.loads(GOOD[0])
    line = json.dumps({"profile": profile, "outcome": 1}).encode()
    (record,) = read([line])
    assert isinstance(record, InputRecord)
    assert record.outcome == 1
    assert (
        record.profile == LabelledProfile.model_validate({"profile": profile, "outcome": 1}).profile
    )


def test_read_from_path(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join(GOOD[:3]) + b"\n")
    assert len(list(read_jsonl(path))) == 3


def test_rejections_written_one_line_per_problem() -> None:
    out = io.StringIO()
    records = read([b'{"id": "B-7"}', b""])
    rejected = [r for r in records if isinstance(r, RejectedRecord)]
    n = write_rejected_jsonl(rejected, out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert n == len(rows) == 2
    assert rows[0] == {
        "line": 1,
        "id": "B-7",
        "field": "date_of_birth",
        "reason": rows[0]["reason"],
    }
    assert set(rows[1]) == {"line", "id", "field", "reason"}


def test_byte_order_mark_and_crlf_are_tolerated() -> None:
    data = b"\xef\xbb\xbf" + GOOD[0] + b"\r\n" + GOOD[1] + b"\r\n"
    records = list(read_jsonl(io.BytesIO(data)))
    assert [type(r).__name__ for r in records] == ["InputRecord", "InputRecord"]


def test_an_output_in_a_missing_folder_is_named_not_its_temporary_sibling(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(GOOD[0] + b"\n")
    target = tmp_path / "missing" / "out.jsonl"
    with pytest.raises(FileNotFoundError) as info:
        screen_file(source, as_of=dt.date(2026, 9, 1), results=target)
    assert info.value.filename == str(target)
