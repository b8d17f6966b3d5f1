"""Each step loads a recording by id, calls one stage function and stores what it returns.

Every step is idempotent: running it again replaces the rows it wrote before.
"""

from __future__ import annotations

import numpy as np
import soundfile as sf
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import session_scope
from models.records import TimeSpan
from models.settings import Settings, get_settings
from models.storage import audio_path, original_path
from models.tables import Clip, Segment, Speaker, SpeakerTurn, SpeechRegion
from worker.auto_export import auto_export
from worker.engines import silero
from worker.errors import CorruptAudioError, IncompleteTranscriptError
from worker.stages import clips as clip_stage
from worker.stages import diarize as diarize_stage
from worker.stages import ingest as ingest_stage
from worker.stages import speech as speech_stage
from worker.store import get_recording, set_progress, stage_run

DEFAULT_SPEAKER = "SPEAKER_00"


def _content_hash(recording_id: int) -> str:
    with session_scope() as session:
        return get_recording(session, recording_id).content_hash


def read_audio(
    settings: Settings, content_hash: str, start_s: float = 0.0, end_s: float | None = None
) -> np.ndarray:
    path = audio_path(settings, content_hash)
    if not path.exists():
        raise CorruptAudioError("the decoded audio is missing; re-run ingest")
    start = int(start_s * ingest_stage.SAMPLE_RATE)
    stop = None if end_s is None else int(end_s * ingest_stage.SAMPLE_RATE)
    samples, _ = sf.read(str(path), start=start, stop=stop, dtype="float32", always_2d=False)
    return np.asarray(samples, dtype=np.float32)


def ingest_step(recording_id: int) -> None:
    settings = get_settings()
    content_hash = _content_hash(recording_id)
    with stage_run(recording_id, "ingest", engine="ffmpeg") as run:
        info = ingest_stage.decode(
            original_path(settings, content_hash),
            audio_path(settings, content_hash),
            max_duration_s=settings.max_duration_s,
            min_duration_s=settings.min_duration_s,
        )
        run.raw_output = (
            f"format={info.source_format} codec={info.source_codec} "
            f"declared={info.declared_duration_s} decoded={info.duration_s:.3f}"
        )
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        recording.duration_s = info.duration_s
        recording.source_format = f"{info.source_format}/{info.source_codec}"[:64]
        recording.error = None


def speech_step(recording_id: int) -> None:
    settings = get_settings()
    samples = read_audio(settings, _content_hash(recording_id))
    total = max(1, len(samples))

    def report(percent: float) -> None:
        set_progress(recording_id, "speech", percent / 100.0)

    with stage_run(
        recording_id, "speech", engine=silero.ENGINE_NAME, model_id=silero.MODEL_ID
    ) as run:
        spans = speech_stage.detect_speech(
            samples, settings, report if total > 16000 * 600 else None
        )
        run.raw_output = " ".join(f"{s.start_s:.2f}-{s.end_s:.2f}" for s in spans)
    with session_scope() as session:
        session.execute(delete(SpeechRegion).where(SpeechRegion.recording_id == recording_id))
        session.add_all(
            SpeechRegion(recording_id=recording_id, start_s=s.start_s, end_s=s.end_s) for s in spans
        )


def _speech(session: Session, recording_id: int) -> list[TimeSpan]:
    return [
        TimeSpan(r.start_s, r.end_s)
        for r in session.scalars(
            select(SpeechRegion).where(SpeechRegion.recording_id == recording_id)
        )
    ]


def diarize_step(recording_id: int) -> None:
    settings = get_settings()
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        content_hash, expected = recording.content_hash, recording.expected_speakers
        spans = _speech(session, recording_id)
    samples = read_audio(settings, content_hash)
    engine = diarize_stage.choose_engine(settings)

    def report(fraction: float) -> None:
        set_progress(recording_id, "diarize", fraction)

    with stage_run(
        recording_id, "diarize", engine=engine, model_id=diarize_stage.model_id(settings, engine)
    ) as run:
        turns = diarize_stage.diarize(samples, spans, settings, engine, expected, report)
        run.raw_output = " ".join(f"{t.start_s:.2f}-{t.end_s:.2f}:{t.speaker}" for t in turns)
    with session_scope() as session:
        session.execute(delete(SpeakerTurn).where(SpeakerTurn.recording_id == recording_id))
        session.add_all(
            SpeakerTurn(
                recording_id=recording_id, start_s=t.start_s, end_s=t.end_s, speaker_label=t.speaker
            )
            for t in turns
        )


def plan_step(recording_id: int) -> list[int]:
    """Plan the clips on speaker turns; returns their indices. Resets earlier transcripts."""
    settings = get_settings()
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        duration = recording.duration_s or 0.0
        content_hash = recording.content_hash
        spans = _speech(session, recording_id)
        turns = [
            (t.start_s, t.end_s, t.speaker_label)
            for t in session.scalars(
                select(SpeakerTurn).where(SpeakerTurn.recording_id == recording_id)
            )
        ]
    samples = read_audio(settings, content_hash)
    quiet = speech_stage.quiet_point_finder(samples, ingest_stage.SAMPLE_RATE)
    with stage_run(recording_id, "plan", engine="clip-planner") as run:
        if turns:
            planned = clip_stage.plan_clips_on_turns(
                spans, turns, duration, max_clip_s=settings.clip_max_s, quiet_point=quiet
            )
        else:
            planned = clip_stage.plan_clips(
                spans, duration, max_clip_s=settings.clip_max_s, quiet_point=quiet
            )
        run.raw_output = " ".join(f"{c.start_s:.2f}-{c.end_s:.2f}" for c in planned)
    with session_scope() as session:
        for table in (Segment, Clip, Speaker):
            session.execute(delete(table).where(table.recording_id == recording_id))
        labels = sorted({c.speaker_label or DEFAULT_SPEAKER for c in planned}) or [DEFAULT_SPEAKER]
        session.add_all(
            Speaker(recording_id=recording_id, label=label, display_name=f"Speaker {n}")
            for n, label in enumerate(labels, start=1)
        )
        session.add_all(
            Clip(
                recording_id=recording_id,
                index=c.index,
                start_s=c.start_s,
                end_s=c.end_s,
                speaker_label=c.speaker_label,
            )
            for c in planned
        )
    return [c.index for c in planned]


def finalize_step(recording_id: int) -> str:
    """Mark the recording done, write its auto-exports; returns its lane."""
    with stage_run(recording_id, "finalize", engine="tingshuo"), session_scope() as session:
        recording = get_recording(session, recording_id)
        missing = session.scalars(
            select(Clip.index).where(Clip.recording_id == recording_id, Clip.transcribed.is_(False))
        ).all()
        if missing:
            raise IncompleteTranscriptError(f"clips {list(missing)} were never transcribed")
        recording.status = "done"
        recording.progress = 100
        recording.current_stage = "finalize"
        recording.finished_at = utcnow()
        recording.error = None
        lane = recording.lane
    auto_export(recording_id)
    return lane


from worker.transcription_steps import transcribe_step  # noqa: E402 - re-exported for tasks

__all__ = [
    "diarize_step",
    "finalize_step",
    "ingest_step",
    "plan_step",
    "read_audio",
    "speech_step",
    "transcribe_step",
]
