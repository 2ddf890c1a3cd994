"""Plain-English summaries, points cards and the printable explanation page.

The points card is returned as data (:class:`PointsCard`) and rendered
separately as Markdown or an HTML fragment, so case systems can lay it out
their own way; :func:`explanation_html` puts the summary, the card, the
agencies' accounts and the missing information on one complete, printable
page. Every rendering says that a flag is a prompt for a person's review, not
a decision.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ._factors import CIN_CODES, FACTORS, Agency, Domain
from ._profile import Status
from ._result import (
    NEEDS_CAP_KEY,
    PROTECTIVE_CAP_KEY,
    FactorAccounts,
    MissingInformation,
    ScreeningResult,
)

__all__ = [
    "CardRow",
    "PointsCard",
    "explanation_html",
    "points_card",
    "points_card_html",
    "points_card_markdown",
    "summary_text",
]


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else ("−" + str(-points) if points < 0 else "0")


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _evidence_text(result: ScreeningResult, index: int, *, limit: int = 3) -> str:
    items = result.contributions[index].evidence
    parts = []
    for item in items[:limit]:
        where = item.source.label if item.source is not None else "source not recorded"
        when = item.date.isoformat() if item.date is not None else "undated"
        parts.append(f"{item.note} ({where}, {when})")
    if len(items) > limit:
        parts.append(f"and {len(items) - limit} more")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class CardRow:
    """One row of a points card: a factor, its points and the evidence."""

    indicator: str
    label: str
    points: int
    evidence: str


@dataclass(frozen=True, slots=True)
class PointsCard:
    """A points card as data: factor → points → total → band.

    Attributes
    ----------
    id : str
        Pseudonymous id.
    as_of : str
        Screening date (ISO).
    rows : tuple of CardRow
        One row per contribution, in the result's order.
    total : int
        The score; the rows sum to it.
    score_low, score_high : int
        The range the unknowns allow.
    band_label : str
        The band in plain words.
    flagged : bool
        Whether the case is flagged for review.
    flag_could_change : bool
        Whether the flag could change once unknowns are known.
    bands : tuple of (str, str)
        Score range and label of every band, e.g. ``("6–11", "consider early-help review")``.
    missing : tuple of str
        Plain lines about missing information and who could supply it.
    accounts : tuple of str
        Who knows what (which agency holds how many factors, how many only one
        agency knows, how many none), then each factor more than one agency gave
        an account of, with every account and whether they disagree (conflicts first).
    weights : str
        Weightings name, version, status and short hash.
    notice : str
        A flag is a prompt for review, not a decision.
    range_text : str
        The range the unknowns allow, in words (empty when everything is known).
    missing_by_agency : bool
        True when ``missing`` lists the gaps by the agency that can fill them
        (the flag cannot change), False when it ranks them (see docs/scoring.md).
    needs_text : str
        The developmental needs recorded, said as needs the plan must support
        rather than risks (empty when none is recorded).
    coverage_text : str
        When less is known than the weightings' coverage rule asks: how much is
        known and which agencies to ask (else empty).
    """

    id: str
    as_of: str
    rows: tuple[CardRow, ...]
    total: int
    score_low: int
    score_high: int
    band_label: str
    flagged: bool
    flag_could_change: bool
    bands: tuple[tuple[str, str], ...]
    missing: tuple[str, ...]
    weights: str
    notice: str
    accounts: tuple[str, ...] = ()
    range_text: str = ""
    missing_by_agency: bool = False
    needs_text: str = ""
    coverage_text: str = ""


def _band_table(thresholds: tuple[tuple[int, str], ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for i, (low, label) in enumerate(thresholds):
        if i + 1 < len(thresholds):
            span = f"{low}–{thresholds[i + 1][0] - 1}"
        else:
            span = f"{low}+"
        out.append((span, label))
    return tuple(out)


def _move_text(item: MissingInformation) -> str:
    if item.max_change > 0:
        return f"knowing it could add up to {_points(item.max_change)}"
    if item.max_change < 0:
        return f"knowing it could take off up to {_points(-item.max_change)}"
    return "knowing it cannot move the score on its own now"


def _item_text(item: MissingInformation) -> str:
    why = f" ({'; '.join(item.reasons)})" if item.reasons else ""
    return f"{item.label}{why}"


def _missing_lines(result: ScreeningResult, *, limit: int = 5) -> tuple[str, ...]:
    """Lines about what is not known: ranked, or by agency when the flag cannot change."""
    if not result.missing_information:
        return ()
    if not result.flag_could_change:
        return _missing_by_agency_lines(result)
    lines = []
    for item in result.missing_information[:limit]:
        who = ", ".join(agency.label for agency in item.agencies[:3]) or "any agency"
        flag = "; it could change the flag" if item.could_change_flag else ""
        lines.append(f"{_item_text(item)}: not known — {_move_text(item)}{flag}. Ask: {who}.")
    rest = result.missing_information[limit:]
    if rest:
        flips = sum(item.could_change_flag for item in rest)
        lines.append(
            f"…and {len(rest)} more item(s) not known; "
            + (
                f"{flips} of them could change the flag."
                if flips
                else "none alone could change the flag."
            )
        )
    return tuple(lines)


def _gaps_by_agency(result: ScreeningResult) -> list[tuple[Agency, list[str]]]:
    """Each missing factor once, under the agency most likely to hold it (catalogue order).

    The ACE count and escalation items are derived from factors listed on their own,
    so they are left out here, as in the review list.
    """
    by_agency: dict[Agency, list[str]] = {}
    for item in result.missing_information:
        if item.key in FACTORS and item.agencies:
            by_agency.setdefault(item.agencies[0], []).append(_item_text(item))
    order = list(Agency)
    return sorted(by_agency.items(), key=lambda pair: order.index(pair[0]))


def _missing_by_agency_lines(result: ScreeningResult) -> tuple[str, ...]:
    return tuple(
        f"{agency.label} could say: {'; '.join(items)}."
        for agency, items in _gaps_by_agency(result)
    )


def _missing_heading(result: ScreeningResult) -> str:
    if not result.flag_could_change:
        return (
            "Not known (the flag cannot change whatever these turn out to be; "
            "listed by the agency that can fill each gap)"
        )
    return "Not known (what could change the flag first)"


def _range_text(result: ScreeningResult) -> str:
    """Describe the range the unknowns allow in words (empty when all that counts is known)."""
    low, high = result.score_range.low, result.score_range.high
    parts = []
    if high > result.score:
        parts.append(f"could be as high as {high} if everything not known turned out to be present")
    if low < result.score:
        parts.append(
            f"as low as {low} if the protective factors not known turned out to be present"
        )
    if not parts:
        return ""
    return "Not everything is known: the score " + ", or ".join(parts) + "."


def _who_knows_line(result: ScreeningResult) -> str:
    """Which agency holds how many factors, how many only one agency knows, and none."""
    jigsaw = result.jigsaw
    if jigsaw is None:
        return ""
    held = ", ".join(f"{item.label} {len(item.factors)}" for item in jigsaw.held_by)
    parts = [f"factors known by agency: {held}" if held else "no agency's account is named"]
    if jigsaw.known_to_one_agency:
        parts.append(f"{len(jigsaw.known_to_one_agency)} known to one agency alone")
    parts.append(f"{len(jigsaw.unknown_to_all)} known to no agency")
    if jigsaw.conflicts:
        parts.append(f"{len(jigsaw.conflicts)} in conflict")
    return "Who knows what: " + "; ".join(parts) + "."


def _cin_codes_line(result: ScreeningResult) -> str:
    """Name the census codes recorded but not scored, with their labels (empty if none)."""
    if not result.cin_codes_not_scored:
        return ""
    codes = "; ".join(
        f"{code} ({CIN_CODES[code].label.lower()})" for code in result.cin_codes_not_scored
    )
    return f"Children in Need census codes recorded, not scored: {codes}."


def _account_lines(result: ScreeningResult) -> tuple[str, ...]:
    """Factors more than one agency gave an account of, conflicts first."""
    several = [
        item
        for item in result.accounts
        if item.conflict or len({account.agency for account in item.accounts}) > 1
    ]
    several.sort(key=lambda item: not item.conflict)
    return tuple(
        f"{item.label}{' (agencies disagree)' if item.conflict else ''}: {item.summary}"
        f" — {_taken_as(item)}."
        for item in several
    )


def _taken_as(item: FactorAccounts) -> str:
    """Say what the screen made of the accounts, never claiming points it did not give."""
    if FACTORS[item.factor].evidence == "events" and item.status is Status.PRESENT:
        return "events listed; they count only within their look-back windows"
    return f"taken as {item.status.value}"


def points_card(
    result: ScreeningResult, *, bands: tuple[tuple[int, str], ...] | None = None
) -> PointsCard:
    """Build the points card of a result, as data.

    Parameters
    ----------
    result : ScreeningResult
        A screening result.
    bands : tuple of (int, str), optional
        ``(min_score, label)`` of every band; taken from the default weightings
        when the result was made with them, else only the result's own band is shown.

    Returns
    -------
    PointsCard
        Rows that sum to the total, the band, the range and the missing information.
    """
    if bands is None:
        from ._weights import Weights

        default = Weights.default()
        if default.sha256 == result.weights.sha256:
            bands = tuple((band.min_score, band.label) for band in default.bands)
        else:
            bands = ()
    rows = tuple(
        CardRow(
            contribution.indicator,
            contribution.label,
            contribution.points,
            _evidence_text(result, i),
        )
        for i, contribution in enumerate(result.contributions)
    )
    weights = result.weights
    return PointsCard(
        id=result.id,
        as_of=result.as_of.isoformat(),
        rows=rows,
        total=result.score,
        score_low=result.score_range.low,
        score_high=result.score_range.high,
        band_label=result.band_label,
        flagged=result.flag,
        flag_could_change=result.flag_could_change,
        bands=_band_table(bands),
        missing=_missing_lines(result),
        accounts=tuple(line for line in (_who_knows_line(result), _cin_codes_line(result)) if line)
        + _account_lines(result),
        weights=(
            f"{weights.name} v{weights.version} ({weights.status}), sha256 {weights.sha256[:12]}"
        ),
        notice=result.notice,
        range_text=_range_text(result),
        missing_by_agency=not result.flag_could_change and bool(result.missing_information),
        needs_text=_needs_text(result),
        coverage_text=_coverage_text(result),
    )


def _flag_sentence(result: ScreeningResult) -> str:
    if result.flag:
        head = "Flagged for an early-help review by a person."
    else:
        head = "Not flagged."
    if result.flag_could_change:
        tail = " This could change once the missing information is known."
    elif result.score_range.low != result.score_range.high:
        tail = " The flag cannot change whatever the missing information turns out to be."
    else:
        tail = ""
    return head + tail


def _reason_lines(result: ScreeningResult) -> list[str]:
    """List overrides, reasons, protective factors, the protective cap and the ACE count."""
    lines = [f"Override: {override.label} — {override.reason}" for override in result.overrides]
    risks = [
        contribution
        for contribution in result.contributions
        if contribution.points > 0
        and contribution.indicator != PROTECTIVE_CAP_KEY
        and not _is_need(contribution.factor)
    ]
    if risks:
        reasons = "; ".join(f"{risk.label} ({_signed(risk.points)})" for risk in risks)
        lines.append(f"Reasons: {reasons}.")
    else:
        lines.append("Reasons: no risk indicators are recorded present.")
    needs = _needs_text(result)
    if needs:
        lines.append(needs)
    protective = [
        contribution
        for contribution in result.contributions
        if contribution.points < 0 and contribution.indicator != NEEDS_CAP_KEY
    ]
    if protective:
        recognised = "; ".join(f"{item.label} ({_signed(item.points)})" for item in protective)
        lines.append(f"Protective factors recognised: {recognised}.")
    cap = [
        contribution
        for contribution in result.contributions
        if contribution.indicator == PROTECTIVE_CAP_KEY
    ]
    if cap:
        lines.append(f"{cap[0].label} ({_signed(cap[0].points)}).")
    lines.append(
        f"ACEs: {result.ace_count.known} of 10 categories recorded present"
        + (
            f" (up to {result.ace_count.max} if the unknown ones are present)."
            if result.ace_count.max > result.ace_count.known
            else "."
        )
    )
    return lines


def _headline(result: ScreeningResult) -> str:
    """Score, band, whether flagged and whether that could change, and the range in words."""
    range_text = _range_text(result)
    coverage = _coverage_text(result)
    return (
        f"Score {result.score}: {result.band_label}. {_flag_sentence(result)}"
        + (f" {coverage}" if coverage else "")
        + (f" {range_text}" if range_text else "")
    )


def _is_need(factor: str) -> bool:
    """Whether a contribution's factor is a developmental need."""
    return factor in FACTORS and FACTORS[factor].domain is Domain.DEVELOPMENTAL


def _needs_text(result: ScreeningResult) -> str:
    """Say the developmental needs recorded are needs the plan must support, not risks.

    The needs are those recorded present (every account's resolved status), with the
    points each adds and the needs cap where it bites.
    """
    points = {
        contribution.factor: contribution.points
        for contribution in result.contributions
        if _is_need(contribution.factor)
    }
    present = [
        item.factor
        for item in result.accounts
        if _is_need(item.factor) and item.status is Status.PRESENT
    ] or list(points)
    if not present:
        return ""
    listed = "; ".join(
        f"{FACTORS[key].label} ({_signed(points[key])})" if key in points else FACTORS[key].label
        for key in present
    )
    cap = [item for item in result.contributions if item.indicator == NEEDS_CAP_KEY]
    capped = (
        f" Together they add at most {_points(sum(points.values()) + cap[0].points)}."
        if cap
        else ""
    )
    return (
        f"Developmental needs recorded: {listed}. These are needs the plan must support, not "
        "risks in themselves: check what support is in place for each and whether the plan "
        f"connects it to the behaviour seen.{capped}"
    )


def _coverage_text(result: ScreeningResult) -> str:
    """When too little is known to screen: how much is known, and whom to ask."""
    coverage = result.coverage
    if coverage is None or coverage.enough:
        return ""
    asks = ", ".join(gap.label for gap in result.missing_by_agency[:4]) or "the partner agencies"
    known = f"Only {coverage.known_percent}% of what the screen weighs is known"
    if result.flag:
        return f"{known}; the flag stands on what is known. Ask: {asks}."
    return (
        f"{known} (it needs {coverage.min_known_percent}% before it can say there is no "
        f"concern), so this is not a reassurance. Ask: {asks}."
    )


def summary_text(result: ScreeningResult) -> str:
    """Summarise a result in plain English for a meeting.

    Parameters
    ----------
    result : ScreeningResult
        A screening result.

    Returns
    -------
    str
        A few short paragraphs: score and band, the reasons, protective factors,
        what is not known and who could supply it, and the review notice.
    """
    weights = result.weights
    lines = [
        f"{result.id}, screened as of {result.as_of.isoformat()} with {weights.name} "
        f"v{weights.version} ({weights.status} weightings).",
        _headline(result),
        *_reason_lines(result),
    ]
    lines += [line for line in (_who_knows_line(result), _cin_codes_line(result)) if line]
    conflicts = [item for item in result.accounts if item.conflict]
    if conflicts:
        disagree = " ".join(f"{item.label}: {item.summary}." for item in conflicts)
        lines.append(f"Agencies disagree: {disagree}")
    missing = _missing_lines(result, limit=3)
    if missing:
        lines.append(f"{_missing_heading(result)}: " + " ".join(missing))
    if result.missing_by_agency and result.flag_could_change:
        asks = ", ".join(
            f"{gap.label} ({len(gap.items)} item(s))" for gap in result.missing_by_agency[:4]
        )
        lines.append(f"Agencies that could fill the gaps: {asks}.")
    lines.append(result.notice)
    return "\n".join(lines)


def _markdown_escape(text: str) -> str:
    """Make text safe in a Markdown table cell: no column breaks, and no HTML a renderer runs."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def points_card_markdown(result: ScreeningResult) -> str:
    """Render the points card of a result as Markdown.

    Parameters
    ----------
    result : ScreeningResult
        A screening result.

    Returns
    -------
    str
        A Markdown table of factors and points with the total and band, then
        the score bands, what is not known, and the review notice.
    """
    card = points_card(result)
    out = [
        f"### Points card — {card.id} (as of {card.as_of})",
        "",
        "| Factor | Points | Evidence |",
        "| --- | ---: | --- |",
    ]
    for row in card.rows:
        out.append(
            f"| {_markdown_escape(row.label)} | {_signed(row.points)} "
            f"| {_markdown_escape(row.evidence)} |"
        )
    if not card.rows:
        out.append("| (no factors scored) | 0 | |")
    out.append(f"| **Total** | **{card.total}** | |")
    out += [
        "",
        f"**Band:** {card.band_label} — {_flag_sentence(result)}",
    ]
    if card.coverage_text:
        out.append(_markdown_escape(card.coverage_text))
    if card.range_text:
        out.append(card.range_text)
    if card.needs_text:
        out += ["", _markdown_escape(card.needs_text)]
    if card.bands:
        out += ["", "| Score | Band |", "| --- | --- |"]
        out += [f"| {span} | {label} |" for span, label in card.bands]
    if card.missing:
        out += ["", f"**{_missing_heading(result)}:**", ""]
        out += [f"- {_markdown_escape(line)}" for line in card.missing]
    if card.accounts:
        out += ["", "**Agencies' accounts:**", ""]
        out += [f"- {_markdown_escape(line)}" for line in card.accounts]
    out += ["", f"_Weightings: {card.weights}._", "", f"> {card.notice}", ""]
    return "\n".join(out)


def points_card_html(result: ScreeningResult) -> str:
    """Render the points card of a result as a self-contained HTML fragment.

    Parameters
    ----------
    result : ScreeningResult
        A screening result.

    Returns
    -------
    str
        A ``<section class="points-card">`` element; all text is escaped and no
        external assets are referenced.
    """
    card = points_card(result)
    escape = html.escape
    rows = (
        "".join(
            f"<tr><td>{escape(row.label)}</td><td class='pts'>{escape(_signed(row.points))}</td>"
            f"<td>{escape(row.evidence)}</td></tr>"
            for row in card.rows
        )
        or "<tr><td>(no factors scored)</td><td class='pts'>0</td><td></td></tr>"
    )
    bands = "".join(
        f"<tr><td>{escape(span)}</td><td>{escape(label)}</td></tr>" for span, label in card.bands
    )
    missing = "".join(f"<li>{escape(line)}</li>" for line in card.missing)
    parts = [
        f"<section class='points-card' data-id='{escape(card.id)}'>",
        f"<h3>Points card — {escape(card.id)} (as of {escape(card.as_of)})</h3>",
        "<table><thead><tr><th>Factor</th><th>Points</th><th>Evidence</th></tr></thead>",
        f"<tbody>{rows}</tbody>",
        f"<tfoot><tr><th>Total</th><th class='pts'>{card.total}</th><th></th></tr></tfoot></table>",
        f"<p><strong>Band:</strong> {escape(card.band_label)} — "
        f"{escape(_flag_sentence(result))}</p>",
        f"<p><strong>Range the unknowns allow:</strong> {card.score_low} to {card.score_high}.</p>",
    ]
    if card.coverage_text:
        parts.append(f"<p class='coverage'>{escape(card.coverage_text)}</p>")
    if card.needs_text:
        parts.append(f"<p class='needs'>{escape(card.needs_text)}</p>")
    if bands:
        parts.append(f"<table class='bands'><tr><th>Score</th><th>Band</th></tr>{bands}</table>")
    if missing:
        parts.append(f"<p><strong>Not known:</strong></p><ul>{missing}</ul>")
    if card.accounts:
        accounts = "".join(f"<li>{escape(line)}</li>" for line in card.accounts)
        parts.append(
            f"<p><strong>Agencies' accounts:</strong></p><ul class='accounts'>{accounts}</ul>"
        )
    parts += [
        f"<p class='weights'>Weightings: {escape(card.weights)}.</p>",
        f"<p class='notice'>{escape(card.notice)}</p>",
        "</section>",
    ]
    return "".join(parts)


_PAGE_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1.5rem;
max-width:60rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem;
border-bottom:1px solid #ccc}
.notice{border:2px solid #7a4b00;background:#fff6e0;padding:.6rem .9rem}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top;
overflow-wrap:break-word}
.pts{text-align:right;white-space:nowrap;width:4.5rem}
.by-agency th[scope=row]{width:11rem}.bands{width:auto}
.band{display:inline-block;padding:.3rem .7rem;border:2px solid #555;font-weight:600}
.band.flagged{border-color:#7a1d00;background:#fbe9e4}
.band.not-flagged{border-style:dashed;background:#f4f4f4}
.band.not-enough-known{border-style:dotted;border-color:#2f5d8a;background:#eef3f8}
.conflict{font-weight:600}
@media print{
@page{size:A4;margin:15mm}
body{max-width:none;padding:0;font-size:10.5pt}
h2{break-after:avoid}tr,li{break-inside:avoid}
.notice,.band{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def _band_html(result: ScreeningResult) -> str:
    """Show the band as a badge: a shape and words as well as a colour."""
    if result.flag:
        css, mark = "flagged", "\u25cf Flagged"
    elif result.coverage is not None and not result.coverage.enough:
        css, mark = "not-enough-known", "? Not flagged"
    else:
        css, mark = "not-flagged", "\u25cb Not flagged"
    return (
        f"<p><span class='band {css}'>{mark}: {html.escape(result.band_label)}</span></p>"
        f"<p>{html.escape(_headline(result))}</p>"
    )


def _list_html(lines: list[str] | tuple[str, ...], *, css: str = "") -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"<ul{f' class={css!r}' if css else ''}>{items}</ul>"


def _card_table_html(card: PointsCard) -> str:
    escape = html.escape
    rows = (
        "".join(
            f"<tr><td>{escape(row.label)}</td><td class='pts'>{escape(_signed(row.points))}</td>"
            f"<td>{escape(row.evidence)}</td></tr>"
            for row in card.rows
        )
        or "<tr><td>(no factors scored)</td><td class='pts'>0</td><td></td></tr>"
    )
    bands = "".join(
        f"<tr><td>{escape(span)}</td><td>{escape(label)}</td></tr>" for span, label in card.bands
    )
    table = (
        "<table><caption class='meta'>Every point, with the evidence behind it; the points sum "
        "to the score.</caption><thead><tr><th scope='col'>Factor</th><th scope='col' "
        "class='pts'>Points</th><th scope='col'>Evidence</th></tr></thead>"
        f"<tbody>{rows}</tbody><tfoot><tr><th scope='row'>Score</th>"
        f"<th class='pts'>{card.total}</th><th></th></tr></tfoot></table>"
    )
    if bands:
        table += (
            "<table class='bands'><thead><tr><th scope='col'>Score</th>"
            f"<th scope='col'>Band</th></tr></thead><tbody>{bands}</tbody></table>"
        )
    return table


def _accounts_html(result: ScreeningResult) -> str:
    escape = html.escape
    parts = []
    for line in (_who_knows_line(result), _cin_codes_line(result)):
        if line:
            parts.append(f"<p>{escape(line)}</p>")
    several = _account_lines(result)
    if several:
        parts.append(_list_html(several, css="accounts"))
    else:
        parts.append("<p>No factor has accounts from more than one agency.</p>")
    return "".join(parts)


def _missing_html(result: ScreeningResult) -> str:
    escape = html.escape
    if not result.missing_information:
        return "<p>Nothing that counts towards the score is unknown.</p>"
    parts = [f"<p>{escape(_missing_heading(result))}.</p>"]
    if result.flag_could_change:
        parts.append(_list_html(_missing_lines(result), css="ranked"))
        parts.append("<p>The same gaps, by the agency most likely to hold each:</p>")
    rows = "".join(
        f"<tr><th scope='row'>{escape(agency.label)}</th><td>{escape('; '.join(items))}</td></tr>"
        for agency, items in _gaps_by_agency(result)
    )
    parts.append(
        "<table class='by-agency'><thead><tr><th scope='col'>Agency</th>"
        f"<th scope='col'>Not known</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return "".join(parts)


def explanation_html(result: ScreeningResult) -> str:
    """Render a result as one complete, printable HTML page.

    Parameters
    ----------
    result : ScreeningResult
        A screening result.

    Returns
    -------
    str
        A self-contained HTML document (no external assets, no scripts) with the
        review notice, a summary, the points card, the agencies' accounts and
        conflicts, the missing information by agency, and a print stylesheet for A4.
    """
    escape = html.escape
    card = points_card(result)
    title = f"Screening explanation — {result.id}"
    sections = [
        ("summary", "Summary", _band_html(result) + _list_html(_reason_lines(result))),
        ("points", "Points card", _card_table_html(card)),
        ("accounts", "Agencies' accounts and conflicts", _accounts_html(result)),
        ("missing", "Missing information, by agency", _missing_html(result)),
    ]
    body = "".join(
        f"<section aria-labelledby='{key}'><h2 id='{key}'>{escape(heading)}</h2>{content}</section>"
        for key, heading, content in sections
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_PAGE_STYLE}</style></head>\n<body>"
        f"<header class='notice' role='note'><strong>{escape(result.notice)}</strong></header>"
        f"<main data-id='{escape(result.id)}'><h1>{escape(title)}</h1>"
        f"<p class='meta'>Screened as of {escape(card.as_of)}. Weightings: "
        f"{escape(card.weights)}.</p>{body}</main>"
        f"<footer><p class='notice'>{escape(result.notice)}</p></footer></body></html>\n"
    )
