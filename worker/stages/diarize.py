"""Diarization: speaker turns from the configured engine (pyannote, the CPU diarizer, none)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from models.records import TimeSpan
from models.settings import Settings
from worker.engines import cpu_diarizer, pyannote_engine, silero
from worker.engines.cpu_diarizer import SpeakerTurn


def choose_engine(settings: Settings) -> str:
    choice = settings.diarization_engine
    if choice != "auto":
        return choice
    source = settings.pyannote_pipeline
    local = Path(source).is_dir()
    if importlib.util.find_spec("pyannote.audio") and (
        local or settings.hf_token.get_secret_value()
    ):
        return "pyannote"
    if importlib.util.find_spec("resemblyzer"):
        return "cpu"
    return "none"


def model_id(settings: Settings, engine: str) -> str:
    return {"pyannote": settings.pyannote_pipeline, "cpu": cpu_diarizer.MODEL_ID}.get(engine, "")


def diarize(
    samples: np.ndarray,
    speech: Sequence[TimeSpan],
    settings: Settings,
    engine: str,
    num_speakers: int | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> list[SpeakerTurn]:
    if engine == "pyannote":
        pipeline = pyannote_engine.load_pipeline(
            settings.pyannote_pipeline, settings.hf_token.get_secret_value()
        )
        return pyannote_engine.diarize(pipeline, samples, num_speakers, on_progress=on_progress)
    if engine == "cpu":
        # Far-field speech is quiet: the diarizer looks with a more sensitive detector.
        sensitive = settings.model_copy(
            update={"vad_threshold": settings.diarization_vad_threshold}
        )
        regions = silero.speech_spans(samples, sensitive)
        options = cpu_diarizer.DiarizerOptions(threshold=settings.diarization_threshold)
        return cpu_diarizer.diarize(
            samples, regions, options, num_speakers, on_progress=on_progress
        )
    span = (
        TimeSpan(min(s.start_s for s in speech), max(s.end_s for s in speech)) if speech else None
    )
    return [SpeakerTurn(span.start_s, span.end_s, "SPEAKER_00")] if span else []
