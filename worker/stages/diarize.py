"""Diarization: speaker turns from the configured engine (pyannote, the CPU diarizer, none),
stored with the run's speakers (names people gave carried over, see speakers.py).

A long recording's CPU diarization is split: ``run_part`` tasks each embed one share of the
speech windows and store it beside the audio, then ``run`` clusters all of them (embedding any
part that is missing itself) and stores the turns. Embedding is nearly all of the time;
clustering in chunks is bounded (see worker/engines/linkage.py)."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from models.db import session_scope
from models.records import TimeSpan
from models.settings import Settings, get_settings
from models.storage import speaker_embeddings_path
from models.tables import Speaker, SpeakerTurn
from worker.engines import cpu_diarizer, pyannote_engine, silero
from worker.engines.audio_source import AudioSource, as_source
from worker.engines.cpu_diarizer import SpeakerTurn as Turn
from worker.engines.ge2e import embed
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
    embedded: Callable[[list[TimeSpan]], np.ndarray] | None = None,
) -> list[Turn]:
    """``probabilities``: the speech stage's detector output, when stored (else the detector
    runs again here); ``embedded``: the CPU diarizer's window embeddings, when made by parts."""
    if engine == "pyannote":
        pipeline = pyannote_engine.load_pipeline(
            settings.pyannote_pipeline, settings.hf_token.get_secret_value()
        )
        # pyannote takes the waveform in memory (GPU workers have room for it).
        samples = audio if isinstance(audio, np.ndarray) else audio.read(0.0, audio.duration_s)
        return pyannote_engine.diarize(pipeline, samples, num_speakers, on_progress=on_progress)
    if engine == "cpu":
        regions = _regions_heard(as_source(audio), settings, probabilities)
        return cpu_diarizer.diarize(
            audio,
            regions,
            cpu_options(settings),
            num_speakers,
            on_progress=on_progress,
            embedded=embedded,
        )
    span = (
        TimeSpan(min(s.start_s for s in speech), max(s.end_s for s in speech)) if speech else None
    )
    return [Turn(span.start_s, span.end_s, DEFAULT_SPEAKER)] if span else []


def cpu_options(settings: Settings) -> cpu_diarizer.DiarizerOptions:
    return cpu_diarizer.DiarizerOptions(threshold=settings.diarization_threshold)


def _regions_heard(
    source: AudioSource, settings: Settings, probabilities: np.ndarray | None
) -> list[TimeSpan]:
    """Far-field speech is quiet: the diarizer looks with a more sensitive detector."""
    sensitive = settings.model_copy(update={"vad_threshold": settings.diarization_vad_threshold})
    if probabilities is None:
        probabilities = silero.speech_probabilities(source)
    return silero.spans_from_probabilities(probabilities, silero.sample_count(source), sensitive)


def parts_for(settings: Settings, duration_s: float | None) -> int:
    """How many tasks embed a recording of this length for the CPU diarizer (1: the diarize
    task does it all)."""
    if not duration_s or choose_engine(settings) != "cpu":
        return 1
    return max(1, math.ceil(duration_s / settings.diarization_part_s))


def run_part(scope: RunScope, part: int, parts: int) -> None:
    """Embed part ``part`` of ``parts`` of the speech windows and store it for ``run``."""
    settings = get_settings()
    with session_scope() as session:
        content_hash = guard(session, scope).content_hash
    if choose_engine(settings) != "cpu":
        return  # this worker diarizes with another engine: nothing to prepare
    options = cpu_options(settings)
    with (
        open_audio(settings, content_hash) as audio,
        stage_run(
            scope,
            "speaker_embeddings",
            engine="cpu",
            model_id=cpu_diarizer.MODEL_ID,
            subject_kind="part",
            subject_index=part,
        ),
    ):
        stored = load_probabilities(settings, content_hash, silero.frame_count(audio))
        windows = cpu_diarizer.speech_windows(_regions_heard(audio, settings, stored), options)
        mine = cpu_diarizer.part_of(windows, part, parts)
        vectors = embed(audio, mine, options.window_s)
        path = _part_path(settings, content_hash, scope, part)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        with partial.open("wb") as out:
            np.savez(out, windows=_as_array(mine), vectors=vectors)
        partial.replace(path)


def _part_path(settings: Settings, content_hash: str, scope: RunScope, part: int) -> Path:
    run_name = f"{scope.recording_id}-{scope.generation}"
    return speaker_embeddings_path(settings, content_hash, run_name, part)


def _as_array(windows: Sequence[TimeSpan]) -> np.ndarray:
    return np.array([(w.start_s, w.end_s) for w in windows], dtype=np.float64).reshape(-1, 2)


def _from_parts(
    settings: Settings, content_hash: str, scope: RunScope, parts: int, audio: AudioSource
) -> Callable[[list[TimeSpan]], np.ndarray]:
    """Embeddings read from the parts' files; a part that is missing, or was embedded from other
    windows (settings changed in between), is embedded here."""
    window_s = cpu_options(settings).window_s

    def embedded(windows: list[TimeSpan]) -> np.ndarray:
        vectors = [np.zeros((0, 256), dtype=np.float32)]
        for part in range(parts):
            mine = cpu_diarizer.part_of(windows, part, parts)
            try:
                with np.load(_part_path(settings, content_hash, scope, part)) as stored:
                    same = np.array_equal(stored["windows"], _as_array(mine))
                    found = stored["vectors"] if same else None
            except (OSError, ValueError, KeyError):
                found = None
            vectors.append(found if found is not None else embed(audio, mine, window_s))
        return np.concatenate(vectors)

    return embedded


def _remove_parts(settings: Settings, content_hash: str, scope: RunScope) -> None:
    """This run's part files, and those an earlier run of the recording left (superseded, or
    failed after its parts); a later run's are its own."""
    folder = _part_path(settings, content_hash, scope, 0).parent
    for path in folder.glob(f"{scope.recording_id}-*-part*.npz"):
        generation = path.name.split("-")[1]
        if generation.isdigit() and int(generation) <= scope.generation:
            path.unlink(missing_ok=True)


def run(scope: RunScope, parts: int = 1) -> None:
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
            embedded = (
                _from_parts(settings, content_hash, scope, parts, audio) if parts > 1 else None
            )
            turns = diarize(audio, spans, settings, engine, expected, report, stored, embedded)
            handle.raw_output = " ".join(
                f"{t.start_s:.2f}-{t.end_s:.2f}:{t.speaker}" for t in turns
            )
        _store_turns(scope, turns, spans)
        store_voices(scope, audio, _talk(turns, spans))
    _remove_parts(settings, content_hash, scope)


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
