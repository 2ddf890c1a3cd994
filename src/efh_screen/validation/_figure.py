"""A reported figure: a point estimate with its bootstrap interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Figure", "percentile_interval", "plain"]

_F = npt.NDArray[np.float64]


def plain(value: float) -> float | None:
    """Return a JSON-ready float (None for NaN or infinity)."""
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True, slots=True)
class Figure:
    """A point estimate with a bootstrap percentile interval.

    Attributes
    ----------
    value : float
        The figure on the data as given (NaN when undefined, e.g. PPV when
        nobody is flagged).
    low, high : float
        Bounds of the bootstrap percentile interval; NaN when no bootstrap
        was run or too few replicates gave a defined value.
    """

    value: float
    low: float = math.nan
    high: float = math.nan

    def to_dict(self) -> dict[str, float | None]:
        """Return ``{"value", "low", "high"}`` with None for undefined numbers."""
        return {"value": plain(self.value), "low": plain(self.low), "high": plain(self.high)}

    def __format__(self, spec: str) -> str:
        spec = spec or ".3f"
        if math.isnan(self.value):
            return "undefined"
        text = format(self.value, spec)
        if not (math.isnan(self.low) or math.isnan(self.high)):
            text += f" ({format(self.low, spec)} to {format(self.high, spec)})"
        return text


def percentile_interval(draws: _F, *, confidence: float) -> tuple[_F, _F]:
    """Percentile interval over axis 0, ignoring undefined replicates.

    Returns NaN where fewer than half of the replicates gave a defined value:
    an interval from so few would understate the uncertainty.
    """
    if draws.shape[0] == 0:
        nan = np.full(draws.shape[1:], np.nan)
        return nan, nan.copy()
    alpha = (1.0 - confidence) / 2.0
    # NaN sorts last, so the defined values of each column come first.
    ordered = np.sort(np.where(np.isfinite(draws), draws, np.nan), axis=0)
    defined = np.isfinite(ordered).sum(axis=0)
    enough = defined * 2 >= draws.shape[0]
    last = np.maximum(defined - 1, 0)

    def quantile(q: float) -> _F:
        # numpy's default ("linear") quantile, computed for every column at once.
        position = q * last
        below = np.floor(position).astype(np.intp)
        above = np.minimum(below + 1, last)
        frac = position - below
        lo = np.take_along_axis(ordered, below[None], axis=0)[0]
        hi = np.take_along_axis(ordered, above[None], axis=0)[0]
        out = lo + (hi - lo) * frac
        return np.where(enough, out, np.nan)

    return quantile(alpha), quantile(1.0 - alpha)
