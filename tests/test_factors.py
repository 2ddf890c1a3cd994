"""The catalogue: every Children in Need census code, read as the table says."""

from __future__ import annotations

from efh_screen import CIN_CODES, FACTORS, INDICATORS, Weights

# The factor codes of the Department for Education's Children in Need census ("factors
# identified at the end of assessment", the census XML schema's AssessmentFactors), and the
# two codes retired when physical and sexual abuse were split by perpetrator.
CENSUS_CODES = (
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C",
    "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A",
    "14A", "15A", "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A",
)  # fmt: skip
RETIRED_CODES = ("18A", "19A")


def test_every_census_code_is_in_the_table_once_in_census_order() -> None:
    def census_order(code: str) -> tuple[int, str]:
        number = int(code.rstrip("ABCDEF"))
        return number, code[len(str(number)) :]

    assert set(CIN_CODES) == {*CENSUS_CODES, *RETIRED_CODES}
    assert list(CIN_CODES) == sorted(CIN_CODES, key=census_order)
    assert [code for code, entry in CIN_CODES.items() if entry.retired] == list(RETIRED_CODES)


def test_every_code_records_catalogue_factors_or_says_why_not() -> None:
    for code, entry in CIN_CODES.items():
        assert entry.code == code
        assert entry.label and entry.meaning.endswith(".")
        assert all(key in FACTORS for key in entry.factors), code
        if not entry.scored:
            assert entry.note, f"{code} is recorded, not scored, without saying why"
        assert entry.as_dict()["scored"] is entry.scored


def test_each_factors_cin_codes_come_from_the_one_table() -> None:
    for key, factor in FACTORS.items():
        expected = tuple(code for code, entry in CIN_CODES.items() if key in entry.factors)
        assert factor.cin_codes == expected, key


def test_codes_the_issue_found_misread_now_record_what_they_mean() -> None:
    assert CIN_CODES["3A"].factors == ("domestic_abuse_of_child",)  # the child is the subject
    assert CIN_CODES["3B"].factors == CIN_CODES["3C"].factors == ("domestic_abuse",)
    assert not CIN_CODES["14A"].scored  # not "behaviour at home"
    assert CIN_CODES["16A"].factors == ("physical_neglect", "emotional_neglect")
    assert CIN_CODES["18B"].factors == ("violence_victim",)  # by another child: not the ACE
    assert CIN_CODES["18C"].factors == ("physical_abuse",)
    assert CIN_CODES["24A"].factors == ("child_criminal_exploitation",)


def test_codes_for_protected_characteristics_and_their_stand_ins_are_never_scored() -> None:
    # disability (5B-6C), nationality and national origin (9A), FGM (22A), religion (23A)
    for code in ("5B", "5C", "6A", "6B", "6C", "9A", "22A", "23A"):
        assert not CIN_CODES[code].scored, code


def test_the_new_factors_are_indicators_at_the_end_with_documented_points() -> None:
    added = (
        "domestic_abuse_of_child",
        "violence_history",
        "care_experience",
        "early_caregiver_disruption",
        "poor_school_achievement",
        "place_concerns",
        "online_contact_concerns",
    )
    assert tuple(indicator.key for indicator in INDICATORS[-len(added) :]) == added
    default = Weights.default()
    for key in added:
        entry = default.points[key]
        assert entry.rationale and entry.evidence, key
        assert all(reference in default.references for reference in entry.evidence)
        if entry.points == 0:
            assert entry.rationale.startswith("Recorded, not scored"), key
