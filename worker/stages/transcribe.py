"""Transcription of planned clips: faster-whisper, or Qwen2-Audio's transcription prompt (whose
answers are parsed, kept raw, and can be parsed again by ``tingshuo reparse``). Segment times
come back relative to the recording."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select, update

from models.db import session_scope
from models.records import ClipTranscript, PlannedClip, TranscribedSegment
from models.settings import get_settings
from models.tables import Clip, Segment, Speaker
from worker.analysis import prompts
from worker.analysis.parsers import parse
from worker.engines import select as engine_choice
from worker.engines import whisper as whisper_engine
from worker.engines.requests import Request
from worker.engines.whisper import HeardWord, WhisperEngine
from worker.stages.audio import read_audio, speech_regions
from worker.stages.filled_windows import (
    Stretch,
    clips_holding,
    segments_of_clips,
    stretches_of,
    unheard_speech,
    with_clips_read_again,
    words_in_recording,
)
from worker.stages.runs import (
    DEFAULT_SPEAKER,
    RunHandle,
    RunScope,
    flag_parse,
    guard,
    record_run,
    set_progress,
    stage_run,
    transcribed_fraction,
)

LANGUAGE_NAMES = {"en": "English", "zh": "Mandarin Chinese"}


def transcribe_clip(
    samples: np.ndarray, clip: PlannedClip, engine: WhisperEngine, language: str | None
) -> ClipTranscript:
    """``samples`` holds exactly the clip's audio (16 kHz mono float32)."""
    result = engine.transcribe(samples, language or None)
    segments = []
    for seg in result.segments:
        start = min(clip.end_s, clip.start_s + max(0.0, seg.start_s))
        end = min(clip.end_s, clip.start_s + max(seg.end_s, seg.start_s))
        segments.append(TranscribedSegment(start, max(start, end), seg.text, seg.confidence))
    return ClipTranscript(clip.index, result.language, segments, result.raw_output)


@dataclass(frozen=True)
class _Planned:  # what a transcription task reads: its clips, and facts of their recording
    clips: list[PlannedClip]
    content_hash: str
    language: str
    people: tuple[str, ...]


def _planned(scope: RunScope, clip_indices: Sequence[int]) -> _Planned:
    with session_scope() as session:
        recording = guard(session, scope)
        clips = [
            PlannedClip(c.index, c.start_s, c.end_s, c.speaker_label)
            for c in session.scalars(
                select(Clip)
                .where(
                    Clip.recording_id == scope.recording_id,
                    Clip.generation == scope.generation,
                    Clip.index.in_(list(clip_indices)),
                )
                .order_by(Clip.index)
            )
        ]
        people = tuple(str(name) for name in recording.people or [])
        return _Planned(clips, recording.content_hash, recording.language or "", people)


def run(scope: RunScope, clip_indices: Sequence[int]) -> None:
    settings = get_settings()
    task = _planned(scope, clip_indices)
    if not task.clips:
        return
    hint = task.language or settings.default_language or None
    if engine_choice.transcription_engine_name(settings) == "qwen2-audio":
        _transcribe_with_qwen2_audio(scope, task.clips, task.content_hash, hint)
        return
    engine = whisper_engine.get_whisper(settings)
    if not settings.whisper_fill_windows:
        _transcribe_clip_by_clip(scope, task.clips, task.content_hash, engine, hint)
        return
    _transcribe_together(scope, task.clips, task.content_hash, engine, hint, task.people)


def _whisper_run(
    scope: RunScope, engine: WhisperEngine, first_clip: int, clips: list[int] | None = None
) -> AbstractContextManager[RunHandle]:
    """The StageRun of one Whisper call: about one clip, or (``clips``) several read together."""
    return stage_run(
        scope,
        "transcribe",
        engine=whisper_engine.ENGINE_NAME,
        model_id=engine.model_id,
        subject_kind="clip",
        subject_index=first_clip,
        subject={"clips": clips} if clips is not None else None,
    )


def _transcribe_together(
    scope: RunScope,
    clips: list[PlannedClip],
    content_hash: str,
    engine: WhisperEngine,
    hint: str | None,
    people: Sequence[str] = (),
) -> None:
    """The task's clips read as plain faster-whisper reads a recording; words back to clips.

    Told the people's names, Whisper spells them ("Omar", not "Oh my"), but it may then skip
    speech: in measured meetings it jumped from the middle to the last line. The clips where a
    reading with names left detected speech unheard are read again without them, and their
    words taken from that second reading (kept in the raw answer too)."""
    settings = get_settings()
    language_code = (
        hint
        or engine.language_probabilities(
            read_audio(settings, content_hash, clips[0].start_s, clips[0].end_s)
        )[0][0]
    )
    stretches = stretches_of(clips)
    samples = _joined_audio(content_hash, stretches)
    with _whisper_run(scope, engine, clips[0].index, [c.index for c in clips]) as handle:
        heard, handle.raw_output = engine.words(samples, language_code, people)
        words = words_in_recording(stretches, heard)
        if people:
            words, handle.raw_output = skipped_read_again(
                scope, clips, content_hash, engine, language_code, words, handle.raw_output
            )
    segments = segments_of_clips(clips, words, language_code)
    for clip in clips:
        store_clip_transcript(
            scope, clip, ClipTranscript(clip.index, language_code, segments[clip.index])
        )
    set_progress(scope, "transcribe", transcribed_fraction(scope))


def _joined_audio(content_hash: str, stretches: Sequence[Stretch]) -> np.ndarray:
    """The stretches' audio put end to end, as Whisper reads it."""
    settings = get_settings()
    return np.concatenate(
        [read_audio(settings, content_hash, s.start_s, s.end_s) for s in stretches]
    )


def skipped_read_again(
    scope: RunScope,
    clips: list[PlannedClip],
    content_hash: str,
    engine: WhisperEngine,
    language: str,
    words: list[HeardWord],
    raw: str,
) -> tuple[list[HeardWord], str]:
    """The words of a reading with names, those of the clips where it left detected speech
    unheard read again without the names; the raw answer with that second answer added."""
    with session_scope() as session:
        regions = speech_regions(session, scope)
    unheard = clips_holding(clips, unheard_speech(clips, regions, words))
    if not unheard:
        return words, raw
    again = stretches_of(unheard)
    heard, raw_again = engine.words(_joined_audio(content_hash, again), language)
    words = with_clips_read_again(clips, words, unheard, words_in_recording(again, heard))
    read_again = {"clips": [c.index for c in unheard], **json.loads(raw_again)}
    answer = {**json.loads(raw), "read_again_without_names": read_again}
    return words, json.dumps(answer, ensure_ascii=False)


def _transcribe_clip_by_clip(
    scope: RunScope,
    clips: list[PlannedClip],
    content_hash: str,
    engine: WhisperEngine,
    language: str | None,
) -> None:
    for clip in clips:
        samples = read_audio(get_settings(), content_hash, clip.start_s, clip.end_s)
        with _whisper_run(scope, engine, clip.index) as handle:
            result = transcribe_clip(samples, clip, engine, language)
            handle.raw_output = result.raw_output
        store_clip_transcript(scope, clip, result)
        set_progress(scope, "transcribe", transcribed_fraction(scope))


def _transcribe_with_qwen2_audio(
    scope: RunScope, clips: list[PlannedClip], content_hash: str, language: str | None
) -> None:
    """All clips of the task in one batched generate; each answer parsed and kept raw."""
    settings = get_settings()
    engine = engine_choice.analysis_engine(settings)
    assert engine is not None and engine.supports_audio
    named = LANGUAGE_NAMES.get(language or "", "the language spoken")
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
        run_id = record_run(
            scope,
            "transcribe",
            engine=engine.name,
            model_id=engine.model_id,
            subject_kind="clip",
            subject_index=clip.index,
            prompt_version=prompts.TRANSCRIPT.version,
            subject={"start_s": clip.start_s, "end_s": clip.end_s},
            raw_output=raw,
            duration_s=share,
        )
        store_parsed_transcript(scope, clip, run_id, raw, language)
        set_progress(scope, "transcribe", transcribed_fraction(scope))


def store_parsed_transcript(
    scope: RunScope, clip: PlannedClip, run_id: int, raw: str, language: str | None
) -> str:
    """Parse a model's transcription answer for one clip and store it; an answer with no text
    is flagged on the clip (and its StageRun keeps the raw answer), never silently dropped."""
    parsed = parse("transcript", raw)
    text, spoken = parsed.data.get("text"), parsed.data.get("language")
    segments = [TranscribedSegment(clip.start_s, clip.end_s, text)] if text else []
    store_clip_transcript(
        scope, clip, ClipTranscript(clip.index, language or spoken, segments, raw)
    )
    flag_parse(run_id, parsed.status)
    return parsed.status


def store_clip_transcript(scope: RunScope, clip: PlannedClip, result: ClipTranscript) -> None:
    rid, generation = scope.recording_id, scope.generation
    with session_scope() as session:
        recording = guard(session, scope)
        if result.language and not recording.language:
            recording.language = result.language
        speaker_id = session.scalar(
            select(Speaker.id).where(
                Speaker.recording_id == rid,
                Speaker.generation == generation,
                Speaker.label == (clip.speaker_label or DEFAULT_SPEAKER),
            )
        )
        session.execute(
            delete(Segment).where(
                Segment.recording_id == rid,
                Segment.generation == generation,
                Segment.clip_index == clip.index,
            )
        )
        session.add_all(
            Segment(
                recording_id=rid,
                generation=generation,
                speaker_id=speaker_id,
                clip_index=clip.index,
                start_s=s.start_s,
                end_s=s.end_s,
                text=s.text,
                confidence=s.confidence,
                unsure_words=None if s.unsure_words is None else [list(w) for w in s.unsure_words],
            )
            for s in result.segments
        )
        session.execute(
            update(Clip)
            .where(
                Clip.recording_id == rid, Clip.generation == generation, Clip.index == clip.index
            )
            .values(transcribed=True, transcript_status="ok" if result.segments else "empty")
        )
