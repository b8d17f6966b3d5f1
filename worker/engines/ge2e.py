"""GE2E speaker embeddings (resemblyzer) of windows of speech, for the CPU diarizer."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from models.records import TimeSpan
from worker.engines.audio_source import AudioSource, as_source

SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100  # resemblyzer's mel frames are 10 ms apart
BATCH = 64

_lock = threading.Lock()
_encoder: Any = None


def _load_encoder() -> Any:
    global _encoder
    with _lock:
        if _encoder is None:
            from resemblyzer import VoiceEncoder

            _encoder = VoiceEncoder(device="cpu", verbose=False)
        return _encoder


def embed(
    audio: AudioSource | np.ndarray, windows: Sequence[TimeSpan], window_s: float
) -> np.ndarray:
    """One L2-normalised 256-d embedding per window (batched through the GE2E encoder).

    Each window is brought to the loudness the encoder was trained at (-30 dBFS) before its
    mel spectrogram is taken: far-field talkers are quiet, and GE2E reads unnormalised power
    spectrograms, so without this a distant voice looks like a different kind of voice. On
    the shared AMI excerpts it halved the speaker confusion (README)."""
    import torch
    from resemblyzer.audio import wav_to_mel_spectrogram

    encoder = _load_encoder()
    source = as_source(audio)
    size = int(window_s * FRAMES_PER_SECOND)
    vectors = [np.zeros((0, 256), dtype=np.float32)]
    for first in range(0, len(windows), BATCH):
        batch = []
        for window in windows[first : first + BATCH]:
            piece = source.read(window.start_s, window.start_s + window_s)
            if len(piece) < SAMPLE_RATE // 10:
                piece = source.read(window.start_s - 0.1, window.start_s + 0.1)
            mel = wav_to_mel_spectrogram(_at_training_loudness(piece))
            if len(mel) < size:  # short regions: repeat the frames to fill the window
                mel = np.resize(mel, (size, mel.shape[1]))
            batch.append(mel[:size])
        with torch.no_grad():
            vectors.append(encoder(torch.from_numpy(np.stack(batch)).float()).numpy())
    return np.concatenate(vectors)


TRAINING_DBFS = -30.0
MAX_GAIN_DB = 50.0


def _at_training_loudness(piece: np.ndarray) -> np.ndarray:
    level = 10 * math.log10(float(np.mean(piece.astype(np.float64) ** 2)) + 1e-12)
    gain = 10 ** (min(TRAINING_DBFS - level, MAX_GAIN_DB) / 20)
    return np.asarray(piece * gain, dtype=np.float32)
