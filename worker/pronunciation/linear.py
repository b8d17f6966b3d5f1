"""A ridge regression small enough to keep as JSON beside the code: standardised features,
weights and an intercept, fitted in closed form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    features: list[str]
    means: list[float]
    scales: list[float]
    weights: list[float]
    intercept: float
    low: float
    high: float

    def predict(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        x = np.array([[row.get(f, 0.0) for f in self.features] for row in rows], dtype=float)
        if x.size == 0:
            return np.zeros(0)
        z = (x - np.array(self.means)) / np.array(self.scales)
        return np.asarray(np.clip(z @ np.array(self.weights) + self.intercept, self.low, self.high))

    def as_json(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "means": self.means,
            "scales": self.scales,
            "weights": self.weights,
            "intercept": self.intercept,
            "low": self.low,
            "high": self.high,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(**data)


def fit_ridge(
    rows: Sequence[dict[str, float]],
    targets: Sequence[float],
    penalty: float,
    low: float,
    high: float,
    features: list[str] | None = None,
) -> LinearModel:
    names = features or sorted(rows[0])
    x = np.array([[row[f] for f in names] for row in rows], dtype=float)
    y = np.array(targets, dtype=float)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    z = (x - means) / scales
    gram = z.T @ z + penalty * np.eye(len(names))
    weights = np.linalg.solve(gram, z.T @ (y - y.mean()))
    return LinearModel(
        names,
        [float(v) for v in means],
        [float(v) for v in scales],
        [float(v) for v in weights],
        float(y.mean()),
        low,
        high,
    )
