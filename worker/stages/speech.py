"""Voice activity: where in the recording someone speaks, and where speech is quietest."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.records import TimeSpan
from models.settings import Settings
from worker.engines import silero

FRAME_S = 0.05


def detect_speech(
    samples: np.ndarray,
    settings: Settings,
    on_progress: Callable[[float], None] | None = None,
) -> list[TimeSpan]:
    return silero.speech_spans(samples, settings, on_progress)


def quiet_point_finder(samples: np.ndarray, sample_rate: int) -> Callable[[float, float], float]:
    """A function giving the centre of the quietest 50 ms frame between two times."""
    frame = max(1, int(FRAME_S * sample_rate))

    def quietest(start_s: float, end_s: float) -> float:
        start, end = int(start_s * sample_rate), int(end_s * sample_rate)
        window = samples[start:end]
        count = len(window) // frame
        if count == 0:
            return end_s
        energy = np.square(window[: count * frame].astype(np.float64)).reshape(count, frame).sum(1)
        return start_s + (int(np.argmin(energy)) + 0.5) * FRAME_S

    return quietest
