"""Word alignment, delivery measures and agreement statistics behind pronunciation scoring."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from worker.pronunciation import agreement
from worker.pronunciation.acoustics import SAMPLE_RATE, quiet_stretches, syllables
from worker.pronunciation.align import align_words, words_of


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "HE WAS, HE ADMITTED, NEVER VERY GOOD.",
            ["he", "was", "he", "admitted", "never", "very", "good"],
        ),
        ("Don’t stop", ["don't", "stop"]),
        ("well-known 'quoted'", ["well", "known", "quoted"]),
        ("", []),
        ("...", []),
    ],
)
def test_words_of(text: str, words: list[str]) -> None:
    assert words_of(text) == words


@pytest.mark.parametrize(
    ("reference", "heard", "ops"),
    [
        ("a b c", "a b c", ["match", "match", "match"]),
        ("a b c", "a x c", ["match", "substitute", "match"]),
        ("a b c", "a c", ["match", "omit", "match"]),
        # a repeated word: the last attempt is the reading, the first an insertion
        ("a b c", "a b b c", ["match", "insert", "match", "match"]),
        ("a b", "", ["omit", "omit"]),
        ("", "a", ["insert"]),
        ("the cat sat", "cat sat down", ["omit", "match", "match", "insert"]),
    ],
)
def test_align_words(reference: str, heard: str, ops: list[str]) -> None:
    aligned = align_words(reference.split(), heard.split())
    assert [a.op for a in aligned] == ops
    # every reference word and every heard word appears exactly once, in order
    assert [a.reference_index for a in aligned if a.reference_index is not None] == list(
        range(len(reference.split()))
    )
    assert [a.heard_index for a in aligned if a.heard_index is not None] == list(
        range(len(heard.split()))
    )


@pytest.mark.parametrize(
    ("word", "count"), [("cat", 1), ("admitted", 3), ("make", 1), ("table", 2), ("rhythm", 1)]
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_quiet_stretches_finds_the_pause_between_two_tones() -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = 0.3 * np.sin(2 * np.pi * 220 * t).astype(np.float32)
    gap = np.zeros(int(0.8 * SAMPLE_RATE), np.float32)
    stretches = quiet_stretches(np.concatenate([gap, tone, gap, tone, gap]))
    assert len(stretches) == 1, "leading and trailing silence are not pauses"
    assert stretches[0] == pytest.approx(0.8, abs=0.05)


def test_statistics_match_scipy() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=80)
    y = x + rng.normal(size=80)
    y[::7] = y[0]  # ties
    assert agreement.pearson(x, y) == pytest.approx(stats.pearsonr(x, y)[0])
    assert agreement.spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0])
    positive = y > 0.5
    u = stats.mannwhitneyu(x[positive], x[~positive]).statistic
    assert agreement.roc_auc(x, positive) == pytest.approx(u / (positive.sum() * (~positive).sum()))


def test_precision_recall_and_undefined_cases() -> None:
    predicted = np.array([True, True, False, False])
    actual = np.array([True, False, True, False])
    assert agreement.precision(predicted, actual) == 0.5
    assert agreement.recall(predicted, actual) == 0.5
    assert np.isnan(agreement.precision(np.zeros(4, bool), actual))
    assert np.isnan(agreement.roc_auc(np.arange(4.0), np.zeros(4, bool)))
    assert np.isnan(agreement.pearson(np.ones(5), np.arange(5.0)))


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_data() -> None:
    rng = np.random.default_rng(2)

    def groups(n: int) -> list[np.ndarray]:
        x = rng.normal(size=n)
        return [np.array([[a, a + b]]) for a, b in zip(x, rng.normal(size=n), strict=True)]

    def r(rows: np.ndarray) -> float:
        return agreement.pearson(rows[:, 0], rows[:, 1])

    small = agreement.bootstrap(groups(40), r, rounds=300)
    large = agreement.bootstrap(groups(400), r, rounds=300)
    for estimate in (small, large):
        assert estimate.low <= estimate.value <= estimate.high
    assert large.high - large.low < small.high - small.low
