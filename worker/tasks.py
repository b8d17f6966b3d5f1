"""Thin Celery tasks: ids in, one step, results stored by the step. Nothing heavy at import."""

from __future__ import annotations

from typing import Any

from celery import Task

from models.settings import get_settings
from worker import analysis_store, steps
from worker.celery_app import celery_app
from worker.pipeline import transcription_signature
from worker.runner import run_optional_step, run_step

TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": get_settings().task_max_retries,
}


@celery_app.task(name="tingshuo.ingest", **TASK_OPTIONS)
def ingest(self: Task, recording_id: int) -> int:
    run_step(self, recording_id, "ingest", steps.ingest_step)
    return recording_id


@celery_app.task(name="tingshuo.detect_speech", **TASK_OPTIONS)
def detect_speech(self: Task, recording_id: int) -> int:
    run_step(self, recording_id, "speech", steps.speech_step)
    return recording_id


@celery_app.task(name="tingshuo.diarize", **TASK_OPTIONS)
def diarize(self: Task, recording_id: int) -> int:
    run_step(self, recording_id, "diarize", steps.diarize_step)
    return recording_id


@celery_app.task(name="tingshuo.plan_clips", **TASK_OPTIONS)
def plan_clips(self: Task, recording_id: int, lane: str = "interactive") -> None:
    indices = run_step(self, recording_id, "plan", steps.plan_step)
    clips_per_task = get_settings().clips_per_task
    raise self.replace(transcription_signature(recording_id, indices, clips_per_task, lane))


@celery_app.task(name="tingshuo.transcribe", **TASK_OPTIONS)
def transcribe(self: Task, recording_id: int, clip_indices: list[int]) -> int:
    run_step(self, recording_id, "transcribe", steps.transcribe_step, clip_indices)
    return recording_id


@celery_app.task(name="tingshuo.finalize", **TASK_OPTIONS)
def finalize(self: Task, recording_id: int) -> int:
    lane = run_step(self, recording_id, "finalize", steps.finalize_step)
    if lane == "batch":
        # A batch slot is free: admit the next waiting recording now rather than at beat's tick.
        celery_app.send_task("tingshuo.dispatch_batch")
    return recording_id


def _audio(content_hash: str, start_s: float, end_s: float) -> object:
    return steps.read_audio(get_settings(), content_hash, start_s, end_s)


@celery_app.task(name="tingshuo.analyze_text", **TASK_OPTIONS)
def analyze_text(self: Task, recording_id: int) -> int:
    run_optional_step(self, recording_id, "analysis", analysis_store.analyze_text_step)
    return recording_id


@celery_app.task(name="tingshuo.analyze_sentiment", **TASK_OPTIONS)
def analyze_sentiment(self: Task, recording_id: int) -> int:
    run_optional_step(
        self, recording_id, "sentiment", analysis_store.analyze_sentiment_step, _audio
    )
    return recording_id


@celery_app.task(name="tingshuo.analyze_pronunciation", **TASK_OPTIONS)
def analyze_pronunciation(self: Task, recording_id: int) -> int:
    run_optional_step(
        self, recording_id, "pronunciation", analysis_store.analyze_pronunciation_step, _audio
    )
    return recording_id
