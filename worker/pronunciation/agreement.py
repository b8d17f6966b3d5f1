"""How far automatic scores agree with expert raters: correlations, ROC area, precision and
recall, each with a bootstrap 95% interval over utterances (words of one utterance move
together, so word-level intervals are not made narrower than the data allows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_ROUNDS = 1000
SEED = 762


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def as_json(self) -> dict[str, float]:
        return {
            "value": round(self.value, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
        }


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) < 1e-12 or np.std(y) < 1e-12:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    result = np.empty(len(values))
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        result[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    return pearson(ranks(x), ranks(y))


def roc_auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Probability that a positive gets a higher score than a negative (ties count half)."""
    pos, neg = int(positive.sum()), int((~positive).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    r = ranks(score)
    return float((r[positive].sum() - pos * (pos + 1) / 2) / (pos * neg))


def precision(predicted: np.ndarray, actual: np.ndarray) -> float:
    flagged = int(predicted.sum())
    return float((predicted & actual).sum() / flagged) if flagged else float("nan")


def recall(predicted: np.ndarray, actual: np.ndarray) -> float:
    wanted = int(actual.sum())
    return float((predicted & actual).sum() / wanted) if wanted else float("nan")


def bootstrap(
    groups: Sequence[np.ndarray],
    statistic: Callable[[np.ndarray], float],
    rounds: int = BOOTSTRAP_ROUNDS,
) -> Estimate:
    """``groups`` holds one array of rows per utterance; utterances are resampled."""
    if not groups:
        return Estimate(float("nan"), float("nan"), float("nan"))
    value = statistic(np.concatenate(groups))
    rng = np.random.default_rng(SEED)
    draws = []
    for _ in range(rounds):
        picked = rng.integers(0, len(groups), len(groups))
        sample = np.concatenate([groups[i] for i in picked])
        result = statistic(sample)
        if np.isfinite(result):
            draws.append(result)
    if not draws:
        return Estimate(value, float("nan"), float("nan"))
    low, high = np.percentile(draws, [2.5, 97.5])
    return Estimate(value, float(low), float(high))
