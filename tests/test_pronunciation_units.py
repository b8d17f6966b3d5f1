"""Word alignment, delivery measures and agreement statistics behind pronunciation scoring."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from tests.conftest import DATA
from worker.analysis.questions import Turn
from worker.pronunciation import acoustics, agreement
from worker.pronunciation.acoustics import SAMPLE_RATE, quiet_stretches, syllables
from worker.pronunciation.align import align_words, words_of
from worker.stages.pronunciation import sampled_speech


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


def _edit_distance(a: list[str], b: list[str]) -> int:
    """The textbook Levenshtein table, as the reference the library is checked against."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


@given(
    st.lists(st.sampled_from("abcde"), max_size=14),
    st.lists(st.sampled_from("abcde"), max_size=14),
)
def test_align_words_is_a_minimum_edit_alignment(reference: list[str], heard: list[str]) -> None:
    aligned = align_words(reference, heard)
    assert sum(a.op != "match" for a in aligned) == _edit_distance(reference, heard)
    assert [a.reference_index for a in aligned if a.reference_index is not None] == list(
        range(len(reference))
    )
    assert [a.heard_index for a in aligned if a.heard_index is not None] == list(range(len(heard)))
    for a in aligned:
        if a.op in ("match", "substitute"):
            assert a.reference_index is not None and a.heard_index is not None
            same = reference[a.reference_index] == heard[a.heard_index]
            assert same == (a.op == "match")


def test_align_words_at_the_length_of_a_long_lesson() -> None:
    """5,000 words (a speaker's hour of unscripted talk): the pure-Python table this replaced
    needed 25 million cells; the alignment must still be exact."""
    words = [f"w{i % 97}" for i in range(5000)]
    heard = ["x" if i % 7 == 0 else w for i, w in enumerate(words)]
    aligned = align_words(words, heard)
    assert [a.op for a in aligned].count("substitute") == len(range(0, 5000, 7))
    assert all(a.op in ("match", "substitute") for a in aligned)


@pytest.mark.parametrize(
    ("turns", "limit_s", "stretches"),
    [
        ([(0.0, 4.0), (10.0, 12.0)], 600.0, [(0.0, 4.0), (10.0, 12.0)]),
        ([(0.0, 4.0), (10.0, 12.0)], 5.0, [(0.0, 4.0), (10.0, 11.0)]),
        ([(0.0, 4.0), (10.0, 12.0)], 4.0, [(0.0, 4.0)]),
        ([(0.0, 900.0)], 600.0, [(0.0, 600.0)]),
        ([], 600.0, []),
    ],
)
def test_pronunciation_is_scored_on_a_bounded_sample_of_speech(
    turns: list[tuple[float, float]], limit_s: float, stretches: list[tuple[float, float]]
) -> None:
    own = [Turn(i, "S1", a, b, "words") for i, (a, b) in enumerate(turns)]
    assert sampled_speech(own, limit_s) == stretches


@pytest.mark.parametrize(
    ("word", "count"), [("cat", 1), ("admitted", 3), ("make", 1), ("table", 2), ("rhythm", 1)]
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_frame_measures_taken_in_blocks_are_those_of_the_whole_sample() -> None:
    """Pitch and loudness of a ten-minute sample are measured 30 s at a time (memory); the
    values must be exactly those of one pass."""
    import librosa

    samples, _ = sf.read(str(DATA / "meetings" / "launch-review.wav"), dtype="float32")
    samples = samples[: 20 * SAMPLE_RATE]
    whole = librosa.yin(
        samples, fmin=65, fmax=500, sr=SAMPLE_RATE, frame_length=1024, hop_length=160
    )
    np.testing.assert_array_equal(acoustics._yin(samples, block=97), whole)
    count = 1 + (len(samples) - 400) // 160
    frames = samples[np.arange(400)[None, :] + 160 * np.arange(count)[:, None]]
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    np.testing.assert_array_equal(
        acoustics._frames_db(samples, block=97), 20 * np.log10(rms + 1e-6)
    )


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
