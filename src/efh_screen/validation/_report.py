"""Reports of an evaluation: JSON with stable keys, and a self-contained HTML page.

The HTML page needs no network, scripts or external files: the charts are
inline SVG. Every chart is followed by a plain-English reading of it, and the
page ends with the caveats a reader must keep in mind.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from ._calibration import CalibrationRow
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


def _percent(value: float, digits: int = 1) -> str:
    return "undefined" if math.isnan(value) else f"{value * 100:.{digits}f}%"


def _decimal(value: float, digits: int = 2) -> str:
    return "undefined" if math.isnan(value) else f"{value:.{digits}f}"


_COUNTS = frozenset({"n", "outcomes"})


def _overall_cell(name: str, value: float) -> str:
    """Format counts as whole numbers (no interval) and everything else to three decimals."""
    if name in _COUNTS:
        return "" if math.isnan(value) else f"{value:.0f}"
    return _decimal(value, 3)


def _interval(figure: Figure, *, percent: bool = False, digits: int = 2) -> str:
    def show(value: float) -> str:
        return _percent(value) if percent else _decimal(value, digits)

    text = show(figure.value)
    if not (math.isnan(figure.low) or math.isnan(figure.high)):
        text += f" (interval {show(figure.low)} to {show(figure.high)})"
    return text


def _roc(evaluation: Evaluation) -> tuple[str, str]:
    table = evaluation.thresholds
    fpr = [1.0, *table.value["false_positive_rate"].tolist(), 0.0]
    tpr = [1.0, *table.value["sensitivity"].tolist(), 0.0]
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
    overall = evaluation.overall
    chart.dots(
        [overall["false_positive_rate"].value],
        [overall["sensitivity"].value],
        colour=PALETTE[1],
        label=f"cut at {evaluation.threshold:g}",
    )
    auroc = overall["auroc"]
    reading = (
        f"The area under this curve (AUROC) is {_interval(auroc)}. Take one young person who "
        f"went on to have the outcome and one who did not: {_percent(auroc.value, 0)} of the time "
        "the first had the higher screening score (ties count half). 50% would be no better "
        f"than chance. Average precision is {_interval(overall['average_precision'])}, against "
        f"{_percent(overall['prevalence'].value)} for flagging at random."
    )
    return chart.render(), reading


#: Most points drawn for the fitted logistic curve.
_CURVE_POINTS = 300


def _score_axis(rows: Sequence[CalibrationRow]) -> tuple[float, float]:
    """Range of the scores seen, padded a little (half a point for whole-point scores)."""
    x_low, x_high = min(r.lowest for r in rows), max(r.highest for r in rows)
    span = x_high - x_low
    whole = all(float(r.lowest).is_integer() and float(r.highest).is_integer() for r in rows)
    pad = max(span * 0.03, 0.5) if whole else (span * 0.03 or 0.01)
    return x_low - pad, x_high + pad


def _calibration(evaluation: Evaluation) -> tuple[str, str]:
    calibration = evaluation.calibration
    if calibration.method == "given":
        return _reliability(evaluation)
    rows = [r for r in calibration.by_value if r.n > 0]
    x_range = _score_axis(rows)
    curve = [
        (value, probability)
        for value, probability in zip(
            calibration.values.tolist(), calibration.probabilities.tolist(), strict=True
        )
        if math.isfinite(probability)
    ]
    if len(curve) > _CURVE_POINTS and calibration.method == "logistic":
        # A smooth curve over thousands of distinct scores: a few hundred points draw it.
        picks = sorted(
            {round(i * (len(curve) - 1) / (_CURVE_POINTS - 1)) for i in range(_CURVE_POINTS)}
        )
        curve = [curve[i] for i in picks]
    top = max(
        [r.wilson_high for r in rows if math.isfinite(r.wilson_high)]
        + [probability for _, probability in curve]
        + [0.05]
    )
    chart = Chart(
        title="Outcome rate by screening score",
        description="Observed outcome rate per score value with Wilson intervals, and the fitted "
        "score to outcome-rate mapping.",
        x_range=x_range,
        y_range=(0, min(1.0, top * 1.05)),
        x_label="screening score",
        y_label="share who had the outcome",
    )
    chart.dots(
        [r.mean_score for r in rows],
        [r.observed_rate for r in rows],
        lows=[r.wilson_low for r in rows],
        highs=[r.wilson_high for r in rows],
        colour=PALETTE[0],
        label="observed (Wilson interval)",
    )
    chart.line(
        [value for value, _ in curve],
        [probability for _, probability in curve],
        colour=PALETTE[1],
        label=f"fitted ({calibration.method})",
        step=calibration.method == "isotonic",
    )
    if x_range[0] <= evaluation.threshold <= x_range[1]:
        chart.vertical(evaluation.threshold, label=f"cut {evaluation.threshold:g}")
    return chart.render(), _calibration_reading(evaluation, rows)


def _calibration_reading(evaluation: Evaluation, rows: Sequence[CalibrationRow]) -> str:
    """Return the reading of the outcome rate by score and the fitted mapping."""
    calibration = evaluation.calibration
    busiest = max(rows, key=lambda r: r.n)
    highest = max(rows, key=lambda r: r.highest)
    reading = (
        f"Each dot is the share of young people with that score who went on to have the "
        f"outcome. For example, {busiest.outcomes} of {busiest.n} with a score of "
        f"{busiest.label} ({_percent(busiest.observed_rate)}, Wilson interval "
        f"{_percent(busiest.wilson_low)} to {_percent(busiest.wilson_high)}); among those scoring "
        f"{highest.label}, {_percent(highest.observed_rate)} of {highest.n}. Wide bars mean few "
        f"young people had that score. The line is a fitted {calibration.method} mapping; its "
        f"Brier score is {_interval(calibration.brier, digits=3)} and its expected calibration "
        f"error is {_interval(calibration.ece, digits=3)} (0 would mean the line passes through "
        "every observed rate). The mapping is fitted to these same young people, so it "
        "flatters itself, and observed to expected is 1 by construction: this shows how the "
        "outcome rate rose with the score, not whether a probability is right. To check "
        "probabilities another tool gives, validate them as given (probabilities=True)."
    )
    if calibration.by_band:
        parts = [
            f"{escape(r.label)}: {_percent(r.observed_rate)} of {r.n} "
            f"({_percent(r.wilson_low)} to {_percent(r.wilson_high)})"
            for r in calibration.by_band
        ]
        reading += " By band: " + "; ".join(parts) + "."
    return reading


def _reliability(evaluation: Evaluation) -> tuple[str, str]:
    """Reliability diagram of probabilities as given: observed against predicted per bin."""
    calibration = evaluation.calibration
    rows = [r for r in calibration.by_value if r.n > 0]
    top = max(
        [r.wilson_high for r in rows if math.isfinite(r.wilson_high)]
        + [r.mean_score for r in rows]
        + [0.05]
    )
    edge = min(1.0, top * 1.05)
    chart = Chart(
        title="Reliability diagram",
        description="Observed outcome rate against mean given probability in each tenth of the "
        "probability scale, with Wilson intervals; the diagonal is perfect calibration.",
        x_range=(0, edge),
        y_range=(0, edge),
        x_label="mean given probability in the bin",
        y_label="share who had the outcome",
    )
    chart.line([0, edge], [0, edge], colour="#999", dashed=True, label="perfectly calibrated")
    chart.dots(
        [r.mean_score for r in rows],
        [r.observed_rate for r in rows],
        lows=[r.wilson_low for r in rows],
        highs=[r.wilson_high for r in rows],
        colour=PALETTE[0],
        label="observed (Wilson interval)",
    )
    figures = calibration.figures
    reading = (
        "The probabilities are checked as given; nothing is fitted. Each dot is one tenth of "
        "the probability scale: the mean probability given there against the share who went "
        "on to have the outcome. Dots on the diagonal are calibrated. Calibration in the large "
        f"(observed rate less mean probability) is {_interval(figures['in_the_large'], digits=3)}"
        f"; observed to expected is {_interval(evaluation.overall['observed_to_expected'])}. "
        f"Calibration slope {_interval(figures['slope'])} and intercept "
        f"{_interval(figures['intercept'])} (the outcome regressed on the log-odds given; slope "
        "1 and intercept 0 when calibrated, a slope below 1 means the probabilities are too "
        f"extreme). Brier score {_interval(calibration.brier, digits=3)}; expected calibration "
        f"error over these bins {_interval(calibration.ece, digits=3)}."
    )
    return chart.render(), reading


def _precision_recall(evaluation: Evaluation) -> tuple[str, str]:
    """Precision (PPV) against sensitivity at every cut."""
    table = evaluation.thresholds
    pairs = [
        (recall, precision)
        for recall, precision in zip(
            table.value["sensitivity"].tolist(), table.value["ppv"].tolist(), strict=True
        )
        if math.isfinite(recall) and math.isfinite(precision)
    ]
    chart = Chart(
        title="Precision-recall curve",
        description="PPV (precision) against sensitivity (recall) at every cut of the score.",
        x_range=(0, 1),
        y_range=(0, 1),
        x_label="sensitivity (recall)",
        y_label="PPV (precision)",
    )
    prevalence = evaluation.overall["prevalence"].value
    chart.horizontal(prevalence, label="flagging at random")
    chart.line([p[0] for p in pairs], [p[1] for p in pairs], colour=PALETTE[0], label="score")
    overall = evaluation.overall
    chart.dots(
        [overall["sensitivity"].value],
        [overall["ppv"].value],
        colour=PALETTE[1],
        label=f"cut at {evaluation.threshold:g}",
    )
    reading = (
        "Each point of the curve is one cut: how many of the young people who went on to have "
        "the outcome were flagged (sensitivity), against how many of those flagged went on to "
        "have it (PPV). When the outcome is rare this curve shows the cost in reviews more "
        "plainly than the ROC curve. Average precision (the area under it) is "
        f"{_interval(overall['average_precision'])}; flagging at random gives "
        f"{_percent(prevalence)}."
    )
    return chart.render(), reading


def _decision(evaluation: Evaluation) -> tuple[str, str]:
    """Net benefit of flagging by the score, of reviewing everyone and of reviewing nobody."""
    curve = evaluation.decision_curve
    prevalence = evaluation.overall["prevalence"].value
    thresholds = curve.thresholds.tolist()
    finite = [v for v in [*curve.value.tolist(), *curve.low.tolist()] if math.isfinite(v)]
    highs = [v for v in [*curve.value.tolist(), *curve.high.tolist()] if math.isfinite(v)]
    y_top = max([*highs, prevalence, 0.01]) * 1.1
    y_low = min([*finite, 0.0]) - 0.1 * y_top
    chart = Chart(
        title="Decision curve (net benefit)",
        description="Net benefit of flagging by the score at each threshold outcome rate, "
        "against reviewing everyone and reviewing nobody.",
        x_range=(0, thresholds[-1]),
        y_range=(y_low, y_top),
        x_label="threshold outcome rate (flag when at least this)",
        y_label="net benefit (cases found per young person)",
    )
    chart.horizontal(0.0, label="review nobody")
    everyone_x, everyone_y = _above(thresholds, curve.review_everyone.tolist(), prevalence, y_low)
    chart.line(everyone_x, everyone_y, colour="#999", dashed=True, label="review everyone")
    chart.band(thresholds, curve.low.tolist(), curve.high.tolist(), colour=PALETTE[0])
    chart.line(thresholds, curve.value.tolist(), colour=PALETTE[0], label="flag by the score")
    reading = (
        "A threshold outcome rate t says how many unnecessary reviews one young person found "
        "is worth: (1 - t) / t, e.g. 9 at 10%. Net benefit is the cases found per young person "
        "less the unnecessary reviews weighted by t / (1 - t). Where the score's curve lies "
        "above both reviewing everyone and reviewing nobody (0), flagging by the score is "
        "worth its reviews at that exchange rate. Outcome rates are the "
        + (
            "probabilities as given"
            if evaluation.calibration.method == "given"
            else "fitted mapping"
        )
        + "."
    )
    return chart.render(), reading


def _above(
    thresholds: Sequence[float], everyone: Sequence[float], prevalence: float, floor: float
) -> tuple[list[float], list[float]]:
    """Return the review-everyone line down to where it crosses the chart's floor."""
    xs = [t for t, v in zip(thresholds, everyone, strict=True) if v >= floor]
    ys = [v for v in everyone if v >= floor]
    if len(xs) < len(thresholds) and prevalence < 1.0:
        odds = (prevalence - floor) / (1.0 - prevalence)
        xs.append(odds / (1.0 + odds))
        ys.append(floor)
    return [0.0, *xs], [prevalence, *ys]


def _cut_table(evaluation: Evaluation) -> str:
    table = evaluation.thresholds
    count = len(table.cuts)
    step = max(1, count // 25)
    names = ("flag_rate", "sensitivity", "specificity", "ppv", "npv")
    head = "".join(f"<th>{escape(name.replace('_', ' '))}</th>" for name in names)
    rows = []
    for i in range(0, count, step):
        cells = "".join(f"<td>{_decimal(float(table.value[name][i]), 3)}</td>" for name in names)
        per_case = float(table.value["reviews_per_true_case"][i])
        mark = ' style="font-weight:bold"' if table.cuts[i] == evaluation.threshold else ""
        rows.append(
            f"<tr{mark}><td>{float(table.cuts[i]):g}</td>{cells}"
            f"<td>{_decimal(per_case, 1)}</td></tr>"
        )
    return (
        f"<table><tr><th>cut (score &gt;=)</th>{head}<th>reviews per case found</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _tradeoff(evaluation: Evaluation) -> tuple[str, str]:
    table = evaluation.thresholds
    cuts = table.cuts.tolist()
    x_low, x_high = (cuts[0], cuts[-1]) if len(cuts) > 1 else (cuts[0] - 1, cuts[0] + 1)
    chart = Chart(
        title="What each cut costs and finds",
        description="Flag rate, sensitivity and PPV at every cut, with bootstrap intervals.",
        x_range=(x_low, x_high),
        y_range=(0, 1),
        x_label="cut: flagged for review when score is at least this",
        y_label="proportion",
    )
    for colour, name, label in (
        (PALETTE[0], "sensitivity", "sensitivity"),
        (PALETTE[1], "flag_rate", "flag rate"),
        (PALETTE[2], "ppv", "PPV"),
    ):
        chart.band(cuts, table.low[name].tolist(), table.high[name].tolist(), colour=colour)
        chart.line(cuts, table.value[name].tolist(), colour=colour, label=label)
    chart.vertical(evaluation.threshold, label=f"cut {evaluation.threshold:g}")
    overall = evaluation.overall
    reading = (
        f"At the cut of {evaluation.threshold:g} "
        f"({evaluation.threshold_source.replace('_', ' ')}), "
        f"{_interval(overall['flag_rate'], percent=True)} of young people would be flagged for "
        f"review. Those flags include {_interval(overall['sensitivity'], percent=True)} of the "
        "young people who went on to have the outcome (sensitivity), and "
        f"{_percent(overall['false_negative_rate'].value)} of them would not be flagged. About "
        f"{_decimal(overall['reviews_per_true_case'].value, 1)} reviews "
        f"are needed per young person found who went on to have the outcome, i.e. "
        f"{_decimal(overall['true_cases_per_100_reviews'].value, 0)} per 100 reviews (PPV "
        f"{_interval(overall['ppv'], percent=True)}). Moving the cut down flags more young people "
        "and finds more of those who go on to be harmed, at the cost of more reviews."
    )
    return chart.render(), reading


_FAIR_METRICS = (
    ("flag_rate", "flag rate"),
    ("sensitivity", "sensitivity (TPR)"),
    ("false_positive_rate", "false positive rate"),
    ("relative_rate_index", "relative rate index of flagging"),
)


def _fairness(group_fairness: GroupFairness) -> tuple[str, str]:
    return _fairness_charts(group_fairness), _fairness_reading(group_fairness)


def _fairness_charts(group_fairness: GroupFairness) -> str:
    """Return one chart per metric in ``_FAIR_METRICS``, each group a dot with its interval."""
    labels = list(group_fairness.labels)
    charts = []
    for name, title in _FAIR_METRICS:
        figures = [group_fairness.by_group[label][name] for label in labels]
        finite = [
            value
            for figure in figures
            for value in (figure.value, figure.high)
            if math.isfinite(value)
        ] or [1.0]
        top = max(finite) * 1.1 if name == "relative_rate_index" else min(1.0, max(finite) * 1.1)
        chart = Chart(
            title=f"{title} by {group_fairness.attribute}",
            description=f"{title} for each group of {group_fairness.attribute} with bootstrap "
            "intervals; hollow points are groups too small to say anything.",
            x_range=(-0.5, len(labels) - 0.5),
            y_range=(0, max(top, 0.05)),
            x_label=group_fairness.attribute,
            y_label=title,
            x_categories=labels,
            width=max(300, 80 * len(labels) + 80),
            height=260,
        )
        if name == "relative_rate_index":
            chart.horizontal(1.0, label=f"reference: {group_fairness.reference}")
        chart.dots(
            [float(i) for i in range(len(labels))],
            [figure.value for figure in figures],
            lows=[figure.low for figure in figures],
            highs=[figure.high for figure in figures],
            colour=PALETTE[0],
            hollow=[label in group_fairness.too_small for label in labels],
        )
        charts.append(chart.render())
    return "".join(charts)


def _fairness_reading(group_fairness: GroupFairness) -> str:
    """Return the plain-English reading of the relative rate indices and the sensitivity gap."""
    labels = list(group_fairness.labels)
    sentences = []
    for label in labels:
        if label == group_fairness.reference:
            continue
        rri = group_fairness.by_group[label]["relative_rate_index"]
        small = " (too small to say anything)" if label in group_fairness.too_small else ""
        sentences.append(
            f"{escape(label)}{small} was flagged {_decimal(rri.value)} times as often as "
            f"{escape(group_fairness.reference)}"
            + (
                f" (interval {_decimal(rri.low)} to {_decimal(rri.high)})"
                if math.isfinite(rri.low)
                else ""
            )
        )
    prevalence = ", ".join(
        f"{escape(label)} {_percent(group_fairness.by_group[label]['prevalence'].value)}"
        for label in labels
    )
    # Compare the groups large enough to say anything about, when there are two.
    include_small = len(group_fairness.labels) - len(group_fairness.too_small) < 2
    largest_gap = group_fairness.difference("sensitivity", include_small=include_small)
    highest, lowest = group_fairness.groups_compared("sensitivity", include_small=include_small)
    return (
        f"Relative rate index (RRI) of flagging against the reference group "
        f"{escape(group_fairness.reference)}: " + ("; ".join(sentences) or "only one group") + ". "
        "An RRI of 1 means flagged at the same rate; an interval that excludes 1 is a "
        "difference this cohort can detect. Differences in flag rate may partly reflect "
        f"differences in how often the outcome was recorded (outcome rate: {prevalence}); "
        "sensitivity and false positive rate compare young people with the same outcome, "
        "so a gap in them is a gap in treatment. The largest gap in sensitivity is between "
        f"{escape(highest)} and {escape(lowest)}: {_interval(largest_gap, percent=True)}; the "
        "interval is that of the difference between these two groups, resampled together."
    )


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


def _overall_table(evaluation: Evaluation) -> str:
    rows = []
    for name, figure in evaluation.overall.items():
        rows.append(
            f"<tr><td>{escape(name.replace('_', ' '))}</td>"
            + "".join(
                f"<td>{_overall_cell(name, value)}</td>"
                for value in (figure.value, figure.low, figure.high)
            )
            + "</tr>"
        )
    level = _percent(float(evaluation.settings.get("confidence", 0.95)), 0)
    return (
        f"<table><tr><th>figure</th><th>value</th><th>{level} low</th><th>{level} high</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _group_table(group_fairness: GroupFairness) -> str:
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
    head = "".join(f"<th>{escape(name.replace('_', ' '))}</th>" for name in names)
    rows = []
    for label in group_fairness.labels:
        cells = []
        for name in names:
            figure = group_fairness.by_group[label][name]
            cells.append(
                f"<td>{int(figure.value)}</td>"
                if name in ("n", "outcomes")
                else f"<td>{_decimal(figure.value, 3)}</td>"
            )
        mark = " *" if label in group_fairness.too_small else ""
        rows.append(f"<tr><td>{escape(label)}{mark}</td>{''.join(cells)}</tr>")
    note = "<p>* too small to say anything.</p>" if group_fairness.too_small else ""
    return f"<table><tr><th>group</th>{head}</tr>{''.join(rows)}</table>{note}"


def _sections(evaluation: Evaluation) -> list[str]:
    """Return the chart sections: discrimination, calibration, thresholds, then each attribute."""
    sections: list[str] = []
    for heading, (svg, reading) in (
        ("Discrimination", _roc(evaluation)),
        ("Precision and recall", _precision_recall(evaluation)),
        ("Calibration", _calibration(evaluation)),
        ("Thresholds", _tradeoff(evaluation)),
        ("Net benefit", _decision(evaluation)),
    ):
        extra = _cut_table(evaluation) if heading == "Thresholds" else ""
        sections.append(
            f'<h2>{heading}</h2><figure>{svg}</figure><p class="reading">{reading}</p>{extra}'
        )
    for group_fairness in evaluation.fairness.values():
        svg, reading = _fairness(group_fairness)
        sections.append(
            f"<h2>By {escape(group_fairness.attribute)}</h2><figure>{svg}</figure>"
            f'<p class="reading">{reading}</p>{_group_table(group_fairness)}'
        )
    return sections


def _warnings_box(evaluation: Evaluation) -> str:
    """Return the evaluation's warnings as a highlighted list, or nothing."""
    if not evaluation.warnings:
        return ""
    return (
        '<div class="warn"><strong>Warnings</strong><ul>'
        + "".join(f"<li>{escape(warning)}</li>" for warning in evaluation.warnings)
        + "</ul></div>"
    )


def _caveats(evaluation: Evaluation) -> list[str]:
    """Return the caveats a reader must keep in mind, naming the groups too small."""
    small = [
        f"{escape(group_fairness.attribute)}={escape(label)}"
        for group_fairness in evaluation.fairness.values()
        for label in group_fairness.too_small
    ]
    return [
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
    settings = evaluation.settings
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        '<p class="notice">A flag is a prompt for an early-help review by a person, never a '
        "decision. Nothing on this page predicts harm for any one young person.</p>"
        f"<p>{evaluation.n} young people, {evaluation.outcomes} of whom had the outcome in the "
        f"follow-up period ({_percent(evaluation.overall['prevalence'].value)}). Flagged for "
        f"review when the screening score is at least {evaluation.threshold:g}. Intervals: "
        f"{settings.get('n_boot')} bootstrap replicates, "
        f"{_percent(float(settings.get('confidence', 0.95)), 0)} percentile, seed "
        f"{escape(str(settings.get('seed')))}.</p>"
        f"{_warnings_box(evaluation)}{_overall_table(evaluation)}{''.join(_sections(evaluation))}"
        "<h2>Caveats</h2><ul>"
        + "".join(f"<li>{caveat}</li>" for caveat in _caveats(evaluation))
        + "</ul></body></html>\n"
    )
