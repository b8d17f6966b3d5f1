"""Transcribing planned clips with faster-whisper, or with Qwen2-Audio's transcription prompt."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, select, update

from models.db import session_scope
from models.records import ClipTranscript, PlannedClip, TranscribedSegment
from models.settings import get_settings
from models.tables import Clip, Segment, Speaker
from worker import prompts
from worker.engines import select as engine_choice
from worker.engines import whisper as whisper_engine
from worker.engines.requests import Request
from worker.parsers import parse
from worker.stages import transcribe as transcribe_stage
from worker.steps import DEFAULT_SPEAKER, read_audio
from worker.store import (
    get_recording,
    record_run,
    set_progress,
    stage_run,
    transcribed_fraction,
)


def transcribe_step(recording_id: int, clip_indices: Sequence[int]) -> None:
    settings = get_settings()
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        content_hash, language = recording.content_hash, recording.language
        clips = [
            PlannedClip(c.index, c.start_s, c.end_s, c.speaker_label)
            for c in session.scalars(
                select(Clip)
                .where(Clip.recording_id == recording_id, Clip.index.in_(list(clip_indices)))
                .order_by(Clip.index)
            )
        ]
    hint = language or settings.default_language or None
    if engine_choice.transcription_engine_name(settings) == "qwen2-audio":
        _transcribe_with_qwen2_audio(recording_id, clips, content_hash, hint)
        return
    engine = whisper_engine.get_whisper(settings)
    for clip in clips:
        samples = read_audio(settings, content_hash, clip.start_s, clip.end_s)
        with stage_run(
            recording_id,
            "transcribe",
            engine=whisper_engine.ENGINE_NAME,
            model_id=engine.model_id,
            clip_index=clip.index,
        ) as run:
            result = transcribe_stage.transcribe_clip(samples, clip, engine, hint)
            run.raw_output = result.raw_output
        _store_clip_transcript(recording_id, clip, result)
        set_progress(recording_id, "transcribe", transcribed_fraction(recording_id))


def _transcribe_with_qwen2_audio(
    recording_id: int, clips: list[PlannedClip], content_hash: str, language: str | None
) -> None:
    """All clips of the task in one batched generate; each answer parsed and kept raw."""
    settings = get_settings()
    engine = engine_choice.analysis_engine(settings)
    assert engine is not None and engine.supports_audio
    named = {"en": "English", "zh": "Mandarin Chinese"}.get(language or "", "the language spoken")
    requests = [
        Request(
            prompts.TRANSCRIPT.render(language=named),
            read_audio(settings, content_hash, clip.start_s, clip.end_s),
        )
        for clip in clips
    ]
    started = time.perf_counter()
    answers = engine.generate(requests, prompts.TRANSCRIPT.max_new_tokens)
    share = (time.perf_counter() - started) / max(1, len(clips))
    for clip, raw in zip(clips, answers, strict=True):
        parsed = parse("transcript", raw)
        text, spoken = parsed.data.get("text"), parsed.data.get("language")
        record_run(
            recording_id,
            "transcribe",
            engine=engine.name,
            model_id=engine.model_id,
            clip_index=clip.index,
            prompt_version=prompts.TRANSCRIPT.version,
            subject=None,
            raw_output=raw,
            duration_s=share,
            parse_status=parsed.status,
        )
        segments = [TranscribedSegment(clip.start_s, clip.end_s, text)] if text else []
        _store_clip_transcript(
            recording_id, clip, ClipTranscript(clip.index, language or spoken, segments, raw)
        )
        set_progress(recording_id, "transcribe", transcribed_fraction(recording_id))


def _store_clip_transcript(recording_id: int, clip: PlannedClip, result: ClipTranscript) -> None:
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        if result.language and not recording.language:
            recording.language = result.language
        speaker_id = session.scalar(
            select(Speaker.id).where(
                Speaker.recording_id == recording_id,
                Speaker.label == (clip.speaker_label or DEFAULT_SPEAKER),
            )
        )
        session.execute(
            delete(Segment).where(
                Segment.recording_id == recording_id, Segment.clip_index == clip.index
            )
        )
        session.add_all(
            Segment(
                recording_id=recording_id,
                speaker_id=speaker_id,
                clip_index=clip.index,
                start_s=s.start_s,
                end_s=s.end_s,
                text=s.text,
                confidence=s.confidence,
            )
            for s in result.segments
        )
        session.execute(
            update(Clip)
            .where(Clip.recording_id == recording_id, Clip.index == clip.index)
            .values(transcribed=True)
        )
