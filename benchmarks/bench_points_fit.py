"""Benchmark the sparse integer points search against the earlier fit, FasterRisk and LR.

Run by hand from the repository root, on one core (one run gives every number in the
"Sparse integer points" section of docs/performance.md):

    taskset -c 0 python benchmarks/bench_points_fit.py \\
        --fasterrisk-python /tmp/fr-venv/bin/python

Data: 100,000 general-population synthetic profiles (seed 1, as of 2026-09-01), screened
with the embedded weightings; the 47 0/1 indicators the screen scores and the outcome. The
first 10,000 train, the other 90,000 are held out. The matrix is saved as .npy under
benchmarks/_work/points_fit/ and reused by later runs (``--rebuild`` to make it again).

Methods, at 5, 10 and 20 indicators with points up to 5:

- the earlier fit (``fit_points`` of ``--baseline-rev``, loaded from git into
  benchmarks/_work/), with its own cross-validation of the largest points;
- ``search_points`` at exactly those limits, with the screen's floor at 0 and without it;
- ``fit_points``, which also cross-validates the number of indicators and points (its card
  uses the limits; the card cross-validation would choose with ``tolerance=0`` is given too);
- FasterRisk 0.1.10 in a throwaway environment (it pins numpy < 2), with points -5..5 for
  every indicator (as it is usually run) and with the screen's signs (risk 0..5,
  protective -5..0);
- unconstrained logistic regression on all 47 indicators (scikit-learn), the ceiling.

Held-out AUROC is given for each card's plain points score and for the screen's score
(floored at 0, as the Screener computes it). Times are best of ``--repeats`` for the
numpy methods and one run for FasterRisk.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from efh_screen import INDICATORS
from efh_screen.synth import generate_cohort
from efh_screen.validation import fit_points, score_cohort, search_points

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work" / "points_fit"
AS_OF = dt.date(2026, 9, 1)
N_PROFILES = 100_000
N_TRAIN = 10_000
SIZES = (5, 10, 20)
MAX_POINTS = 5
PROTECTIVE = np.array([indicator.protective for indicator in INDICATORS])
SIGNS = np.where(PROTECTIVE, -1, 1)


def matrix(rebuild: bool) -> tuple[np.ndarray, np.ndarray]:
    """The 100,000 x 47 indicator matrix and outcomes, built once and saved as .npy."""
    x_path, y_path = WORK / "indicators.npy", WORK / "outcomes.npy"
    if rebuild or not (x_path.exists() and y_path.exists()):
        WORK.mkdir(parents=True, exist_ok=True)
        cohort = generate_cohort(N_PROFILES, seed=1, as_of=AS_OF, population="general")
        scored = score_cohort(cohort, as_of=AS_OF)
        np.save(x_path, scored.matrix.values.astype(np.int8))
        np.save(y_path, scored.outcomes.astype(np.int8))
    return np.load(x_path), np.load(y_path)


def baseline_module(rev: str) -> ModuleType:
    """The fitting module as it was at ``rev``, imported from a copy under benchmarks/_work/."""
    source = subprocess.run(
        ["git", "show", f"{rev}:src/efh_screen/validation/_fitting.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = WORK / "fitting_baseline.py"
    path.write_text(source)
    name = "efh_screen.validation._fitting_baseline"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def best_time(repeats: int, fn):  # type: ignore[no-untyped-def]
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def aurocs(points: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    linear = x_test @ points
    return {
        "auroc_points": float(roc_auc_score(y_test, linear)),
        "auroc_screen": float(roc_auc_score(y_test, np.maximum(linear, 0))),
    }


def card(points: np.ndarray) -> dict[str, Any]:
    return {
        "indicators": int(np.count_nonzero(points)),
        "largest": int(np.abs(points).max()),
        "points": {INDICATORS[j].key: int(points[j]) for j in np.flatnonzero(points)},
    }


def fasterrisk(python: str, data: dict[str, np.ndarray], k: int, *, signed: bool) -> dict[str, Any]:
    bounds = {}
    if signed:
        bounds = {
            "lb": np.where(PROTECTIVE, -MAX_POINTS, 0),
            "ub": np.where(PROTECTIVE, 0, MAX_POINTS),
        }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, **data, k=k, **bounds)
        run = subprocess.run(
            [python, str(Path(__file__).with_name("bench_validation_fasterrisk.py")), str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1:]}
    result = json.loads(run.stdout.strip().splitlines()[-1])
    points = np.array(result["points"], dtype=np.int64)
    return {
        "seconds": result["seconds"],
        **aurocs(points, data["x_test"].astype(np.float64), data["y_test"]),
        **card(points),
    }


def ours(
    x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, k: int, repeats: int
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, floor in (("search_screen_floor", True), ("search_plain_points", False)):
        seconds, found = best_time(
            repeats,
            lambda floor=floor: search_points(
                x, y, signs=SIGNS, max_points=MAX_POINTS, max_indicators=k, floor=floor
            ),
        )
        results[label] = {
            "seconds": seconds,
            **aurocs(found.points, x_test, y_test),
            **card(found.points),
        }
    seconds, fit = best_time(
        1, lambda: fit_points(x, y, protective=PROTECTIVE, max_points=MAX_POINTS, max_indicators=k)
    )
    results["fit_points_cv"] = {
        "seconds": seconds,
        **aurocs(fit.points, x_test, y_test),
        **card(fit.points),
        "chosen": {
            "max_indicators": fit.settings["max_indicators_chosen"],
            "max_points": fit.max_points,
        },
        "table": fit.cross_validation.to_text() if fit.cross_validation else None,
    }
    if fit.cross_validation is not None:
        best = fit.cross_validation.best(tolerance=0.0)
        chosen = search_points(
            x, y, signs=SIGNS, max_points=best.max_points, max_indicators=best.max_indicators
        )
        results["cv_best_card"] = {
            **aurocs(chosen.points, x_test, y_test),
            **card(chosen.points),
            "chosen": {"max_indicators": best.max_indicators, "max_points": best.max_points},
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fasterrisk-python", help="interpreter of a venv with fasterrisk")
    parser.add_argument("--baseline-rev", default="main", help="git revision of the earlier fit")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the saved matrix")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()

    x_all, y_all = matrix(args.rebuild)
    x, y = x_all[:N_TRAIN].astype(np.float64), y_all[:N_TRAIN].astype(np.int64)
    x_test, y_test = x_all[N_TRAIN:].astype(np.float64), y_all[N_TRAIN:].astype(np.int64)
    digest = hashlib.sha256(x_all.tobytes() + y_all.tobytes()).hexdigest()
    baseline = baseline_module(args.baseline_rev)
    lr = LogisticRegression(C=np.inf, max_iter=5000).fit(x, y)
    report: dict[str, Any] = {
        "data": {
            "train": N_TRAIN,
            "held_out": len(y_test),
            "indicators": x.shape[1],
            "train_outcome_rate": float(y.mean()),
            "sha256": digest,
        },
        "logistic_regression_all_47": {
            "auroc": float(roc_auc_score(y_test, lr.decision_function(x_test)))
        },
        "sizes": {},
    }
    data = {"x_train": x_all[:N_TRAIN], "y_train": y, "x_test": x_all[N_TRAIN:], "y_test": y_test}
    for k in args.sizes:
        entry = ours(x, y, x_test, y_test, k, args.repeats)
        seconds, old = best_time(
            args.repeats,
            lambda k=k: baseline.fit_points(
                x, y, protective=PROTECTIVE, max_points=MAX_POINTS, max_indicators=k
            ),
        )
        entry["earlier_fit_points"] = {
            "seconds": seconds,
            **aurocs(old.points, x_test, y_test),
            **card(old.points),
        }
        if args.fasterrisk_python:
            for signed in (False, True):
                label = "fasterrisk_signed" if signed else "fasterrisk_free_signs"
                entry[label] = fasterrisk(args.fasterrisk_python, data, k, signed=signed)
        report["sizes"][str(k)] = entry
        print(json.dumps({k: entry}, indent=1), file=sys.stderr, flush=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
