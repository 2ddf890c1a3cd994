"""Hypothesis profiles: the same examples on every run by default, a wider search by hand.

CI and a plain ``pytest`` run use ``repeatable``: the examples are derived from each test, so
a red run is the code's doing, never the draw's, and two runs of one commit agree. Searching
for new counter-examples is a separate, deliberate job::

    HYPOTHESIS_PROFILE=explore python -m pytest tests/test_scoring.py

which draws fresh random examples on every run (run it in a loop to search longer). A failure
it finds is pinned as a worked example in the test file before the fix, as
``test_listing_a_weapon_incident_does_not_widen_the_range`` was.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
