"""JSONL screened column-wise gives exactly what the Profile path gives, without its objects.

With msgspec installed, ``screen_file`` decodes valid JSONL lines straight into columns and
builds no Profile for them (docs/batch.md, "Speed"); any line it is not sure of is read the
Profile way. These tests hold it to the record-by-record path (``screen_records`` over
``read_jsonl``, which reads every line the Profile way) on generated profiles written in
many ways and on generated malformed lines, and check that a run without msgspec writes
the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh_screen import LabelledProfile, Profile, Screener, read_jsonl, screen_file, screen_records
from fuzz_corpus import jsonl_corpus
from strategies import AS_OF, profile_dicts

SUMMARY_FIELDS = ("read", "screened", "rejected", "duplicates", "flagged", "review")


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def profile_path_outputs(source: Path) -> tuple[str, str, tuple[Any, ...]]:
    """Results, errors and summary of reading every line the Profile way."""
    results, errors = Path(str(source) + ".p.results"), Path(str(source) + ".p.errors")
    with results.open("w", encoding="utf-8") as out, errors.open("w", encoding="utf-8") as err:
        summary = screen_records(read_jsonl(source), as_of=AS_OF, results=out, errors=err)
    return (
        results.read_text(encoding="utf-8"),
        errors.read_text(encoding="utf-8"),
        tuple(getattr(summary, name) for name in SUMMARY_FIELDS),
    )


def file_outputs(source: Path, **options: Any) -> tuple[str, str, tuple[Any, ...]]:
    """Results, errors and summary of ``screen_file``."""
    results, errors = Path(str(source) + ".f.results"), Path(str(source) + ".f.errors")
    summary = screen_file(source, as_of=AS_OF, results=results, errors=errors, **options)
    return (
        results.read_text(encoding="utf-8"),
        errors.read_text(encoding="utf-8"),
        tuple(getattr(summary, name) for name in SUMMARY_FIELDS),
    )


# ---------------------------------------------------------------------------------------------
# Valid lines build no Profile.


def test_valid_lines_are_screened_without_building_a_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (Path(__file__).parent / "data" / "batch_good.jsonl").read_bytes().splitlines()
    labelled = [b'{"profile": ' + line + b', "outcome": 1}' for line in lines[:5]]
    source = write_lines(tmp_path / "good.jsonl", [*lines[5:], *labelled])
    expected = profile_path_outputs(source)
    built: list[str] = []
    for model in (Profile, LabelledProfile):
        original = model.model_validate_json

        def counting(data: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            built.append("profile")
            return _original(data, *args, **kwargs)

        monkeypatch.setattr(model, "model_validate_json", counting)
    monkeypatch.setattr(Screener, "screen", lambda *a, **k: pytest.fail("screened one by one"))
    got = file_outputs(source, review_csv=tmp_path / "review.csv")
    assert built == []
    assert got == expected


# ---------------------------------------------------------------------------------------------
# Generated profiles, written in the many ways JSON allows.


@st.composite
def written_lines(draw: st.DrawFn) -> list[bytes]:
    """Distinct valid profiles, each written bare or labelled, in its own JSON style."""
    profiles = draw(st.lists(profile_dicts(max_events=6), min_size=1, max_size=6))
    lines = []
    for number, data in enumerate(profiles):
        data["id"] = draw(st.sampled_from(["YP-", "LA:", "a.b_"])) + str(number)
        factors = data["factors"]
        if factors and draw(st.booleans()):  # a note, perhaps with colons and escapes
            key = draw(st.sampled_from(sorted(factors)))
            accounts = factors[key]
            first = accounts[0] if isinstance(accounts, list) else accounts
            first["note"] = draw(st.sampled_from(["seen 12:30", "é \U0001f600 ok", "", "n" * 280]))
        if draw(st.booleans()):
            data.setdefault("audit", {})["other"] = {
                "looked_after": draw(st.sampled_from(["yes", "a:b"]))
            }
        keys = draw(st.permutations(list(data)))
        data = {key: data[key] for key in keys}
        record: object = data
        if draw(st.booleans()):
            record = {"profile": data, "outcome": draw(st.sampled_from([0, 1]))}
        separators = draw(st.sampled_from([(", ", ": "), (",", ":"), (" ,", " : ")]))
        text = json.dumps(record, ensure_ascii=draw(st.booleans()), separators=separators)
        lines.append(text.encode())
    return lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=written_lines())
def test_generated_profiles_give_the_profile_paths_results(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    source = write_lines(tmp_path_factory.mktemp("valid") / "caseload.jsonl", lines)
    expected = profile_path_outputs(source)
    assert file_outputs(source) == expected
    assert expected[2][2] == 0  # nothing rejected: every line was valid


# ---------------------------------------------------------------------------------------------
# Generated malformed lines.

ODD_VALUES: list[object] = [
    None,
    True,
    False,
    0,
    -0.0,
    1.0,
    100.0,
    10**20,
    -1,
    1001,
    "",
    "x",
    "yes",
    "present",
    "absent",
    "police",
    "school",
    "2020-02-30",
    "2020-1-01",
    "2019-01-01",
    "2030-01-01",
    "2012-01-01T00:00:00",
    "\ud800",
    "YP-1\n",
    "n" * 300,
    [],
    {},
    [{"status": "present"}],
    {"status": "present"},
    {"status": "unknown", "reason": "not_shared"},
]


def _paths(node: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


@st.composite
def malformed_line(draw: st.DrawFn, data: dict[str, Any]) -> bytes:
    """One valid profile changed in one place: a value, a key dropped, added or repeated."""
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    parent: Any = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    change = draw(st.sampled_from(["value", "drop", "add", "repeat"]))
    if change == "value":
        parent[last] = draw(st.sampled_from(ODD_VALUES))
    elif change == "drop":
        del parent[last]
    elif change == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["nickname", "adhd", "status", "date", "id"]))] = "x"
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    if change == "repeat" and isinstance(last, str):
        repeated = json.dumps(last) + ": "
        text = text.replace(repeated, repeated + json.dumps(parent[last]) + ", " + repeated, 1)
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), profiles=st.lists(profile_dicts(max_events=4), min_size=2, max_size=4))
def test_generated_malformed_lines_are_rejected_as_the_profile_path_rejects_them(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, profiles: list[dict[str, Any]]
) -> None:
    lines = []
    for number, profile in enumerate(profiles):
        profile["id"] = f"YP-{number}"
        if number % 2:
            lines.append(data.draw(malformed_line(profile)))
        else:
            lines.append(json.dumps(profile).encode())
    source = write_lines(tmp_path_factory.mktemp("malformed") / "caseload.jsonl", lines)
    assert file_outputs(source) == profile_path_outputs(source)


GOOD_LINE = (
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "factors": {"adhd": {"status": "present"}}}'
)
ODD_LINES = [
    b'{"id": "\xed\xa0\x80", "date_of_birth": "2012-03-04"}',  # a surrogate, not UTF-8
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "factors": {"adhd": {"status": "present", '
    b'"note": "\xed\xa0\x80"}}}',
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "factors": {"adhd": {"status": "present", '
    b'"note": "\\ud800"}}}',  # an escaped lone surrogate
    b'{"id": "YP-9\\n", "date_of_birth": "2012-03-04"}',
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "audit": {"other": {"a": NaN}}}',
    b'{"id": "YP-9", "date_of_birth": "2012-03-04"} trailing',
    b'{"id": "YP-9", "date_of_birth": "2012-03-04"}{}',
    b'\xef\xbb\xbf{"id": "YP-9", "date_of_birth": "2012-03-04"}',  # a byte-order mark mid-file
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "attendance": [{"start": "2026-01-05", '
    b'"end": "2026-03-27", "possible_sessions": -0, "missed_sessions": 1.0}]}',
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "attendance": [{"start": "2026-01-05", '
    b'"end": "2026-03-27", "possible_sessions": 1e2, "missed_sessions": 0}]}',
    b'{"id": "YP-9", "d\\u0061te_of_birth": "2012-03-04", "factors": {"adhd": {"st\\u0061tus": '
    b'"absent", "note": "a:b"}}}',  # escaped key names
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "factors": {"adhd": {"status": "absent", '
    b'"note": "a:b", "status": "present"}}}',  # a colon in a note hides nothing
    b'{"profile": {"id": "YP-9", "date_of_birth": "2012-03-04"}, "outcome": -0}',
    b'{"profile": {"id": "YP-9", "date_of_birth": "2012-03-04"}, "outcome": 1, "profile": {}}',
    b'{"profile": {"id": "YP-9", "date_of_birth": "2012-03-04"}, "id": "YP-9", "outcome": 1}',
    b'{"id": "YP-9", "date_of_birth": "\\u0032012-03-04"}',
    b'{"id": "YP-9", "date_of_birth": "\xd9\xa2012-03-04"}',  # an Arabic-Indic digit
    b'{"id": "YP-9", "date_of_birth": "0000-01-01"}',
    b'{"id": "YP-9", "date_of_birth": "2012-03-04", "factors": {"adhd": []}}',
]


@pytest.mark.parametrize("line", ODD_LINES)
def test_odd_lines_are_read_as_the_profile_path_reads_them(tmp_path: Path, line: bytes) -> None:
    source = write_lines(tmp_path / "odd.jsonl", [GOOD_LINE.replace(b"YP-9", b"YP-1"), line])
    assert file_outputs(source) == profile_path_outputs(source)


# ---------------------------------------------------------------------------------------------
# Without msgspec: the Profile path, the same bytes.

RUN = """
import datetime, json, sys
if sys.argv[2] == "without":
    sys.modules["msgspec"] = None
from efh_screen import screen_file
folder = sys.argv[1] + "/" + sys.argv[2]
summary = screen_file(
    sys.argv[1] + "/caseload.jsonl",
    as_of=datetime.date(2026, 9, 1),
    results=folder + "/results.jsonl",
    errors=folder + "/errors.jsonl",
    review_csv=folder + "/review.csv",
    review_html=folder + "/review.html",
    chunk_size=7,
)
print(summary.read, summary.screened, summary.rejected, summary.flagged)
"""


def test_without_msgspec_every_output_is_the_same(tmp_path: Path) -> None:
    cases = jsonl_corpus(300, 200, seed=20260901)
    write_lines(tmp_path / "caseload.jsonl", [case.text for case in cases])
    shown = {}
    for way in ("with", "without"):
        (tmp_path / way).mkdir()
        shown[way] = subprocess.run(
            [sys.executable, "-c", RUN, str(tmp_path), way],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    assert shown["with"] == shown["without"]
    for name in ("results.jsonl", "errors.jsonl", "review.csv", "review.html"):
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes()


def test_importing_the_library_loads_neither_msgspec_nor_the_tables_engine() -> None:
    code = (
        "import sys, efh_screen; "
        "assert 'msgspec' not in sys.modules, 'msgspec imported'; "
        "assert 'efh_screen.tables' not in sys.modules, 'tables imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
