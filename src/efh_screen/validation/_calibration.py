"""Observed outcome rates per score value and per band, and the score → probability mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._figure import Figure, plain
from ._frames import frame

__all__ = ["CalibrationRow", "CalibrationTable", "MappingMethod"]

_F = npt.NDArray[np.float64]

MappingMethod = Literal["logistic", "isotonic", "given"]


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """Observed outcome rate among young people with scores in one range.

    Attributes
    ----------
    label : str
        The score value (``"7"``), range (``"3 to 5"``) or band name.
    lowest, highest : float
        Lowest score of the range (for a band, its threshold) and highest
        score seen in it (NaN if nobody).
    n, outcomes : int
        Young people in the range, and how many had the outcome.
    mean_score : float
        Mean screening score of the young people in the range.
    observed_rate : float
        ``outcomes / n``.
    wilson_low, wilson_high : float
        Wilson score interval for the observed rate.
    probability : Figure
        Mean mapped probability in the range, with its bootstrap interval.
    """

    label: str
    lowest: float
    highest: float
    n: int
    outcomes: int
    mean_score: float
    observed_rate: float
    wilson_low: float
    wilson_high: float
    probability: Figure

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "label": self.label,
            "lowest": plain(self.lowest),
            "highest": plain(self.highest),
            "n": self.n,
            "outcomes": self.outcomes,
            "mean_score": plain(self.mean_score),
            "observed_rate": plain(self.observed_rate),
            "wilson_low": plain(self.wilson_low),
            "wilson_high": plain(self.wilson_high),
            "probability": self.probability.to_dict(),
        }


@dataclass(frozen=True, eq=False)
class CalibrationTable:
    """How often the outcome followed each score, and the score → probability mapping.

    For a score on its own scale (e.g. whole points) the mapping is fitted to,
    and its Brier score and expected calibration error measured on, the same
    records; they are therefore optimistic for new data, and observed to
    expected is 1 by construction. Read it as "how the outcome rate rose with
    the score in this cohort", not as a probability for any one young person.
    For scores that are probabilities (``method="given"``) nothing is fitted:
    every figure checks the probabilities as they are.

    Attributes
    ----------
    method : {"logistic", "isotonic", "given"}
        ``"logistic"``: ``1 / (1 + exp(-(intercept + slope * score)))``.
        ``"isotonic"``: the non-decreasing step function closest to the
        observed rates. ``"given"``: the scores are probabilities, used as
        they are.
    intercept, slope : float
        For ``"logistic"``, parameters of the mapping (NaN for isotonic).
        For ``"given"``, the calibration intercept and slope: the outcome
        regressed on the log-odds of the probabilities (slope 1 and
        intercept 0 when calibrated; a slope below 1 means the
        probabilities are too extreme).
    figures : mapping of str to Figure
        ``intercept`` and ``slope`` with bootstrap intervals, and
        ``in_the_large``: observed outcome rate less mean probability
        (calibration in the large; 0 when calibrated, and by construction
        for a fitted logistic mapping).
    values, probabilities : ndarray of shape (n_values,)
        The mapping at each distinct score value seen.
    by_value : tuple of CalibrationRow
        One row per score value (or per range of values, when there are
        more than 20 distinct values). For ``"given"``, the reliability
        diagram: one row per non-empty tenth of the probability scale, as
        ``sklearn.calibration.calibration_curve(strategy="uniform")``
        (``mean_score`` is the mean probability, ``observed_rate`` the
        outcome rate).
    by_band : tuple of CalibrationRow
        One row per band, when bands were given.
    brier : Figure
        Mean squared difference between outcome and mapped probability.
    ece : Figure
        Expected calibration error over the rows of ``by_value``.
    """

    method: MappingMethod
    intercept: float
    slope: float
    values: _F
    probabilities: _F
    by_value: tuple[CalibrationRow, ...]
    by_band: tuple[CalibrationRow, ...]
    brier: Figure
    ece: Figure
    figures: Mapping[str, Figure]

    def probability(self, scores: npt.ArrayLike) -> _F:
        """Map screening scores to the fitted outcome rate.

        Parameters
        ----------
        scores : array-like of shape (n,)

        Returns
        -------
        ndarray of shape (n,)
        """
        x = np.asarray(scores, dtype=np.float64)
        if self.method == "given":
            return np.asarray(x, dtype=np.float64)
        if self.method == "logistic":
            return np.asarray(1.0 / (1.0 + np.exp(-(self.intercept + self.slope * x))))
        known = np.isfinite(self.probabilities)
        values = self.values[known]
        probabilities = self.probabilities[known]
        index = np.clip(np.searchsorted(values, x, side="right") - 1, 0, values.size - 1)
        return np.asarray(probabilities[index], dtype=np.float64)

    def to_frame(self) -> Any:
        """Return the observed rates per score value (or bin) and per band as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per entry of ``by_value`` (``table="by_value"``) then of
            ``by_band`` (``table="by_band"``), with columns ``table``,
            ``label``, ``lowest``, ``highest``, ``n``, ``outcomes``,
            ``mean_score``, ``observed_rate``, ``wilson_low``,
            ``wilson_high``, and the mean mapped probability as ``value``,
            ``low``, ``high``. For probabilities as given, the ``by_value``
            rows are the reliability diagram.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "efh_screen[research]"``).
        """
        names = (
            "label", "lowest", "highest", "n", "outcomes", "mean_score", "observed_rate",
            "wilson_low", "wilson_high",
        )  # fmt: skip
        rows = [
            {
                "table": table,
                **{name: getattr(row, name) for name in names},
                "value": row.probability.value,
                "low": row.probability.low,
                "high": row.probability.high,
            }
            for table, entries in (("by_value", self.by_value), ("by_band", self.by_band))
            for row in entries
        ]
        columns = ("table", *names, "value", "low", "high")
        return frame(rows, columns, what="CalibrationTable.to_frame()")

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "method": self.method,
            "intercept": plain(self.intercept),
            "slope": plain(self.slope),
            "mapping": [
                {"score": plain(v), "probability": plain(p)}
                for v, p in zip(self.values.tolist(), self.probabilities.tolist(), strict=True)
            ]
            if self.values.size <= 200
            else [],
            "brier": self.brier.to_dict(),
            "ece": self.ece.to_dict(),
            "figures": {name: figure.to_dict() for name, figure in self.figures.items()},
            "by_value": [r.to_dict() for r in self.by_value],
            "by_band": [r.to_dict() for r in self.by_band],
        }
