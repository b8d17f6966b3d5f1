"""Reading a recording's decoded audio (16 kHz mono WAV, written by ingest) from disk, a window
at a time, finding its quiet points, and where a run found speech in it. Shared by the stages;
it imports none of them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import soundfile as sf
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.records import TimeSpan
from models.settings import Settings
from models.storage import audio_path, speech_probabilities_path
from models.tables import SpeechRegion
from worker.engines.audio_source import WavFile
from worker.errors import CorruptAudioError
from worker.stages.runs import RunScope

SAMPLE_RATE = 16000
FRAME_S = 0.05


def read_audio(
    settings: Settings, content_hash: str, start_s: float = 0.0, end_s: float | None = None
) -> np.ndarray:
    """The samples between two times (the whole file when ``end_s`` is None) as float32."""
    path = audio_path(settings, content_hash)
    if not path.exists():
        raise CorruptAudioError("the decoded audio is missing; re-run ingest")
    start = int(start_s * SAMPLE_RATE)
    stop = None if end_s is None else int(end_s * SAMPLE_RATE)
    samples, _ = sf.read(str(path), start=start, stop=stop, dtype="float32", always_2d=False)
    return np.asarray(samples, dtype=np.float32)


def open_audio(settings: Settings, content_hash: str) -> WavFile:
    """The decoded recording, opened to be read a window at a time (close it, or use ``with``)."""
    path = audio_path(settings, content_hash)
    if not path.exists():
        raise CorruptAudioError("the decoded audio is missing; re-run ingest")
    return WavFile(path)


def save_probabilities(settings: Settings, content_hash: str, probabilities: np.ndarray) -> None:
    """Kept beside the audio for the diarizer (written whole, then renamed into place)."""
    path = speech_probabilities_path(settings, content_hash)
    partial = path.with_suffix(".partial.npy")
    np.save(partial, probabilities.astype(np.float32))
    partial.replace(path)


def load_probabilities(settings: Settings, content_hash: str, frames: int) -> np.ndarray | None:
    """The stored probabilities, or None when missing or not this recording's length."""
    path = speech_probabilities_path(settings, content_hash)
    try:
        stored = np.load(path)
    except (OSError, ValueError):
        return None
    return stored if len(stored) == frames else None


def quiet_points_on_disk(settings: Settings, content_hash: str) -> Callable[[float, float], float]:
    """Like ``quiet_point_finder``, reading only the part of the recording it searches."""

    def quietest(start_s: float, end_s: float) -> float:
        samples = read_audio(settings, content_hash, start_s, end_s)
        return start_s + quiet_point_finder(samples, SAMPLE_RATE)(0.0, end_s - start_s)

    return quietest


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


def speech_regions(session: Session, scope: RunScope) -> list[TimeSpan]:
    """The run's speech regions, in time order (the input of diarization and clip planning)."""
    return [
        TimeSpan(r.start_s, r.end_s)
        for r in session.scalars(
            select(SpeechRegion)
            .where(
                SpeechRegion.recording_id == scope.recording_id,
                SpeechRegion.generation == scope.generation,
            )
            .order_by(SpeechRegion.start_s)
        )
    ]
