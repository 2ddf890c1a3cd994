"""Figures by group of an audit attribute: rates, discrimination, calibration, disparity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._errors import ValidationInputError
from ._figure import Figure, percentile_interval
from ._frames import FIGURE_COLUMNS, figure_rows, frame

__all__ = [
    "GROUP_METRICS",
    "SMALL_GROUP",
    "SMALL_GROUP_FEW",
    "SMALL_GROUP_FEW_OUTCOMES",
    "UNKNOWN_GROUP",
    "UNKNOWN_METRIC",
    "UNKNOWN_REFERENCE",
    "GroupFairness",
    "SmallGroupWarning",
]

_F = npt.NDArray[np.float64]

#: Figures reported for each group, in report order.
GROUP_METRICS = (
    "n",
    "outcomes",
    "prevalence",
    "flag_rate",
    "relative_rate_index",
    "sensitivity",
    "specificity",
    "false_positive_rate",
    "false_negative_rate",
    "ppv",
    "npv",
    "auroc",
    "average_precision",
    "brier",
    "ece",
    "observed_to_expected",
)

SMALL_GROUP = (
    "{attribute}={label!r} has {n} young people, {outcomes} with the outcome ({reason}): its "
    "figures are too uncertain to say anything about this group; read its intervals and do not "
    "act on its differences"
)
SMALL_GROUP_FEW = "fewer than {min_n} young people"
SMALL_GROUP_FEW_OUTCOMES = "fewer than {min_outcomes} with the outcome"
UNKNOWN_METRIC = "metric {name!r} is not reported by group; use one of: {names}"
UNKNOWN_REFERENCE = (
    "reference group {label!r} does not occur in {attribute!r}; use one of: {labels}"
)
UNKNOWN_GROUP = (
    "between names group {label!r}, which does not occur in {attribute!r}; use two of: {labels}"
)

Comparison = Literal["between_groups", "to_reference"]


class SmallGroupWarning(UserWarning):
    """A group is too small for its figures to say anything."""


@dataclass(frozen=True, eq=False)
class GroupFairness:
    """Figures for each group of one audit attribute (or an intersection of two).

    Attributes
    ----------
    attribute : str
        Attribute name, or two joined by ``" × "`` for their intersection.
    reference : str
        Group that relative rate indices are taken against.
    labels : tuple of str
        Groups, sorted.
    by_group : mapping of str to mapping of str to Figure
        ``by_group[label][metric]`` for each metric in ``GROUP_METRICS``.
        ``relative_rate_index`` is the group's flag rate divided by the
        reference group's (1 = flagged at the same rate), as used in
        youth-justice disproportionality work.
    too_small : tuple of str
        Groups with too few young people, or too few outcomes, to say anything.
    confidence : float
        Level of the bootstrap intervals.
    """

    attribute: str
    reference: str
    labels: tuple[str, ...]
    by_group: Mapping[str, Mapping[str, Figure]]
    too_small: tuple[str, ...]
    confidence: float
    _draws: Mapping[str, _F] = field(repr=False)

    def metric(self, name: str) -> dict[str, Figure]:
        """Return one metric for every group, keyed by group label."""
        self._check(name)
        return {label: self.by_group[label][name] for label in self.labels}

    def _check(self, name: str) -> None:
        if name not in GROUP_METRICS:
            raise ValidationInputError(
                UNKNOWN_METRIC.format(name=name, names=", ".join(GROUP_METRICS))
            )

    def _columns(self, include_small: bool) -> npt.NDArray[np.intp]:
        keep = [i for i, g in enumerate(self.labels) if include_small or g not in self.too_small]
        return np.asarray(keep, dtype=np.intp)

    def groups_compared(
        self,
        name: str,
        *,
        method: Comparison = "between_groups",
        include_small: bool = True,
        ratio: bool = False,
    ) -> tuple[str, str]:
        """Return the two groups that :meth:`difference` (or :meth:`ratio`) compares.

        Parameters
        ----------
        name : str
            A metric in ``GROUP_METRICS``.
        method : {"between_groups", "to_reference"}
            As for :meth:`difference`.
        include_small : bool
            Whether groups in ``too_small`` take part.
        ratio : bool
            For ``to_reference``: the group whose ratio to the reference is
            furthest from 1 (as :meth:`ratio` compares), instead of the group
            furthest from it in difference.

        Returns
        -------
        tuple of str
            For ``between_groups``, the groups with the highest and the lowest
            value of the metric in the data; for ``to_reference``, the group
            furthest from the reference group, then the reference group.
        """
        self._check(name)
        if method not in ("between_groups", "to_reference"):
            raise ValidationInputError(
                f"method must be 'between_groups' or 'to_reference'; got {method!r}"
            )
        labels = [self.labels[i] for i in self._columns(include_small)]
        values = np.array([self.by_group[label][name].value for label in labels])
        if not np.any(np.isfinite(values)):
            return labels[0], labels[0]
        if method == "between_groups":
            return labels[int(np.nanargmax(values))], labels[int(np.nanargmin(values))]
        reference = self.by_group[self.reference][name].value
        with np.errstate(all="ignore"):
            distance = np.abs(np.log(values / reference)) if ratio else np.abs(values - reference)
        distance = np.where(np.isfinite(distance), distance, np.nan)
        if not np.any(np.isfinite(distance)):
            return self.reference, self.reference
        return labels[int(np.nanargmax(distance))], self.reference

    def _pair(self, between: tuple[str, str]) -> tuple[str, str]:
        """Check the two groups named by ``between``."""
        for label in between:
            if label not in self.labels:
                raise ValidationInputError(
                    UNKNOWN_GROUP.format(
                        label=label, attribute=self.attribute, labels=", ".join(self.labels)
                    )
                )
        return between[0], between[1]

    def _compare(
        self,
        name: str,
        method: Comparison,
        include_small: bool,
        *,
        ratio: bool,
        between: tuple[str, str] | None,
    ) -> Figure:
        if between is None:
            first, second = self.groups_compared(
                name, method=method, include_small=include_small, ratio=ratio
            )
        else:
            self._check(name)
            first, second = self._pair(between)
        columns = [self.labels.index(first), self.labels.index(second)]
        values = np.array([[self.by_group[g][name].value for g in self.labels]])
        stacked = np.concatenate([values, self._draws.get(name, np.empty((0, len(self.labels))))])
        pair = stacked[:, columns]
        with np.errstate(all="ignore"):
            if ratio and between is not None:
                out = pair[:, 0] / pair[:, 1]
            elif ratio:
                out = pair[:, 1] / pair[:, 0]
                if method == "to_reference":
                    out = np.where(out > 1, 1 / out, out)
            else:
                out = pair[:, 0] - pair[:, 1]
                if method == "to_reference" and between is None:
                    out = np.abs(out)
        out = np.where(np.isfinite(out), out, np.nan)
        low_b, high_b = percentile_interval(out[1:, None], confidence=self.confidence)
        return Figure(float(out[0]), float(low_b[0]), float(high_b[0]))

    def difference(
        self,
        name: str,
        *,
        method: Comparison = "between_groups",
        include_small: bool = True,
        between: tuple[str, str] | None = None,
    ) -> Figure:
        """Largest difference in a metric between groups, with its bootstrap interval.

        The interval is that of the difference between the two groups
        :meth:`groups_compared` names, resampled together. (The largest
        difference over all groups, recomputed in every replicate, is biased
        upwards and gives intervals that exclude 0 when groups do not differ.)

        Parameters
        ----------
        name : str
            A metric in ``GROUP_METRICS``, e.g. ``"flag_rate"``, or
            ``"sensitivity"`` and ``"false_positive_rate"`` for the flag rates
            at equal outcomes (among those with, and without, the outcome).
        method : {"between_groups", "to_reference"}
            ``between_groups``: highest minus lowest group (as fairlearn's
            ``MetricFrame.difference``). ``to_reference``: largest absolute
            difference from the reference group.
        include_small : bool
            Whether groups in ``too_small`` take part.
        between : tuple of two str, optional
            Two groups to compare instead, e.g. ``("black", "white")``: the
            first group's value minus the second's, signed, with the interval
            of that difference (``method`` and ``include_small`` are then
            not used).

        Returns
        -------
        Figure
        """
        return self._compare(name, method, include_small, ratio=False, between=between)

    def ratio(
        self,
        name: str,
        *,
        method: Comparison = "between_groups",
        include_small: bool = True,
        between: tuple[str, str] | None = None,
    ) -> Figure:
        """Smallest ratio of a metric between groups (1 = equal), with its bootstrap interval.

        As for :meth:`difference`, the interval is that of the ratio between
        the two groups :meth:`groups_compared` names.

        Parameters
        ----------
        name : str
            A metric in ``GROUP_METRICS``.
        method : {"between_groups", "to_reference"}
            ``between_groups``: lowest group divided by highest (as fairlearn's
            ``MetricFrame.ratio``). ``to_reference``: the ratio to the
            reference group furthest from 1, inverted to lie in [0, 1].
        include_small : bool
            Whether groups in ``too_small`` take part.
        between : tuple of two str, optional
            Two groups to compare instead: the first group's value divided by
            the second's, with the interval of that ratio (``method`` and
            ``include_small`` are then not used).

        Returns
        -------
        Figure
        """
        return self._compare(name, method, include_small, ratio=True, between=between)

    def to_frame(self) -> Any:
        """Return the figures by group as a tidy pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per group and figure, with columns ``attribute``,
            ``group``, ``too_small``, ``figure``, ``value``, ``low``, ``high``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "efh_screen[research]"``).
        """
        rows = [
            row
            for label in self.labels
            for row in figure_rows(
                self.by_group[label],
                attribute=self.attribute,
                group=label,
                too_small=label in self.too_small,
            )
        ]
        columns = ("attribute", "group", "too_small", "figure", *FIGURE_COLUMNS)
        return frame(rows, columns, what="GroupFairness.to_frame()")

    def to_dict(self) -> dict[str, Any]:
        """Return stable-keyed JSON-ready data."""
        return {
            "attribute": self.attribute,
            "reference": self.reference,
            "too_small": list(self.too_small),
            "groups": [
                {"label": g, **{m: self.by_group[g][m].to_dict() for m in GROUP_METRICS}}
                for g in self.labels
            ],
            "difference": {
                m: self.difference(m).to_dict()
                for m in ("flag_rate", "sensitivity", "false_positive_rate", "ppv", "auroc")
            },
            "ratio": {
                m: self.ratio(m).to_dict()
                for m in ("flag_rate", "sensitivity", "false_positive_rate", "ppv", "auroc")
            },
        }


def choose_reference(
    attribute: str, labels: tuple[str, ...], sizes: _F, reference: Mapping[str, str] | str | None
) -> str:
    """Return the reference group: the one asked for, else the largest group."""
    wanted = reference.get(attribute) if isinstance(reference, Mapping) else reference
    if wanted is None:
        return labels[int(np.argmax(sizes))]
    if wanted not in labels:
        raise ValidationInputError(
            UNKNOWN_REFERENCE.format(label=wanted, attribute=attribute, labels=", ".join(labels))
        )
    return wanted
