"""Fitting a weightings file from a labelled cohort, and comparing it with the expert one."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._features import INDICATORS
from .._weights import Weights
from ._cohort import CohortScores, rescore_cohort
from ._evaluation import evaluate
from ._fairness import SmallGroupWarning
from ._figure import Figure
from ._fitting import FittedPoints, fit_points

__all__ = ["WeightsComparison", "WeightsFit", "compare_weights", "fit_weights"]

METHOD = (
    "sign-constrained logistic regression (risk >= 0, protective <= 0) on the screen's 0/1 "
    "indicators, scaled and rounded to whole points, polished by integer local search on "
    "training log-loss; largest points chosen by stratified cross-validation of AUROC"
)
_COMPARED = ("auroc", "average_precision", "flag_rate", "sensitivity", "ppv")


def _auroc(scores: npt.NDArray[np.float64], outcomes: npt.NDArray[np.int8]) -> float:
    result = evaluate(scores, outcomes, threshold=float(scores.max()), n_boot=0)
    return result.overall["auroc"].value


def _matched_bands(
    base_scores: npt.NDArray[np.float64], new_scores: npt.NDArray[np.int64], base: Weights
) -> list[dict[str, Any]]:
    """Move the base bands' lowest scores so each band holds about the same share."""
    bands = [b.model_dump(mode="json") for b in base.bands]
    previous = 0
    ceiling = int(new_scores.max()) + len(bands)
    for i in range(1, len(bands)):
        share = float(np.mean(base_scores >= base.bands[i].min_score))
        t = previous + 1
        while t < ceiling and float(np.mean(new_scores >= t)) > share:
            t += 1
        bands[i]["min_score"] = t
        previous = t
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
                k: {"expert": a.to_dict(), "fitted": b.to_dict()}
                for k, (a, b) in self.figures.items()
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
        a = expert.points.get(indicator.key)
        b = fitted.points.get(indicator.key)
        pa = a.points if a is not None else 0
        pb = b.points if b is not None else 0
        if pa or pb:
            rows.append(
                {"key": indicator.key, "label": indicator.label, "expert": pa, "fitted": pb}
            )
    figures: dict[str, list[Figure]] = {k: [] for k in _COMPARED}
    for weights in (expert, fitted):
        scored = rescore_cohort(cohort, weights)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallGroupWarning)
            result = evaluate(
                scored.scores, scored.outcomes, threshold=scored.threshold, n_boot=n_boot, seed=seed
            )
        for k in _COMPARED:
            figures[k].append(result.overall[k])
    return WeightsComparison(
        rows=tuple(rows), figures={k: (v[0], v[1]) for k, v in figures.items()}
    )


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
    not capped (the cap is set to their total) so the screen's score is the
    fitted sum, floored at 0.

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
    base = cohort.weights
    keys = tuple(ind.key for ind in INDICATORS)
    protective = [ind.protective for ind in INDICATORS]
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
    new_scores = fit.score(cohort.matrix.values)
    n = len(cohort.ids)
    outcomes = int(cohort.outcomes.sum())
    cv_best = fit.cv_auroc[fit.max_points]
    rationale = (
        f"Fitted to a labelled cohort of {n} young people ({outcomes} with the outcome) as of "
        f"{cohort.as_of.isoformat()}; cross-validated AUROC of the whole-point score "
        f"{cv_best:.3f}. Not yet validated on a separate cohort."
    )
    points = {
        key: {"points": int(p), "rationale": rationale, "evidence": []}
        for key, p in zip(keys, fit.points.tolist(), strict=True)
        if p != 0 or key in base.points
    }
    cap = int(-sum(p for p, prot in zip(fit.points.tolist(), protective, strict=True) if prot))
    provenance = {
        "method": METHOD,
        "fitted_on": fitted_on.isoformat(),
        "as_of": cohort.as_of.isoformat(),
        "data": {
            "n": n,
            "outcomes": outcomes,
            "prevalence": outcomes / n,
            "indicators_considered": len(keys),
            "indicators_selected": len(fit.selected),
        },
        "metrics": {
            "cv_auroc": cv_best,
            "cv_auroc_by_max_points": {str(k): v for k, v in fit.cv_auroc.items()},
            "cv_auroc_before_rounding": fit.cv_auroc_continuous,
            "train_auroc_fitted": _auroc(new_scores.astype(np.float64), cohort.outcomes),
            "train_auroc_expert": _auroc(cohort.scores, cohort.outcomes),
        },
        "settings": {
            "max_points": fit.max_points,
            "max_points_limit": max_points,
            "max_indicators": max_indicators,
            "folds": folds,
            "seed": seed,
        },
        "mapping": {"intercept": fit.intercept, "slope": fit.slope},
        "base": base.stamp.model_dump(mode="json"),
    }
    data = base.model_dump(mode="json")
    data.update(
        name=name or f"{base.name} (fitted)"[:100],
        version=version or f"{base.version}+fit.{fitted_on.isoformat()}"[:40],
        status="fitted",
        description=(
            f"Whole points fitted to a labelled cohort ({n} young people) from the indicators of "
            f"'{base.name}' v{base.version}; bands matched to the same shares of the cohort. "
            "A flag remains a prompt for review by a person. Validate on a separate cohort "
            "before use."
        ),
        points=points,
        bands=_matched_bands(cohort.scores, new_scores, base),
        protective_cap=min(cap, 100),
        provenance=provenance,
    )
    weights = Weights.model_validate(data)
    comparison = compare_weights(base, weights, cohort, n_boot=n_boot, seed=seed)
    return WeightsFit(weights=weights, points=fit, comparison=comparison)
