"""The recording-bias knob produces a flag-rate disparity that the fairness tools detect.

Two cohorts from the same seed differ only in how often police contacts are
recorded for Black young people (the recording-bias knob): the underlying
behaviour, every other record and every outcome are identical. The fairness
tools must find a flag-rate disparity in the biased cohort (the relative rate
index's interval lies above 1) and none beyond noise in the unbiased one (its
interval contains 1).

With the default weightings a police contact adds a few points and most young
people who have one are already well above or below the cut, so modest recording
bias moves few flags. A twelvefold bias (92% of underlying incidents recorded for
the group instead of 8%) on an early-help cohort of 20,000, half Black and half
white, makes the effect large enough to test reliably: relative rate index about
1.07 (interval 1.04 to 1.11), against 0.99 (0.96 to 1.02) without the bias.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from efh_screen import Ethnicity, EventType, Screener
from efh_screen.synth import RecordingBias, SynthParameters, generate_cohort
from efh_screen.validation import evaluate

AS_OF = dt.date(2026, 9, 1)
N = 20_000


def flag_rate_ratio(parameters: SynthParameters) -> tuple[float, float, float]:
    cohort = list(generate_cohort(N, seed=2024, as_of=AS_OF, parameters=parameters))
    batch = Screener().screen_many((c.profile for c in cohort), as_of=AS_OF)
    ethnicity = np.array([c.profile.audit.ethnicity.value for c in cohort])  # type: ignore[union-attr]
    outcomes = np.array([c.outcome for c in cohort])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no small groups here, but keep the output clean
        result = evaluate(
            batch.flag.astype(int),
            outcomes,
            groups={"ethnicity": ethnicity},
            threshold=1,
            n_boot=400,
            seed=0,
            reference_group="white",
        )
    figure = result.fairness["ethnicity"].metric("relative_rate_index")["black"]
    return figure.value, figure.low, figure.high


@pytest.mark.slow
def test_recording_bias_is_detected_and_its_absence_is_not() -> None:
    base = SynthParameters.early_help().replace(
        ethnicity_proportions={Ethnicity.WHITE: 0.5, Ethnicity.BLACK: 0.5}
    )
    bias = RecordingBias(
        event_type=EventType.POLICE_CONTACT, ethnicity=Ethnicity.BLACK, rate_ratio=12.0
    )
    biased = base.replace(recording_bias=(bias,))

    value, low, high = flag_rate_ratio(biased)
    assert low > 1.0, (value, low, high)  # flagged more often: detected

    value, low, high = flag_rate_ratio(base)
    assert low <= 1.0 <= high, (value, low, high)  # no disparity beyond noise
