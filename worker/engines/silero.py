"""silero-vad speech detector (its weights ship inside the PyPI package)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from models.records import TimeSpan
from models.settings import Settings
from worker.engines.audio_source import AudioSource, as_source

ENGINE_NAME = "silero-vad"
MODEL_ID = "silero-vad-6.2.3-jit"
SAMPLE_RATE = 16000
# The detector reads long recordings in windows of this length (about 38 MB of samples each).
WINDOW_S = 600.0
FRAME_SAMPLES = 512  # silero-vad gives one probability per 512 samples (32 ms) at 16 kHz
PROGRESS_EVERY_FRAMES = 1000

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
    source = as_source(audio)
    probabilities = speech_probabilities(source, on_progress, window_s)
    return spans_from_probabilities(probabilities, sample_count(source), settings)


def sample_count(source: AudioSource) -> int:
    return round(source.duration_s * SAMPLE_RATE)


def frame_count(source: AudioSource) -> int:
    """How many probabilities the detector gives for the recording (the last frame padded)."""
    return -(-sample_count(source) // FRAME_SAMPLES)


def speech_probabilities(
    source: AudioSource,
    on_progress: Callable[[float], None] | None = None,
    window_s: float = WINDOW_S,
) -> np.ndarray:
    """The detector's speech probability for every 32 ms frame of the recording. The audio is
    read a window at a time and the model's state runs on across windows, so the result is the
    one pass over the whole file that ``get_speech_timestamps`` makes, in bounded memory."""
    import torch

    model = _load()
    model.reset_states()
    total = sample_count(source)
    window = max(1, int(window_s * SAMPLE_RATE) // FRAME_SAMPLES) * FRAME_SAMPLES
    probabilities = np.zeros(frame_count(source), np.float32)
    frame = 0
    # As in silero-vad's own loop: without it every call's graph stays linked through the
    # model's state, and memory grows with the recording (8 GB at three hours).
    with torch.inference_mode():
        for start in range(0, total, window):
            # Half a sample in, so that float seconds convert back to this exact sample.
            samples = source.read((start + 0.5) / SAMPLE_RATE, (start + window + 0.5) / SAMPLE_RATE)
            samples = np.pad(samples, (0, -len(samples) % FRAME_SAMPLES))
            frames = torch.from_numpy(np.ascontiguousarray(samples, np.float32))
            for chunk in frames.view(-1, FRAME_SAMPLES):
                probabilities[frame] = model(chunk, SAMPLE_RATE).item()
                frame += 1
                if on_progress is not None and frame % PROGRESS_EVERY_FRAMES == 0:
                    on_progress(100.0 * frame / len(probabilities))
    if on_progress is not None:
        on_progress(100.0)
    return probabilities[:frame]


def spans_from_probabilities(
    probabilities: np.ndarray, total_samples: int, settings: Settings
) -> list[TimeSpan]:
    """Speech regions from stored probabilities with the settings' threshold and timings
    (silero-vad's own hysteresis, padding and minimum lengths)."""
    from silero_vad import get_speech_timestamps_from_probs

    stamps = get_speech_timestamps_from_probs(
        probabilities.tolist(),
        threshold=settings.vad_threshold,
        sampling_rate=SAMPLE_RATE,
        min_silence_duration_ms=settings.vad_min_silence_ms,
        speech_pad_ms=settings.vad_speech_pad_ms,
        audio_length_samples=total_samples,
    )
    return [TimeSpan(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]
