"""Small voices after the tree's cut (``worker/engines/voice_clusters.absorb_fragments``): a
piece of a larger voice is absorbed, a voice that speaks little but clearly differs is kept."""

from __future__ import annotations

import numpy as np
import pytest

from worker.engines.voice_clusters import absorb_fragments

AXES = np.eye(4)


def _voice(direction: np.ndarray, windows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = direction + 0.02 * rng.standard_normal((windows, 4))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


NEAR_FIRST = AXES[0] + 0.5 * AXES[2]  # about 0.1 from the first voice
ELSEWHERE = AXES[3]  # a cosine distance of 1 from both large voices


@pytest.mark.parametrize(
    ("small", "windows", "at_least", "absorbed"),
    [
        (NEAR_FIRST, 4, 1, True),  # a piece of the first voice
        (NEAR_FIRST, 7, 1, True),  # still under 8 windows
        (NEAR_FIRST, 8, 1, False),  # large enough to be a voice of its own
        (ELSEWHERE, 4, 1, False),  # speaks little but clearly differs
        (NEAR_FIRST, 4, 3, False),  # three voices were asked for at least
    ],
)
def test_small_voices(small: np.ndarray, windows: int, at_least: int, absorbed: bool) -> None:
    vectors = np.vstack([_voice(AXES[0], 20, 1), _voice(AXES[1], 20, 2), _voice(small, windows, 3)])
    labels = np.repeat([0, 1, 2], [20, 20, windows])
    result = absorb_fragments(vectors, labels, 8, 0.3, at_least)
    if absorbed:
        assert set(result) == {0, 1}
        assert (result[40:] == 0).all(), "the piece goes to the voice it is a piece of"
    else:
        assert (result == labels).all()
    assert (result[:40] == labels[:40]).all(), "the large voices are left as they were"


def test_without_a_large_voice_nothing_changes() -> None:
    vectors = np.vstack([_voice(AXES[0], 3, 1), _voice(NEAR_FIRST, 3, 2)])
    labels = np.repeat([0, 1], 3)
    assert (absorb_fragments(vectors, labels, 8, 0.3, 1) == labels).all()
