"""The canvas for one recording. Only ids cross the broker; tasks are addressed by name."""

from __future__ import annotations

from collections.abc import Sequence

from celery import chain, chord, group
from celery.canvas import Signature

from worker.celery_app import celery_app


def _task(name: str, *args: object) -> Signature:
    return celery_app.signature(name, args=args, immutable=True)


def pipeline_signature(recording_id: int) -> Signature:
    """ingest → speech → plan; the plan task replaces itself with the transcription chord."""
    return chain(
        _task("tingshuo.ingest", recording_id),
        _task("tingshuo.detect_speech", recording_id),
        _task("tingshuo.plan_clips", recording_id),
    )


def transcription_signature(
    recording_id: int, clip_indices: Sequence[int], clips_per_task: int
) -> Signature:
    """Clips in small batches, in parallel, then finalize once all are stored."""
    finalize = _task("tingshuo.finalize", recording_id)
    if not clip_indices:
        return finalize
    batches = [
        list(clip_indices[i : i + clips_per_task])
        for i in range(0, len(clip_indices), max(1, clips_per_task))
    ]
    return chord(group(_task("tingshuo.transcribe", recording_id, b) for b in batches), finalize)


def enqueue(recording_id: int) -> str:
    result = pipeline_signature(recording_id).apply_async()
    return str(result.id)
