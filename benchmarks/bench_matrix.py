"""Matrix scoring benchmark (run by hand; not part of the test suite).

Measures, in one run on one machine, rows/s for

* ``Screener.score_matrix`` on a :class:`~efh_screen.FeatureMatrix` (scores, ranges,
  bands, flags, contributions and missing-information arrays);
* raw numpy ``X @ w`` on the same matrix (float32, the floor for any linear score);
* scikit-learn ``LogisticRegression.predict_proba`` on the same matrix (fitted on
  synthetic outcomes).

Usage (single core, from the repository root)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 taskset -c 0 \
        python benchmarks/bench_matrix.py --rows 1000000

The matrix repeats the rows of 20,000 synthetic profiles (general population).
Prints a Markdown report on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

from efh_screen import FeatureMatrix, Screener
from efh_screen._matrix import scores_and_bands
from efh_screen.synth import generate_cohort

AS_OF = dt.date(2026, 9, 1)


def best_of(repeats: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--unique", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    cohort = list(generate_cohort(args.unique, seed=7, as_of=AS_OF, population="general"))
    screener = Screener()
    base = screener.feature_matrix([c.profile for c in cohort], as_of=AS_OF)
    outcomes = np.array([c.outcome for c in cohort])
    reps = -(-args.rows // args.unique)

    def tile(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.tile(a, (reps,) + (1,) * (a.ndim - 1))[: args.rows])

    matrix = FeatureMatrix(
        ids=[f"M{i:08d}" for i in range(args.rows)],
        as_of=AS_OF,
        values=tile(base.values),
        known=tile(base.known),
        ace_present=tile(base.ace_present),
        ace_unknown=tile(base.ace_unknown),
    )
    x = matrix.values
    w = np.asarray(screener.weights.points_vector(), dtype=np.float32)
    model = LogisticRegression(max_iter=500).fit(base.values, outcomes)

    t_raw = best_of(args.repeats, lambda: x @ w)
    t_core = best_of(args.repeats, lambda: scores_and_bands(screener._scheme, x))
    t_score = best_of(args.repeats, lambda: screener.score_matrix(matrix))
    t_sklearn = best_of(args.repeats, lambda: model.predict_proba(x))
    n = args.rows
    print("## Matrix scoring benchmark\n")
    print(f"- date: {dt.datetime.now(dt.UTC).date().isoformat()}")
    print(
        f"- machine: {platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    print(f"- command: `{' '.join(sys.argv)}`")
    print(f"- matrix: {n:,} rows x {x.shape[1]} indicators (float32), best of {args.repeats}\n")
    print("| method | time (s) | rows/s | vs raw `X @ w` |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| raw numpy `X @ w` | {t_raw:.4f} | {n / t_raw:,.0f} | 1.00x |")
    print(
        f"| scores and bands (`_scores_and_bands`, the core of `score_matrix`) | "
        f"{t_core:.4f} | {n / t_core:,.0f} | {t_core / t_raw:.2f}x |"
    )
    print(
        f"| `Screener.score_matrix` (full) | {t_score:.4f} | {n / t_score:,.0f} | "
        f"{t_score / t_raw:.2f}x |"
    )
    print(
        f"| sklearn `predict_proba` | {t_sklearn:.4f} | {n / t_sklearn:,.0f} | "
        f"{t_sklearn / t_raw:.2f}x |"
    )
    print(
        f"\nScores and bands: {t_sklearn / t_core:.2f}x as fast as `predict_proba`; the full "
        f"`score_matrix` (ranges, flags, contributions, missing information by group) "
        f"{t_sklearn / t_score:.2f}x."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
