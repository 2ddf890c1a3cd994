"""JSON and HTML reports of an evaluation."""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from efh_screen.validation import SmallGroupWarning, evaluate, render_html, render_json


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    n = 3000
    ethnicity = rng.choice(["white", "black", "asian", "traveller"], n, p=[0.6, 0.2, 0.19, 0.01])
    sex = rng.choice(["female", "male"], n)
    scores = rng.binomial(15, 0.3, n) + (ethnicity == "black")
    outcomes = (rng.random(n) < 1 / (1 + np.exp(-(scores - 8) / 1.5))).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        return evaluate(
            scores,
            outcomes,
            groups={"ethnicity": ethnicity, "sex": sex},
            threshold=7,
            bands={"low": 0, "medium": 4, "high": 8},
            reference_group={"ethnicity": "white", "sex": "female"},
            n_boot=100,
            seed=5,
        )


def test_json_is_strict_and_keeps_its_keys(result) -> None:  # type: ignore[no-untyped-def]
    text = render_json(result, extra={"as_of": "2026-01-31"})
    data = json.loads(text)
    assert data["kind"] == "efh_screen.validation.evaluation"
    assert data["context"] == {"as_of": "2026-01-31"}
    assert "NaN" not in text
    assert list(data["fairness"]) == ["ethnicity", "sex", "ethnicity × sex"]
    group = data["fairness"]["ethnicity"]
    assert list(group) == ["attribute", "reference", "too_small", "groups", "difference", "ratio"]
    assert group["too_small"] == ["traveller"]
    assert [b["label"] for b in data["calibration"]["by_band"]] == ["low", "medium", "high"]
    row = data["thresholds"]["cuts"][0]
    assert list(row)[:5] == ["threshold", "tp", "fp", "tn", "fn"]
    # Same input, same seed: same bytes.
    assert render_json(result, extra={"as_of": "2026-01-31"}) == text


def test_html_is_self_contained_with_figures_readings_and_caveats(result) -> None:  # type: ignore[no-untyped-def]
    page = render_html(result, title="Cohort 2024 <check>")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "Cohort 2024 &lt;check&gt;" in page
    # The only URL is the SVG namespace: no external assets.
    urls = set(re.findall(r"https?://[^\"' ]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    # ROC, precision-recall, calibration, trade-off, net benefit, and four panels for each of
    # three attributes.
    assert len(svgs) == 5 + 4 * 3
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
    titles = [ET.fromstring(s).findtext("{http://www.w3.org/2000/svg}title") for s in svgs[:5]]
    assert titles == [
        "ROC curve",
        "Precision-recall curve",
        "Outcome rate by screening score",
        "What each cut costs and finds",
        "Decision curve (net benefit)",
    ]
    assert page.count('class="reading"') == 5 + 3
    for words in ("Small groups", "Base-rate differences", "Recording bias", "never a decision"):
        assert words in page
    assert "traveller" in page
    assert "prediction of harm for any child" in page
