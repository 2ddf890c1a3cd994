"""Every candidate cut of a screening score, and operating points chosen by a constraint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import ValidationInputError
from ._figure import Figure, plain
from ._frames import FIGURE_COLUMNS, frame
from ._metrics import RATE_NAMES

__all__ = [
    "CONSTRAINT_COUNT",
    "CONSTRAINT_RANGE",
    "NO_CUT_MEETS",
    "OperatingPoint",
    "ThresholdTable",
]

_F = npt.NDArray[np.float64]

CONSTRAINT_COUNT = (
    "give exactly one of max_flag_rate (a review capacity, e.g. 0.1 for 10%) or "
    "min_sensitivity (e.g. 0.8); got {count}"
)
CONSTRAINT_RANGE = "{name} must be a proportion between 0 and 1 (e.g. 0.1 for 10%); got {value!r}"
NO_CUT_MEETS = (
    "no cut meets {rule}; loosen the constraint (the table in .rows() shows what each cut achieves)"
)


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    """A cut chosen by a rule, with every figure at that cut.

    Attributes
    ----------
    threshold : float
        Young people with a screening score ``>= threshold`` are flagged for review.
    rule : str
        The rule in words, e.g. ``"highest sensitivity with flag rate <= 10%"``.
    figures : mapping of str to Figure
        The figures named in the threshold table at this cut, with intervals.
    """

    threshold: float
    rule: str
    figures: Mapping[str, Figure]

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "threshold": plain(self.threshold),
            "rule": self.rule,
            "figures": {k: v.to_dict() for k, v in self.figures.items()},
        }


@dataclass(frozen=True, eq=False)
class ThresholdTable:
    """Figures at every candidate cut of the screening score.

    Attributes
    ----------
    cuts : ndarray of shape (n_cuts,)
        Candidate thresholds, ascending: flagged for review when score ``>= cut``.
        Every distinct score value when there are at most 200 of them.
    value, low, high : mapping of str to ndarray of shape (n_cuts,)
        Each figure (``flag_rate``, ``sensitivity``, ``specificity``,
        ``false_positive_rate``, ``false_negative_rate``, ``ppv``, ``npv``,
        ``reviews_per_true_case``, ``true_cases_per_100_reviews``) with its
        bootstrap interval bounds.
    counts : mapping of str to ndarray of shape (n_cuts,)
        ``tp``, ``fp``, ``tn``, ``fn`` at each cut.
    """

    cuts: _F
    value: Mapping[str, _F]
    low: Mapping[str, _F]
    high: Mapping[str, _F]
    counts: Mapping[str, _F] = field(default_factory=dict)

    def figure(self, name: str, index: int) -> Figure:
        """Return one figure at one cut (by position in ``cuts``)."""
        return Figure(
            float(self.value[name][index]),
            float(self.low[name][index]),
            float(self.high[name][index]),
        )

    def at(self, index: int) -> dict[str, Figure]:
        """Return every figure at one cut (by position in ``cuts``)."""
        return {name: self.figure(name, index) for name in RATE_NAMES}

    def operating_point(
        self, *, max_flag_rate: float | None = None, min_sensitivity: float | None = None
    ) -> OperatingPoint:
        """Choose a cut by one constraint.

        Parameters
        ----------
        max_flag_rate : float, optional
            Review capacity as a proportion of young people: the cut with the
            highest sensitivity whose flag rate is at most this.
        min_sensitivity : float, optional
            The cut with the lowest flag rate whose sensitivity is at least this.

        Returns
        -------
        OperatingPoint

        Raises
        ------
        ValidationInputError
            If not exactly one constraint is given, it is not a proportion, or
            no cut meets it.

        Examples
        --------
        Cuts at 3 and 4 both find two of the three cases within a capacity
        of half; the one with fewer reviews is chosen.

        >>> from efh_screen.validation import evaluate
        >>> result = evaluate([0, 1, 2, 3, 4, 5], [0, 0, 1, 0, 1, 1], threshold=3, n_boot=0)
        >>> result.thresholds.operating_point(max_flag_rate=0.5).threshold
        4.0
        """
        given = [
            (n, v)
            for n, v in (("max_flag_rate", max_flag_rate), ("min_sensitivity", min_sensitivity))
            if v is not None
        ]
        if len(given) != 1:
            raise ValidationInputError(CONSTRAINT_COUNT.format(count=len(given)))
        name, limit = given[0]
        if isinstance(limit, bool) or not (0.0 <= float(limit) <= 1.0):
            raise ValidationInputError(CONSTRAINT_RANGE.format(name=name, value=limit))
        flag_rate = self.value["flag_rate"]
        sensitivity = np.nan_to_num(self.value["sensitivity"], nan=-1.0)
        # Small tolerance so that 0.1 written by a person matches a rate of 0.1 exactly.
        tol = 1e-12
        if name == "max_flag_rate":
            rule = f"highest sensitivity with flag rate <= {float(limit):.1%}"
            ok = np.flatnonzero(flag_rate <= float(limit) + tol)
            if ok.size == 0:
                raise ValidationInputError(NO_CUT_MEETS.format(rule=rule))
            best = ok[np.lexsort((flag_rate[ok], -sensitivity[ok]))[0]]
        else:
            rule = f"lowest flag rate with sensitivity >= {float(limit):.1%}"
            ok = np.flatnonzero(sensitivity >= float(limit) - tol)
            if ok.size == 0:
                raise ValidationInputError(NO_CUT_MEETS.format(rule=rule))
            best = ok[np.lexsort((-sensitivity[ok], flag_rate[ok]))[0]]
        return OperatingPoint(
            threshold=float(self.cuts[best]), rule=rule, figures=self.at(int(best))
        )

    def rows(self) -> list[dict[str, Any]]:
        """Return one JSON-ready dict per cut: ``threshold``, counts, then each figure."""
        out: list[dict[str, Any]] = []
        for i, cut in enumerate(self.cuts.tolist()):
            row: dict[str, Any] = {"threshold": plain(cut)}
            for name in ("tp", "fp", "tn", "fn"):
                if name in self.counts:
                    row[name] = int(self.counts[name][i])
            for name in RATE_NAMES:
                row[name] = self.figure(name, i).to_dict()
            out.append(row)
        return out

    def to_frame(self) -> Any:
        """Return the figures at every cut as a tidy pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per cut and figure, with columns ``threshold``, ``tp``,
            ``fp``, ``tn``, ``fn``, ``figure``, ``value``, ``low``, ``high``
            (flagged for review when score >= threshold). The precision-recall
            curve is the rows of ``ppv`` against those of ``sensitivity``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "efh_screen[research]"``).
        """
        counts = ("tp", "fp", "tn", "fn")
        rows = [
            {
                "threshold": float(cut),
                **{name: int(self.counts[name][i]) for name in counts if name in self.counts},
                "figure": name,
                "value": float(self.value[name][i]),
                "low": float(self.low[name][i]),
                "high": float(self.high[name][i]),
            }
            for i, cut in enumerate(self.cuts.tolist())
            for name in RATE_NAMES
        ]
        columns = ("threshold", *counts, "figure", *FIGURE_COLUMNS)
        return frame(rows, columns, what="ThresholdTable.to_frame()")

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {"rule": "flagged for review when score >= threshold", "cuts": self.rows()}
