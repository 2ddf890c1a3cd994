"""Fitting a weightings file from a labelled cohort, and comparing it with the expert one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._features import INDICATORS
from .._weights import Weights
from ._cohort import CohortScores, rescore_cohort
from ._evaluation import evaluate
from ._figure import Figure
from ._fitting import FittedPoints, fit_points

__all__ = ["WeightsComparison", "WeightsFit", "compare_weights", "fit_weights"]

METHOD = (
    "sparse integer search on the screen's 0/1 indicators (risk >= 0, protective <= 0): beam "
    "search over sets of indicators with warm-started sign-constrained logistic fits, a pool of "
    "near-optimal sets, multiplier search with sequential rounding and integer polish on the "
    "training log-loss of the floored score, at the limits given; held-out AUROC and "
    "calibration of every smaller card by stratified cross-validation"
)
_COMPARED = ("auroc", "average_precision", "flag_rate", "sensitivity", "ppv")


def _auroc(scores: npt.NDArray[np.float64], outcomes: npt.NDArray[np.int8]) -> float:
    result = evaluate(scores, outcomes, threshold=float(scores.max()), n_boot=0)
    return result.overall["auroc"].value


def _matched_bands(
    base_scores: npt.NDArray[np.float64], new_scores: npt.NDArray[np.int64], base: Weights
) -> list[dict[str, Any]]:
    """Move the base bands' lowest scores so each band holds about the same share."""
    bands = [band.model_dump(mode="json") for band in base.bands]
    previous = 0
    ceiling = int(new_scores.max()) + len(bands)
    for i in range(1, len(bands)):
        share = float(np.mean(base_scores >= base.bands[i].min_score))
        lowest = previous + 1
        while lowest < ceiling and float(np.mean(new_scores >= lowest)) > share:
            lowest += 1
        bands[i]["min_score"] = lowest
        previous = lowest
    return bands


@dataclass(frozen=True, eq=False)
class WeightsComparison:
    """Expert and fitted weightings side by side.

    Attributes
    ----------
    rows : tuple of dict
        One per indicator with points in either: ``key``, ``label``,
        ``expert``, ``fitted``.
    figures : dict of str to tuple of (Figure, Figure)
        Expert then fitted figures on the cohort (each at its own flag
        threshold). When the fitted weightings were fitted to this cohort its
        figures are optimistic; compare ``cv_auroc`` in the provenance.
    """

    rows: tuple[dict[str, Any], ...]
    figures: dict[str, tuple[Figure, Figure]]

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "points": list(self.rows),
            "figures": {
                name: {"expert": expert.to_dict(), "fitted": fitted.to_dict()}
                for name, (expert, fitted) in self.figures.items()
            },
        }


@dataclass(frozen=True, eq=False)
class WeightsFit:
    """A fitted weightings file, with how it was fitted and how it compares.

    Attributes
    ----------
    weights : Weights
        Status ``"fitted"``; usable directly by ``Screener(weights)``.
    points : FittedPoints
        The fit itself (coefficients, cross-validated AUROC per scale).
    comparison : WeightsComparison
        Expert and fitted weightings side by side on the cohort.
    """

    weights: Weights
    points: FittedPoints
    comparison: WeightsComparison


def compare_weights(
    expert: Weights, fitted: Weights, cohort: CohortScores, *, n_boot: int = 200, seed: int = 0
) -> WeightsComparison:
    """Put two weightings side by side: points per indicator and figures on a cohort.

    Parameters
    ----------
    expert, fitted : Weights
    cohort : CohortScores
        A screened labelled cohort; it is rescored with each weightings.
    n_boot, seed : int
        Bootstrap replicates and seed for the figures' intervals.

    Returns
    -------
    WeightsComparison
    """
    rows = []
    for indicator in INDICATORS:
        expert_entry = expert.points.get(indicator.key)
        fitted_entry = fitted.points.get(indicator.key)
        expert_points = expert_entry.points if expert_entry is not None else 0
        fitted_points = fitted_entry.points if fitted_entry is not None else 0
        if expert_points or fitted_points:
            rows.append(
                {
                    "key": indicator.key,
                    "label": indicator.label,
                    "expert": expert_points,
                    "fitted": fitted_points,
                }
            )
    figures: dict[str, list[Figure]] = {name: [] for name in _COMPARED}
    for weights in (expert, fitted):
        scored = rescore_cohort(cohort, weights)
        # No groups, so no small-group warnings: nothing to silence (and warning filters are
        # process-wide state a library must not touch).
        result = evaluate(
            scored.scores, scored.outcomes, threshold=scored.threshold, n_boot=n_boot, seed=seed
        )
        for name in _COMPARED:
            figures[name].append(result.overall[name])
    return WeightsComparison(
        rows=tuple(rows),
        figures={name: (pair[0], pair[1]) for name, pair in figures.items()},
    )


def _cohort_size(cohort: CohortScores) -> tuple[int, int]:
    """Return the young people in the cohort and how many had the outcome."""
    return len(cohort.ids), int(cohort.outcomes.sum())


def _fitted_points(cohort: CohortScores, fit: FittedPoints) -> dict[str, dict[str, Any]]:
    """Return the points entries of the fitted weightings, each with the same rationale."""
    n, outcomes = _cohort_size(cohort)
    rationale = (
        f"Fitted to a labelled cohort of {n} young people ({outcomes} with the outcome) as of "
        f"{cohort.as_of.isoformat()}; cross-validated AUROC of the whole-point score "
        f"{fit.cv_auroc[fit.max_points]:.3f}. Not yet validated on a separate cohort."
    )
    return {
        key: {"points": int(points), "rationale": rationale, "evidence": []}
        for key, points in zip(fit.keys, fit.points.tolist(), strict=True)
        if points != 0 or key in cohort.weights.points
    }


def _provenance(
    cohort: CohortScores,
    fit: FittedPoints,
    new_scores: npt.NDArray[np.int64],
    *,
    fitted_on: dt.date,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Return how the weightings were fitted: method, data, figures and settings."""
    n, outcomes = _cohort_size(cohort)
    return {
        "method": METHOD,
        "fitted_on": fitted_on.isoformat(),
        "as_of": cohort.as_of.isoformat(),
        "data": {
            "n": n,
            "outcomes": outcomes,
            "prevalence": outcomes / n,
            "indicators_considered": len(fit.keys),
            "indicators_selected": len(fit.selected),
        },
        "metrics": {
            "cv_auroc": fit.cv_auroc[fit.max_points],
            "cv_auroc_by_max_points": {str(key): value for key, value in fit.cv_auroc.items()},
            "cv_auroc_before_rounding": fit.cv_auroc_continuous,
            "train_auroc_fitted": _auroc(new_scores.astype(np.float64), cohort.outcomes),
            "train_auroc_expert": _auroc(cohort.scores, cohort.outcomes),
        },
        "settings": settings,
        "mapping": {"intercept": fit.intercept, "slope": fit.slope},
        "base": cohort.weights.stamp.model_dump(mode="json"),
    }


def _fitted_weights(
    cohort: CohortScores,
    fit: FittedPoints,
    *,
    fitted_on: dt.date,
    name: str | None,
    version: str | None,
    settings: dict[str, Any],
) -> Weights:
    """Return the base weightings with the fitted points, matched bands and provenance."""
    base = cohort.weights
    protective = [indicator.protective for indicator in INDICATORS]
    cap = int(
        -sum(
            points
            for points, is_protective in zip(fit.points.tolist(), protective, strict=True)
            if is_protective
        )
    )
    new_scores = fit.score(cohort.matrix.values)
    data = base.model_dump(mode="json")
    data.update(
        name=name or f"{base.name} (fitted)"[:100],
        version=version or f"{base.version}+fit.{fitted_on.isoformat()}"[:40],
        status="fitted",
        description=(
            f"Whole points fitted to a labelled cohort ({len(cohort.ids)} young people) from the "
            f"indicators of '{base.name}' v{base.version}; bands matched to the same shares of "
            "the cohort. A flag remains a prompt for review by a person. Validate on a separate "
            "cohort before use."
        ),
        points=_fitted_points(cohort, fit),
        bands=_matched_bands(cohort.scores, new_scores, base),
        protective_cap=min(cap, 100),
        # The points were fitted as a plain sum, so no needs cap: the screen's score is the fit's.
        needs_cap=None,
        provenance=_provenance(cohort, fit, new_scores, fitted_on=fitted_on, settings=settings),
    )
    return Weights.from_dict(data, source="fitted weightings")


def fit_weights(
    cohort: CohortScores,
    *,
    fitted_on: dt.date,
    max_points: int = 5,
    max_indicators: int | None = None,
    folds: int = 5,
    seed: int = 0,
    name: str | None = None,
    version: str | None = None,
    n_boot: int = 200,
) -> WeightsFit:
    """Fit whole points to a labelled cohort and return a weightings file the Screener uses.

    The bands, overrides, windows and count thresholds of the cohort's
    weightings are kept; each band's lowest score is moved so that the band
    holds about the same share of the cohort as before. Protective points are
    not capped (the cap is set to their total) and the developmental needs are
    not capped either (no ``needs_cap``), so the screen's score is the fitted
    sum, floored at 0.

    Parameters
    ----------
    cohort : CohortScores
        A labelled cohort screened by :func:`score_cohort` with the expert
        weightings (its indicators are what is fitted).
    fitted_on : datetime.date
        Date recorded in the provenance (nothing reads the clock).
    max_points, max_indicators, folds, seed
        As for :func:`fit_points`.
    name, version : str, optional
        Of the new weightings (default: the expert's name + " (fitted)", and
        ``"<expert version>+fit.<fitted_on>"``).
    n_boot : int
        Replicates for the intervals of the comparison.

    Returns
    -------
    WeightsFit
    """
    keys = tuple(indicator.key for indicator in INDICATORS)
    protective = [indicator.protective for indicator in INDICATORS]
    fit = fit_points(
        cohort.matrix.values,
        cohort.outcomes,
        keys=keys,
        protective=protective,
        max_points=max_points,
        max_indicators=max_indicators,
        folds=folds,
        seed=seed,
    )
    settings = {
        "max_points": fit.max_points,
        "max_points_limit": max_points,
        "max_indicators": max_indicators,
        "folds": folds,
        "seed": seed,
    }
    weights = _fitted_weights(
        cohort, fit, fitted_on=fitted_on, name=name, version=version, settings=settings
    )
    comparison = compare_weights(cohort.weights, weights, cohort, n_boot=n_boot, seed=seed)
    return WeightsFit(weights=weights, points=fit, comparison=comparison)
