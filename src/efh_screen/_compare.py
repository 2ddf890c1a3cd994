"""Since last screen: what changed for each child between two screening runs.

Partnerships screen monthly, and a worker's first question is "what is new since last
time?". :func:`compare_screens` takes the result lines of two runs (``efh-screen screen
--out``; compact or ``--full``) and says, for each child, whether they are **new**, **newly
flagged**, **no longer flagged**, moved **band up** or **band down**, now have **enough
known** to screen or **too little known**, or are **unchanged**, and what changed: new
reasons for points, unknowns that are now known (or newly unknown), and, from full results,
evidence dated after the last screen and new agencies' accounts.

Two runs made with different weightings are not comparable (a band can move because the
points moved, not because anything happened to the child): they are refused unless the
caller asks for the comparison explicitly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from codecs import BOM_UTF8
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from ._errors import FieldProblem, InputError, location_to_path
from ._jsonl import MAX_LINE_BYTES
from ._review import BatchSummary

__all__ = [
    "Change",
    "ChangeSummary",
    "ScreenChange",
    "check_comparable",
    "compare_screens",
    "mark_review",
    "read_results",
]


class Change(StrEnum):
    """How a child's screen moved since the last run."""

    NEW = "new"
    NEWLY_FLAGGED = "newly_flagged"
    NO_LONGER_FLAGGED = "no_longer_flagged"
    BAND_UP = "band_up"
    BAND_DOWN = "band_down"
    ENOUGH_KNOWN_NOW = "enough_known_now"
    TOO_LITTLE_KNOWN_NOW = "too_little_known_now"
    UNCHANGED = "unchanged"

    @property
    def label(self) -> str:
        """Plain words."""
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class ScreenChange:
    """One child's change since the last screen.

    Attributes
    ----------
    id : str
        The pseudonymous id.
    kind : Change
        New, newly flagged, no longer flagged, band up, band down, enough known now
        (the weightings' coverage rule is met where it was not), too little known now
        (the reverse), or unchanged.
    previous_band, band : str or None
        Band keys last time (None if new) and now.
    previous_score, score : int or None
        Scores last time (None if new) and now.
    new_reasons, dropped_reasons : tuple of str
        Indicators that score now but did not, and the reverse.
    resolved_unknowns, new_unknowns : tuple of str
        Missing-information groups now known, and newly unknown.
    new_evidence : tuple of str
        Evidence dated after the last screen (full results only).
    new_accounts : tuple of str
        Agencies' accounts of a factor that were not there last time (full results only).
    """

    id: str
    kind: Change
    previous_band: str | None
    band: str | None
    previous_score: int | None
    score: int | None
    new_reasons: tuple[str, ...] = ()
    dropped_reasons: tuple[str, ...] = ()
    resolved_unknowns: tuple[str, ...] = ()
    new_unknowns: tuple[str, ...] = ()
    new_evidence: tuple[str, ...] = ()
    new_accounts: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say what changed in one plain line."""
        parts = [self.kind.label]
        if self.previous_score is not None and self.score != self.previous_score:
            parts.append(f"score {self.previous_score} → {self.score}")
        for title, items in (
            ("new reasons", self.new_reasons),
            ("no longer scoring", self.dropped_reasons),
            ("now known", self.resolved_unknowns),
            ("newly unknown", self.new_unknowns),
            ("new evidence", self.new_evidence),
            ("new accounts", self.new_accounts),
        ):
            if items:
                parts.append(f"{title}: {', '.join(items)}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "id": self.id,
            "since_last_screen": self.kind.value,
            "previous_band": self.previous_band,
            "band": self.band,
            "previous_score": self.previous_score,
            "score": self.score,
            "new_reasons": list(self.new_reasons),
            "dropped_reasons": list(self.dropped_reasons),
            "resolved_unknowns": list(self.resolved_unknowns),
            "new_unknowns": list(self.new_unknowns),
            "new_evidence": list(self.new_evidence),
            "new_accounts": list(self.new_accounts),
            "summary": self.describe(),
        }


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """Every child of the current run compared with the last one.

    Attributes
    ----------
    changes : tuple of ScreenChange
        One per child screened now, in the current run's order.
    counts : dict of Change to int
        How many children of each kind (every kind listed, zeros included).
    not_screened_now : int
        Children in the last run but not in this one.
    """

    changes: tuple[ScreenChange, ...]
    counts: dict[Change, int]
    not_screened_now: int

    def __str__(self) -> str:
        kinds = ", ".join(f"{count} {kind.label}" for kind, count in self.counts.items())
        return f"since last screen: {kinds}; {self.not_screened_now} not screened this time"


REASON_DIFFERENT_WEIGHTS = (
    "were made with weightings {previous}, this screen with {current}; a band can move "
    "because the points moved, so compare runs made with the same weightings (or ask for "
    "the comparison explicitly: --allow-different-weights)"
)


class _Model(BaseModel):
    """What the comparison reads of a result line; other keys are left alone.

    A result line holds more than the comparison reads (``score_range``, ``band_label``,
    and in full results the whole explanation), and a file from an earlier version of
    the library may hold keys this one no longer writes, so keys not listed are ignored
    rather than refused. The keys listed are checked strictly: a number must be a
    number, a list a list.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)


class _Reason(_Model):
    indicator: str
    points: int


class _Evidence(_Model):
    date: dt.date | None = None


class _Contribution(_Reason):
    label: str
    evidence: tuple[_Evidence, ...] = ()


class _Missing(_Model):
    key: str


class _Account(_Model):
    agency: str | None = None


class _FactorAccounts(_Model):
    label: str
    accounts: tuple[_Account, ...] = ()


class _Coverage(_Model):
    enough: bool


class _ResultLine(_Model):
    id: str
    band: str
    score: int
    flag: bool
    coverage: _Coverage | None = None
    as_of: dt.date | None = None
    weights: dict[str, Any] | None = None
    top_reasons: tuple[_Reason, ...] = ()
    main_missing: tuple[str, ...] = ()
    contributions: tuple[_Contribution, ...] = ()
    missing_information: tuple[_Missing, ...] = ()
    accounts: tuple[_FactorAccounts, ...] = ()


_PLAIN_WORDS = {
    "int": "must be a whole number",
    "bool": "must be true or false",
    "string": "must be text",
    "list": "must be a list",
    "tuple": "must be a list",
    "model": "must be an object",
    "dict": "must be an object",
    "date": "must be a date, YYYY-MM-DD",
}
REASON_NOT_A_RESULT = "line {line} is not a screening result (efh-screen screen --out)"
REASON_RESULT_FIELD = (
    "line {line}: {field} {problem}; give the results file an earlier screen wrote (--out)"
)
REASON_RESULT_LINE_TOO_LONG = (
    "line {line} is longer than {limit:,} bytes, so it was not read; check the file is the "
    "results of the last screen (--out)"
)


def _field_problem(error: ErrorDetails) -> str:
    """Say what is wrong with one field in plain words, never repeating its value."""
    if error["type"] == "missing":
        return "is missing"
    return _PLAIN_WORDS.get(error["type"].split("_")[0], "is not valid")


def _check_line(raw: bytes, number: int, name: str) -> dict[str, Any]:
    """Check every key the comparison reads of one line; return the line decoded."""
    not_a_result = InputError([FieldProblem(name, REASON_NOT_A_RESULT.format(line=number))])
    try:
        _ResultLine.model_validate_json(raw)
    except ValidationError as exc:
        raise _result_error(exc, number, name) from None
    try:
        item = json.loads(raw)
    except (ValueError, RecursionError):
        raise not_a_result from None
    if not isinstance(item, dict):  # pragma: no cover - refused by the model already
        raise not_a_result
    return item


def _result_error(
    exc: ValidationError, number: int, name: str, *, unit: str = "line"
) -> InputError:
    """Word the first problem of a result that does not validate, never repeating its value."""
    error = exc.errors(include_url=False, include_input=False, include_context=False)[0]
    if not error["loc"] or error["type"] == "json_invalid":  # not a JSON object at all
        reason = REASON_NOT_A_RESULT.format(line=number)
    else:
        reason = REASON_RESULT_FIELD.format(
            line=number, field=location_to_path(error["loc"]), problem=_field_problem(error)
        )
    return InputError([FieldProblem(name, reason.replace("line ", f"{unit} ", 1))])


def _checked_results(results: object, name: str) -> list[Mapping[str, Any]]:
    """Check results given in Python as :func:`read_results` checks a file's lines.

    Each item is checked through its JSON form, so a date may be given as a
    ``datetime.date`` or as ``YYYY-MM-DD`` text, as a decoded result line holds it.
    """
    if not isinstance(results, Iterable) or isinstance(results, str | bytes | Mapping):
        reason = "must be a list of result lines, e.g. read_results('results.jsonl')"
        raise InputError([FieldProblem(name, reason)])
    checked: list[Mapping[str, Any]] = []
    for number, item in enumerate(results, start=1):
        try:
            text = json.dumps(item, default=_iso_date) if isinstance(item, Mapping) else "null"
        except (TypeError, ValueError, RecursionError):
            text = "null"
        try:
            _ResultLine.model_validate_json(text)
        except ValidationError as exc:
            raise _result_error(exc, number, name, unit="item") from None
        checked.append(item)
    return checked


def _iso_date(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError


def _open_regular(path: str | os.PathLike[str], name: str) -> IO[bytes]:
    """Open a file to read, refusing a folder, a device or a pipe (``/dev/zero`` never ends)."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            reason = "is a folder; give the results file inside it (--out of the last screen)"
            raise InputError([FieldProblem(name, reason)])
        if not stat.S_ISREG(mode):
            reason = "is not a regular file (a device or a pipe); give the results file itself"
            raise InputError([FieldProblem(name, reason)])
        return open(path, "rb")  # the caller closes it
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror}); check the path"
        raise InputError([FieldProblem(name, reason)]) from None


def read_results(path: str | os.PathLike[str], *, name: str = "--previous") -> list[dict[str, Any]]:
    """Read a results file (JSONL, one result per line) of an earlier run.

    Each line is read with a bound (:data:`MAX_LINE_BYTES`), and every key the comparison
    reads is checked (``id``, ``band``, ``score``, ``flag``, and, where present,
    ``as_of``, ``weights``, ``top_reasons``, ``main_missing``, ``contributions``,
    ``missing_information``, ``accounts``); other keys are left as they are. Blank lines
    are skipped.

    Parameters
    ----------
    path : path-like
        The results file (``efh-screen screen --out``, compact or ``--full``); a regular
        file, not a device or a pipe.
    name : str
        What the file is, for the error (default ``"--previous"``).

    Returns
    -------
    list of dict
        One decoded result a line, in file order.

    Raises
    ------
    InputError
        Naming the line, and the field, of anything that is not a result (values are
        never shown); or if the file cannot be read, is not a regular file, or has a
        line longer than the bound.
    """
    results: list[dict[str, Any]] = []
    limit = MAX_LINE_BYTES + 1
    with _open_regular(path, name) as stream:
        number = 0
        while raw := _read_line(stream, limit, name, number + 1):
            number += 1
            if number == 1 and raw.startswith(BOM_UTF8):
                raw = raw[len(BOM_UTF8) :]  # a byte-order mark some editors add
            if raw and not raw.isspace():
                results.append(_check_line(raw, number, name))
    return results


def _read_line(stream: IO[bytes], limit: int, name: str, number: int) -> bytes:
    try:
        raw = stream.readline(limit)
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror}); check the path"
        raise InputError([FieldProblem(name, reason)]) from None
    if len(raw) >= limit and not raw.endswith(b"\n"):
        reason = REASON_RESULT_LINE_TOO_LONG.format(line=number, limit=MAX_LINE_BYTES)
        raise InputError([FieldProblem(name, reason)])
    return raw


def _stamp(results: Sequence[Mapping[str, Any]], name: str = "--previous") -> str | None:
    stamps = {json.dumps(item.get("weights"), sort_keys=True) for item in results}
    if len(stamps) > 1:
        reason = "holds results made with more than one set of weightings; use one run's file"
        raise InputError([FieldProblem(name, reason)])
    return stamps.pop() if stamps else None


def _describe_stamp(stamp: str | None) -> str:
    weights = json.loads(stamp) if stamp else None
    if not isinstance(weights, dict):
        return "(not recorded)"
    sha = str(weights.get("sha256", ""))[:12]
    return f"{weights.get('name')} v{weights.get('version')} (sha256 {sha})"


def check_comparable(
    previous: Sequence[Mapping[str, Any]],
    weights: Mapping[str, Any],
    *,
    allow_different_weights: bool = False,
) -> None:
    """Refuse to compare with results made with other weightings, unless allowed.

    Parameters
    ----------
    previous : sequence of mapping
        The last run's result lines.
    weights : mapping
        This run's weightings stamp (``Weights.stamp.model_dump()``).
    allow_different_weights : bool
        Allow the comparison anyway.

    Raises
    ------
    InputError
        If the stamps differ and that was not allowed.
    """
    old_stamp = _stamp(previous)
    new_stamp = json.dumps(dict(weights), sort_keys=True)
    if previous and old_stamp != new_stamp and not allow_different_weights:
        reason = REASON_DIFFERENT_WEIGHTS.format(
            previous=_describe_stamp(old_stamp), current=_describe_stamp(new_stamp)
        )
        raise InputError([FieldProblem("--previous", reason)])


def _reasons(result: Mapping[str, Any]) -> list[str]:
    if "contributions" in result:
        return [item["indicator"] for item in result["contributions"] if item["points"] > 0]
    return [item["indicator"] for item in result.get("top_reasons", [])]


def _unknowns(result: Mapping[str, Any]) -> list[str]:
    if "missing_information" in result:
        return [item["key"] for item in result["missing_information"]]
    return list(result.get("main_missing", []))


def _evidence_after(result: Mapping[str, Any], after: str) -> list[str]:
    found: dict[str, None] = {}
    for contribution in result.get("contributions", []):
        for item in contribution.get("evidence", []):
            if item.get("date") and item["date"] > after:
                found[f"{contribution['label']} ({item['date']})"] = None
    return list(found)


def _accounts(result: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {
        (item["label"], str(account.get("agency") or "no named agency"))
        for item in result.get("accounts", [])
        for account in item.get("accounts", [])
    }


def _enough(result: Mapping[str, Any]) -> bool | None:
    """Whether enough was known to screen (None: results of weightings without the rule)."""
    coverage = result.get("coverage")
    return None if coverage is None else bool(coverage["enough"])


def _kind(previous: Mapping[str, Any], current: Mapping[str, Any], bands: Sequence[str]) -> Change:
    if current["flag"] and not previous["flag"]:
        return Change.NEWLY_FLAGGED
    if previous["flag"] and not current["flag"]:
        return Change.NO_LONGER_FLAGGED
    if not current["flag"]:
        # "Not enough known to screen" is not a band above or below "no concern": say that
        # the coverage changed rather than rank it by a score built from what was unknown.
        before_enough, now_enough = _enough(previous), _enough(current)
        if before_enough is not None and now_enough is not None and before_enough != now_enough:
            return Change.ENOUGH_KNOWN_NOW if now_enough else Change.TOO_LITTLE_KNOWN_NOW
    rank = {key: index for index, key in enumerate(bands)}
    before, now = rank.get(previous["band"]), rank.get(current["band"])
    if before is None or now is None:  # bands of different weightings: go by the score
        before, now = previous["score"], current["score"]
    if now > before:
        return Change.BAND_UP
    if now < before:
        return Change.BAND_DOWN
    return Change.UNCHANGED


def _change(
    previous: Mapping[str, Any] | None, current: Mapping[str, Any], bands: Sequence[str]
) -> ScreenChange:
    if previous is None:
        return ScreenChange(
            current["id"], Change.NEW, None, current["band"], None, current["score"]
        )
    old_reasons, new_reasons = _reasons(previous), _reasons(current)
    old_unknowns, new_unknowns = _unknowns(previous), _unknowns(current)
    old_accounts = _accounts(previous)
    return ScreenChange(
        id=current["id"],
        kind=_kind(previous, current, bands),
        previous_band=previous["band"],
        band=current["band"],
        previous_score=previous["score"],
        score=current["score"],
        new_reasons=tuple(r for r in new_reasons if r not in old_reasons),
        dropped_reasons=tuple(r for r in old_reasons if r not in new_reasons),
        resolved_unknowns=tuple(u for u in old_unknowns if u not in new_unknowns),
        new_unknowns=tuple(u for u in new_unknowns if u not in old_unknowns),
        new_evidence=tuple(_evidence_after(current, str(previous.get("as_of", "")))),
        new_accounts=tuple(
            f"{label}: {agency}"
            for label, agency in sorted(_accounts(current) - old_accounts)
            if "accounts" in previous  # compact results do not list accounts
        ),
    )


def compare_screens(
    previous: Iterable[Mapping[str, Any]],
    current: Iterable[Mapping[str, Any]],
    *,
    bands: Sequence[str] = (),
    allow_different_weights: bool = False,
) -> ChangeSummary:
    """Compare two screening runs child by child.

    Parameters
    ----------
    previous, current : iterable of mapping
        Result lines of the last run and this one (``ScreeningResult`` JSON, or the
        compact lines of ``efh-screen screen --out``; see :func:`read_results`).
    bands : sequence of str
        Band keys, lowest first (``[band.key for band in weights.bands]``), to tell
        band up from band down; without them the score decides.
    allow_different_weights : bool
        Compare runs made with different weightings anyway (they are refused by default).

    Returns
    -------
    ChangeSummary
        One change per child of ``current`` and the count of each kind.

    Raises
    ------
    InputError
        If the runs were made with different weightings and that was not allowed, or
        an item is not a result (its position and field named, its values never shown).
    """
    before = _checked_results(previous, "previous")
    now = _checked_results(current, "current")
    old_stamp, new_stamp = _stamp(before, "previous"), _stamp(now, "current")
    if before and now and old_stamp != new_stamp and not allow_different_weights:
        reason = REASON_DIFFERENT_WEIGHTS.format(
            previous=_describe_stamp(old_stamp), current=_describe_stamp(new_stamp)
        )
        raise InputError([FieldProblem("previous", reason)])
    by_id = {item["id"]: item for item in before}
    changes = tuple(_change(by_id.get(item["id"]), item, bands) for item in now)
    counted = Counter(change.kind for change in changes)
    current_ids = {item["id"] for item in now}
    return ChangeSummary(
        changes=changes,
        counts={kind: counted.get(kind, 0) for kind in Change},
        not_screened_now=sum(1 for key in by_id if key not in current_ids),
    )


def mark_review(
    summary: BatchSummary, previous: Mapping[str, Mapping[str, Any]], *, bands: Sequence[str]
) -> BatchSummary:
    """Mark each case on the review list with its change since the last screen.

    Parameters
    ----------
    summary : BatchSummary
        This run's summary, with its review list.
    previous : mapping of str to mapping
        The last run's results by id.
    bands : sequence of str
        Band keys, lowest first.

    Returns
    -------
    BatchSummary
        The same summary, each review entry's ``since_last_screen`` filled in.
    """
    marked = []
    for entry in summary.review:
        before = previous.get(entry.id)
        now = {
            "band": entry.band,
            "score": entry.score,
            "flag": entry.flag,
            "coverage": {"enough": entry.enough_known},
        }
        kind = Change.NEW if before is None else _kind(before, now, bands)
        marked.append(replace(entry, since_last_screen=kind.label))
    return replace(summary, review=tuple(marked))
