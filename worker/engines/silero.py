"""silero-vad speech detector (its weights ship inside the PyPI package)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from models.records import TimeSpan
from models.settings import Settings
from worker.engines.audio_source import AudioSource, InMemoryAudio, windows_of

ENGINE_NAME = "silero-vad"
MODEL_ID = "silero-vad-6.2.3-jit"
SAMPLE_RATE = 16000
# The detector walks long recordings in windows of this length (about 38 MB of samples each),
# overlapping so that speech across a seam is found whole.
WINDOW_S = 600.0
OVERLAP_S = 10.0

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
    audio: AudioSource | np.ndarray,
    settings: Settings,
    on_progress: Callable[[float], None] | None = None,
    window_s: float = WINDOW_S,
) -> list[TimeSpan]:
    """Speech regions of the whole recording, read one window at a time."""
    source = InMemoryAudio(audio) if isinstance(audio, np.ndarray) else audio
    duration = source.duration_s
    found: list[TimeSpan] = []
    for start, end, keep_start, keep_end in windows_of(source, window_s, OVERLAP_S):

        def progress(percent: float, start: float = start, end: float = end) -> None:
            if on_progress is not None and duration > 0:
                on_progress(100.0 * (start + (end - start) * percent / 100.0) / duration)

        for span in _spans_in(source.read(start, end), settings, progress):
            piece = TimeSpan(
                max(keep_start, start + span.start_s), min(keep_end, start + span.end_s)
            )
            if piece.end_s <= piece.start_s:
                continue
            if found and piece.start_s <= found[-1].end_s + 1e-6:  # one region across a seam
                found[-1] = TimeSpan(found[-1].start_s, max(found[-1].end_s, piece.end_s))
            else:
                found.append(piece)
    return found


def _spans_in(
    samples: np.ndarray, settings: Settings, on_progress: Callable[[float], None]
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
