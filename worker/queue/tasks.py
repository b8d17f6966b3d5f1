"""Thin Celery tasks: ids in (a recording and its run's generation), one stage, results stored
by the stage. Nothing heavy at import."""

from __future__ import annotations

from typing import Any

from celery import Task

from models.queues import START_TASK, celery_app
from models.settings import get_settings
from worker.folders.export import auto_export
from worker.queue.canvas import pipeline_signature, transcription_signature
from worker.queue.policy import run_optional_step, run_step
from worker.stages import (
    analyze,
    clips,
    diarize,
    finalize,
    ingest,
    language,
    pronunciation,
    sentiment,
    speech,
)
from worker.stages import transcribe as transcription
from worker.stages.audio import read_audio
from worker.stages.runs import RunScope, recording_length

TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": get_settings().task_max_retries,
}


@celery_app.task(name=START_TASK, **TASK_OPTIONS)
def start_run(
    self: Task, recording_id: int, generation: int, lane: str = "interactive", start_at: str = ""
) -> None:
    scope = RunScope(recording_id, generation)
    if start_at == "analysis":  # the run carries its transcript over (models/carry_over.py)
        raise self.replace(transcription_signature(scope, [], lane, recording_length(scope)))
    raise self.replace(pipeline_signature(scope, lane, recording_length(scope)))


@celery_app.task(name="tingshuo.ingest", **TASK_OPTIONS)
def ingest_task(self: Task, recording_id: int, generation: int) -> None:
    run_step(self, RunScope(recording_id, generation), "ingest", ingest.run)


@celery_app.task(name="tingshuo.detect_speech", **TASK_OPTIONS)
def speech_task(self: Task, recording_id: int, generation: int) -> None:
    run_step(self, RunScope(recording_id, generation), "speech", speech.run)


@celery_app.task(name="tingshuo.embed_speakers", **TASK_OPTIONS)
def embed_speakers_task(
    self: Task, recording_id: int, generation: int, part: int, parts: int
) -> None:
    scope = RunScope(recording_id, generation)
    run_step(self, scope, "speaker_embeddings", diarize.run_part, part, parts)


@celery_app.task(name="tingshuo.diarize", **TASK_OPTIONS)
def diarize_task(self: Task, recording_id: int, generation: int, parts: int = 1) -> None:
    run_step(self, RunScope(recording_id, generation), "diarize", diarize.run, parts)


@celery_app.task(name="tingshuo.plan_clips", **TASK_OPTIONS)
def plan_task(self: Task, recording_id: int, generation: int, lane: str = "interactive") -> None:
    scope = RunScope(recording_id, generation)
    run_step(self, scope, "plan", clips.run)
    run_step(self, scope, "language", language.run)
    batches = run_step(self, scope, "plan", clips.transcription_batches)
    raise self.replace(transcription_signature(scope, batches, lane, recording_length(scope)))


@celery_app.task(name="tingshuo.transcribe", **TASK_OPTIONS)
def transcribe_task(self: Task, recording_id: int, generation: int, indices: list[int]) -> None:
    run_step(self, RunScope(recording_id, generation), "transcribe", transcription.run, indices)


@celery_app.task(name="tingshuo.finalize", **TASK_OPTIONS)
def finalize_task(self: Task, recording_id: int, generation: int) -> None:
    lane = run_step(self, RunScope(recording_id, generation), "finalize", finalize.run)
    auto_export(recording_id)
    if lane == "batch":
        # A batch slot is free: admit the next waiting recording now rather than at beat's tick.
        celery_app.send_task("tingshuo.dispatch_batch")


def _audio(content_hash: str, start_s: float, end_s: float) -> object:
    return read_audio(get_settings(), content_hash, start_s, end_s)


@celery_app.task(name="tingshuo.analyze_text", **TASK_OPTIONS)
def analyze_text_task(self: Task, recording_id: int, generation: int) -> None:
    run_optional_step(self, RunScope(recording_id, generation), "analysis", analyze.run_text)


@celery_app.task(name="tingshuo.analyze_sentiment", **TASK_OPTIONS)
def sentiment_task(self: Task, recording_id: int, generation: int) -> None:
    scope = RunScope(recording_id, generation)
    run_optional_step(self, scope, "sentiment", sentiment.run, _audio)


@celery_app.task(name="tingshuo.analyze_pronunciation", **TASK_OPTIONS)
def pronunciation_task(self: Task, recording_id: int, generation: int) -> None:
    scope = RunScope(recording_id, generation)
    run_optional_step(self, scope, "pronunciation", pronunciation.run, _audio)
