"""Benchmark the validation toolkit against the usual ways of getting the same figures.

Run from the repository root (one run gives every number in
docs/performance.md):

    python benchmarks/bench_validation.py [--fasterrisk-python /path/to/venv/bin/python]

1. Bootstrap intervals (1,000 replicates) for AUROC and the by-group rates on
   100,000 records: ``efh_screen.validation.evaluate`` (every figure, by
   ethnicity, sex and their intersection) beside a Python loop of
   ``roc_auc_score`` over resampled records, and fairlearn
   ``MetricFrame(n_boot=...)`` for the by-group rates.
2. Fitting whole points on a synthetic cohort with known generating
   indicators: ``fit_points`` beside unconstrained logistic regression
   (scikit-learn) and, if its interpreter is given, FasterRisk.

BLAS is limited to one thread for every method alike: on a shared, busy
machine threaded BLAS makes timings erratic.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from efh_screen.validation import evaluate, fit_points

N = 100_000
N_BOOT = 1000
THRESHOLD = 7


def cohort(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ethnicity = rng.choice(
        ["white", "black", "asian", "mixed", "other"], N, p=[0.6, 0.15, 0.15, 0.07, 0.03]
    )
    sex = rng.choice(["female", "male"], N)
    score = rng.binomial(20, 0.2, N) + (ethnicity == "black")
    outcome = (rng.random(N) < 1 / (1 + np.exp(-(score - 8) / 1.5))).astype(int)
    return pd.DataFrame({"score": score, "outcome": outcome, "ethnicity": ethnicity, "sex": sex})


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bench_bootstrap(fairlearn_boot: int) -> dict[str, object]:
    data = cohort()
    y = data["outcome"].to_numpy()
    s = data["score"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_s, ours = timed(
            lambda: evaluate(
                s,
                y,
                groups={"ethnicity": data["ethnicity"], "sex": data["sex"]},
                threshold=THRESHOLD,
                n_boot=N_BOOT,
                seed=1,
            )
        )
        auroc_only_s, _ = timed(lambda: evaluate(s, y, threshold=THRESHOLD, n_boot=N_BOOT, seed=1))

    def loop() -> tuple[float, float]:
        rng = np.random.default_rng(2)
        values = []
        for _ in range(N_BOOT):
            pick = rng.integers(0, N, N)
            values.append(roc_auc_score(y[pick], s[pick]))
        lo, hi = np.quantile(values, [0.025, 0.975])
        return float(lo), float(hi)

    loop_s, (loop_lo, loop_hi) = timed(loop)

    def metricframe(n_boot: int) -> MetricFrame:
        return MetricFrame(
            metrics={
                "flag_rate": selection_rate,
                "sensitivity": true_positive_rate,
                "false_positive_rate": false_positive_rate,
            },
            y_true=y,
            y_pred=(s >= THRESHOLD).astype(int),
            sensitive_features=data["ethnicity"],
            n_boot=n_boot,
            ci_quantiles=[0.025, 0.975],
            random_state=3,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fair_s, frame = timed(lambda: metricframe(fairlearn_boot))
    fair_per_1000 = fair_s / fairlearn_boot * N_BOOT
    ours_auroc = ours.overall["auroc"]
    black = ours.fairness["ethnicity"].by_group["black"]["flag_rate"]
    fair_black = [q.loc["black", "flag_rate"] for q in frame.by_group_ci]
    return {
        "records": N,
        "replicates": N_BOOT,
        "ours_seconds_all_figures": ours_s,
        "ours_seconds_auroc_and_overall_only": auroc_only_s,
        "loop_roc_auc_score_seconds": loop_s,
        "fairlearn_boot_replicates_run": fairlearn_boot,
        "fairlearn_seconds_run": fair_s,
        "fairlearn_seconds_per_1000_replicates": fair_per_1000,
        "speedup_vs_loop": loop_s / ours_s,
        "speedup_vs_fairlearn": fair_per_1000 / ours_s,
        "ours_auroc_interval": [ours_auroc.low, ours_auroc.high],
        "loop_auroc_interval": [loop_lo, loop_hi],
        "ours_black_flag_rate_interval": [black.low, black.high],
        "fairlearn_black_flag_rate_interval": fair_black,
    }


TRUE_POINTS = {0: 2, 3: 1, 5: 3, 8: 1, 12: 2, 17: 1, 25: -1, 27: -2}


def indicators(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = 30
    prevalence = np.random.default_rng(99).uniform(0.05, 0.4, p)
    x = (rng.random((n, p)) < prevalence).astype(np.int8)
    true = np.zeros(p)
    for j, points in TRUE_POINTS.items():
        true[j] = points
    y = (rng.random(n) < 1 / (1 + np.exp(-(-3.0 + 0.7 * (x @ true))))).astype(int)
    return x, y


def bench_fit(fasterrisk_python: str | None) -> dict[str, object]:
    x, y = indicators(20_000, 1)
    x_test, y_test = indicators(20_000, 2)
    protective = np.arange(30) >= 24
    ours_s, fit = timed(
        lambda: fit_points(x, y, protective=protective, max_points=5, max_indicators=8)
    )
    lr_s, lr = timed(lambda: LogisticRegression(C=np.inf, max_iter=5000).fit(x, y))
    result: dict[str, object] = {
        "train": 20_000,
        "test": 20_000,
        "indicators": 30,
        "generating_indicators": sorted(TRUE_POINTS),
        "ours_seconds": ours_s,
        "ours_selected": [int(j) for j in np.flatnonzero(fit.points)],
        "ours_points": [int(v) for v in fit.points],
        "ours_max_points_chosen": fit.max_points,
        "ours_heldout_auroc": float(roc_auc_score(y_test, fit.score(x_test))),
        "logistic_regression_seconds": lr_s,
        "logistic_regression_heldout_auroc": float(
            roc_auc_score(y_test, lr.decision_function(x_test))
        ),
        "fasterrisk": None,
    }
    if fasterrisk_python:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.npz"
            np.savez(path, x_train=x, y_train=y, x_test=x_test, y_test=y_test, k=8)
            script = Path(__file__).with_name("bench_validation_fasterrisk.py")
            run = subprocess.run(
                [fasterrisk_python, str(script), str(path)],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
        if run.returncode == 0:
            result["fasterrisk"] = json.loads(run.stdout.strip().splitlines()[-1])
        else:
            result["fasterrisk"] = {"error": run.stderr.strip().splitlines()[-1:]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fasterrisk-python", help="interpreter of a venv with fasterrisk")
    parser.add_argument(
        "--fairlearn-boot",
        type=int,
        default=N_BOOT,
        help="MetricFrame replicates to run (timings scaled to 1,000)",
    )
    args = parser.parse_args()
    out = {
        "bootstrap": bench_bootstrap(args.fairlearn_boot),
        "fit": bench_fit(args.fasterrisk_python),
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
