"""The vectorised path agrees exactly with the scalar path (batch equals scalar)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh_screen import (
    INDICATORS,
    Profile,
    Screener,
    ScreeningBatch,
    ScreeningResult,
    Weights,
    screen_records,
)
from efh_screen.synth import generate_cohort
from strategies import AS_OF, profiles, weights_with_rules

SCREENER = Screener()
FIXTURE = Path(__file__).parent / "data" / "batch_good.jsonl"
KEYS = [ind.key for ind in INDICATORS]
PROTECTIVE_CAP = "protective_cap"  # the contribution keys the output contract names
NEEDS_CAP = "needs_cap"
CAPS = (PROTECTIVE_CAP, NEEDS_CAP)


class Expected:
    """Per-batch lists computed once (top reasons and missing groups)."""

    def __init__(self, batch: ScreeningBatch) -> None:
        self.batch = batch
        self.top = batch.top_reasons(3)
        self.missing = batch.main_missing(batch.unknown_groups.shape[1])
        self.band_keys = batch.band_keys()
        self.band_labels = batch.band_labels()
        self.coverage = batch.coverage_records()


def assert_row_equals_scalar(expected: Expected, i: int, result: ScreeningResult) -> None:
    batch = expected.batch
    bands = batch.weights.bands
    assert batch.ids[i] == result.id
    assert int(batch.score[i]) == result.score
    assert (int(batch.score_low[i]), int(batch.score_high[i])) == (
        result.score_range.low,
        result.score_range.high,
    )
    assert expected.band_keys[i] == result.band
    assert expected.band_labels[i] == result.band_label
    assert bands[int(batch.band_low[i])].key == result.band_range.low
    assert bands[int(batch.band_high[i])].key == result.band_range.high
    assert bool(batch.flag[i]) == result.flag
    assert bool(batch.flag_could_change[i]) == result.flag_could_change
    assert (int(batch.ace_known[i]), int(batch.ace_max[i])) == (
        result.ace_count.known,
        result.ace_count.max,
    )
    # Every contribution, and the needs and protective caps.
    row = {KEYS[c]: int(v) for c, v in enumerate(batch.contributions[i]) if v != 0}
    scalar = {c.indicator: c.points for c in result.contributions if c.indicator not in CAPS}
    assert row == scalar
    caps = {c.indicator: c.points for c in result.contributions if c.indicator in CAPS}
    assert int(batch.cap_adjustment[i]) == caps.get(PROTECTIVE_CAP, 0)
    assert int(batch.needs_adjustment[i]) == caps.get(NEEDS_CAP, 0)
    assert sum(row.values()) + sum(caps.values()) == result.score
    # Coverage, in the compact record's form.
    coverage = result.coverage
    assert expected.coverage[i] == (
        None
        if coverage is None
        else {"known_percent": coverage.known_percent, "enough": coverage.enough}
    )
    assert bool(batch.not_enough_known[i]) == (
        coverage is not None and not coverage.enough and not result.flag
    )
    # Top reasons: the first risk contributions, in the same order.
    risk = [(c.indicator, c.points) for c in result.contributions if c.points > 0]
    risk = [r for r in risk if r[0] not in CAPS]
    assert expected.top[i] == risk[:3]
    # Missing information: same groups, same order, same moves and flips.
    assert expected.missing[i] == [m.key for m in result.missing_information]
    for m in result.missing_information:
        group = batch.group_keys.index(m.key)
        assert int(batch.unknown_points[i, group]) == m.max_change
        assert bool(batch.unknown_flips[i, group]) == m.could_change_flag
        assert bool(batch.corroboration_missing[i, group]) == ("corroboration" in m.label)


def assert_batch_equals_scalar(
    items: list[Profile], as_of: dt.date = AS_OF, *, screener: Screener = SCREENER
) -> None:
    batch = screener.screen_many(items, as_of=as_of)
    assert len(batch) == len(items)
    expected = Expected(batch)
    for i, profile in enumerate(items):
        assert_row_equals_scalar(expected, i, screener.screen(profile, as_of=as_of))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(), min_size=1, max_size=8))
def test_batch_equals_scalar_property(items: list[Profile]) -> None:
    assert_batch_equals_scalar(items)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(), min_size=1, max_size=6), weights_with_rules())
def test_batch_equals_scalar_with_the_needs_cap_coverage_and_corroboration(
    items: list[Profile], weights: Weights
) -> None:
    assert_batch_equals_scalar(items, screener=Screener(weights))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(), min_size=1, max_size=6), weights_with_rules())
def test_streaming_records_equal_screen_many(items: list[Profile], weights: Weights) -> None:
    import io
    import json

    unique = list({p.id: p for p in items}.values())
    out = io.StringIO()
    screener = Screener(weights)
    summary = screen_records(unique, as_of=AS_OF, results=out, chunk_size=2, screener=screener)
    assert summary.screened == len(unique)
    expected = screener.screen_many(unique, as_of=AS_OF).to_records()
    # The streamed lines are the compact records byte for byte, the coverage rule included.
    assert out.getvalue().splitlines() == [json.dumps(r, ensure_ascii=False) for r in expected]


def test_batch_equals_scalar_on_10000_synthetic_profiles() -> None:
    cohort = generate_cohort(10_000, seed=20260901, as_of=AS_OF, population="early-help")
    items = [labelled.profile for labelled in cohort]
    batch = SCREENER.screen_many(items, as_of=AS_OF)
    expected = Expected(batch)
    for i, profile in enumerate(items):
        assert_row_equals_scalar(expected, i, SCREENER.screen(profile, as_of=AS_OF))
    bands = set(np.unique(batch.band).tolist())
    # The screen finds a spread of bands in a realistic cohort.
    assert len(bands) >= 2
