"""CSV caseloads: the flat layout round-trips, and mapped exports are read as is."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh_screen import (
    CIN_CODES,
    FACTORS,
    FLAT_COLUMNS,
    Audit,
    ColumnMapping,
    InputError,
    InputRecord,
    Profile,
    RejectedRecord,
    Screener,
    read_csv,
    screen_file,
    summary_text,
    write_csv,
)
from efh_screen._csv import iso_date
from strategies import AS_OF, profiles

DATA = Path(__file__).parent / "data"
GOOD = [
    Profile.model_validate_json(x) for x in (DATA / "batch_good.jsonl").read_bytes().splitlines()
]


def _normalised(p: Profile) -> dict[str, object]:
    data = p.model_dump(mode="json", exclude={"audit"})
    data["events"] = sorted(data["events"], key=lambda e: (e["type"], e["date"]))
    for obs in data["factors"].values():
        obs["note"] = ""
    for e in data["events"]:
        e["note"] = ""
    return data


def roundtrip(items: list[Profile]) -> list[InputRecord | RejectedRecord]:
    buffer = io.StringIO()
    write_csv(items, buffer)
    buffer.seek(0)
    return list(read_csv(buffer))


def test_flat_layout_roundtrips_fixtures() -> None:
    records = roundtrip(GOOD)
    assert all(isinstance(r, InputRecord) for r in records)
    assert [r.line for r in records] == list(range(2, len(GOOD) + 2))
    for original, record in zip(GOOD, records, strict=True):
        assert isinstance(record, InputRecord)
        assert _normalised(record.profile) == _normalised(original)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(max_extra_accounts=0))  # the flat layout holds one account per factor
def test_flat_layout_roundtrip_gives_the_same_screen(profile: Profile) -> None:
    (record,) = roundtrip([profile])
    assert isinstance(record, InputRecord)
    screener = Screener()
    a = screener.screen(profile, as_of=AS_OF)
    b = screener.screen(record.profile, as_of=AS_OF)
    assert (a.score, a.score_range, a.band, a.flag) == (b.score, b.score_range, b.band, b.flag)


EXPORT = """\
Child ID,DOB,Domestic abuse?,ADHD dx,Mentor,Suspension dates,Missing dates,CIN factors,Worker name
YP-001,02/04/2012,Y,N,,03/02/2026;10/05/2026,none,3A;24A,Someone
YP-002,15/09/2011,N,Yes,1,,,,Someone Else
YP-003,31/02/2011,Y,,,,,,Name
YP-004,01/01/2012,maybe,,,,,,Name
YP-005,01/01/2012,,,,,,3A;99Z,Name
YP-006,01/01/2012,N,,,,,3B,Name
YP-007,01/01/2012,,,,,,10A,Name
YP-008,01/01/2012,Y,N
"""

MAPPING: dict[str, Any] = {
    "columns": {
        "Child ID": "id",
        "DOB": "date_of_birth",
        "Domestic abuse?": "domestic_abuse",
        "ADHD dx": "adhd",
        "Mentor": "mentor",
        "Suspension dates": "suspension_dates",
        "Missing dates": "missing_episode_dates",
    },
    "status_words": {
        "Y": "present",
        "Yes": "present",
        "1": "present",
        "N": "absent",
        "": "unknown",
    },
    "date_format": "%d/%m/%Y",
    "cin_codes_column": "CIN factors",
    "sources": {"Domestic abuse?": "police", "Suspension dates": "school"},
}


def read_export(text: str = EXPORT) -> list[InputRecord | RejectedRecord]:
    mapping = ColumnMapping.model_validate(MAPPING)
    return list(read_csv(io.StringIO(text, newline=""), mapping=mapping))


def test_mapped_export_reads_names_words_dates_and_cin_codes() -> None:
    records = read_export()
    first = records[0]
    assert isinstance(first, InputRecord)
    assert first.line == 2
    p = first.profile
    assert p.id == "YP-001"
    assert p.date_of_birth == dt.date(2012, 4, 2)
    assert p.factors["domestic_abuse"][0].status.value == "present"
    assert p.factors["domestic_abuse"][0].source is not None
    assert p.factors["domestic_abuse"][0].source.value == "police"
    assert p.factors["adhd"][0].status.value == "absent"
    assert "mentor" not in p.factors  # blank = unknown
    assert [e.date for e in p.events] == [dt.date(2026, 2, 3), dt.date(2026, 5, 10)]
    assert all(e.source is not None and e.source.value == "school" for e in p.events)
    assert p.factors["missing_episodes"][0].status.value == "absent"  # "none" = known none
    assert p.factors["child_criminal_exploitation"][0].status.value == "present"  # CIN 24A
    second = records[1]
    assert isinstance(second, InputRecord)
    assert second.profile.factors["mentor"][0].status.value == "present"


def test_mapped_export_rejects_bad_rows_with_row_number_and_column() -> None:
    records = read_export()
    rejected = {r.line: r for r in records if isinstance(r, RejectedRecord)}
    assert set(rejected) == {4, 5, 6, 7, 9}
    assert rejected[4].problems[0].field == "DOB"
    assert "DD/MM/YYYY" in rejected[4].problems[0].reason
    assert rejected[5].problems[0].field == "Domestic abuse?"
    assert "status word" in rejected[5].problems[0].reason
    assert rejected[6].problems[0].field == "CIN factors"
    assert "code 2" in rejected[6].problems[0].reason
    assert rejected[7].problems[0].field == "CIN factors"
    assert "absent" in rejected[7].problems[0].reason
    assert rejected[9].problems[0].field == "(row)"
    for r in rejected.values():
        text = json.dumps(r.to_dicts())
        assert "maybe" not in text
        assert "99Z" not in text
        assert "31/02/2011" not in text
        assert r.id is not None


def test_cin_code_for_an_events_factor_is_missing_information() -> None:
    record = read_export()[6]
    assert isinstance(record, InputRecord)
    assert record.profile.factors["missing_episodes"][0].status.value == "unknown"


def test_validation_problems_name_the_csv_column() -> None:
    header = ",".join([*MAPPING["columns"], "CIN factors"])
    text = header + "\nYP-9,01/01/2012,,,,01/01/2011,,\n"
    (record,) = read_export(text)
    assert isinstance(record, RejectedRecord)
    assert record.problems[0].field == "Suspension dates (events[0].date)"
    assert "before the date of birth" in record.problems[0].reason


def test_flat_layout_rejects_unknown_columns_and_missing_id() -> None:
    with pytest.raises(InputError, match="not flat-layout names"):
        list(read_csv(io.StringIO("id,date_of_birth,Worker name\nA,2012-01-01,x\n")))
    with pytest.raises(InputError, match="id"):
        list(read_csv(io.StringIO("date_of_birth\n2012-01-01\n")))
    with pytest.raises(InputError, match="empty"):
        list(read_csv(io.StringIO("")))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"columns": {"A": "not_a_column"}}', "mapping.columns"),
        ('{"date_format": "%Q"}', "mapping.date_format"),
        ('{"sources": {"A": "the_council"}}', "mapping.sources.A"),
        ('{"colums": {}}', "mapping.colums"),
        ("{", "mapping"),
    ],
)
def test_bad_mapping_files_name_the_option(text: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        ColumnMapping.from_json(text)
    assert info.value.problems[0].field == field


def test_screen_file_with_mapping(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(EXPORT)
    mapping = ColumnMapping.model_validate(MAPPING)
    summary = screen_file(
        source,
        as_of=AS_OF,
        mapping=mapping,
        results=tmp_path / "r.jsonl",
        errors=tmp_path / "e.jsonl",
    )
    assert (summary.read, summary.screened, summary.rejected) == (8, 3, 5)
    errors = [json.loads(x) for x in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert {e["line"] for e in errors} == {4, 5, 6, 7, 9}


def test_flat_columns_are_unique() -> None:
    assert len(FLAT_COLUMNS) == len(set(FLAT_COLUMNS))


def test_mapping_naming_a_column_not_in_the_export_is_unusable() -> None:
    mapping = ColumnMapping.model_validate(
        {**MAPPING, "columns": {**MAPPING["columns"], "DA?": "self_harm"}}
    )
    with pytest.raises(InputError, match="not in the file's header"):
        list(read_csv(io.StringIO(EXPORT, newline=""), mapping=mapping))


def test_a_huge_cell_rejects_its_row_only() -> None:
    text = "id,date_of_birth,adhd\nA1,2012-01-01,present\nA2,2012-01-01," + "x" * 200_000
    text += "\nA3,2012-01-01,absent\n"
    records = list(read_csv(io.StringIO(text, newline="")))
    assert [(type(r).__name__, r.line) for r in records] == [
        ("InputRecord", 2),
        ("RejectedRecord", 3),
        ("InputRecord", 4),
    ]


def test_write_csv_refuses_several_accounts_of_a_factor_instead_of_dropping_one() -> None:
    profile = Profile.model_validate(
        {
            "id": "A1",
            "date_of_birth": "2012-01-01",
            "factors": {
                "domestic_abuse": [
                    {"status": "absent", "source": "gp"},
                    {"status": "present", "source": "police"},
                ]
            },
        }
    )
    with pytest.raises(InputError, match="holds one account per factor") as info:
        write_csv([profile], io.StringIO())
    assert info.value.fields == ("factors.domestic_abuse",)


def test_write_csv_treats_a_factor_with_no_accounts_as_left_out() -> None:
    profile = Profile.model_validate(
        {"id": "A1", "date_of_birth": "2012-01-01", "factors": {"adhd": []}}
    )
    buffer = io.StringIO()
    assert write_csv([profile], buffer) == 1
    (record,) = read_csv(io.StringIO(buffer.getvalue(), newline=""))
    assert isinstance(record, InputRecord) and "adhd" not in record.profile.factors


def test_flat_layout_keeps_the_audit_demographics() -> None:
    audit = {"ethnicity": "black", "sex": "female", "disability": "yes"}
    profile = GOOD[0].model_copy(update={"audit": Audit.model_validate(audit)})
    (record,) = roundtrip([profile])
    assert isinstance(record, InputRecord)
    assert record.profile.audit == profile.audit
    older = io.StringIO("id,date_of_birth,ethnicity,sex\nA-1,2012-01-01,white,male\n")
    (record,) = list(read_csv(older))
    assert isinstance(record, InputRecord)
    assert record.profile.audit is not None
    assert record.profile.audit.disability is None


# ---------------------------------------------------------------------------------------------
# Children in Need census codes: the whole census in one row, each code where the table says.


def read_flat(rows: list[str], header: str = "id,date_of_birth,cin_codes") -> list[Any]:
    return list(read_csv(io.StringIO("\n".join([header, *rows]) + "\n", newline="")))


def test_a_row_with_every_cin_code_screens_and_each_code_lands_where_the_table_says() -> None:
    codes = ";".join(CIN_CODES)
    (record,) = read_flat([f"YP-ALL,2011-05-01,{codes}"])
    assert isinstance(record, InputRecord)
    profile = record.profile
    for code, entry in CIN_CODES.items():
        if not entry.scored:
            assert code in profile.cin_codes_not_scored, code
            continue
        key = entry.factors[0]
        (account,) = profile.factors[key]
        if FACTORS[key].evidence == "events":  # 10A and 18B need their dates to be scored
            assert account.status.value == "unknown", code
            assert account.note.endswith("add the dated events")
        else:
            assert account.status.value == "present", code
        assert account.note.startswith("CIN census code "), code
    assert list(profile.cin_codes_not_scored) == [
        code for code, entry in CIN_CODES.items() if not entry.scored
    ]
    assert "emotional_neglect" not in profile.factors  # 16A records one kind of neglect
    result = Screener().screen(profile, as_of=AS_OF)
    assert result.cin_codes_not_scored == profile.cin_codes_not_scored
    assert result.flag
    assert "recorded, not scored: 5B (learning disability: parent or carer)" in summary_text(result)


def test_an_unknown_cin_code_rejects_only_its_row_naming_its_position() -> None:
    records = read_flat(
        [
            "YP-1,2011-05-01,3B;24A",
            "YP-2,2011-05-01,3B; 13A ;Q7;21",
            "YP-3,2011-05-01,21",
        ]
    )
    assert [type(r).__name__ for r in records] == ["InputRecord", "RejectedRecord", "InputRecord"]
    rejected = records[1]
    (problem,) = rejected.problems
    assert problem.field == "cin_codes"
    assert problem.reason.startswith("code 3 is not a Children in Need census factor code")
    assert "factors --cin" in problem.reason
    assert "Q7" not in json.dumps(rejected.to_dicts())
    assert records[2].profile.cin_codes_not_scored == ("21",)
    assert records[2].profile.factors == {}  # 21 records no factor absent: unknown is not absent


def test_neglect_records_physical_neglect_or_emotional_when_physical_is_absent() -> None:
    header = "id,date_of_birth,physical_neglect,emotional_neglect,cin_codes"
    records = read_flat(
        [
            "YP-1,2011-05-01,,,16A",
            "YP-2,2011-05-01,absent,,16A",
            "YP-3,2011-05-01,absent,absent,16A",
        ],
        header=header,
    )
    first, second, third = records
    assert first.profile.factors["physical_neglect"][0].status.value == "present"
    assert "emotional_neglect" not in first.profile.factors
    assert second.profile.factors["emotional_neglect"][0].status.value == "present"
    assert isinstance(third, RejectedRecord)
    (problem,) = third.problems
    assert problem.reason.startswith(
        "code 1 (16A) records physical_neglect or emotional_neglect present, but the row's own"
    )


def test_cin_codes_not_scored_round_trip_in_the_flat_layout() -> None:
    profile = Profile.model_validate(
        {"id": "YP-9", "date_of_birth": "2011-05-01", "cin_codes_not_scored": ["7A", "21"]}
    )
    assert "cin_codes" in FLAT_COLUMNS
    (record,) = roundtrip([profile])
    assert isinstance(record, InputRecord)
    assert record.profile == profile


def test_the_mapped_cin_column_gives_its_default_source_to_the_factors_it_records() -> None:
    mapping = ColumnMapping.model_validate(
        {
            "columns": {"Child": "id", "DOB": "date_of_birth"},
            "cin_codes_column": "Factors",
            "cin_codes_separator": ",",
            "sources": {"Factors": "childrens_social_care"},
        }
    )
    text = 'Child,DOB,Factors\nYP-1,2011-05-01,"3A, 18C, 7A"\n'
    (record,) = read_csv(io.StringIO(text, newline=""), mapping=mapping)
    assert isinstance(record, InputRecord)
    (account,) = record.profile.factors["domestic_abuse_of_child"]
    assert account.source is not None and account.source.value == "childrens_social_care"
    assert record.profile.factors["physical_abuse"][0].status.value == "present"
    assert record.profile.cin_codes_not_scored == ("7A",)


def _as_written(read: Any, text: str) -> dt.date | None:
    """A date cell read with ``read`` and kept only if written exactly ``YYYY-MM-DD``."""
    try:
        parsed = read(text)
    except ValueError:
        return None
    return parsed if parsed.strftime("%Y-%m-%d") == text else None


@settings(max_examples=500)
@given(
    st.one_of(
        st.dates().map(str),
        st.text(alphabet="0123456789-/ W+T:.Z", max_size=12),
        st.text(max_size=12),
    )
)
def test_iso_dates_are_read_as_strptime_reads_them(text: str) -> None:
    # The CSV reader's fast path for %Y-%m-%d (strptime looks the locale up on every call).
    def by_strptime(cell: str) -> dt.date:
        return dt.datetime.strptime(cell, "%Y-%m-%d").date()

    assert _as_written(iso_date, text) == _as_written(by_strptime, text)
