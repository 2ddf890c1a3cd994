"""Reports of an evaluation: JSON with stable keys, and a self-contained HTML page.

The HTML page needs no network, scripts or external files: the charts are
inline SVG. Every chart is followed by a plain-English reading of it, and the
page ends with the caveats a reader must keep in mind.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from ._evaluation import Evaluation
from ._fairness import GroupFairness
from ._figure import Figure
from ._svg import PALETTE, Chart

__all__ = ["render_html", "render_json"]


def render_json(evaluation: Evaluation, *, extra: dict[str, Any] | None = None) -> str:
    """Return the evaluation as JSON text with stable keys.

    Parameters
    ----------
    evaluation : Evaluation
    extra : dict, optional
        Added under the key ``"context"`` (e.g. the weightings stamp and the
        as-of date); must be JSON-ready.

    Returns
    -------
    str
        Indented JSON; undefined numbers are ``null``.
    """
    data = evaluation.to_dict()
    if extra is not None:
        data["context"] = extra
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def _pct(value: float, digits: int = 1) -> str:
    return "undefined" if math.isnan(value) else f"{value * 100:.{digits}f}%"


def _num(value: float, digits: int = 2) -> str:
    return "undefined" if math.isnan(value) else f"{value:.{digits}f}"


_COUNTS = frozenset({"n", "outcomes"})


def _overall_cell(name: str, value: float) -> str:
    """Format counts as whole numbers and everything else to three decimals."""
    if name in _COUNTS and not math.isnan(value):
        return f"{value:.0f}"
    return _num(value, 3)


def _interval(fig: Figure, *, percent: bool = False, digits: int = 2) -> str:
    def show(v: float) -> str:
        return _pct(v) if percent else _num(v, digits)

    text = show(fig.value)
    if not (math.isnan(fig.low) or math.isnan(fig.high)):
        text += f" (interval {show(fig.low)} to {show(fig.high)})"
    return text


def _roc(ev: Evaluation) -> tuple[str, str]:
    t = ev.thresholds
    fpr = [1.0, *t.value["false_positive_rate"].tolist(), 0.0]
    tpr = [1.0, *t.value["sensitivity"].tolist(), 0.0]
    chart = Chart(
        title="ROC curve",
        description="Sensitivity against false positive rate at every cut of the screening score.",
        x_range=(0, 1),
        y_range=(0, 1),
        x_label="false positive rate (young people without the outcome who were flagged)",
        y_label="sensitivity",
    )
    chart.line([0, 1], [0, 1], colour="#999", dashed=True, label="no better than chance")
    chart.line(fpr, tpr, colour=PALETTE[0], label="screening score")
    o = ev.overall
    chart.dots(
        [o["false_positive_rate"].value],
        [o["sensitivity"].value],
        colour=PALETTE[1],
        label=f"cut at {ev.threshold:g}",
    )
    auroc = o["auroc"]
    reading = (
        f"The area under this curve (AUROC) is {_interval(auroc)}. Take one young person who "
        f"went on to have the outcome and one who did not: {_pct(auroc.value, 0)} of the time "
        "the first had the higher screening score (ties count half). 50% would be no better "
        f"than chance. Average precision is {_interval(o['average_precision'])}, against "
        f"{_pct(o['prevalence'].value)} for flagging at random."
    )
    return chart.render(), reading


def _calibration(ev: Evaluation) -> tuple[str, str]:
    rows = ev.calibration.by_value
    xs = [r.mean_score for r in rows]
    lo_x, hi_x = min(r.lowest for r in rows), max(r.highest for r in rows)
    pad = max((hi_x - lo_x) * 0.03, 0.5)
    top = max([r.wilson_high for r in rows if not math.isnan(r.wilson_high)] + [0.05])
    chart = Chart(
        title="Outcome rate by screening score",
        description="Observed outcome rate per score value with Wilson intervals, and the fitted "
        "score to outcome-rate mapping.",
        x_range=(lo_x - pad, hi_x + pad),
        y_range=(0, min(1.0, top * 1.05)),
        x_label="screening score",
        y_label="share who had the outcome",
    )
    chart.dots(
        xs,
        [r.observed_rate for r in rows],
        lows=[r.wilson_low for r in rows],
        highs=[r.wilson_high for r in rows],
        colour=PALETTE[0],
        label="observed (Wilson interval)",
    )
    cal = ev.calibration
    chart.line(
        cal.values.tolist(),
        cal.probabilities.tolist(),
        colour=PALETTE[1],
        label=f"fitted ({cal.method})",
        step=cal.method == "isotonic",
    )
    chart.vertical(ev.threshold, label=f"cut {ev.threshold:g}")
    busiest = max(rows, key=lambda r: r.n)
    highest = max(rows, key=lambda r: r.highest)
    reading = (
        f"Each dot is the share of young people with that score who went on to have the "
        f"outcome. For example, {busiest.outcomes} of {busiest.n} with a score of "
        f"{busiest.label} ({_pct(busiest.observed_rate)}, Wilson interval "
        f"{_pct(busiest.wilson_low)} to {_pct(busiest.wilson_high)}); among those scoring "
        f"{highest.label}, {_pct(highest.observed_rate)} of {highest.n}. Wide bars mean few "
        f"young people had that score. The line is a fitted {cal.method} mapping; its Brier "
        f"score is {_interval(cal.brier, digits=3)} and its expected calibration error is "
        f"{_interval(cal.ece, digits=3)} (0 would mean the line passes through every observed "
        "rate). The mapping is fitted to these same young people, so it flatters itself."
    )
    if cal.by_band:
        parts = [
            f"{escape(r.label)}: {_pct(r.observed_rate)} of {r.n} "
            f"({_pct(r.wilson_low)} to {_pct(r.wilson_high)})"
            for r in cal.by_band
        ]
        reading += " By band: " + "; ".join(parts) + "."
    return chart.render(), reading


def _cut_table(ev: Evaluation) -> str:
    t = ev.thresholds
    count = len(t.cuts)
    step = max(1, count // 25)
    names = ("flag_rate", "sensitivity", "specificity", "ppv", "npv")
    head = "".join(f"<th>{escape(n.replace('_', ' '))}</th>" for n in names)
    rows = []
    for i in range(0, count, step):
        cells = "".join(f"<td>{_num(float(t.value[n][i]), 3)}</td>" for n in names)
        per_case = float(t.value["reviews_per_true_case"][i])
        mark = ' style="font-weight:bold"' if t.cuts[i] == ev.threshold else ""
        rows.append(
            f"<tr{mark}><td>{float(t.cuts[i]):g}</td>{cells}<td>{_num(per_case, 1)}</td></tr>"
        )
    return (
        f"<table><tr><th>cut (score &gt;=)</th>{head}<th>reviews per case found</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _tradeoff(ev: Evaluation) -> tuple[str, str]:
    t = ev.thresholds
    cuts = t.cuts.tolist()
    lo_x, hi_x = (cuts[0], cuts[-1]) if len(cuts) > 1 else (cuts[0] - 1, cuts[0] + 1)
    chart = Chart(
        title="What each cut costs and finds",
        description="Flag rate, sensitivity and PPV at every cut, with bootstrap intervals.",
        x_range=(lo_x, hi_x),
        y_range=(0, 1),
        x_label="cut: flagged for review when score is at least this",
        y_label="proportion",
    )
    for colour, name, label in (
        (PALETTE[0], "sensitivity", "sensitivity"),
        (PALETTE[1], "flag_rate", "flag rate"),
        (PALETTE[2], "ppv", "PPV"),
    ):
        chart.band(cuts, t.low[name].tolist(), t.high[name].tolist(), colour=colour)
        chart.line(cuts, t.value[name].tolist(), colour=colour, label=label)
    chart.vertical(ev.threshold, label=f"cut {ev.threshold:g}")
    o = ev.overall
    reading = (
        f"At the cut of {ev.threshold:g} ({ev.threshold_source.replace('_', ' ')}), "
        f"{_interval(o['flag_rate'], percent=True)} of young people would be flagged for review. "
        f"Those flags include {_interval(o['sensitivity'], percent=True)} of the young people who "
        f"went on to have the outcome (sensitivity), and {_pct(o['false_negative_rate'].value)} "
        f"of them would not be flagged. About {_num(o['reviews_per_true_case'].value, 1)} reviews "
        f"are needed per young person found who went on to have the outcome, i.e. "
        f"{_num(o['true_cases_per_100_reviews'].value, 0)} per 100 reviews (PPV "
        f"{_interval(o['ppv'], percent=True)}). Moving the cut down flags more young people "
        "and finds more of those who go on to be harmed, at the cost of more reviews."
    )
    return chart.render(), reading


_FAIR_METRICS = (
    ("flag_rate", "flag rate"),
    ("sensitivity", "sensitivity (TPR)"),
    ("false_positive_rate", "false positive rate"),
    ("relative_rate_index", "relative rate index of flagging"),
)


def _fairness(gf: GroupFairness) -> tuple[str, str]:
    labels = list(gf.labels)
    charts = []
    for name, title in _FAIR_METRICS:
        figs = [gf.by_group[g][name] for g in labels]
        finite = [v for f in figs for v in (f.value, f.high) if math.isfinite(v)] or [1.0]
        top = max(finite) * 1.1 if name == "relative_rate_index" else min(1.0, max(finite) * 1.1)
        chart = Chart(
            title=f"{title} by {gf.attribute}",
            description=f"{title} for each group of {gf.attribute} with bootstrap intervals; "
            "hollow points are groups too small to say anything.",
            x_range=(-0.5, len(labels) - 0.5),
            y_range=(0, max(top, 0.05)),
            x_label=gf.attribute,
            y_label=title,
            x_categories=labels,
            width=max(300, 80 * len(labels) + 80),
            height=260,
        )
        if name == "relative_rate_index":
            chart.horizontal(1.0, label=f"reference: {gf.reference}")
        chart.dots(
            [float(i) for i in range(len(labels))],
            [f.value for f in figs],
            lows=[f.low for f in figs],
            highs=[f.high for f in figs],
            colour=PALETTE[0],
            hollow=[g in gf.too_small for g in labels],
        )
        charts.append(chart.render())
    sentences = []
    for g in labels:
        if g == gf.reference:
            continue
        rri = gf.by_group[g]["relative_rate_index"]
        small = " (too small to say anything)" if g in gf.too_small else ""
        sentences.append(
            f"{escape(g)}{small} was flagged {_num(rri.value)} times as often as "
            f"{escape(gf.reference)}"
            + (f" (interval {_num(rri.low)} to {_num(rri.high)})" if math.isfinite(rri.low) else "")
        )
    prevalence = ", ".join(
        f"{escape(g)} {_pct(gf.by_group[g]['prevalence'].value)}" for g in labels
    )
    diff = gf.difference("sensitivity")
    reading = (
        f"Relative rate index (RRI) of flagging against the reference group "
        f"{escape(gf.reference)}: " + ("; ".join(sentences) or "only one group") + ". "
        "An RRI of 1 means flagged at the same rate; an interval that excludes 1 is a "
        "difference this cohort can detect. Differences in flag rate may partly reflect "
        f"differences in how often the outcome was recorded (outcome rate: {prevalence}); "
        "sensitivity and false positive rate compare young people with the same outcome, "
        f"so a gap in them is a gap in treatment. The largest gap in sensitivity between "
        f"groups is {_interval(diff, percent=True)}."
    )
    return "".join(charts), reading


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .45rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.notice{background:#fff6d6;border-left:4px solid #E69F00;padding:.6rem .9rem}
.warn{background:#fde8e0;border-left:4px solid #D55E00;padding:.6rem .9rem}
.reading{background:#eef5fb;border-left:4px solid #0072B2;padding:.6rem .9rem}
figure{margin:1rem 0}svg{max-width:100%;height:auto}
"""


def _overall_table(ev: Evaluation) -> str:
    rows = []
    for name, fig in ev.overall.items():
        rows.append(
            f"<tr><td>{escape(name.replace('_', ' '))}</td>"
            + "".join(f"<td>{_overall_cell(name, v)}</td>" for v in (fig.value, fig.low, fig.high))
            + "</tr>"
        )
    level = _pct(float(ev.settings.get("confidence", 0.95)), 0)
    return (
        f"<table><tr><th>figure</th><th>value</th><th>{level} low</th><th>{level} high</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _group_table(gf: GroupFairness) -> str:
    names = (
        "n",
        "outcomes",
        "prevalence",
        "flag_rate",
        "relative_rate_index",
        "sensitivity",
        "false_positive_rate",
        "ppv",
        "auroc",
        "observed_to_expected",
    )
    head = "".join(f"<th>{escape(n.replace('_', ' '))}</th>" for n in names)
    rows = []
    for g in gf.labels:
        cells = []
        for n in names:
            f = gf.by_group[g][n]
            cells.append(
                f"<td>{int(f.value)}</td>"
                if n in ("n", "outcomes")
                else f"<td>{_num(f.value, 3)}</td>"
            )
        mark = " *" if g in gf.too_small else ""
        rows.append(f"<tr><td>{escape(g)}{mark}</td>{''.join(cells)}</tr>")
    note = "<p>* too small to say anything.</p>" if gf.too_small else ""
    return f"<table><tr><th>group</th>{head}</tr>{''.join(rows)}</table>{note}"


def render_html(evaluation: Evaluation, *, title: str = "Screening score validation") -> str:
    """Return a self-contained HTML report of an evaluation.

    The page holds the ROC curve, the outcome rate by score with the fitted
    mapping, the threshold trade-off and figures by group with intervals, each
    with a plain-English reading, then the caveats. It needs no network,
    scripts or external files.

    Parameters
    ----------
    evaluation : Evaluation
    title : str
        Page heading.

    Returns
    -------
    str
        The HTML document.
    """
    ev = evaluation
    sections: list[str] = []
    for heading, (svg, reading) in (
        ("Discrimination", _roc(ev)),
        ("Calibration", _calibration(ev)),
        ("Thresholds", _tradeoff(ev)),
    ):
        extra = _cut_table(ev) if heading == "Thresholds" else ""
        sections.append(
            f'<h2>{heading}</h2><figure>{svg}</figure><p class="reading">{reading}</p>{extra}'
        )
    for gf in ev.fairness.values():
        svg, reading = _fairness(gf)
        sections.append(
            f"<h2>By {escape(gf.attribute)}</h2><figure>{svg}</figure>"
            f'<p class="reading">{reading}</p>{_group_table(gf)}'
        )
    warn = ""
    if ev.warnings:
        warn = (
            '<div class="warn"><strong>Warnings</strong><ul>'
            + "".join(f"<li>{escape(w)}</li>" for w in ev.warnings)
            + "</ul></div>"
        )
    small = [
        f"{escape(gf.attribute)}={escape(g)}" for gf in ev.fairness.values() for g in gf.too_small
    ]
    caveats = [
        "<strong>Small groups.</strong> "
        + (
            "These groups are too small to say anything about: " + ", ".join(small) + ". "
            if small
            else "No group fell below the size limit, but read every interval: a wide "
            "interval means the data cannot tell. "
        )
        + "Do not act on differences whose intervals overlap widely.",
        "<strong>Base-rate differences.</strong> When groups differ in how often the outcome "
        "was recorded, no screening score can be equally calibrated and have equal error rates "
        "in every group at once. Decide which comparison matters for the use, and say so.",
        "<strong>Recording bias.</strong> Indicators and outcomes are what agencies recorded, "
        "not what happened. Groups that are more watched (more police contact, more referrals) "
        "have more recorded, which can make a score look both more accurate and less fair than "
        "it is. Check how each indicator and the outcome were recorded before trusting a "
        "difference between groups.",
        "<strong>Optimism.</strong> The score-to-rate mapping, its Brier score and calibration "
        "error are measured on the young people it was fitted to. If the weightings were also "
        "fitted to this cohort, every figure here flatters them; validate on a separate cohort.",
        "<strong>What a flag means.</strong> A flag is a prompt for an early-help review by a "
        "person. These figures describe how flags fell across a past cohort; they are not a "
        "prediction of harm for any child.",
    ]
    settings = ev.settings
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        '<p class="notice">A flag is a prompt for an early-help review by a person, never a '
        "decision. Nothing on this page predicts harm for any one young person.</p>"
        f"<p>{ev.n} young people, {ev.outcomes} of whom had the outcome in the follow-up period "
        f"({_pct(ev.overall['prevalence'].value)}). Flagged for review when the screening score "
        f"is at least {ev.threshold:g}. Intervals: {settings.get('n_boot')} bootstrap replicates, "
        f"{_pct(float(settings.get('confidence', 0.95)), 0)} percentile, seed "
        f"{escape(str(settings.get('seed')))}.</p>"
        f"{warn}{_overall_table(ev)}{''.join(sections)}"
        "<h2>Caveats</h2><ul>" + "".join(f"<li>{c}</li>" for c in caveats) + "</ul>"
        "</body></html>\n"
    )
