"""Study: how far recording bias and disability move flags by group, before and after.

    python scripts/study_recording_bias.py                  # writes docs/study-recording-bias.md
    python scripts/study_recording_bias.py --out study.md --n 5000 --n-boot 200
    python scripts/study_recording_bias.py --before old.json --after new.json

Two synthetic early-help cohorts from the same seed hold the same young people, with the same
true lives and outcomes: in one, the agencies record what is true (the knobs off); in the
other, police record police contacts and gang association more often for Black young people,
and developmental needs are recorded more readily for disabled young people (the knobs on).
Each cohort is screened with two weightings files, "before" (the saved efh-default 1.1.0 by
default) and "after" (the embedded default by default). The page reports flag rates by ethnic
group and by disability, with bootstrap intervals; the gap between two groups with the
interval of that difference; the same at equal outcomes (true and false positive rates); and,
because the two cohorts hold the same young people, how far the knobs move each group's flags.

Everything is seeded: the same arguments write the same bytes. The page is written by this
script and must not be edited by hand; re-run the command above after changing weightings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from efh_screen import FACTORS, Agency, Disability, Ethnicity, EventType, Weights
from efh_screen.synth import RecordingBias, SynthParameters, generate_cohort
from efh_screen.validation import CohortScores, Evaluation, Figure, evaluate, score_cohort

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python scripts/study_recording_bias.py"
DEFAULT_OUT = ROOT / "docs" / "study-recording-bias.md"
BEFORE_FILE = ROOT / "docs" / "studies" / "efh-default-1.1.0.json"
AS_OF = dt.date(2026, 9, 1)
DEVELOPMENTAL_NEEDS = ("adhd", "speech_language_needs", "learning_disability", "sen_support")
ETHNIC_GROUPS = ("white", "black", "asian", "mixed", "other")
DISABILITY_GROUPS = ("no", "yes")
DISPLAY = {"no": "not disabled", "yes": "disabled"}
#: The two groups each gap compares: (attribute, group, against).
GAPS = (("ethnicity", "black", "white"), ("disability", "yes", "no"))
COHORTS = ("off", "on")
SCREENS = ("before", "after")
RATES = (
    ("flag_rate", "flag rate"),
    ("sensitivity", "flagged, among those with the outcome (TPR)"),
    ("false_positive_rate", "flagged, among those without (FPR)"),
)

F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class StudySettings:
    """Everything that fixes the study's numbers (the same settings give the same page)."""

    n: int = 20_000
    seed: int = 2026
    n_boot: int = 1000
    bootstrap_seed: int = 11
    police_contact_ratio: float = 2.0
    gang_label_ratio: float = 2.0
    needs_ratio: float = 1.5
    disability_prevalence: float = 0.1
    ethnicity_proportions: dict[Ethnicity, float] = field(
        default_factory=lambda: {
            Ethnicity.WHITE: 0.45,
            Ethnicity.BLACK: 0.30,
            Ethnicity.ASIAN: 0.12,
            Ethnicity.MIXED: 0.10,
            Ethnicity.OTHER: 0.03,
        }
    )

    def parameters(self, *, knobs: bool) -> SynthParameters:
        """Return the early-help model, with the recording-bias knobs on or off."""
        base = SynthParameters.early_help().replace(
            ethnicity_proportions=self.ethnicity_proportions,
            disability_prevalence=self.disability_prevalence,
        )
        return base.replace(recording_bias=self.knobs()) if knobs else base

    def knobs(self) -> tuple[RecordingBias, ...]:
        """Return the recording-bias knobs of the "on" cohort."""
        police = (
            RecordingBias(
                event_type=EventType.POLICE_CONTACT,
                ethnicity=Ethnicity.BLACK,
                rate_ratio=self.police_contact_ratio,
            ),
            RecordingBias(
                factor="gang_association",
                ethnicity=Ethnicity.BLACK,
                rate_ratio=self.gang_label_ratio,
                agency=Agency.POLICE,
            ),
        )
        needs = tuple(
            RecordingBias(factor=key, disability=Disability.YES, rate_ratio=self.needs_ratio)
            for key in DEVELOPMENTAL_NEEDS
        )
        return police + needs


@dataclass(frozen=True, eq=False)
class Screening:
    """One cohort screened with one weightings file."""

    cohort: str
    screen: str
    flags: B
    evaluation: Evaluation


@dataclass(frozen=True, eq=False)
class Study:
    """Every screening of the study, with what is needed to read it."""

    settings: StudySettings
    weights: dict[str, Weights]
    outcomes: npt.NDArray[np.int8]
    groups: dict[str, npt.NDArray[np.str_]]
    screenings: dict[tuple[str, str], Screening]


# ---------------------------------------------------------------------------------------------
# Running


def run_study(settings: StudySettings, *, before: Weights, after: Weights) -> Study:
    """Generate both cohorts, screen each with both weightings, and evaluate every screening."""
    weights = {"before": before, "after": after}
    screenings: dict[tuple[str, str], Screening] = {}
    last: CohortScores | None = None
    for cohort_name in COHORTS:
        parameters = settings.parameters(knobs=cohort_name == "on")
        cohort = list(
            generate_cohort(settings.n, seed=settings.seed, as_of=AS_OF, parameters=parameters)
        )
        for screen_name, screen_weights in weights.items():
            last = score_cohort(
                cohort, as_of=AS_OF, weights=screen_weights, group_by=("ethnicity", "disability")
            )
            flags = np.asarray(last.batch.flag, dtype=np.bool_)
            screenings[cohort_name, screen_name] = Screening(
                cohort_name, screen_name, flags, _evaluate(flags, last, settings)
            )
    if last is None:
        raise ValueError("the study needs at least one cohort")
    # The cohorts hold the same young people: the same outcomes and audit groups.
    return Study(settings, weights, last.outcomes, last.groups, screenings)


def _evaluate(flags: B, scored: CohortScores, settings: StudySettings) -> Evaluation:
    """Evaluate the Screener's own flags by ethnicity and disability, the bootstrap seeded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no group here is small at the default size
        return evaluate(
            flags.astype(np.int64),
            scored.outcomes,
            groups=scored.groups,
            threshold=1,
            reference_group={"ethnicity": "white", "disability": "no"},
            intersections=False,
            n_boot=settings.n_boot,
            seed=settings.bootstrap_seed,
        )


# ---------------------------------------------------------------------------------------------
# Paired figures: the same young people in every screening, resampled together


OUTCOME_CLASSES = {"all": None, "with": 1, "without": 0}


@dataclass(frozen=True, eq=False)
class PairedRates:
    """Flag rates of every screening, by group and outcome, on the same bootstrap resamples.

    ``rate(...)`` returns the point value and the replicates, so any difference of
    rates (a knob's effect, a gap, a change of weightings) gets the interval of
    that difference.
    """

    point: dict[tuple[str, ...], float]
    draws: dict[tuple[str, ...], F]

    def rate(
        self, cohort: str, screen: str, attribute: str, group: str, outcomes: str = "all"
    ) -> tuple[float, F]:
        """Return a flag rate and its replicates."""
        top, bottom = (cohort, screen, attribute, group, outcomes), (attribute, group, outcomes)
        with np.errstate(all="ignore"):
            return (
                self.point[top] / self.point[bottom],
                self.draws[top] / self.draws[bottom],
            )


def paired_rates(study: Study) -> PairedRates:
    """Resample young people with replacement and sum every flag column on the same draws."""
    columns: dict[tuple[str, ...], F] = {}
    for attribute, group in _slices(study):
        mask = np.ones(len(study.outcomes), dtype=np.bool_)
        if attribute != "all":
            mask = study.groups[attribute] == group
        for outcomes, value in OUTCOME_CLASSES.items():
            within = mask if value is None else mask & (study.outcomes == value)
            columns[attribute, group, outcomes] = within.astype(np.float64)
            for (cohort, screen), screening in study.screenings.items():
                key = (cohort, screen, attribute, group, outcomes)
                columns[key] = (within & screening.flags).astype(np.float64)
    keys = list(columns)
    matrix = np.stack([columns[key] for key in keys], axis=1)
    draws = _resampled_sums(
        matrix, n_boot=study.settings.n_boot, seed=study.settings.bootstrap_seed
    )
    point = matrix.sum(axis=0)
    return PairedRates(
        point={key: float(point[i]) for i, key in enumerate(keys)},
        draws={key: draws[:, i] for i, key in enumerate(keys)},
    )


def _slices(study: Study) -> list[tuple[str, str]]:
    """Everyone, then each ethnic group and each disability group."""
    return [
        ("all", "all"),
        *(("ethnicity", group) for group in ETHNIC_GROUPS),
        *(("disability", group) for group in DISABILITY_GROUPS),
    ]


def _resampled_sums(matrix: F, *, n_boot: int, seed: int, chunk: int = 100) -> F:
    """Column sums of ``matrix`` over ``n_boot`` resamples of its rows, of shape (n_boot, k)."""
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    parts = []
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        drawn = rng.integers(0, n, size=(size, n))
        counts = np.stack([np.bincount(row, minlength=n) for row in drawn]).astype(np.float64)
        parts.append(counts @ matrix)
    return np.concatenate(parts) if parts else np.empty((0, matrix.shape[1]))


def figure(point: float, draws: F) -> Figure:
    """Return a point figure with the 95% percentile interval of its replicates."""
    defined = draws[np.isfinite(draws)]
    if defined.size < max(1, draws.size // 2):
        return Figure(point)
    low, high = np.percentile(defined, [2.5, 97.5])
    return Figure(point, float(low), float(high))


def knob_effect(
    rates: PairedRates, screen: str, attribute: str, group: str, outcomes: str = "all"
) -> Figure:
    """How far turning the knobs on moved one group's flag rate under one weightings file."""
    on, on_draws = rates.rate("on", screen, attribute, group, outcomes)
    off, off_draws = rates.rate("off", screen, attribute, group, outcomes)
    return figure(on - off, on_draws - off_draws)


def gap(
    rates: PairedRates, cohort: str, screen: str, pair: tuple[str, str, str], outcomes: str = "all"
) -> tuple[float, F]:
    """Return the gap in flag rate between the pair's two groups, and its replicates."""
    attribute, first, second = pair
    value, draws = rates.rate(cohort, screen, attribute, first, outcomes)
    other, other_draws = rates.rate(cohort, screen, attribute, second, outcomes)
    return value - other, draws - other_draws


def gap_moved_by_knobs(
    rates: PairedRates, screen: str, pair: tuple[str, str, str], outcomes: str = "all"
) -> Figure:
    """How far turning the knobs on moved the gap between two groups, under one weightings."""
    on, on_draws = gap(rates, "on", screen, pair, outcomes)
    off, off_draws = gap(rates, "off", screen, pair, outcomes)
    return figure(on - off, on_draws - off_draws)


def gap_moved_by_weightings(
    rates: PairedRates, cohort: str, pair: tuple[str, str, str], outcomes: str = "all"
) -> Figure:
    """How far the change from the "before" to the "after" weightings moved a gap."""
    after, after_draws = gap(rates, cohort, "after", pair, outcomes)
    before, before_draws = gap(rates, cohort, "before", pair, outcomes)
    return figure(after - before, after_draws - before_draws)


@dataclass(frozen=True)
class FlagsMoved:
    """Flags the knobs added and removed in one group, under one weightings file."""

    n: int
    added: int
    added_with_outcome: int
    removed: int


def flags_moved(study: Study, screen: str, attribute: str, group: str) -> FlagsMoved:
    """Count the young people of a group whose flag the knobs changed (the same young people)."""
    mask = study.groups[attribute] == group
    on, off = study.screenings["on", screen].flags, study.screenings["off", screen].flags
    added = mask & on & ~off
    return FlagsMoved(
        n=int(mask.sum()),
        added=int(added.sum()),
        added_with_outcome=int((added & (study.outcomes == 1)).sum()),
        removed=int((mask & off & ~on).sum()),
    )


# ---------------------------------------------------------------------------------------------
# The page


GROUP_WORDS = {
    ("ethnicity", "black", "white"): ("Black", "white"),
    ("disability", "yes", "no"): ("disabled", "not disabled"),
}
OUTCOME_WORDS = {"all": "everyone", "with": "with the outcome", "without": "without the outcome"}
COLUMN_TITLES = {
    ("off", "before"): "knobs off, before",
    ("off", "after"): "knobs off, after",
    ("on", "before"): "knobs on, before",
    ("on", "after"): "knobs on, after",
}


def percent(value: Figure) -> str:
    """Format a rate as a percentage with its interval."""
    if np.isnan(value.value):
        return "undefined"
    text = f"{value.value:.1%}"
    if not (np.isnan(value.low) or np.isnan(value.high)):
        text += f" ({value.low:.1%} to {value.high:.1%})"
    return text


def _signed(proportion: float) -> str:
    text = f"{100 * proportion:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def points(value: Figure) -> str:
    """Format a difference of rates in percentage points with its interval."""
    if np.isnan(value.value):
        return "undefined"
    text = f"{_signed(value.value)} pp"
    if not (np.isnan(value.low) or np.isnan(value.high)):
        text += f" ({_signed(value.low)} to {_signed(value.high)})"
    return text


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, numbers: bool = True
) -> list[str]:
    """Return a Markdown table (all but the first column right-aligned when ``numbers``)."""
    align = ["---", *("---:" if numbers else "---" for _ in header[1:])]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def rates_by_group(study: Study, attribute: str, labels: Sequence[str]) -> list[list[str]]:
    """Rows of flag rates by group: group, n, outcome rate, then one column per screening."""
    rows = []
    first = study.screenings["off", "before"].evaluation.fairness[attribute]
    for label in labels:
        figures = first.by_group[label]
        row = [DISPLAY.get(label, label), f"{int(figures['n'].value):,}"]
        row.append(percent(figures["prevalence"]))
        for key in COLUMN_TITLES:
            fairness = study.screenings[key].evaluation.fairness[attribute]
            row.append(percent(fairness.by_group[label]["flag_rate"]))
        rows.append(row)
    return rows


def rates_at_equal_outcomes(study: Study, attribute: str, labels: Sequence[str]) -> list[list[str]]:
    """Rows of true and false positive rates by group, one column per screening."""
    rows = []
    for name, words in RATES[1:]:
        for label in labels:
            row = [f"{DISPLAY.get(label, label)}: {words}"]
            for key in COLUMN_TITLES:
                fairness = study.screenings[key].evaluation.fairness[attribute]
                row.append(percent(fairness.by_group[label][name]))
            rows.append(row)
    return rows


def gap_rows(study: Study, pair: tuple[str, str, str]) -> list[list[str]]:
    """Rows of the gap between the pair's groups, per rate, one column per screening."""
    attribute, first, second = pair
    rows = []
    for name, words in RATES:
        row = [words]
        for key in COLUMN_TITLES:
            fairness = study.screenings[key].evaluation.fairness[attribute]
            row.append(points(fairness.difference(name, between=(first, second))))
        rows.append(row)
    return rows


def moved_rows(study: Study, rates: PairedRates) -> list[list[str]]:
    """Rows of how far the knobs moved each group's flags, under each weightings file."""
    rows = []
    for attribute, labels in (("ethnicity", ETHNIC_GROUPS), ("disability", DISABILITY_GROUPS)):
        for label in labels:
            row = [DISPLAY.get(label, label)]
            for screen in SCREENS:
                moved = flags_moved(study, screen, attribute, label)
                row.append(points(knob_effect(rates, screen, attribute, label)))
                row.append(f"{moved.added:,} ({moved.added_with_outcome:,}) / {moved.removed:,}")
            rows.append(row)
    return rows


def gap_moved_rows(rates: PairedRates) -> list[list[str]]:
    """Rows of how far the knobs, and the change of weightings, moved each gap."""
    rows = []
    for pair in GAPS:
        first, second = GROUP_WORDS[pair]
        for outcomes in OUTCOME_CLASSES:
            rows.append(
                [
                    f"{first} − {second}, {OUTCOME_WORDS[outcomes]}",
                    points(gap_moved_by_knobs(rates, "before", pair, outcomes)),
                    points(gap_moved_by_knobs(rates, "after", pair, outcomes)),
                    points(gap_moved_by_weightings(rates, "off", pair, outcomes)),
                    points(gap_moved_by_weightings(rates, "on", pair, outcomes)),
                ]
            )
    return rows


def stamp(weights: Weights) -> str:
    """Return the weightings' name, version and the start of their hash, as the page shows them."""
    return f"{weights.name} {weights.version} (sha256 `{weights.sha256[:12]}`)"


def settings_section(
    study: Study, *, command: str, before_source: str, after_source: str
) -> list[str]:
    """Return the page's heading, how to regenerate it, and what was done."""
    settings = study.settings
    share = ", ".join(
        f"{proportion:.0%} {group.value}"
        for group, proportion in settings.ethnicity_proportions.items()
    )
    disabled = float(np.mean(study.groups["disability"] == "yes"))
    outcome_rate = float(np.mean(study.outcomes))
    thresholds = ", ".join(
        f"{name}: {next(band.min_score for band in weights.bands if band.flag)}"
        for name, weights in study.weights.items()
    )
    lines = [
        "# Study: recording bias and disability — how far do they move flags?",
        "",
        f"This page is written by `{command}` and must not be edited by hand: run that command "
        "again (it takes about half a minute) after the weightings change. Every figure below is "
        "computed by the script from seeded synthetic cohorts, so the same command writes the same "
        "page.",
        "",
        "## What was done",
        "",
        "Two synthetic early-help cohorts (see [synthetic cohorts](synthetic-data.md)) hold the "
        "same young people, with the same true lives and outcomes. In the first the agencies "
        "record what is true (**knobs off**). In the second (**knobs on**) police record more for "
        "Black young people at the same behaviour, and developmental needs are recorded more "
        "readily for disabled young people at the same need. Each cohort is screened with two "
        "weightings files, **before** and **after**. A young person is *flagged* when the screen "
        "flags them for an early-help review by a person (overrides included).",
        "",
        *table(
            ("setting", "value"),
            [
                ("cohorts", f"{settings.n:,} young people each, seed {settings.seed}, "
                 f"as of {AS_OF}"),
                ("ethnicity", f"{share} (Black young people oversampled: see the limits)"),
                ("disability", f"{settings.disability_prevalence:.0%} in the general population; "
                 f"{disabled:.1%} of this early-help cohort"),
                ("outcome", f"{outcome_rate:.1%} had the outcome in the 12 months after screening"),
                ("knobs on", _knob_words(settings)),
                ("before", f"{stamp(study.weights['before'])}, {before_source}"),
                ("after", f"{stamp(study.weights['after'])}, {after_source}"),
                ("flagged", f"as the screen flags: a score at or above the first flagging "
                 f"band ({thresholds}), or an override"),
                ("intervals", f"95% bootstrap percentile intervals, {settings.n_boot:,} resamples "
                 f"of young people (seed {settings.bootstrap_seed})"),
            ],
            numbers=False,
        ),
    ]  # fmt: skip
    return lines


def _knob_words(settings: StudySettings) -> str:
    needs = " / ".join(FACTORS[key].label for key in DEVELOPMENTAL_NEEDS)
    return (
        f"police contacts recorded {settings.police_contact_ratio:g}× as often for Black young "
        f"people; gang association recorded by police for {settings.gang_label_ratio:g}× as many "
        f"Black young people as truly have it; {needs} each recorded for "
        f"{settings.needs_ratio:g}× as many disabled young people as truly have it"
    )


WHY_THESE_SIZES = """\
## Why these knob sizes

- **Gang association, 2×.** Amnesty International UK's *Trapped in the Matrix: secrecy, stigma and
  bias in the Met's Gangs Database* (2018) reported that about 78% of the people on the
  Metropolitan Police's Gangs Matrix were Black, against about 27% of those the police identified
  as responsible for serious youth violence. Twice as many labels as true cases is below that
  ratio: a moderate setting, not an estimate. The extra labels go to those closest to the label's
  threshold (peers and near-misses), not at random, which is the kindest case for a screen.
- **Police contacts, 2×.** Home Office statistics have for years recorded Black people in
  England and Wales being stopped and searched at several times the rate of white people. How
  much of any difference in *recorded* contact reflects recording rather than behaviour is not
  known; twice as many recorded contacts at the same behaviour is an illustration.
- **Developmental needs, 1.5×, and disability.** Disabled children are assessed more often, so
  more of their needs reach the records. No published figure gives the size of that effect; 1.5×
  is an illustration. Separately from the knob, disabled young people in the model truly have
  two to three times as many developmental needs, but no more adversity or behavioural risk, so
  much the same outcome rate (the tables show it): "knobs off" already asks whether the screen
  flags disabled young people more at equal outcomes because it counts needs as risks. About one
  child in ten is disabled in recent Family Resources Surveys (Department for Work and Pensions).
"""

LIMITS = """\
## Limits

- **Synthetic data with a known truth.** The figures show what the screen does under this model,
  not how it behaves on real children. Groups differ only through the knobs; real differences
  have many causes that the model leaves out.
- **The knob sizes are choices**, explained above, not estimates. A larger bias moves more flags.
- **The outcome here is true.** In real data the outcome is itself recorded by agencies and can
  carry the same bias, which would hide a disparity in the rates at equal outcomes.
- **Black young people are oversampled** (30% instead of about 6% of England's pupils) so that
  their intervals are narrow enough to read; the rates within each group do not depend on that
  choice, but the cohort's overall flag rate does.
- **Intervals** come from resampling young people in one cohort of one seed. They do not cover
  uncertainty in the model itself. Differences between knobs off and on, and between before and
  after, are *paired* (the same young people, resampled together), so they are much tighter than
  a comparison of two separate intervals would suggest.
- **A flag is a prompt for an early-help review by a person, never a decision.** A flag moved by a
  recording bias is still a review a child did not need, or a review a child missed.
"""


def _verdict(value: Figure) -> str:
    """Say whether an interval tells the figure apart from zero."""
    if value.value == value.low == value.high == 0.0:
        return "(no change at all)"
    if np.isnan(value.low) or np.isnan(value.high):
        return "(no interval)"
    if value.low > 0 or value.high < 0:
        return "(its interval excludes no change)"
    return "(not distinguishable from no change in a cohort of this size)"


def reading_section(study: Study, rates: PairedRates) -> list[str]:
    """Plain words on the main figures, written from the figures themselves."""
    police, needs = GAPS
    lines = ["## Reading the numbers", ""]
    for screen in SCREENS:
        added = flags_moved(study, screen, "ethnicity", "black")
        moved = gap_moved_by_knobs(rates, screen, police)
        at_equal = gap_moved_by_knobs(rates, screen, police, "without")
        lines.append(
            f"- **Police recording bias, {screen} weightings.** Turning the knobs on moved the "
            f"Black − white gap in flag rate by {points(moved)} {_verdict(moved)}, and among "
            f"young people without the outcome by {points(at_equal)}. The knobs added "
            f"{added.added:,} flags for Black young people, of whom {added.added_with_outcome:,} "
            "went on to have the outcome."
        )
    for screen in SCREENS:
        fairness = study.screenings["off", screen].evaluation.fairness["disability"]
        off = fairness.difference("false_positive_rate", between=(needs[1], needs[2]))
        moved = gap_moved_by_knobs(rates, screen, needs)
        lines.append(
            f"- **Disability, {screen} weightings.** With the knobs off, the flag rate of disabled "
            f"young people without the outcome differed from that of others without it by "
            f"{points(off)} {_verdict(off)}: a gap at equal outcomes, where the only true "
            "difference is more developmental needs (and so a slightly higher outcome rate). "
            "Recording needs more readily moved the disabled − not disabled gap in flag rate by "
            f"{points(moved)} {_verdict(moved)}."
        )
    for pair in GAPS:
        first, second = GROUP_WORDS[pair]
        change = gap_moved_by_weightings(rates, "on", pair)
        lines.append(
            f"- **Before to after.** With the knobs on, the change of weightings moved the "
            f"{first} − {second} gap in flag rate by {points(change)} {_verdict(change)}."
        )
    if study.weights["before"].sha256 == study.weights["after"].sha256:
        lines.append(
            "- **The before and after weightings are the same file here**, so the before and "
            "after columns agree. Run the command again once the default weightings change."
        )
    return [*lines, ""]


def render_page(
    study: Study, *, command: str = COMMAND, before_source: str = "", after_source: str = ""
) -> str:
    """Write the whole study page as Markdown."""
    rates = paired_rates(study)
    header = ("group", "n", "outcome rate", *COLUMN_TITLES.values())
    lines = [
        *settings_section(
            study, command=command, before_source=before_source, after_source=after_source
        ),
        WHY_THESE_SIZES,
        "## Flag rates by ethnic group",
        "",
        *table(header, rates_by_group(study, "ethnicity", ETHNIC_GROUPS)),
        "## Flag rates by disability",
        "",
        *table(header, rates_by_group(study, "disability", DISABILITY_GROUPS)),
        "## Gaps between groups, and at equal outcomes",
        "",
        "Each gap is the first group's rate minus the second's, with the interval of that "
        "difference. The true positive rate (TPR) is the flag rate among young people who had "
        "the outcome, the false positive rate (FPR) among those who did not: comparing them "
        "compares flags at equal outcomes.",
        "",
    ]
    for pair in GAPS:
        first, second = GROUP_WORDS[pair]
        lines += [f"### {first} − {second}", ""]
        lines += table(("rate", *COLUMN_TITLES.values()), gap_rows(study, pair))
    lines += ["### Rates at equal outcomes, every group", ""]
    for attribute, labels in (("ethnicity", ETHNIC_GROUPS), ("disability", DISABILITY_GROUPS)):
        lines += table(
            (attribute, *COLUMN_TITLES.values()), rates_at_equal_outcomes(study, attribute, labels)
        )
    lines += [
        "## How far the knobs move flags",
        "",
        "The two cohorts hold the same young people, so the knobs' effect is measured on each "
        "young person: the change in each group's flag rate from knobs off to knobs on (paired "
        "interval), and the flags added (of which, to a young person who had the outcome) and "
        "removed.",
        "",
        *table(
            (
                "group",
                "change, before",
                "added (with outcome) / removed, before",
                "change, after",
                "added (with outcome) / removed, after",
            ),
            moved_rows(study, rates),
        ),
        "How far the knobs, and the change from the before to the after weightings, move each "
        "gap (paired intervals):",
        "",
        *table(
            (
                "gap",
                "knobs, before",
                "knobs, after",
                "weightings, knobs off",
                "weightings, knobs on",
            ),
            gap_moved_rows(rates),
        ),
        *reading_section(study, rates),
        LIMITS,
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# The command


def _command(args: argparse.Namespace, defaults: argparse.Namespace) -> str:
    """Return the command as run, naming only the options that differ from their defaults."""
    words = [COMMAND]
    for name in ("n", "seed", "n_boot", "before", "after", "out"):
        value = getattr(args, name)
        if value != getattr(defaults, name):
            shown = Path(value).resolve() if name in ("before", "after", "out") and value else value
            if isinstance(shown, Path) and shown.is_relative_to(ROOT):
                shown = shown.relative_to(ROOT)
            words.append(f"--{name.replace('_', '-')} {shown}")
    return " ".join(words)


def build_parser() -> argparse.ArgumentParser:
    """Return the command's argument parser."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="page to write")
    parser.add_argument("--before", default=str(BEFORE_FILE), help="weightings file 'before'")
    parser.add_argument("--after", default="", help="weightings file 'after' (default: embedded)")
    parser.add_argument("--n", type=int, default=StudySettings.n, help="young people per cohort")
    parser.add_argument("--seed", type=int, default=StudySettings.seed, help="cohort seed")
    parser.add_argument("--n-boot", type=int, default=StudySettings.n_boot, help="resamples")
    return parser


def _source(path: str) -> str:
    resolved = Path(path).resolve()
    return f"`{resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved.name}`"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the study and write the page."""
    parser = build_parser()
    args = parser.parse_args(argv)
    before = Weights.load(args.before)
    after = Weights.load(args.after) if args.after else Weights.default()
    settings = StudySettings(n=args.n, seed=args.seed, n_boot=args.n_boot)
    study = run_study(settings, before=before, after=after)
    page = render_page(
        study,
        command=_command(args, parser.parse_args([])),
        before_source=_source(args.before),
        after_source=_source(args.after) if args.after else "the embedded default",
    )
    Path(args.out).write_text(page, encoding="utf-8")
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
