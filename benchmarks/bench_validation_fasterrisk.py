"""Fit FasterRisk on the benchmark's indicator data; run by bench_validation.py in its own venv.

FasterRisk pins numpy < 2 and scikit-learn 1.2, so it cannot share the project's
environment; bench_validation.py calls this script with a separate interpreter:

    python bench_validation_fasterrisk.py DATA.npz  ->  prints one JSON line

DATA.npz holds x_train, y_train, x_test, y_test, k and, optionally, per-column
bounds lb and ub on the points (default -5 and 5 for every column).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from fasterrisk.fasterrisk import RiskScoreClassifier, RiskScoreOptimizer
from sklearn.metrics import roc_auc_score


def main() -> None:
    data = np.load(sys.argv[1])
    x, y = data["x_train"].astype(float), data["y_train"]
    x_test, y_test = data["x_test"].astype(float), data["y_test"]
    k = int(data["k"])
    start = time.perf_counter()
    lb = data["lb"].tolist() if "lb" in data else -5
    ub = data["ub"].tolist() if "ub" in data else 5
    optimizer = RiskScoreOptimizer(X=x, y=np.where(y == 1, 1, -1), k=k, lb=lb, ub=ub)
    optimizer.optimize()
    multipliers, intercepts, coefficients = optimizer.get_models()
    model = RiskScoreClassifier(multipliers[0], intercepts[0], coefficients[0], X_train=x)
    seconds = time.perf_counter() - start
    probability = model.predict_prob(x_test)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "auroc": float(roc_auc_score(y_test, probability)),
                "selected": [int(j) for j in np.flatnonzero(coefficients[0])],
                "points": [int(v) for v in coefficients[0]],
            }
        )
    )


if __name__ == "__main__":
    main()
