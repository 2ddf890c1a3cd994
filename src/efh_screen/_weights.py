"""Weightings: points, bands, overrides and windows, as versioned data.

A weightings file is JSON validated by :class:`Weights`. The embedded default
(``data/default_weights.json``) is evidence-informed and *illustrative*: it has
not been validated on local data. Every screening result is stamped with the
weightings' name, version and the SHA-256 of their canonical JSON form.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._errors import FieldProblem, InputError, WeightsError, location_to_path
from ._features import INDICATOR_INDEX, INDICATORS, CountThresholds, Windows
from ._files import atomic_output, read_bounded
from ._resolution import ResolutionRule

__all__ = [
    "Band",
    "CoverageRule",
    "IndicatorPoints",
    "NeedsCap",
    "OverrideRule",
    "Reference",
    "Weights",
    "WeightsStamp",
]

_CONFIG = ConfigDict(frozen=True, extra="forbid")

Text = Annotated[str, Field(min_length=1, max_length=2000)]


class IndicatorPoints(BaseModel):
    """Points for one indicator, with why.

    Parameters
    ----------
    points : int
        Whole points (risk indicators 0 to 10, protective -10 to 0).
    rationale : str
        Why this many points, in plain words.
    evidence : list of str
        Reference ids (keys of :attr:`Weights.references`) behind it.
    """

    model_config = _CONFIG

    points: int = Field(ge=-10, le=10)
    rationale: Text
    evidence: tuple[str, ...] = ()


class Band(BaseModel):
    """A band of scores and what it asks people to do.

    Parameters
    ----------
    key : str
        Stable key, e.g. ``"consider_review"``.
    label : str
        Plain words, e.g. ``"consider early-help review"``.
    min_score : int
        Lowest score in the band.
    flag : bool
        Whether a case in this band is flagged for an early-help review by a person.
    """

    model_config = _CONFIG

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: Text
    min_score: int = Field(ge=0, le=1000)
    flag: bool


class OverrideRule(BaseModel):
    """An indicator that on its own puts a case into at least a given band.

    Parameters
    ----------
    indicator : str
        Indicator key.
    band : str
        Band key the case is raised to (at least).
    reason : str
        Why, in plain words.
    """

    model_config = _CONFIG

    indicator: str
    band: str
    reason: Text


class CoverageRule(BaseModel):
    """How much must be known before a case can be called "no concern indicated".

    A case is *not enough known to screen* when it is not flagged and the risk
    points whose indicators are known are less than ``min_known_percent`` of all
    the risk points the weightings can give. It then takes this rule's key and
    label instead of its score band, with the agencies to ask. A flagged case is
    never demoted.

    Parameters
    ----------
    min_known_percent : int
        Share of the risk points (1 to 100) that must be known.
    rationale : str
        Why this share, in plain words.
    evidence : list of str
        Reference ids (keys of :attr:`Weights.references`) behind it.
    key : str
        Stable key shown as the case's band, e.g. ``"not_enough_known"``; must not
        be a band key.
    label : str
        Plain words, e.g. ``"not enough known to screen"``.
    """

    model_config = _CONFIG

    min_known_percent: int = Field(ge=1, le=100)
    rationale: Text
    evidence: tuple[str, ...] = ()
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")] = "not_enough_known"
    label: Text = "not enough known to screen"


class NeedsCap(BaseModel):
    """The most points developmental needs can add together.

    The developmental needs (the catalogue's developmental domain: ADHD, speech,
    language and communication needs, learning disability, mental health needs,
    SEN support) are needs a plan must support, and they overlap; the cap stops
    them adding up as if each were a separate risk. A "needs cap" contribution
    takes off what is over the cap, so contributions still sum to the score.

    Parameters
    ----------
    points : int
        Most points (0 to 100) the needs present add together.
    rationale : str
        Why this cap, in plain words.
    evidence : list of str
        Reference ids (keys of :attr:`Weights.references`) behind it.
    """

    model_config = _CONFIG

    points: int = Field(ge=0, le=100)
    rationale: Text
    evidence: tuple[str, ...] = ()


class Reference(BaseModel):
    """A published source behind the points.

    Parameters
    ----------
    citation : str
        Full citation.
    finding : str
        What the source found that the points rely on.
    """

    model_config = _CONFIG

    citation: Text
    finding: Text


class WeightsStamp(BaseModel):
    """Which weightings produced a result.

    Parameters
    ----------
    name, version, status : str
        As in the weightings file.
    sha256 : str
        SHA-256 of the canonical JSON form of the weightings.
    """

    model_config = _CONFIG

    name: str
    version: str
    status: str
    sha256: str


class Weights(BaseModel):
    """A versioned weightings file.

    Parameters
    ----------
    name : str
        Name of this set of weightings.
    version : str
        Version, e.g. ``"1.0.0"``.
    status : {"illustrative", "draft", "validated", "fitted", "retired"}
        How far it can be relied on. The embedded default is ``illustrative``.
    description : str
        What it is and how it was made.
    points : dict of str to IndicatorPoints
        Points per indicator key (indicators left out score 0).
    bands : list of Band
        Bands in ascending ``min_score``; the first starts at 0 and does not flag.
    overrides : list of OverrideRule
        Indicators that alone put a case into at least a band.
    protective_cap : int
        Most points protective factors can take off (never below a score of 0).
    needs_cap : NeedsCap or None
        Most points the developmental needs (the catalogue's developmental domain)
        can add together; ``None`` (the default) for no cap.
    coverage : CoverageRule or None
        How much must be known before a case can be called "no concern
        indicated"; ``None`` (the default) for no such rule.
    windows : Windows
        Look-back windows.
    counts : CountThresholds
        Count thresholds for patterns.
    resolution : ResolutionRule
        How several agencies' accounts of a factor become the status that is
        scored (absent by default when ``resolution`` is left out: present if
        any account says so, absent only from an agency that usually holds it).
    references : dict of str to Reference
        Sources cited by ``points[...].evidence``.
    provenance : dict, optional
        How the weightings were made (for fitted ones: method, data summary,
        date, metrics).
    """

    model_config = _CONFIG

    name: Annotated[str, Field(min_length=1, max_length=100)]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    status: Literal["illustrative", "draft", "validated", "fitted", "retired"]
    description: Text
    points: dict[str, IndicatorPoints]
    bands: tuple[Band, ...] = Field(min_length=2)
    overrides: tuple[OverrideRule, ...] = ()
    protective_cap: int = Field(ge=0, le=100)
    needs_cap: NeedsCap | None = None
    coverage: CoverageRule | None = None
    windows: Windows = Field(default_factory=Windows)
    counts: CountThresholds = Field(default_factory=CountThresholds)
    resolution: ResolutionRule = Field(default_factory=ResolutionRule)
    references: dict[str, Reference] = Field(default_factory=dict)
    provenance: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _check(self) -> Weights:
        problems = _problems(self)
        if problems:
            raise ValueError(json.dumps([[problem.field, problem.reason] for problem in problems]))
        return self

    # -- derived, cached (the model is frozen) ---------------------------------------------

    @cached_property
    def canonical_json(self) -> str:
        """The canonical JSON form: sorted keys, no spaces, UTF-8; what the hash covers.

        Fields added since version 1.1.0 of the file format are left out while they
        hold their default (the old behaviour), so an older file keeps its hash.
        """
        data = self._json_data()
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def _json_data(self) -> dict[str, Any]:
        unset: dict[str, Any] = {
            name: True for name in _LATER_FIELDS if getattr(self, name) is None
        }
        for group, names in _LATER_SETTINGS.items():
            settings = getattr(self, group)
            defaults = type(settings)()
            at_default = {
                name for name in names if getattr(settings, name) == getattr(defaults, name)
            }
            if at_default:
                unset[group] = at_default
        return self.model_dump(mode="json", exclude=unset)

    @cached_property
    def sha256(self) -> str:
        """SHA-256 (hex) of :attr:`canonical_json`."""
        return hashlib.sha256(self.canonical_json.encode("utf-8")).hexdigest()

    @cached_property
    def stamp(self) -> WeightsStamp:
        """Name, version, status and hash, for stamping results."""
        return WeightsStamp(
            name=self.name, version=self.version, status=self.status, sha256=self.sha256
        )

    def points_vector(self) -> list[int]:
        """Points per indicator in matrix column order (0 where not listed)."""
        return [self.points[ind.key].points if ind.key in self.points else 0 for ind in INDICATORS]

    def band_index(self, key: str) -> int:
        """Position of a band key in :attr:`bands`."""
        for i, band in enumerate(self.bands):
            if band.key == key:
                return i
        raise KeyError(key)

    # -- I/O --------------------------------------------------------------------------------

    @classmethod
    def default(cls) -> Weights:
        """Return the embedded default weightings (illustrative, not locally validated).

        Examples
        --------
        >>> from efh_screen import Weights
        >>> w = Weights.default()
        >>> w.status
        'illustrative'
        """
        return _DEFAULT

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "weightings") -> Weights:
        """Validate weightings from JSON text.

        Raises
        ------
        WeightsError
            With one problem per bad field, saying how to fix it.
        """
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise WeightsError(_translate(exc, source)) from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "weightings") -> Weights:
        """Validate weightings from already-parsed JSON data.

        Raises
        ------
        WeightsError
            With one problem per bad field, saying how to fix it.
        """
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise WeightsError(_translate(exc, source)) from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Weights:
        """Load and validate a weightings file.

        Parameters
        ----------
        path : path-like
            A JSON weightings file.

        Raises
        ------
        WeightsError
            If the file cannot be read or is malformed.
        """
        file = Path(path)
        try:
            text = read_bounded(file, field=str(file))
        except InputError as exc:
            raise WeightsError(exc.problems) from None
        return cls.from_json(text, source=file.name)

    def json_text(self) -> str:
        """Return the weightings as the indented JSON text :meth:`save` writes."""
        return json.dumps(self._json_data(), indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the weightings as indented JSON, atomically (temporary file, then rename)."""
        with atomic_output(path) as stream:
            stream.write(self.json_text())


_PROTECTIVE_INDICATORS = frozenset(ind.key for ind in INDICATORS if ind.protective)
_LATER_FIELDS = ("needs_cap", "coverage")
"""Fields added after 1.1.0, whose default (None) keeps the old behaviour."""
_LATER_SETTINGS: dict[str, tuple[str, ...]] = {
    "windows": ("trajectory_days",),
    "counts": ("trajectory_periods",),
}
"""Windows and counts added after 1.1.0: left out of the canonical form at their default, which
a file that does not name them takes (the indicators they shape score 0 in such a file)."""


def _problems(weights: Weights) -> list[FieldProblem]:
    """List what is inconsistent across the fields of validated weightings."""
    return [
        *_points_problems(weights),
        *_band_problems(weights),
        *_override_problems(weights),
        *_coverage_problems(weights),
    ]


def _points_problems(weights: Weights) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for key, entry in weights.points.items():
        if key not in INDICATOR_INDEX:
            problems.append(
                FieldProblem(
                    f"points.{key}",
                    "is not an indicator key; see docs/weights.md for the list of indicators",
                )
            )
            continue
        if key in _PROTECTIVE_INDICATORS and entry.points > 0:
            problems.append(
                FieldProblem(
                    f"points.{key}.points",
                    "is a protective factor, so its points must be 0 or negative",
                )
            )
        if key not in _PROTECTIVE_INDICATORS and entry.points < 0:
            problems.append(
                FieldProblem(
                    f"points.{key}.points",
                    "is a risk indicator, so its points must be 0 or positive",
                )
            )
        for reference in entry.evidence:
            if reference not in weights.references:
                problems.append(
                    FieldProblem(
                        f"points.{key}.evidence",
                        f"cites {reference!r}, which is not in references; add it there",
                    )
                )
    return problems


def _band_problems(weights: Weights) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    bands = weights.bands
    keys = [band.key for band in bands]
    if len(set(keys)) != len(keys):
        problems.append(FieldProblem("bands", "band keys must be unique"))
    if bands[0].min_score != 0 or bands[0].flag:
        problems.append(
            FieldProblem("bands[0]", "the first band must start at min_score 0 and not flag")
        )
    for i in range(1, len(bands)):
        if bands[i].min_score <= bands[i - 1].min_score:
            problems.append(
                FieldProblem(
                    f"bands[{i}].min_score",
                    "must be greater than the band before; list bands from lowest to highest",
                )
            )
        if bands[i - 1].flag and not bands[i].flag:
            problems.append(
                FieldProblem(f"bands[{i}].flag", "a band above a flagged band must also flag")
            )
    return problems


def _override_problems(weights: Weights) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    keys = [band.key for band in weights.bands]
    for i, rule in enumerate(weights.overrides):
        if rule.indicator not in INDICATOR_INDEX or rule.indicator in _PROTECTIVE_INDICATORS:
            problems.append(
                FieldProblem(
                    f"overrides[{i}].indicator",
                    "must be a risk indicator key; see docs/weights.md",
                )
            )
        if rule.band not in keys:
            problems.append(
                FieldProblem(f"overrides[{i}].band", f"must be one of the band keys {keys}")
            )
    return problems


def _coverage_problems(weights: Weights) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    keys = [band.key for band in weights.bands]
    if weights.coverage is not None and weights.coverage.key in keys:
        problems.append(
            FieldProblem(
                "coverage.key", f"must differ from every band key {keys}; choose another key"
            )
        )
    for field, rule in (("needs_cap", weights.needs_cap), ("coverage", weights.coverage)):
        for reference in () if rule is None else rule.evidence:
            if reference not in weights.references:
                problems.append(
                    FieldProblem(
                        f"{field}.evidence",
                        f"cites {reference!r}, which is not in references; add it there",
                    )
                )
    return problems


def _translate(exc: ValidationError, source: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for error in exc.errors(include_url=False, include_input=False):
        kind = error.get("type")
        if kind == "value_error" and not error.get("loc"):
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            for field, reason in json.loads(message):
                problems.append(FieldProblem(field, reason))
            continue
        path = location_to_path(error.get("loc", ()))
        if kind == "missing":
            reason = "is required; add it (see docs/weights.md)"
        elif kind == "extra_forbidden":
            reason = "is not a recognised field; remove it or check its spelling"
        elif kind == "json_invalid":
            path = source
            reason = "is not valid JSON; check quotes, commas and brackets"
        else:
            reason = str(error.get("msg", "is not valid")).rstrip(".").lower()
            reason += "; see docs/weights.md"
        problems.append(FieldProblem(path, reason))
    return problems


def _load_default() -> Weights:
    text = resources.files("efh_screen").joinpath("data/default_weights.json").read_bytes()
    return Weights.from_json(text, source="default_weights.json")


_DEFAULT = _load_default()
