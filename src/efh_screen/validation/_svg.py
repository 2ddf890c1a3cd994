"""Small, dependency-free SVG charts for the HTML report.

Each chart is a self-contained ``<svg>`` element with a title and a text
description for screen readers. Colours are the Okabe–Ito palette, which
stays distinguishable with the common forms of colour blindness.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = ["PALETTE", "Chart"]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _tick_label(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2g}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    out = []
    value = first
    while value <= high + 1e-9 * step:
        out.append(round(value, 10))
        value += step
    return out


@dataclass
class Chart:
    """An x–y chart drawn into SVG elements.

    Parameters
    ----------
    title : str
        Shown above the chart and read by screen readers.
    description : str
        Plain-English description for screen readers.
    x_range, y_range : tuple of float
        Data ranges of the axes.
    x_label, y_label : str
        Axis titles.
    """

    title: str
    description: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_label: str
    y_label: str
    width: int = 480
    height: int = 320
    x_categories: Sequence[str] = ()
    parts: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    left = 58
    right = 16
    top = 48
    bottom = 54

    def x(self, value: float) -> float:
        """Pixel x of a data value."""
        lo, hi = self.x_range
        span = (hi - lo) or 1.0
        return self.left + (value - lo) / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        """Pixel y of a data value."""
        lo, hi = self.y_range
        span = (hi - lo) or 1.0
        return (
            self.height - self.bottom - (value - lo) / span * (self.height - self.top - self.bottom)
        )

    def _points(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        return " ".join(
            f"{_fmt(self.x(a))},{_fmt(self.y(b))}"
            for a, b in zip(xs, ys, strict=True)
            if math.isfinite(a) and math.isfinite(b)
        )

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        *,
        colour: str,
        label: str = "",
        dashed: bool = False,
        step: bool = False,
    ) -> None:
        """Draw a polyline (optionally as steps) and add it to the legend."""
        if step and len(xs) > 1:
            sx: list[float] = []
            sy: list[float] = []
            for i in range(len(xs)):
                if i:
                    sx.append(xs[i])
                    sy.append(ys[i - 1])
                sx.append(xs[i])
                sy.append(ys[i])
            xs, ys = sx, sy
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
            f'points="{self._points(xs, ys)}"/>'
        )
        if label:
            self.legend.append((label, colour))

    def band(
        self, xs: Sequence[float], lows: Sequence[float], highs: Sequence[float], *, colour: str
    ) -> None:
        """Shade the region between two curves (an interval band)."""
        keep = [
            (a, lo, hi)
            for a, lo, hi in zip(xs, lows, highs, strict=True)
            if all(math.isfinite(v) for v in (a, lo, hi))
        ]
        if len(keep) < 2:
            return
        upper = self._points([k[0] for k in keep], [k[2] for k in keep])
        lower = self._points([k[0] for k in reversed(keep)], [k[1] for k in reversed(keep)])
        self.parts.append(
            f'<polygon fill="{colour}" fill-opacity="0.18" stroke="none" points="{upper} {lower}"/>'
        )

    def dots(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        *,
        colour: str,
        lows: Sequence[float] | None = None,
        highs: Sequence[float] | None = None,
        label: str = "",
        hollow: Sequence[bool] | None = None,
    ) -> None:
        """Draw points, with vertical interval whiskers when given."""
        for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
            if not (math.isfinite(a) and math.isfinite(b)):
                continue
            px, py = self.x(a), self.y(b)
            if lows is not None and highs is not None:
                lo, hi = lows[i], highs[i]
                if math.isfinite(lo) and math.isfinite(hi):
                    self.parts.append(
                        f'<line x1="{_fmt(px)}" x2="{_fmt(px)}" y1="{_fmt(self.y(lo))}" '
                        f'y2="{_fmt(self.y(hi))}" stroke="{colour}" stroke-width="1.5"/>'
                    )
            fill = "white" if hollow is not None and hollow[i] else colour
            self.parts.append(
                f'<circle cx="{_fmt(px)}" cy="{_fmt(py)}" r="3.5" fill="{fill}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
        if label:
            self.legend.append((label, colour))

    def vertical(self, at: float, *, label: str) -> None:
        """Draw a labelled vertical reference line (nothing when ``at`` is off the x axis)."""
        if not self.x_range[0] <= at <= self.x_range[1]:
            return
        px = self.x(at)
        self.parts.append(
            f'<line x1="{_fmt(px)}" x2="{_fmt(px)}" y1="{self.top}" '
            f'y2="{self.height - self.bottom}" stroke="#555" stroke-dasharray="2 3"/>'
            f'<text x="{_fmt(px + 3)}" y="{self.height - self.bottom - 4}" font-size="10" '
            'fill="#333">'
            f"{escape(label)}</text>"
        )

    def horizontal(self, at: float, *, label: str = "") -> None:
        """Draw a horizontal reference line."""
        py = self.y(at)
        self.parts.append(
            f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{_fmt(py)}" '
            f'y2="{_fmt(py)}" stroke="#555" stroke-dasharray="2 3"/>'
        )
        if label:
            self.parts.append(
                f'<text x="{self.left + 3}" y="{_fmt(py - 3)}" font-size="10" '
                f'fill="#333">{escape(label)}</text>'
            )

    def _axes(self) -> str:
        out = []
        x0, x1 = self.left, self.width - self.right
        y0, y1 = self.height - self.bottom, self.top
        out.append(
            f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" '
            'stroke="#999"/>'
        )
        if self.x_categories:
            for i, name in enumerate(self.x_categories):
                px = self.x(float(i))
                lines = "".join(
                    f'<tspan x="{_fmt(px)}" dy="{0 if j == 0 else 11}">{escape(part[:16])}</tspan>'
                    for j, part in enumerate(name.split(" × "))
                )
                out.append(
                    f'<text x="{_fmt(px)}" y="{y0 + 13}" font-size="10" text-anchor="middle">'
                    f"{lines}</text>"
                )
        else:
            for t in _ticks(*self.x_range):
                px = self.x(t)
                out.append(
                    f'<line x1="{_fmt(px)}" x2="{_fmt(px)}" y1="{y0}" y2="{y0 + 4}" stroke="#999"/>'
                    f'<text x="{_fmt(px)}" y="{y0 + 15}" font-size="10" text-anchor="middle">'
                    f"{_tick_label(t)}</text>"
                )
        for t in _ticks(*self.y_range):
            py = self.y(t)
            out.append(
                f'<line x1="{x0 - 4}" x2="{x1}" y1="{_fmt(py)}" y2="{_fmt(py)}" stroke="#eee"/>'
                f'<text x="{x0 - 6}" y="{_fmt(py + 3)}" font-size="10" text-anchor="end">'
                f"{_tick_label(t)}</text>"
            )
        out.append(
            f'<text x="{(x0 + x1) / 2}" y="{self.height - 12}" font-size="11" '
            f'text-anchor="middle">{escape(self.x_label)}</text>'
            f'<text x="14" y="{(y0 + y1) / 2}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {(y0 + y1) / 2})">{escape(self.y_label)}</text>'
            f'<text x="{x0}" y="18" font-size="13" font-weight="bold">{escape(self.title)}</text>'
        )
        lx = float(x0)
        for label, colour in self.legend:
            out.append(
                f'<rect x="{_fmt(lx)}" y="28" width="10" height="10" fill="{colour}"/>'
                f'<text x="{_fmt(lx + 14)}" y="37" font-size="10">{escape(label)}</text>'
            )
            lx += 26 + 6 * len(label)
        return "".join(out)

    def render(self) -> str:
        """Return the chart as one ``<svg>`` element (data clipped to the plot area)."""
        # A stable id, so the same chart always renders to the same bytes.
        clip = "c" + hashlib.sha256((self.title + self.description).encode()).hexdigest()[:10]
        x0, y1 = self.left, self.top
        width = self.width - self.left - self.right
        height = self.height - self.top - self.bottom
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
            f'font-family="sans-serif"><title>{escape(self.title)}</title>'
            f"<desc>{escape(self.description)}</desc>"
            f'<defs><clipPath id="{clip}"><rect x="{x0 - 5}" y="{y1 - 5}" width="{width + 10}" '
            f'height="{height + 10}"/></clipPath></defs>'
            f'<g clip-path="url(#{clip})">' + "".join(self.parts) + "</g>" + self._axes() + "</svg>"
        )
