"""Write docs/factors.md (the factor catalogue and the scored indicators) from the code.

The catalogue in ``efh_screen`` is the one source of truth; this page is generated
from it and from the embedded default weightings, and ``tests/test_docs_sync.py``
checks that the committed page matches. Run from the repository root after
changing the catalogue, the indicators or the default weightings:

    python scripts/make_factor_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from efh_screen import (
    CIN_CODES,
    FACTOR_BY_EVENT,
    FACTORS,
    INDICATORS,
    Domain,
    EventType,
    Factor,
    Indicator,
    Weights,
)

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "factors.md"

_DOMAIN_TITLES = {
    Domain.ACE: "Adverse Childhood Experiences (ACE)",
    Domain.CONTEXTUAL: "Contextual factors",
    Domain.DEVELOPMENTAL: "Developmental needs",
    Domain.PROTECTIVE: "Protective factors",
}

_DOMAIN_INTROS = {
    Domain.ACE: (
        "The ten categories of the CDC-Kaiser ACE study. Each one recorded present adds to the "
        "ACE count; four or more is scored as a further indicator."
    ),
    Domain.CONTEXTUAL: (
        "School, home, health and community circumstances, and known extra-familial harm "
        "concerns. Many are dated events counted in a look-back window."
    ),
    Domain.DEVELOPMENTAL: (
        "Needs that plans should connect to support. Many relate to disability; read "
        "[responsible-use.md](responsible-use.md#developmental-needs-and-disability) before "
        "relying on them."
    ),
    Domain.PROTECTIVE: (
        "Strengths that lower a score, by at most the protective cap and never below 0. "
        "Record them: a plan should build on them."
    ),
}


def _cell(text: str) -> str:
    """Make text safe for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"`{v}`" for v in values) or "-"


def _evidence(factor: Factor) -> str:
    if factor.evidence == "events" and factor.event_type is not None:
        types = [event.value for event, owner in FACTOR_BY_EVENT.items() if owner is factor]
        return "events: " + ", or ".join(f"`{value}`" for value in types)
    if factor.evidence == "attendance":
        return "attendance records"
    if factor.key == "domestic_abuse":
        return "status, or events: `domestic_abuse_incident`"
    return "status"


def _derived_descriptions(weights: Weights) -> dict[str, str]:
    """Plain descriptions of the indicators derived from events, attendance or several factors."""
    w, c = weights.windows, weights.counts

    def events(n: int, event: str, days: int) -> str:
        what = "at least one" if n == 1 else f"{n} or more"
        return f"{what} `{event}` event{'' if n == 1 else 's'} in the last {days} days"

    def earlier(event: str) -> str:
        return (
            f"at least one `{event}` event {w.recent_days} to {w.history_days - 1} days before "
            f"the screening date (in the last {w.history_days} days, not the last "
            f"{w.recent_days})"
        )

    return {
        "ace_count_4_plus": f"{c.ace_count} or more of the ten ACE categories recorded present",
        "persistent_absence": (
            "10% or more of possible sessions missed, over attendance periods that overlap "
            f"the last {w.attendance_days} days"
        ),
        "severe_absence": (
            "50% or more of possible sessions missed, over attendance periods that overlap "
            f"the last {w.attendance_days} days"
        ),
        "suspension_recent": events(1, "suspension", w.recent_days),
        "suspensions_repeated": events(c.repeated_suspensions, "suspension", w.recent_days),
        "permanent_exclusion": "a `permanent_exclusion` event at any date",
        "frequent_moves": events(c.frequent_moves, "home_move", w.history_days),
        "cross_borough_move": (
            f"a `home_move` event in the last {w.history_days} days with `cross_borough: true`"
        ),
        "missed_health_appointments": events(
            c.missed_appointments, "missed_health_appointment", w.health_days
        ),
        "missing_recent": events(1, "missing_episode", w.recent_days),
        "missing_repeated": events(c.repeated_missing, "missing_episode", w.recent_days),
        "police_contact_recent": events(1, "police_contact", w.recent_days),
        "police_contact_repeated": events(
            c.repeated_police_contact, "police_contact", w.recent_days
        ),
        "suspension_earlier": earlier("suspension"),
        "police_contact_earlier": earlier("police_contact"),
        "violence_victim_recent": (
            "at least one `violence_victim` or `emergency_department_assault` event in the last "
            f"{w.recent_days} days"
        ),
        "serious_violence": (
            f"in the last {w.history_days} days, an `emergency_department_assault` event, a "
            "`violence_victim` event with `weapon` `knife` or `gun` or `serious_injury: true`, "
            "or a `weapon_incident` event with `serious_injury: true`"
        ),
        "weapon_incident": events(1, "weapon_incident", w.history_days),
        "escalation": (
            "more incidents (police contact, missing episodes, suspensions, victim of violence, "
            f"weapon-related incidents) in the last {w.escalation_days} days than in the "
            f"{w.escalation_days} days before"
        ),
        "rising_trajectory": (
            f"of {c.trajectory_periods} successive periods of {w.trajectory_days} days, the "
            "latest ending on the screening date, each holds more of the incidents counted for "
            "`escalation` than the period before it (e.g. 0, 1 and 2 over three years)"
        ),
        "gang_association_corroborated": (
            "`gang_association` observed `present` by a named agency that is neither the police "
            "nor `other`; unknown while no such agency has said, absent when one that usually "
            "holds it records it absent"
        ),
    }


def _indicator_evidence(indicator: Indicator, derived: dict[str, str]) -> str:
    if indicator.key in derived:
        return derived[indicator.key]
    factor = FACTORS.get(indicator.key)
    if factor is None or indicator.factors != (indicator.key,) or factor.evidence != "status":
        raise KeyError(
            f"indicator {indicator.key!r} has no description; add one to "
            "_derived_descriptions in scripts/make_factor_docs.py"
        )
    if indicator.key == "domestic_abuse":
        return "`domestic_abuse` observed `present`, or any `domestic_abuse_incident` event"
    return f"`{indicator.key}` observed `present`"


def _cin_section() -> list[str]:
    """Return the section listing every CIN census code, its meaning and what it is read as."""
    lines = [
        "## Children in Need census codes",
        "",
        "Every factor code of the Department for Education's Children in Need census "
        '("factors identified at the end of assessment"), as read from a CIN codes column of a '
        "CSV export (see [batch.md](batch.md#mapping-a-case-system-export)). A code that records "
        "a catalogue factor records it `present`; the others are *recorded, not scored*: kept "
        "on the profile (`cin_codes_not_scored`) and listed on every explanation, never "
        "scored. A code the census does not define rejects the row with its position in the "
        "cell. `efh-screen factors --cin` prints this table.",
        "",
        "| code | census factor | meaning | recorded as | why |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in CIN_CODES.values():
        recorded = " or ".join(f"`{key}`" for key in entry.factors) or "recorded, not scored"
        label = entry.label + (" (retired code)" if entry.retired else "")
        lines.append(
            f"| {entry.code} | {_cell(label)} | {_cell(entry.meaning)} | {recorded} | "
            f"{_cell(entry.note) or '-'} |"
        )
    lines.append("")
    return lines


def render() -> str:
    """Return the text of docs/factors.md."""
    weights = Weights.default()
    lines = [
        "# Factor catalogue",
        "",
        "<!-- Generated by scripts/make_factor_docs.py from the code. Do not edit by hand: "
        "change the code and run `python scripts/make_factor_docs.py`. -->",
        "",
        "This page lists every factor a profile can record, and every indicator the screen "
        "scores. It is generated from the code, so it always matches the installed version. "
        "`efh-screen factors` prints the same catalogue, and `efh-screen factors --json` gives "
        "it as JSON.",
        "",
        "Each factor is recorded in one of three ways (the *evidence* column):",
        "",
        "- **status**: an observation in `factors`, `present`, `absent` or `unknown`. A factor "
        "left out is unknown;",
        "- **events**: dated events in `events`, each with its type and date. An observation "
        'of `absent` says "checked: none recorded";',
        "- **attendance records**: possible and missed sessions in `attendance`.",
        "",
        "The *CIN codes* are the Children in Need census factor codes that record the same "
        "thing, where one exists; every code the census defines, and what each is read as, is "
        "listed under [Children in Need census codes](#children-in-need-census-codes). The "
        "*agencies* are those that usually hold the information, most likely first; the screen "
        "uses them to say whom to ask when it is missing.",
        "",
    ]
    for domain in Domain:
        factors = [f for f in FACTORS.values() if f.domain is domain]
        lines += [
            f"## {_DOMAIN_TITLES[domain]}",
            "",
            _DOMAIN_INTROS[domain],
            "",
            "| key | label | description | CIN codes | agencies | evidence |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in factors:
            agencies = ", ".join(a.label for a in f.agencies)
            lines.append(
                f"| `{f.key}` | {_cell(f.label)} | {_cell(f.description)} | "
                f"{', '.join(f.cin_codes) or '-'} | {_cell(agencies)} | {_evidence(f)} |"
            )
        lines.append("")

    event_factor = {event: factor.key for event, factor in FACTOR_BY_EVENT.items()}
    lines += [
        "## Event types",
        "",
        "| event type | evidences factor |",
        "| --- | --- |",
    ]
    lines += [f"| `{e.value}` | `{event_factor[e]}` |" for e in EventType]
    lines.append("")

    lines += _cin_section()

    derived = _derived_descriptions(weights)
    overrides = {rule.indicator: rule.band for rule in weights.overrides}
    lines += [
        "## Scored indicators",
        "",
        "The screen derives these indicators from a profile as of the screening date, and "
        f"scores them with the weightings. Points shown are those of the default weightings "
        f"(`{weights.name}` {weights.version}, status `{weights.status}`), with its windows and "
        "count thresholds; your own weightings file can change them (see "
        "[weights.md](weights.md)). The *group* is the key under which missing information is "
        "reported. An *override* puts a case into at least that band on its own. How the "
        "points combine is explained in [scoring.md](scoring.md).",
        "",
        "| key | label | group | evidenced by | default points | override |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for ind in INDICATORS:
        entry = weights.points.get(ind.key)
        points = entry.points if entry is not None else 0
        override = f"at least `{overrides[ind.key]}`" if ind.key in overrides else "-"
        shown = f"{points:+d}" if points else "0 (recorded, not scored)"
        lines.append(
            f"| `{ind.key}` | {_cell(ind.label)} | `{ind.group}` | "
            f"{_cell(_indicator_evidence(ind, derived))} | {shown} | {override} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Write the page and say where."""
    OUTPUT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
