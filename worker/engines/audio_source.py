"""Where an engine reads audio from: a decoded recording on disk, read a window at a time, or
samples already in memory (tests, benchmarks). Engines that walk a whole recording take an
``AudioSource`` so that nothing holds an hour of audio in memory (float32 at 16 kHz is about
230 MB an hour)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000


class AudioSource(Protocol):
    @property
    def duration_s(self) -> float: ...

    def read(self, start_s: float, end_s: float) -> np.ndarray:
        """The float32 samples between two times (clamped to the recording)."""
        ...


class InMemoryAudio:
    def __init__(self, samples: np.ndarray) -> None:
        self.samples = np.asarray(samples, dtype=np.float32)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def read(self, start_s: float, end_s: float) -> np.ndarray:
        start = max(0, int(start_s * SAMPLE_RATE))
        return self.samples[start : max(start, int(end_s * SAMPLE_RATE))]


def as_source(audio: AudioSource | np.ndarray) -> AudioSource:
    """Samples in memory wrapped to be read like a recording on disk; a source as it is."""
    return InMemoryAudio(audio) if isinstance(audio, np.ndarray) else audio


class WavFile:
    """A 16 kHz mono WAV kept open and read by seeking (one handle, guarded for threads)."""

    def __init__(self, path: Path) -> None:
        self._file = sf.SoundFile(str(path))
        if self._file.samplerate != SAMPLE_RATE or self._file.channels != 1:
            self._file.close()
            raise ValueError(f"{path} is not 16 kHz mono")
        self._frames = int(self._file.frames)
        self._lock = threading.Lock()

    @property
    def duration_s(self) -> float:
        return self._frames / SAMPLE_RATE

    def read(self, start_s: float, end_s: float) -> np.ndarray:
        start = min(self._frames, max(0, int(start_s * SAMPLE_RATE)))
        stop = min(self._frames, max(start, int(end_s * SAMPLE_RATE)))
        with self._lock:
            self._file.seek(start)
            samples = self._file.read(stop - start, dtype="float32", always_2d=False)
        return np.asarray(samples, dtype=np.float32)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> WavFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
