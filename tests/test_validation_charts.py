"""Charts of the validation report: every curve stays in its plot (as text, and in Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from efh_screen.validation import Evaluation, SmallGroupWarning, evaluate, render_html

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
# Coordinates are written to 0.1 px; half a pixel of slack covers that rounding.
SLACK = 0.5


def _evaluation(kind: str) -> Evaluation:
    rng = np.random.default_rng(5)
    n = 4000
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.4, 0.1])
    linear = rng.normal(-3.0, 1.3, n)
    outcomes = (rng.random(n) < 1 / (1 + np.exp(-linear))).astype(int)
    if kind == "points":
        scores = np.clip(np.rint(linear * 3 + 12), 0, None)
    else:
        scores = np.round(1 / (1 + np.exp(-(linear * 1.4 + 0.3))), 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        return evaluate(
            scores,
            outcomes,
            groups={"group": group},
            threshold=None if kind == "points" else 0.1,
            probabilities=kind == "given",
            n_boot=50,
        )


def _numbers(text: str) -> list[float]:
    return [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _points_outside(svg: ET.Element) -> list[str]:
    """Return the drawn shapes with a coordinate outside the chart's plot frame."""
    frame = next(
        rect
        for rect in svg.iter(f"{SVG}rect")
        if rect.get("fill") == "none" and rect.get("stroke") == "#999"
    )
    left, top = float(frame.get("x", 0)), float(frame.get("y", 0))
    right, bottom = left + float(frame.get("width", 0)), top + float(frame.get("height", 0))
    outside = []
    for group in svg.iter(f"{SVG}g"):
        for shape in group:
            tag = shape.tag.removeprefix(SVG)
            if tag in ("polyline", "polygon"):
                values = _numbers(shape.get("points", ""))
                xs, ys = values[0::2], values[1::2]
            elif tag == "circle":
                xs, ys = [float(shape.get("cx", 0))], [float(shape.get("cy", 0))]
            elif tag == "line":
                xs = [float(shape.get("x1", 0)), float(shape.get("x2", 0))]
                ys = [float(shape.get("y1", 0)), float(shape.get("y2", 0))]
            else:
                continue
            if any(x < left - SLACK or x > right + SLACK for x in xs) or any(
                y < top - SLACK or y > bottom + SLACK for y in ys
            ):
                outside.append(tag)
    return outside


@pytest.mark.parametrize("kind", ["points", "continuous", "given"])
def test_no_curve_leaves_its_plot_area(kind: str) -> None:
    page = render_html(_evaluation(kind))
    svgs = [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S)]
    assert len(svgs) == 5 + 4
    for svg in svgs:
        title = svg.findtext(f"{SVG}title")
        assert _points_outside(svg) == [], title


def test_a_curve_drawn_off_the_plot_is_caught() -> None:
    svg = ET.fromstring(
        '<svg xmlns="http://www.w3.org/2000/svg"><g clip-path="url(#c)">'
        '<polyline points="60,50 70,-20"/></g>'
        '<rect x="58" y="48" width="406" height="218" fill="none" stroke="#999"/></svg>'
    )
    assert _points_outside(svg) == ["polyline"]


def test_probabilities_as_given_get_a_reliability_diagram() -> None:
    page = render_html(_evaluation("given"))
    assert "<title>Reliability diagram</title>" in page
    assert "checked as given; nothing is fitted" in page
    assert "<title>Outcome rate by screening score</title>" not in page


def test_calibration_axis_spans_only_the_scores_seen() -> None:
    result = _evaluation("continuous")
    page = render_html(result)
    chart = re.search(r"<svg[^>]*><title>Outcome rate by screening score.*?</svg>", page, re.S)
    assert chart is not None
    ticks = [
        float(label)
        for label in re.findall(r'text-anchor="middle">(-?[\d.]+)</text>', chart.group(0))
    ]
    assert min(ticks) >= 0.0
    assert max(ticks) <= 1.0


def test_report_renders_in_headless_chromium_with_curves_inside(tmp_path: Path) -> None:
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed")
    for kind in ("points", "given"):
        page = tmp_path / f"{kind}.html"
        page.write_text(render_html(_evaluation(kind)), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "check_report_html.py"), str(page)],
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Decision curve (net benefit)" in proc.stdout
