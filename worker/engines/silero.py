"""silero-vad speech detector (its weights ship inside the PyPI package)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from models.records import TimeSpan
from models.settings import Settings

ENGINE_NAME = "silero-vad"
MODEL_ID = "silero-vad-6.2.3-jit"
SAMPLE_RATE = 16000

_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            import torch
            from silero_vad import load_silero_vad

            torch.set_num_threads(1)
            _model = load_silero_vad()
        return _model


def speech_spans(
    samples: np.ndarray,
    settings: Settings,
    on_progress: Callable[[float], None] | None = None,
) -> list[TimeSpan]:
    import torch
    from silero_vad import get_speech_timestamps

    model = _load()
    model.reset_states()
    stamps = get_speech_timestamps(
        torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32)),
        model,
        threshold=settings.vad_threshold,
        sampling_rate=SAMPLE_RATE,
        min_silence_duration_ms=settings.vad_min_silence_ms,
        speech_pad_ms=settings.vad_speech_pad_ms,
        progress_tracking_callback=on_progress,
    )
    return [TimeSpan(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]
