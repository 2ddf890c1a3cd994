"""The columnar path: the same results, rejections and accounting as the Profile path.

For generated profiles, screening their tables gives the feature matrix of
``feature_matrix``, the batch of ``Screener.screen_many``, the result lines of
``screen_records`` byte for byte, and the contributions of ``Screener.screen``. For
generated malformed cells, the child is rejected with the same fields and reasons as the
same profile written as JSON, its neighbours are screened as if alone, and every table's
rows are accounted for.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh_screen import (
    INDICATORS,
    CountThresholds,
    InputError,
    Profile,
    ResolutionRule,
    Screener,
    Weights,
    Windows,
    feature_matrix,
    screen_records,
)
from efh_screen.tables import (
    DERIVED_INDICATORS,
    RESULT_COLUMNS,
    TABLE_NAMES,
    CaseTables,
    profiles_to_tables,
    screen_tables,
)
from strategies import AS_OF, profile_dicts, weights_with_rules

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANY_ACCOUNT = Weights.default().model_copy(
    update={"resolution": ResolutionRule(absent="any_account")}
)
# Short windows and periods, so the generated histories (up to five years) often rise, escalate
# and fall on both sides of every window's edges.
SHORT_WINDOWS = Weights.default().model_copy(
    update={
        "windows": Windows(
            recent_days=200, escalation_days=60, history_days=700, trajectory_days=150
        ),
        "counts": CountThresholds(trajectory_periods=2, repeated_suspensions=2),
    }
)
WEIGHTINGS = [None, ANY_ACCOUNT, SHORT_WINDOWS]


def distinct_profiles(max_size: int = 6) -> st.SearchStrategy[list[Profile]]:
    return st.lists(
        profile_dicts(), min_size=1, max_size=max_size, unique_by=lambda data: data["id"]
    ).map(lambda items: [Profile.model_validate(item) for item in items])


def profile_lines(profiles: list[Any], weights: Weights | None = None) -> tuple[list[str], Any]:
    out = io.StringIO()
    summary = screen_records(profiles, as_of=AS_OF, screener=Screener(weights), results=out)
    return out.getvalue().splitlines(), summary


def nested(row: dict[str, Any]) -> dict[str, Any]:
    """A results-table row as a result line: ``a_b`` columns folded back into ``a.b``."""
    line = {
        "id": row["id"],
        "as_of": row["as_of"].isoformat(),
        "score": row["score"],
        "score_range": {"low": row["score_range_low"], "high": row["score_range_high"]},
        "band": row["band"],
        "band_label": row["band_label"],
        "flag": row["flag"],
        "flag_could_change": row["flag_could_change"],
        "coverage": None
        if row["coverage_known_percent"] is None
        else {"known_percent": row["coverage_known_percent"], "enough": row["coverage_enough"]},
        "ace_count": {"known": row["ace_count_known"], "max": row["ace_count_max"]},
        "top_reasons": row["top_reasons"],
        "main_missing": row["main_missing"],
        "weights": {key: row[f"weights_{key}"] for key in ("name", "version", "status", "sha256")},
        "library_version": row["library_version"],
    }
    assert list(row) == list(RESULT_COLUMNS)
    return line


# ---------------------------------------------------------------------------------------------
# Valid profiles: identical on every field.


@FAST
@given(
    profiles=distinct_profiles(),
    weights=st.one_of(st.sampled_from(WEIGHTINGS), weights_with_rules()),
)
def test_tables_screen_exactly_as_the_profile_path(
    profiles: list[Profile], weights: Weights | None
) -> None:
    screening = screen_tables(
        *profiles_to_tables(profiles), as_of=AS_OF, weights=weights, contributions=True
    )
    used = Screener(weights).weights
    expected = feature_matrix(
        profiles,
        as_of=AS_OF,
        windows=used.windows,
        counts=used.counts,
        resolution=used.resolution,
    )
    assert screening.features.ids == expected.ids
    np.testing.assert_array_equal(screening.features.values, expected.values)
    np.testing.assert_array_equal(screening.features.known, expected.known)
    np.testing.assert_array_equal(screening.features.ace_present, expected.ace_present)
    np.testing.assert_array_equal(screening.features.ace_unknown, expected.ace_unknown)

    lines, _ = profile_lines(profiles, weights)
    assert screening.result_lines() == lines
    rows = screening.results.to_pylist()
    assert [nested(row) for row in rows] == [json.loads(line) for line in lines]

    screener = Screener(weights)
    by_id: dict[str, list[tuple[str, str, int]]] = {}
    for item in screening.contributions.to_pylist():
        by_id.setdefault(item["id"], []).append((item["indicator"], item["factor"], item["points"]))
    for profile in profiles:
        result = screener.screen(profile, as_of=AS_OF)
        listed = [(c.indicator, c.factor, c.points) for c in result.contributions]
        assert by_id.get(profile.id, []) == listed
        assert sum(points for _, _, points in listed) == result.score
    assert screening.rejected.num_rows == 0
    for count in screening.counts:
        assert count.read == count.screened and count.rejected == 0


# Violent events in the history window, and whether each says enough to decide serious violence.
VIOLENT_HISTORIES: dict[str, list[dict[str, Any]]] = {
    "knife": [{"type": "violence_victim", "date": "2026-03-14", "weapon": "knife"}],
    "no weapon, not injured": [
        {"type": "violence_victim", "date": "2026-03-14", "weapon": "none", "serious_injury": False}
    ],
    "another weapon, injury not recorded": [
        {"type": "violence_victim", "date": "2026-03-14", "weapon": "other"}
    ],
    "weapon incident, injury not recorded": [{"type": "weapon_incident", "date": "2026-03-14"}],
    "weapon incident, not injured": [
        {"type": "weapon_incident", "date": "2026-03-14", "serious_injury": False}
    ],
    "emergency department": [{"type": "emergency_department_assault", "date": "2024-10-01"}],
    "outside the history window": [
        {"type": "violence_victim", "date": "2022-01-01", "weapon": "gun"},
        {"type": "weapon_incident", "date": "2022-01-01"},
    ],
    "one assault recorded twice, then one undecided": [
        {"type": "violence_victim", "date": "2026-03-14", "weapon": "none"},
        {"type": "emergency_department_assault", "date": "2026-03-14"},
        {"type": "violence_victim", "date": "2026-05-01"},
    ],
}


@pytest.mark.parametrize("violence_history", [None, "absent", "unknown"])
def test_serious_violence_is_known_column_wise_exactly_when_the_record_says(
    violence_history: str | None,
) -> None:
    profiles = [
        Profile.model_validate(
            {
                "id": f"YP-{number}",
                "date_of_birth": "2010-04-02",
                "events": events,
                "factors": {}
                if violence_history is None
                else {"violence_victim": {"status": violence_history, "source": "police"}},
            }
        )
        for number, events in enumerate(VIOLENT_HISTORIES.values())
    ]
    screening = screen_tables(*profiles_to_tables(profiles), as_of=AS_OF)
    expected = feature_matrix(profiles, as_of=AS_OF)
    np.testing.assert_array_equal(screening.features.values, expected.values)
    np.testing.assert_array_equal(screening.features.known, expected.known)
    assert screening.result_lines() == profile_lines(profiles)[0]


def test_every_indicator_is_derived_column_wise() -> None:
    """Fails when an indicator is added that the column-wise path does not derive.

    Give it its column-wise twin in ``efh_screen/tables/_derivation.py`` together with
    ``_features._derive`` (screen_tables refuses to run until then).
    """
    assert {indicator.key for indicator in INDICATORS} == DERIVED_INDICATORS


def test_an_empty_screen_and_missing_tables() -> None:
    empty = screen_tables(None, as_of=AS_OF)
    assert empty.results.num_rows == 0 and empty.rejected.num_rows == 0
    assert empty.results.column_names == list(RESULT_COLUMNS)
    child = pa.table({"id": ["YP-1"], "date_of_birth": [dt.date(2012, 1, 1)]})
    alone = screen_tables(child, as_of=AS_OF)
    lines, _ = profile_lines([{"id": "YP-1", "date_of_birth": "2012-01-01"}])
    assert alone.result_lines() == lines


def test_dataframes_are_accepted_and_screen_alike() -> None:
    profiles = [
        Profile.model_validate(data)
        for data in (
            {
                "id": "YP-1",
                "date_of_birth": "2011-02-03",
                "factors": {"adhd": {"status": "present", "source": "camhs"}},
                "events": [{"type": "suspension", "date": "2026-03-01", "source": "school"}],
                "attendance": [
                    {
                        "start": "2026-01-05",
                        "end": "2026-03-27",
                        "possible_sessions": 120,
                        "missed_sessions": 30,
                    }
                ],
            },
            {"id": "YP-2", "date_of_birth": "2012-05-06"},
        )
    ]
    tables = profiles_to_tables(profiles)
    frames = [table.to_pandas() for table in tables]
    from_frames = screen_tables(*frames, as_of=AS_OF)
    assert from_frames.result_lines() == profile_lines(profiles)[0]
    results = from_frames.results.to_pandas()
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert results["score"].tolist() == [Screener().screen(p, as_of=AS_OF).score for p in profiles]


# ---------------------------------------------------------------------------------------------
# Malformed cells: the same rejections as the same profile written as JSON.


def _set_path(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    if value is _BLANK:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


_BLANK = object()


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _with_cell(table: Any, row: int, column: str, value: Any) -> Any:
    cells = table.column(column).to_pylist()
    cells[row] = None if value is _BLANK else value
    field = table.schema.field(column)
    kind = field.type
    if pa.types.is_dictionary(kind) or pa.types.is_string(kind):
        array = pa.array(cells, type=pa.string())
    elif pa.types.is_integer(kind):
        array = pa.array(cells, type=pa.int64())
    elif pa.types.is_list(kind):
        array = pa.array(cells, type=pa.list_(pa.string()))
    else:
        array = pa.array(cells, type=kind)
    return table.set_column(table.schema.get_field_index(column), column, array)


def _renamed(table: Any, old: str, new: str) -> Any:
    ids = [new if owner == old else owner for owner in table.column("id").to_pylist()]
    return table.set_column(0, "id", pa.array(ids, type=pa.string()))


def _locations(profile: Profile) -> list[tuple[str, int, tuple[Any, ...]]]:
    """Every (table, row within the child, path in the JSON profile) of a one-child table set."""
    found: list[tuple[str, int, tuple[Any, ...]]] = [("children", 0, ())]
    row = 0
    for key, accounts in profile.factors.items():
        for index in range(len(accounts)):
            path = ("factors", key) if len(accounts) == 1 else ("factors", key, index)
            found.append(("observations", row, path))
            row += 1
    found += [("events", i, ("events", i)) for i in range(len(profile.events))]
    found += [("attendance", i, ("attendance", i)) for i in range(len(profile.attendance))]
    return found


# (table, column, JSON value or _BLANK): each makes the profile invalid, or not, as it may.
MUTATIONS: list[tuple[str, str, Any]] = [
    ("children", "id", "Jane Smith"),
    ("children", "id", "Y" * 65),
    ("children", "date_of_birth", dt.date(2027, 3, 1)),
    ("children", "date_of_birth", dt.date(1990, 1, 1)),
    ("children", "date_of_birth", _BLANK),
    ("children", "agencies", ["police", "nhs"]),
    ("children", "ethnicity", "unknown"),
    ("observations", "status", "yes"),
    ("observations", "status", _BLANK),
    ("observations", "status", "present"),
    ("observations", "status", "absent"),
    ("observations", "source", "nhs"),
    ("observations", "source", "emergency_department"),
    ("observations", "source", _BLANK),
    ("observations", "reason", "not_shared"),
    ("observations", "reason", "forgot"),
    ("observations", "recorded", dt.date(2026, 12, 1)),
    ("observations", "note", "n" * 281),
    ("events", "type", "fight"),
    ("events", "type", "home_move"),
    ("events", "type", _BLANK),
    ("events", "date", dt.date(2026, 12, 1)),
    ("events", "date", dt.date(1999, 1, 1)),
    ("events", "date", _BLANK),
    ("events", "cross_borough", True),
    ("events", "type", "emergency_department_assault"),
    ("events", "type", "weapon_incident"),
    ("events", "type", "violence_victim"),
    ("events", "weapon", "knife"),
    ("events", "weapon", "none"),
    ("events", "weapon", "blade"),
    ("events", "weapon", _BLANK),
    ("events", "serious_injury", True),
    ("events", "serious_injury", False),
    ("events", "serious_injury", _BLANK),
    ("events", "source", "emergency_department"),
    ("events", "source", "school"),
    ("events", "note", "n" * 300),
    ("attendance", "missed_sessions", 999),
    ("attendance", "possible_sessions", -1),
    ("attendance", "possible_sessions", 1001),
    ("attendance", "possible_sessions", _BLANK),
    ("attendance", "end", dt.date(2000, 1, 1)),
    ("attendance", "start", dt.date(2026, 12, 1)),
    ("attendance", "source", "nhs"),
]


def _problems_by_child(screening: Any) -> dict[str | None, set[tuple[str, str]]]:
    found: dict[str | None, set[tuple[str, str]]] = {}
    for row in screening.rejected.to_pylist():
        found.setdefault(row["id"], set()).add((row["field"], row["reason"]))
    return found


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    profiles=distinct_profiles(4),
    choice=st.integers(0, 10**6),
    mutation=st.sampled_from(MUTATIONS),
)
def test_malformed_cells_are_rejected_as_the_profile_path_rejects_them(
    profiles: list[Profile], choice: int, mutation: tuple[str, str, Any]
) -> None:
    table_name, column, value = mutation
    victim = profiles[choice % len(profiles)]
    spots = [spot for spot in _locations(victim) if spot[0] == table_name]
    if not spots:
        return
    _, row_in_child, path = spots[choice % len(spots)]
    data = [p.model_dump(mode="json", exclude_defaults=True) for p in profiles]
    victim_data = data[profiles.index(victim)]
    for key in ("factors", "events", "attendance"):
        victim_data.setdefault(key, {} if key == "factors" else [])
    if column in ("ethnicity", "sex"):  # audit-only columns of the children table
        path = ("audit",)
        victim_data.setdefault("audit", {})
    _set_path(victim_data, (*path, column) if path else (column,), _json_value(value))

    tables = profiles_to_tables(profiles)
    table = getattr(tables, table_name)
    ids = table.column("id").to_pylist()
    rows = [position for position, owner in enumerate(ids) if owner == victim.id]
    mutated = tables._replace(**{table_name: _with_cell(table, rows[row_in_child], column, value)})
    if column == "id":  # a child's id is on every row of the child, in every table
        mutated = CaseTables(
            *(
                _renamed(part, victim.id, value) if name != "children" else part
                for name, part in zip(TABLE_NAMES, mutated, strict=True)
            )
        )
    screening = screen_tables(*mutated, as_of=AS_OF)

    lines, summary = profile_lines(data)
    assert screening.result_lines() == lines
    json_problems: dict[str | None, set[tuple[str, str]]] = {}
    for record in summary.rejected_sample:
        json_problems.setdefault(record.id, set()).update(
            (problem.field, problem.reason) for problem in record.problems
        )
    assert _problems_by_child(screening) == json_problems
    for count in screening.counts:
        assert count.read == count.screened + count.rejected
    assert screening.counts.children.rejected == summary.rejected
    for row in screening.rejected.to_pylist():
        assert "Jane Smith" not in json.dumps(row)


def test_a_bad_row_places_its_problem_at_its_table_and_row() -> None:
    profiles = [
        Profile.model_validate({"id": f"YP-{i}", "date_of_birth": "2012-01-01"}) for i in range(3)
    ]
    tables = profiles_to_tables(profiles)
    events = pa.table(
        {
            "id": ["YP-0", "YP-1", "YP-1"],
            "type": ["police_contact", "police_contact", "suspension"],
            "date": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2027, 1, 1)],
        }
    )
    screening = screen_tables(tables.children, None, events, None, as_of=AS_OF)
    (problem,) = screening.rejected.to_pylist()
    assert problem["id"] == "YP-1" and problem["table"] == "events" and problem["row"] == 2
    assert problem["field"] == "events[1].date"
    assert "after the screening date" in problem["reason"]
    assert screening.results.column("id").to_pylist() == ["YP-0", "YP-2"]
    assert screening.counts.events == (3, 1, 2)  # the whole child's rows are rejected


# ---------------------------------------------------------------------------------------------
# Accounting: rows of unknown children, duplicate children.


def test_rows_of_unknown_children_and_duplicate_children_are_accounted_for() -> None:
    children = pa.table(
        {
            "id": ["YP-1", "YP-2", "YP-2", "YP-3"],
            "date_of_birth": [dt.date(2012, 1, 1)] * 4,
        }
    )
    observations = pa.table(
        {
            "id": ["YP-1", "YP-2", "YP-9", None, "Jane Smith"],
            "factor": ["adhd"] * 5,
            "status": ["present"] * 5,
        }
    )
    screening = screen_tables(children, observations, as_of=AS_OF)
    assert screening.results.column("id").to_pylist() == ["YP-1", "YP-3"]
    rejected = screening.rejected.to_pylist()
    assert [(r["table"], r["row"], r["id"], r["field"]) for r in rejected] == [
        ("children", 1, "YP-2", "id"),
        ("children", 2, "YP-2", "id"),
        ("observations", 2, "YP-9", "id"),
        ("observations", 3, None, "id"),
        ("observations", 4, None, "id"),
    ]
    assert "rows 1, 2 of the children table" in rejected[0]["reason"]
    assert "no child in the children table has this id" in rejected[2]["reason"]
    assert "is blank" in rejected[3]["reason"]
    assert screening.counts.children == (4, 2, 2)
    assert screening.counts.observations == (5, 1, 4)
    assert "Jane Smith" not in json.dumps(rejected)


# ---------------------------------------------------------------------------------------------
# Strict types.


def test_wrong_types_unknown_and_missing_columns_are_refused_naming_each() -> None:
    children = pa.table(
        {
            "id": ["YP-1"],
            "date_of_birth": pa.array([dt.datetime(2012, 1, 1)], type=pa.timestamp("ns")),
            "shoe_size": [5],
        }
    )
    attendance = pa.table(
        {
            "id": ["YP-1"],
            "start": [dt.date(2026, 1, 1)],
            "end": [dt.date(2026, 2, 1)],
            "possible_sessions": [10.0],
        }
    )
    with pytest.raises(InputError) as caught:
        screen_tables(children, None, None, attendance, as_of=AS_OF)
    fields = caught.value.fields
    assert "children.date_of_birth" in fields
    assert "children (column 3)" in fields
    assert "attendance.possible_sessions" in fields
    assert "attendance.missed_sessions" in fields
    message = str(caught.value)
    assert ".dt.date" in message and "Int64" in message and "shoe_size" not in message


def test_a_table_of_another_kind_is_refused() -> None:
    with pytest.raises(InputError, match="must be a pyarrow Table or a pandas DataFrame"):
        screen_tables([{"id": "YP-1"}], as_of=AS_OF)


# ---------------------------------------------------------------------------------------------
# The optional dependency.


def test_importing_the_library_does_not_import_pyarrow() -> None:
    code = (
        "import sys, efh_screen, efh_screen.tables; "
        "assert 'pyarrow' not in sys.modules, 'pyarrow imported'; "
        "assert 'pandas' not in sys.modules, 'pandas imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_pyarrow_the_error_names_the_install_command() -> None:
    code = (
        "import sys, datetime; sys.modules['pyarrow'] = None\n"
        "from efh_screen.tables import screen_tables\n"
        "try:\n"
        "    screen_tables(None, as_of=datetime.date(2026, 9, 1))\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert 'pip install "efh_screen[tables]"' in shown


def test_profiles_to_tables_writes_the_layout_schema() -> None:
    from efh_screen.tables import arrow_schemas

    tables = profiles_to_tables([])
    assert isinstance(tables, CaseTables)
    for name, table in zip(TABLE_NAMES, tables, strict=True):
        assert table.schema.names == arrow_schemas()[name].names


# ---------------------------------------------------------------------------------------------
# The layout's documentation and the command that prints it.


def test_the_documented_layout_is_the_printed_one(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from efh_screen.__main__ import main
    from efh_screen.tables import describe_layout

    page = (Path(__file__).resolve().parent.parent / "docs" / "tables.md").read_text("utf-8")
    start = page.index("```text\n") + len("```text\n")
    assert page[start : page.index("```\n", start)] == describe_layout()
    assert main(["schema", "--arrow"]) == 0
    assert capsys.readouterr().out == describe_layout()


def test_parquet_folders_round_trip(tmp_path: Any) -> None:
    from efh_screen.tables import read_tables, write_screening, write_tables

    profiles = [
        Profile.model_validate(
            {
                "id": "YP-1",
                "date_of_birth": "2012-01-01",
                "factors": {"adhd": [{"status": "present"}, {"status": "absent"}]},
            }
        )
    ]
    write_tables(profiles_to_tables(profiles), tmp_path / "in")
    screening = screen_tables(*read_tables(tmp_path / "in"), as_of=AS_OF, contributions=True)
    write_screening(
        screening,
        results=tmp_path / "results.parquet",
        results_jsonl=tmp_path / "results.jsonl",
        contributions=tmp_path / "contributions.parquet",
    )
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "results.parquet").equals(screening.results)
    lines = (tmp_path / "results.jsonl").read_text("utf-8").splitlines()
    assert lines == profile_lines(profiles)[0]
    (tmp_path / "in" / "events.parquet").unlink()
    with pytest.raises(InputError, match=r"events\.parquet"):
        read_tables(tmp_path / "in")


def test_a_wide_frame_reads_as_the_csv_reader_reads_the_same_cells(tmp_path: Any) -> None:
    import csv

    pandas = pytest.importorskip("pandas")
    from efh_screen import screen_file, write_csv
    from efh_screen.synth import generate_cohort
    from efh_screen.tables import tables_from_frame

    profiles = [case.profile for case in generate_cohort(60, seed=5, as_of=AS_OF)]
    source = tmp_path / "caseload.csv"
    with open(source, "w", encoding="utf-8", newline="") as stream:
        write_csv(profiles, stream)
    with open(source, encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[3][rows[0].index("date_of_birth")] = "31/02/2012"  # one row that cannot be read
    with open(source, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    frame = pandas.read_csv(source, dtype=str, keep_default_na=False)
    read = tables_from_frame(frame)
    (problem,) = read.rejected.to_pylist()
    assert (problem["table"], problem["row"], problem["field"]) == ("frame", 2, "date_of_birth")
    screening = screen_tables(*read.tables, as_of=AS_OF)
    screen_file(source, as_of=AS_OF, results=tmp_path / "results.jsonl")
    expected = (tmp_path / "results.jsonl").read_text("utf-8").splitlines()
    assert screening.result_lines() == expected


def test_a_wide_parquet_file_needs_no_pandas(tmp_path: Path) -> None:
    # Its rows come straight from Arrow; pandas is for DataFrames only.
    wide = tmp_path / "wide.parquet"
    pa.parquet.write_table(pa.table({"id": ["YP-1"], "date_of_birth": ["2011-01-01"]}), wide)
    out = tmp_path / "results.jsonl"
    hidden = tmp_path / "hidden" / "pandas"  # a stand-in first on the path, as if not installed
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('pandas is not installed')\n")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from efh_screen.__main__ import main\n"
        f"sys.exit(main(['screen', {str(wide)!r}, '--as-of', '2026-09-01', '--quiet',"
        f" '--out', {str(out)!r}]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(hidden.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["id"] == "YP-1"


def test_a_missing_pandas_names_the_command_that_installs_it() -> None:
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from efh_screen.tables._arrow import import_pandas\n"
        "try:\n    import_pandas('reading a DataFrame')\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "pip install pandas" in run.stdout and "efh_screen[tables]" not in run.stdout
