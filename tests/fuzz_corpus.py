"""A seeded corpus of malformed records mixed with valid ones, for every input path.

Each :class:`Case` is one physical line (JSONL) or one physical row (CSV) with what must
become of it: screened, or rejected carrying a known id (or no id, when the id cannot be
read safely). The kinds are spread evenly and shuffled with a fixed seed, so the same
corpus comes out every time.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from efh_screen import FLAT_COLUMNS, Profile, write_csv
from efh_screen.synth import generate_cohort

AS_OF = dt.date(2026, 9, 1)
PERSONAL = "Jane Smith 1 High Street"  # must never appear in any output or error


@dataclass(frozen=True)
class Case:
    """One line of a corpus and what must become of it."""

    kind: str
    text: bytes
    valid: bool
    expected_id: str | None


Mutation = Callable[[dict[str, Any], random.Random], tuple[bytes, str | None]]


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _set(path: tuple[str | int, ...], value: object, *, keep_id: bool = True) -> Mutation:
    def mutate(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
        node: Any = profile
        for part in path[:-1]:
            if isinstance(part, str):
                node = node.setdefault(part, {})
            else:
                node = node[part]
        node[path[-1]] = value
        return _dumps(profile), profile["id"] if keep_id else None

    return mutate


def _raw(text: bytes) -> Mutation:
    return lambda profile, rng: (text, None)


def _truncated(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    text = _dumps(profile)
    return text[: rng.randrange(1, len(text) - 1)], None


def _duplicate_key(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    text = _dumps(profile).decode()
    return (text[:-1] + ', "date_of_birth": "2011-01-01"}').encode(), profile["id"]


def _nested_duplicate(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    text = _dumps({**profile, "factors": {}}).decode()
    extra = '"adhd": {"status": "absent", "status": "present"}'
    return text.replace('"factors": {}', '"factors": {' + extra + "}").encode(), profile["id"]


def _event(kind: str, date: str, **extra: object) -> Mutation:
    def mutate(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
        events = [*profile.get("events", []), {"type": kind, "date": date, **extra}]
        return _dumps({**profile, "events": events}), profile["id"]

    return mutate


def _attendance(**fields: object) -> Mutation:
    period = {"start": "2026-01-05", "end": "2026-03-27", "possible_sessions": 120}
    period["missed_sessions"] = 10
    period.update(fields)
    return lambda profile, rng: (_dumps({**profile, "attendance": [period]}), profile["id"])


def _factor(key: object, observation: object) -> Mutation:
    def mutate(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
        factors = {**profile.get("factors", {}), key: observation}
        return _dumps({**profile, "factors": factors}), profile["id"]

    return mutate


def _labelled(outcome: object) -> Mutation:
    return lambda profile, rng: (_dumps({"profile": profile, "outcome": outcome}), profile["id"])


def _deep(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    return b'{"id": "' + profile["id"].encode() + b'", "factors": ' + b"[" * 50_000, None


def _invalid_utf8(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    return _dumps(profile)[:-1] + b', "note": "\xff\xfe"}', None


def _nul(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    return _dumps(profile)[:-1] + b', "x": "a\x00b"}', None


def _too_long(profile: dict[str, Any], rng: random.Random) -> tuple[bytes, str | None]:
    return _dumps({**profile, "padding": "x" * 1_000_100}), None


JSONL_KINDS: dict[str, Mutation] = {
    "truncated JSON": _truncated,
    "empty line": _raw(b""),
    "whitespace line": _raw(b"   \t "),
    "a list, not an object": _raw(b'[{"id": "X"}]'),
    "a number": _raw(b"42"),
    "a string": _raw(b'"profile"'),
    "null": _raw(b"null"),
    "missing id": lambda p, rng: (_dumps({k: v for k, v in p.items() if k != "id"}), None),
    "missing date of birth": lambda p, rng: (
        _dumps({k: v for k, v in p.items() if k != "date_of_birth"}),
        p["id"],
    ),
    "a name in the id": _set(("id",), PERSONAL, keep_id=False),
    "id too long": _set(("id",), "Y" * 65, keep_id=False),
    "date of birth not a date": _set(("date_of_birth",), "31/02/2012"),
    "date of birth as a timestamp": _set(("date_of_birth",), 1325376000),
    "date of birth with a time": _set(("date_of_birth",), "2012-01-01T10:00:00"),
    "born after the screening date": _set(("date_of_birth",), "2027-03-01"),
    "event after the screening date": _event("suspension", "2026-12-01"),
    "unknown key with personal text": _set((PERSONAL,), 1),
    "unknown factor key": _factor(PERSONAL, {"status": "present"}),
    "status word not allowed": _factor("adhd", {"status": "yes"}),
    "agency not in the vocabulary": _factor("adhd", {"status": "present", "source": "nhs"}),
    "negative sessions": _attendance(missed_sessions=-3),
    "sessions as text": _attendance(possible_sessions="140"),
    "sessions as a float": _attendance(possible_sessions=1e2),
    "more missed than possible": _attendance(missed_sessions=130),
    "cross_borough as a word": _event("home_move", "2025-01-01", cross_borough="yes"),
    "cross_borough on a suspension": _event("suspension", "2025-01-01", cross_borough=True),
    "duplicate key": _duplicate_key,
    "duplicate nested key": _nested_duplicate,
    "note too long": _factor("adhd", {"status": "present", "note": "n" * 400}),
    "invalid UTF-8": _invalid_utf8,
    "NUL inside a string": _nul,
    "nesting too deep": _deep,
    "outcome true": _labelled(True),
    "outcome 2": _labelled(2),
    "events factor without events": lambda p, rng: (
        _dumps(
            {
                **p,
                "factors": {**p.get("factors", {}), "suspensions": {"status": "present"}},
                "events": [e for e in p.get("events", []) if e["type"] != "suspension"],
            }
        ),
        p["id"],
    ),
    "ethnicity not allowed": _set(("audit", "ethnicity"), "unknown"),
}
"""Every kind of malformed JSONL line, each a mutation of a valid profile."""

RARE_KINDS = {"line over 1 MB": _too_long}
"""Kinds too large to repeat thousands of times: a few of each."""


def valid_profiles(n: int, *, seed: int) -> list[dict[str, Any]]:
    """``n`` valid, distinct synthetic profiles as JSON-ready dicts."""
    cohort = generate_cohort(n, seed=seed, as_of=AS_OF, population="early-help")
    return [labelled.profile.model_dump(mode="json", exclude_defaults=True) for labelled in cohort]


def jsonl_corpus(n_bad: int, n_good: int, *, seed: int) -> list[Case]:
    """A shuffled JSONL corpus: ``n_bad`` malformed lines of every kind, ``n_good`` valid."""
    rng = random.Random(seed)
    pool = valid_profiles(max(n_good, 50), seed=seed)
    cases = [Case("valid", _dumps(profile), True, profile["id"]) for profile in pool[:n_good]]
    kinds = list(JSONL_KINDS.items())
    for index in range(n_bad):
        kind, mutate = kinds[index % len(kinds)]
        profile = copy.deepcopy(rng.choice(pool))
        profile["id"] = f"FZ-{index}"
        text, expected_id = mutate(profile, rng)
        cases.append(Case(kind, text, False, expected_id))
    for index, (kind, mutate) in enumerate(RARE_KINDS.items()):
        for repeat in range(3):
            profile = {**rng.choice(pool), "id": f"FZ-RARE-{index}-{repeat}"}
            text, expected_id = mutate(profile, rng)
            cases.append(Case(kind, text, False, expected_id))
    rng.shuffle(cases)
    return _with_repeated_ids(cases, rng)


def _with_repeated_ids(cases: list[Case], rng: random.Random) -> list[Case]:
    """Add the two id-reuse kinds, which depend on order.

    A repeat of an earlier valid record's id is rejected as a duplicate; a rejected record
    whose id a later valid record carries does not use up that id (the later one is
    screened).
    """
    next_valid: list[str | None] = [None] * len(cases)
    upcoming: str | None = None
    for position in range(len(cases) - 1, -1, -1):
        next_valid[position] = upcoming
        if cases[position].valid:
            upcoming = cases[position].expected_id
    out: list[Case] = []
    for position, case in enumerate(cases):
        twin = next_valid[position]
        if position % 40 == 23 and twin is not None:
            early = _dumps({"id": twin, "date_of_birth": "2030-01-01"})
            out.append(Case("rejected before its valid twin", early, False, twin))
        out.append(case)
        if position % 40 == 7 and case.valid:
            out.append(Case("repeat of an earlier valid id", case.text, False, case.expected_id))
    return out


# ---------------------------------------------------------------------------------------------
# CSV rows (the flat layout).


def _csv_line(row: dict[str, str]) -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=FLAT_COLUMNS, lineterminator="\n").writerow(row)
    return buffer.getvalue().rstrip("\n")


def _flat_row(profile: dict[str, Any]) -> dict[str, str]:
    buffer = io.StringIO()
    write_csv([Profile.model_validate(profile)], buffer)
    _, line = buffer.getvalue().splitlines()
    return dict(zip(FLAT_COLUMNS, next(csv.reader([line])), strict=True))


CsvMutation = Callable[[dict[str, str], random.Random], tuple[str, str | None]]


def _cell(column: str, value: str, *, keep_id: bool = True) -> CsvMutation:
    def mutate(row: dict[str, str], rng: random.Random) -> tuple[str, str | None]:
        return _csv_line({**row, column: value}), row["id"] if keep_id else None

    return mutate


CSV_KINDS: dict[str, CsvMutation] = {
    "unclosed quote": lambda row, rng: (_csv_line(row) + ',"5 ft', row["id"]),
    "too many cells": lambda row, rng: (_csv_line(row) + ",extra", row["id"]),
    "too few cells": lambda row, rng: (_csv_line(row).rsplit(",", 3)[0], row["id"]),
    "empty row": lambda row, rng: ("", None),
    "commas only": lambda row, rng: ("," * (len(FLAT_COLUMNS) - 1), None),
    # A NUL in the date of birth: the row is read, and rejected on that cell with its id.
    "NUL byte": lambda row, rng: (_csv_line(row).replace(",", ",\x00", 1), row["id"]),
    "bad date of birth": _cell("date_of_birth", "31/02/2012"),
    "born after the screening date": _cell("date_of_birth", "2027-03-01"),
    "status word not allowed": _cell("adhd", "maybe"),
    "formula in a status cell": _cell("adhd", "=HYPERLINK(1)"),
    "agency not in the vocabulary": lambda row, rng: (
        _csv_line({**row, "adhd": "present", "adhd_source": "nhs"}),
        row["id"],
    ),
    "sessions not whole": lambda row, rng: (
        _csv_line(
            {
                **row,
                "attendance_start": "2026-01-05",
                "attendance_end": "2026-03-27",
                "attendance_possible_sessions": "1e2",
                "attendance_missed_sessions": "3",
                "attendance_source": "school",
            }
        ),
        row["id"],
    ),
    "a name in the id": _cell("id", PERSONAL, keep_id=False),
    "ethnicity not allowed": _cell("ethnicity", PERSONAL),
    "stray bytes in the id": _cell("id", "AB\ufffdC", keep_id=False),  # written as b"\xff"
}


def csv_corpus(n_bad: int, n_good: int, *, seed: int) -> tuple[str, list[Case]]:
    """A shuffled flat-layout CSV corpus; returns the header and one case per row."""
    rng = random.Random(seed)
    pool = valid_profiles(max(n_good, 50), seed=seed + 1)
    rows = [_flat_row(profile) for profile in pool]
    cases = [Case("valid", _csv_line(row).encode(), True, row["id"]) for row in rows[:n_good]]
    kinds = list(CSV_KINDS.items())
    for index in range(n_bad):
        kind, mutate = kinds[index % len(kinds)]
        row = {**rng.choice(rows), "id": f"FZC-{index}"}
        text, expected_id = mutate(row, rng)
        data = text.encode().replace("\ufffd".encode(), b"\xff")  # a byte that is not UTF-8
        cases.append(Case(kind, data, False, expected_id))
    rng.shuffle(cases)
    return ",".join(FLAT_COLUMNS), cases
