"""Diarization: speaker turns from the configured engine (pyannote, the CPU diarizer, none),
stored with the run's speakers (names people gave carried over, see speakers.py)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from models.db import session_scope
from models.records import TimeSpan
from models.settings import Settings, get_settings
from models.tables import Speaker, SpeakerTurn
from worker.engines import cpu_diarizer, pyannote_engine, silero
from worker.engines.audio_source import AudioSource, as_source
from worker.engines.cpu_diarizer import SpeakerTurn as Turn
from worker.stages.audio import load_probabilities, open_audio, speech_regions
from worker.stages.runs import (
    DEFAULT_SPEAKER,
    RunScope,
    delete_run_rows,
    guard,
    progress_reporter,
    stage_run,
)
from worker.stages.speakers import add_speakers
from worker.stages.voices import store_voices


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
    audio: AudioSource | np.ndarray,
    speech: Sequence[TimeSpan],
    settings: Settings,
    engine: str,
    num_speakers: int | None = None,
    on_progress: Callable[[float], None] | None = None,
    probabilities: np.ndarray | None = None,
) -> list[Turn]:
    """``probabilities``: the speech stage's detector output, when stored (else the detector
    runs again here)."""
    if engine == "pyannote":
        pipeline = pyannote_engine.load_pipeline(
            settings.pyannote_pipeline, settings.hf_token.get_secret_value()
        )
        # pyannote takes the waveform in memory (GPU workers have room for it).
        samples = audio if isinstance(audio, np.ndarray) else audio.read(0.0, audio.duration_s)
        return pyannote_engine.diarize(pipeline, samples, num_speakers, on_progress=on_progress)
    if engine == "cpu":
        # Far-field speech is quiet: the diarizer looks with a more sensitive detector.
        sensitive = settings.model_copy(
            update={"vad_threshold": settings.diarization_vad_threshold}
        )
        source = as_source(audio)
        if probabilities is None:
            probabilities = silero.speech_probabilities(source)
        regions = silero.spans_from_probabilities(
            probabilities, silero.sample_count(source), sensitive
        )
        options = cpu_diarizer.DiarizerOptions(threshold=settings.diarization_threshold)
        return cpu_diarizer.diarize(audio, regions, options, num_speakers, on_progress=on_progress)
    span = (
        TimeSpan(min(s.start_s for s in speech), max(s.end_s for s in speech)) if speech else None
    )
    return [Turn(span.start_s, span.end_s, DEFAULT_SPEAKER)] if span else []


def run(scope: RunScope) -> None:
    settings = get_settings()
    with session_scope() as session:
        recording = guard(session, scope)
        content_hash, expected = recording.content_hash, recording.expected_speakers
        spans = speech_regions(session, scope)
    engine = choose_engine(settings)

    report = progress_reporter(scope, "diarize")

    with open_audio(settings, content_hash) as audio:
        with stage_run(
            scope, "diarize", engine=engine, model_id=model_id(settings, engine)
        ) as handle:
            stored = load_probabilities(settings, content_hash, silero.frame_count(audio))
            turns = diarize(audio, spans, settings, engine, expected, report, stored)
            handle.raw_output = " ".join(
                f"{t.start_s:.2f}-{t.end_s:.2f}:{t.speaker}" for t in turns
            )
        _store_turns(scope, turns, spans)
        store_voices(scope, audio, _talk(turns, spans))


def _talk(turns: Sequence[Turn], spans: Sequence[TimeSpan]) -> dict[str, list[tuple[float, float]]]:
    """Each speaker's stretches of talk (everything to the default speaker when none was found)."""
    talk: dict[str, list[tuple[float, float]]] = {}
    for turn in turns:
        talk.setdefault(turn.speaker, []).append((turn.start_s, turn.end_s))
    if not talk:
        talk[DEFAULT_SPEAKER] = [(s.start_s, s.end_s) for s in spans]
    return talk


def _store_turns(scope: RunScope, turns: Sequence[Turn], spans: Sequence[TimeSpan]) -> None:
    with session_scope() as session:
        guard(session, scope)
        for table in (SpeakerTurn, Speaker):
            delete_run_rows(session, table, scope)
        session.add_all(
            SpeakerTurn(
                recording_id=scope.recording_id,
                generation=scope.generation,
                start_s=t.start_s,
                end_s=t.end_s,
                speaker_label=t.speaker,
            )
            for t in turns
        )
        add_speakers(session, scope, _talk(turns, spans))
