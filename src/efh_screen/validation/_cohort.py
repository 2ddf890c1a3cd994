"""From a labelled cohort and a Screener to the arrays the research tools take.

Audit attributes (ethnicity, sex, and the partnership's own ``audit.other``
keys) are read here, only to group figures; the Screener never sees them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import FieldProblem, InputError, ValidationInputError
from .._features import FeatureMatrix
from .._jsonl import read_jsonl
from .._matrix import ScreeningBatch
from .._profile import LabelledProfile, Profile
from .._records import InputRecord
from .._scoring import Screener
from .._weights import Weights
from ._checks import NOT_RECORDED
from ._evaluation import Evaluation, evaluate

__all__ = [
    "AS_OF_REQUIRED",
    "COHORT_EMPTY",
    "COHORT_UNLABELLED",
    "RESCORE_WINDOWS",
    "UNKNOWN_GROUP_FIELD",
    "CohortScores",
    "evaluate_cohort",
    "read_cohort",
    "rescore_cohort",
    "score_cohort",
]

COHORT_EMPTY = "the cohort holds no labelled profiles; each line must be {profile, outcome}"
COHORT_UNLABELLED = (
    'has no outcome; every line of a labelled cohort must be {"profile": {...}, "outcome": 0 or 1}'
)
UNKNOWN_GROUP_FIELD = (
    "group field {name!r} is not an audit attribute; use 'ethnicity', 'sex', 'disability', or a "
    "key of audit.other (e.g. 'looked_after')"
)
#: Audit attributes that are fields of :class:`~efh_screen.Audit` (others are keys of ``other``).
_AUDIT_FIELDS = ("ethnicity", "sex", "disability")
AS_OF_REQUIRED = "as_of is required: pass the screening date, e.g. as_of=dt.date(2026, 9, 1)"
RESCORE_WINDOWS = (
    "these weightings use different windows or count thresholds from the ones the cohort was "
    "screened with, so its indicators cannot be reused; call score_cohort with them instead"
)
_MAX_PROBLEMS = 20


def read_cohort(path: str | os.PathLike[str]) -> list[LabelledProfile]:
    """Read a labelled cohort file (JSONL, one ``{"profile", "outcome"}`` a line).

    Parameters
    ----------
    path : path-like
        The JSONL file.

    Returns
    -------
    list of LabelledProfile

    Raises
    ------
    InputError
        If any line is malformed or unlabelled; research figures on a silently
        shortened cohort would mislead. The first 20 problems are listed with
        their line numbers.
    """
    cohort: list[LabelledProfile] = []
    problems: list[FieldProblem] = []
    bad = 0
    for record in read_jsonl(path):
        if isinstance(record, InputRecord) and record.outcome in (0, 1):
            outcome = 1 if record.outcome == 1 else 0
            cohort.append(LabelledProfile(profile=record.profile, outcome=outcome))
            continue
        bad += 1
        if len(problems) >= _MAX_PROBLEMS:
            continue
        if isinstance(record, InputRecord):
            problems.append(FieldProblem(f"line {record.line}", COHORT_UNLABELLED))
        else:
            problems.extend(
                FieldProblem(f"line {record.line}: {p.field}", p.reason) for p in record.problems
            )
    if bad:
        if bad > _MAX_PROBLEMS:
            problems.append(FieldProblem("(file)", f"{bad} lines in all could not be used"))
        raise InputError(problems[: _MAX_PROBLEMS + 1])
    if not cohort:
        raise InputError([FieldProblem("(file)", COHORT_EMPTY)])
    return cohort


def _audit_value(profile: Profile, name: str) -> str:
    audit = profile.audit
    if audit is None:
        return NOT_RECORDED
    if name == "ethnicity":
        return audit.ethnicity.value if audit.ethnicity is not None else NOT_RECORDED
    if name == "sex":
        return audit.sex.value if audit.sex is not None else NOT_RECORDED
    if name == "disability":
        return audit.disability.value if audit.disability is not None else NOT_RECORDED
    key = name.removeprefix("other.")
    return audit.other.get(key, NOT_RECORDED)


@dataclass(frozen=True, eq=False)
class CohortScores:
    """A labelled cohort screened with one set of weightings.

    Attributes
    ----------
    ids : list of str
        Pseudonymous ids, one per young person.
    outcomes : ndarray of shape (n,)
        0/1 outcomes.
    scores : ndarray of shape (n,)
        Screening score, raised to the lowest score of the band an override
        put the case in, so that "flagged for review" is exactly
        ``scores >= threshold`` and bands are ``bands`` cut-points.
    threshold : int
        Lowest score of the first flagging band.
    bands : dict of str to int
        Band key to lowest score.
    matrix : FeatureMatrix
        Indicators of shape (n, n_indicators) with their known-mask.
    batch : ScreeningBatch
        The Screener's vectorised results.
    groups : dict of str to ndarray of shape (n,)
        Audit attribute labels per young person (only those asked for).
    weights : Weights
        The weightings used.
    as_of : datetime.date
        The screening date.
    """

    ids: list[str]
    outcomes: npt.NDArray[np.int8]
    scores: npt.NDArray[np.float64]
    threshold: int
    bands: dict[str, int]
    matrix: FeatureMatrix
    batch: ScreeningBatch
    groups: dict[str, npt.NDArray[np.str_]]
    weights: Weights
    as_of: dt.date


def flag_threshold(weights: Weights) -> int:
    """Lowest score of the first band that flags for review."""
    return next(b.min_score for b in weights.bands if b.flag)


def score_cohort(
    cohort: Iterable[LabelledProfile],
    *,
    as_of: dt.date,
    weights: Weights | Screener | None = None,
    group_by: Sequence[str] = (),
) -> CohortScores:
    """Screen a labelled cohort through the vectorised path and collect the arrays.

    Parameters
    ----------
    cohort : iterable of LabelledProfile
    as_of : datetime.date
        The screening date (the start of the follow-up period).
    weights : Weights or Screener, optional
        The weightings (or a Screener using them); the embedded default when omitted.
    group_by : sequence of str
        Audit attributes to collect: ``"ethnicity"``, ``"sex"``, ``"disability"`` or keys
        of ``audit.other``.

    Returns
    -------
    CohortScores
    """
    items = list(cohort)
    if not items:
        raise ValidationInputError(COHORT_EMPTY)
    for name in group_by:
        if name not in _AUDIT_FIELDS and not name.removeprefix("other.").isidentifier():
            raise ValidationInputError(UNKNOWN_GROUP_FIELD.format(name=name))
    screener = weights if isinstance(weights, Screener) else Screener(weights)
    w = screener.weights
    profiles = [item.profile for item in items]
    matrix = screener.feature_matrix(profiles, as_of=as_of)
    groups = {
        name: np.array([_audit_value(p, name) for p in profiles], dtype=np.str_)
        for name in group_by
    }
    for name, labels in groups.items():
        if name not in _AUDIT_FIELDS and bool(np.all(labels == NOT_RECORDED)):
            raise ValidationInputError(UNKNOWN_GROUP_FIELD.format(name=name))
    outcomes = np.array([item.outcome for item in items], dtype=np.int8)
    return _screened(outcomes, matrix, groups, w, as_of)


def _screened(
    outcomes: npt.NDArray[np.int8],
    matrix: FeatureMatrix,
    groups: dict[str, npt.NDArray[np.str_]],
    weights: Weights,
    as_of: dt.date,
) -> CohortScores:
    batch = Screener(weights).score_matrix(matrix)
    minimum = np.array([b.min_score for b in weights.bands], dtype=np.int64)
    effective = np.maximum(batch.score.astype(np.int64), minimum[batch.band.astype(np.intp)])
    return CohortScores(
        ids=list(matrix.ids),
        outcomes=outcomes,
        scores=effective.astype(np.float64),
        threshold=flag_threshold(weights),
        bands={b.key: b.min_score for b in weights.bands},
        matrix=matrix,
        batch=batch,
        groups=groups,
        weights=weights,
        as_of=as_of,
    )


def rescore_cohort(cohort: CohortScores, weights: Weights) -> CohortScores:
    """Screen an already-screened cohort again with other weightings.

    The indicators are reused, so the weightings must have the same windows
    and count thresholds as those the cohort was screened with.

    Parameters
    ----------
    cohort : CohortScores
        A cohort screened by :func:`score_cohort`.
    weights : Weights
        The other weightings.

    Returns
    -------
    CohortScores

    Raises
    ------
    ValidationInputError
        If the windows or count thresholds differ (screen the profiles again
        with :func:`score_cohort` instead).
    """
    if weights.windows != cohort.weights.windows or weights.counts != cohort.weights.counts:
        raise ValidationInputError(RESCORE_WINDOWS)
    return _screened(cohort.outcomes, cohort.matrix, cohort.groups, weights, cohort.as_of)


def evaluate_cohort(
    cohort: Iterable[LabelledProfile] | CohortScores,
    *,
    as_of: dt.date | None = None,
    weights: Weights | Screener | None = None,
    group_by: Sequence[str] = ("ethnicity", "sex"),
    **options: Any,
) -> Evaluation:
    """Screen a labelled cohort with a Screener and evaluate its flags.

    Parameters
    ----------
    cohort : iterable of LabelledProfile, or CohortScores
        The cohort (or one already screened by :func:`score_cohort`).
    as_of : datetime.date
        The screening date; required unless ``cohort`` is already screened.
    weights : Weights or Screener, optional
        The weightings (or a Screener using them); the embedded default when omitted.
    group_by : sequence of str
        Audit attributes for figures by group.
    **options
        Passed to :func:`evaluate` (e.g. ``n_boot``, ``seed``,
        ``reference_group``). ``threshold`` and ``bands`` default to the
        weightings' own.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> import datetime as dt
    >>> from efh_screen.synth import generate_cohort
    >>> from efh_screen.validation import evaluate_cohort
    >>> as_of = dt.date(2026, 9, 1)
    >>> cohort = generate_cohort(400, seed=3, as_of=as_of, population="early-help")
    >>> result = evaluate_cohort(cohort, as_of=as_of, group_by=("sex",), n_boot=0)
    >>> 0.5 < result.overall["auroc"].value <= 1.0
    True
    """
    if isinstance(cohort, CohortScores):
        scored = cohort
    else:
        if as_of is None:
            raise ValidationInputError(AS_OF_REQUIRED)
        scored = score_cohort(cohort, as_of=as_of, weights=weights, group_by=group_by)
    options.setdefault("threshold", scored.threshold)
    options.setdefault("bands", scored.bands)
    groups: Mapping[str, Any] | None = scored.groups or None
    return evaluate(scored.scores, scored.outcomes, groups=groups, **options)
