"""Decision-curve analysis: the net benefit of flagging at each threshold probability.

Flagging young people whose outcome rate is at least ``t`` is worth it when
finding one young person who goes on to have the outcome is worth
``(1 - t) / t`` unnecessary reviews. Net benefit counts the cases found per
young person, less the unnecessary reviews weighted by ``t / (1 - t)``
(Vickers and Elkin, 2006). It is compared with reviewing everyone and with
reviewing nobody (net benefit 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._figure import Figure, plain
from ._frames import frame

__all__ = ["DECISION_THRESHOLDS", "DecisionCurve", "net_benefit"]

_F = npt.NDArray[np.float64]

#: Threshold probabilities the decision curve is drawn at: 1% to 50% in steps of 1%.
DECISION_THRESHOLDS = tuple(round(percent / 100.0, 2) for percent in range(1, 51))


def net_benefit(negatives: _F, positives: _F, probabilities: _F, thresholds: _F) -> _F:
    """Net benefit of flagging when the outcome rate is at least each threshold.

    Parameters
    ----------
    negatives, positives, probabilities : ndarray of shape (..., n_values)
        Counts per score value and the outcome rate each value maps to.
    thresholds : ndarray of shape (n_thresholds,)

    Returns
    -------
    ndarray of shape (..., n_thresholds)
    """
    n = (negatives + positives).sum(axis=-1)
    rate = np.nan_to_num(probabilities)
    columns = []
    for threshold in thresholds.tolist():
        flagged = rate >= threshold
        true_positives = (positives * flagged).sum(axis=-1)
        false_positives = (negatives * flagged).sum(axis=-1)
        with np.errstate(all="ignore"):
            columns.append((true_positives - false_positives * threshold / (1.0 - threshold)) / n)
    return np.stack(columns, axis=-1)


@dataclass(frozen=True, eq=False)
class DecisionCurve:
    """Net benefit of flagging by the score, of reviewing everyone, and of reviewing nobody.

    Attributes
    ----------
    thresholds : ndarray of shape (n_thresholds,)
        Threshold probabilities ``t``: flag when the outcome rate is at least ``t``.
    value, low, high : ndarray of shape (n_thresholds,)
        Net benefit of flagging by the score, with its bootstrap interval.
    review_everyone : ndarray of shape (n_thresholds,)
        Net benefit of reviewing every young person: ``prevalence - (1 -
        prevalence) * t / (1 - t)``. Reviewing nobody has net benefit 0.
    """

    thresholds: _F
    value: _F
    low: _F
    high: _F
    review_everyone: _F

    def figure(self, index: int) -> Figure:
        """Return the net benefit at one threshold (by position), with its interval."""
        return Figure(float(self.value[index]), float(self.low[index]), float(self.high[index]))

    def to_frame(self) -> Any:
        """Return the decision curve as a tidy pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per threshold outcome rate, with columns ``threshold``,
            ``value``, ``low``, ``high`` (net benefit of flagging by the
            score) and ``review_everyone``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "efh_screen[research]"``).
        """
        rows = [
            {
                "threshold": threshold,
                "value": float(self.value[i]),
                "low": float(self.low[i]),
                "high": float(self.high[i]),
                "review_everyone": float(self.review_everyone[i]),
            }
            for i, threshold in enumerate(self.thresholds.tolist())
        ]
        columns = ("threshold", "value", "low", "high", "review_everyone")
        return frame(rows, columns, what="DecisionCurve.to_frame()")

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "rule": "flagged for review when the outcome rate is at least the threshold",
            "points": [
                {
                    "threshold": plain(threshold),
                    "net_benefit": self.figure(i).to_dict(),
                    "review_everyone": plain(self.review_everyone[i]),
                }
                for i, threshold in enumerate(self.thresholds.tolist())
            ],
        }
