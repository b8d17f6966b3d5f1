"""The canvas for one recording. Only ids cross the broker; tasks are addressed by name.

Each recording runs in a lane: interactive uploads use the ``cpu``/``gpu`` queues, folder
batches ``batch-cpu``/``batch-gpu``. Workers take from their queues in turn, so an upload never
waits behind a whole batch, only behind the few batch recordings admitted at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import chain, chord, group
from celery.canvas import Signature

from worker.celery_app import GPU_TASKS, celery_app, queue_name


def _task(name: str, lane: str, *args: object) -> Signature:
    kind = "gpu" if name in GPU_TASKS else "cpu"
    return celery_app.signature(name, args=args, immutable=True, queue=queue_name(kind, lane))


def pipeline_signature(recording_id: int, lane: str = "interactive") -> Signature:
    """ingest → speech → diarize → plan; plan replaces itself with the transcription chord."""
    return chain(
        _task("tingshuo.ingest", lane, recording_id),
        _task("tingshuo.detect_speech", lane, recording_id),
        _task("tingshuo.diarize", lane, recording_id),
        _task("tingshuo.plan_clips", lane, recording_id, lane),
    )


def transcription_signature(
    recording_id: int, clip_indices: Sequence[int], clips_per_task: int, lane: str
) -> Signature:
    """Clips in small batches, in parallel; once all are stored, the analysis, then finalize."""
    finalize = chain(
        _task("tingshuo.analyze_text", lane, recording_id),
        _task("tingshuo.analyze_sentiment", lane, recording_id),
        _task("tingshuo.analyze_pronunciation", lane, recording_id),
        _task("tingshuo.finalize", lane, recording_id),
    )
    if not clip_indices:
        return finalize
    step = max(1, clips_per_task)
    batches = [list(clip_indices[i : i + step]) for i in range(0, len(clip_indices), step)]
    header = group(_task("tingshuo.transcribe", lane, recording_id, b) for b in batches)
    return chord(header, finalize)


def enqueue(recording_id: int, lane: str = "interactive") -> str:
    result = pipeline_signature(recording_id, lane).apply_async()
    return str(result.id)
