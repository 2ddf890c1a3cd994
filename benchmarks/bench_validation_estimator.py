"""Time PointsClassifier.fit against LogisticRegression and FasterRisk on one indicator matrix.

Run by hand, never in the test suite:

    python benchmarks/bench_validation_estimator.py [--fasterrisk-python /path/to/venv/bin/python]

The matrix is bench_validation.py's: 30 binary indicators, 8 of them generating
the outcome in whole log-odds points, 20,000 records to fit and 20,000 held out.
FasterRisk pins numpy < 2, so it runs in its own throwaway venv through
bench_validation_fasterrisk.py; it is never a project dependency. Prints JSON.
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
from pathlib import Path

import numpy as np
from bench_validation import indicators
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from efh_screen.validation import PointsClassifier


def fasterrisk(python: str, data: dict[str, np.ndarray]) -> dict[str, object]:
    """Fit FasterRisk in its own interpreter; return its time and held-out AUROC."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, **data, k=8)
        script = Path(__file__).with_name("bench_validation_fasterrisk.py")
        run = subprocess.run(
            [python, str(script), str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1:]}
    result: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fasterrisk-python", help="interpreter of a venv with fasterrisk")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many fits")
    args = parser.parse_args()
    x, y = indicators(20_000, 1)
    x_test, y_test = indicators(20_000, 2)
    protective = np.arange(30) >= 24
    out: dict[str, object] = {}
    for name, make in (
        (
            "points_classifier",
            lambda: PointsClassifier(protective=protective, max_points=5, max_indicators=8),
        ),
        ("logistic_regression", lambda: LogisticRegression(C=np.inf, max_iter=5000)),
    ):
        times = []
        for _ in range(args.repeats):
            model = make()
            start = time.perf_counter()
            model.fit(x, y)
            times.append(time.perf_counter() - start)
        auroc = roc_auc_score(y_test, model.decision_function(x_test))
        out[name] = {"seconds": min(times), "heldout_auroc": float(auroc)}
    if args.fasterrisk_python:
        data = {"x_train": x, "y_train": y, "x_test": x_test, "y_test": y_test}
        out["fasterrisk"] = fasterrisk(args.fasterrisk_python, data)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
