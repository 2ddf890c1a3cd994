"""Checking and coercing the arrays given to the research tools.

Every message is a named constant so that tests can match it, names the
argument at fault and says how to fix it. Values are never echoed: a score
file may hold personal data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import ValidationInputError

__all__ = [
    "BANDS_ORDER",
    "CONFIDENCE_RANGE",
    "ESTIMATOR_CLASSES",
    "ESTIMATOR_NOT_BINARY",
    "ESTIMATOR_UNKNOWN_KEYS",
    "GROUPS_EMPTY",
    "GROUPS_LENGTH",
    "GROUPS_SHAPE",
    "NOT_RECORDED",
    "N_BOOT_RANGE",
    "OUTCOMES_ONE_CLASS",
    "OUTCOMES_VALUES",
    "SCORES_EMPTY",
    "SCORES_LENGTH",
    "SCORES_NOT_FINITE",
    "SCORES_NOT_NUMERIC",
    "SCORES_SHAPE",
    "SEED_TYPE",
    "as_groups",
    "as_outcomes",
    "as_scores",
    "check_bands",
    "check_confidence",
    "check_n_boot",
    "make_rng",
]

#: Label given to records whose group is missing.
NOT_RECORDED = "(not recorded)"

SCORES_SHAPE = (
    "scores must be one-dimensional (one screening score per young person); got {ndim} dimensions"
)
SCORES_EMPTY = "scores is empty; pass at least one screening score per young person"
SCORES_NOT_NUMERIC = "scores must be numbers; convert the column to numbers before calling"
SCORES_NOT_FINITE = (
    "scores contains {count} missing or infinite values; drop those records or fill them first"
)
SCORES_LENGTH = (
    "{name} has {got} entries but scores has {expected}; pass one entry per young person, "
    "in the same order"
)
OUTCOMES_VALUES = (
    "outcomes must be 0 or 1 (1 = the outcome was recorded in the follow-up period); "
    "found {count} other values"
)
OUTCOMES_ONE_CLASS = (
    "outcomes contains only {value}s; discrimination cannot be measured without "
    "both young people who had the outcome (1) and who did not (0)"
)
GROUPS_SHAPE = "groups[{name!r}] must be one-dimensional (one label per young person)"
GROUPS_LENGTH = SCORES_LENGTH
GROUPS_EMPTY = "groups is an empty mapping; pass None, one array of labels, or a mapping of them"
N_BOOT_RANGE = "n_boot must be a whole number from 0 (no intervals) to 100000; got {value!r}"
CONFIDENCE_RANGE = "confidence must be strictly between 0 and 1 (e.g. 0.95); got {value!r}"
SEED_TYPE = "seed must be an int or a numpy.random.Generator; got {kind}"
BANDS_ORDER = (
    "bands must map band names to the lowest score in the band, strictly increasing "
    "(e.g. {{'low': 0, 'medium': 4, 'high': 8}}); fix band {name!r}"
)

ESTIMATOR_NOT_BINARY = (
    "PointsClassifier scores 0/1 indicators, but X holds {count} other values; pass "
    "binarize=0.5 (or any cut) to count values above the cut as 1, binarize='median' to "
    "cut each column at its training median, or recode the columns to 0/1 first"
)
ESTIMATOR_CLASSES = (
    "Only binary classification is supported: PointsClassifier needs exactly two classes "
    "in y (1 class or more than 2 is not supported); got {count} class(es)"
)
ESTIMATOR_UNKNOWN_KEYS = (
    "to_weights needs columns named by indicator keys (fit on a DataFrame whose columns "
    "are INDICATORS keys, or pass keys=...); unknown: {keys}"
)


def as_scores(scores: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Return scores as a finite float array of shape (n,)."""
    try:
        array = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationInputError(SCORES_NOT_NUMERIC) from None
    if array.ndim != 1:
        raise ValidationInputError(SCORES_SHAPE.format(ndim=array.ndim))
    if array.size == 0:
        raise ValidationInputError(SCORES_EMPTY)
    bad = int(np.count_nonzero(~np.isfinite(array)))
    if bad:
        raise ValidationInputError(SCORES_NOT_FINITE.format(count=bad))
    return array


def as_outcomes(outcomes: npt.ArrayLike, *, n: int, need_both: bool = True) -> npt.NDArray[np.int8]:
    """Return outcomes as an int8 array of 0/1 of shape (n,)."""
    try:
        array = np.asarray(outcomes, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationInputError(OUTCOMES_VALUES.format(count="some")) from None
    if array.ndim != 1 or array.shape[0] != n:
        got = array.shape[0] if array.ndim == 1 else array.size
        raise ValidationInputError(SCORES_LENGTH.format(name="outcomes", got=got, expected=n))
    other = int(np.count_nonzero((array != 0) & (array != 1)))
    if other:
        raise ValidationInputError(OUTCOMES_VALUES.format(count=other))
    result = array.astype(np.int8)
    if need_both:
        total = int(result.sum())
        if total == 0 or total == n:
            raise ValidationInputError(OUTCOMES_ONE_CLASS.format(value=0 if total == 0 else 1))
    return result


def _label(value: Any) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, float) and math.isnan(value):
        return NOT_RECORDED
    text = str(value)
    return text if text.strip() else NOT_RECORDED


def _one_group(values: Any, *, name: str, n: int) -> npt.NDArray[np.str_]:
    array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise ValidationInputError(GROUPS_SHAPE.format(name=name))
    if array.shape[0] != n:
        raise ValidationInputError(
            GROUPS_LENGTH.format(name=f"groups[{name!r}]", got=array.shape[0], expected=n)
        )
    return np.array([_label(v) for v in array.tolist()], dtype=np.str_)


def as_groups(
    groups: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None, *, n: int
) -> dict[str, npt.NDArray[np.str_]]:
    """Return groups as a mapping of attribute name to string labels of shape (n,).

    A single array becomes the attribute ``"group"``. Missing labels (None,
    NaN, empty) become ``"(not recorded)"``, a group of its own.
    """
    if groups is None:
        return {}
    if isinstance(groups, Mapping):
        if not groups:
            raise ValidationInputError(GROUPS_EMPTY)
        return {str(k): _one_group(v, name=str(k), n=n) for k, v in groups.items()}
    return {"group": _one_group(groups, name="group", n=n)}


def check_n_boot(n_boot: int) -> int:
    """Return n_boot if it is a whole number in range."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer):
        raise ValidationInputError(N_BOOT_RANGE.format(value=n_boot))
    if not 0 <= int(n_boot) <= 100_000:
        raise ValidationInputError(N_BOOT_RANGE.format(value=n_boot))
    return int(n_boot)


def check_confidence(confidence: float) -> float:
    """Return confidence if it lies strictly between 0 and 1."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating):
        raise ValidationInputError(CONFIDENCE_RANGE.format(value=confidence))
    if not 0.0 < float(confidence) < 1.0:
        raise ValidationInputError(CONFIDENCE_RANGE.format(value=confidence))
    return float(confidence)


def make_rng(seed: int | np.random.Generator) -> np.random.Generator:
    """Return a Generator from an explicit seed or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValidationInputError(SEED_TYPE.format(kind=type(seed).__name__))
    return np.random.default_rng(int(seed))


def check_bands(
    bands: Mapping[str, float] | Sequence[tuple[str, float]] | None,
) -> tuple[tuple[str, float], ...]:
    """Return bands as ((name, lowest score), ...) in increasing order."""
    if bands is None:
        return ()
    items = list(bands.items()) if isinstance(bands, Mapping) else list(bands)
    out: list[tuple[str, float]] = []
    previous = -math.inf
    for name, lowest in items:
        value = float(lowest)
        if not math.isfinite(value) or value <= previous:
            raise ValidationInputError(BANDS_ORDER.format(name=str(name)))
        out.append((str(name), value))
        previous = value
    return tuple(out)
