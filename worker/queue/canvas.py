"""The canvas for one pipeline run. Only ids cross the broker (the recording and its run's
generation); tasks are addressed by name.

Each recording runs in a lane: interactive uploads use the ``cpu``/``gpu`` queues, folder
batches ``batch-cpu``/``batch-gpu``. Workers read both lanes, interactive first, so an upload
never waits behind a whole batch, only behind the few batch recordings admitted at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import chain, chord, group
from celery.canvas import Signature

from models.queues import GPU_TASKS, celery_app, queue_name
from worker.stages.runs import RunScope


def _task(name: str, lane: str, *args: object) -> Signature:
    kind = "gpu" if name in GPU_TASKS else "cpu"
    return celery_app.signature(name, args=args, immutable=True, queue=queue_name(kind, lane))


def pipeline_signature(scope: RunScope, lane: str = "interactive") -> Signature:
    """ingest → speech → diarize → plan; plan replaces itself with the transcription chord."""
    ids = (scope.recording_id, scope.generation)
    return chain(
        _task("tingshuo.ingest", lane, *ids),
        _task("tingshuo.detect_speech", lane, *ids),
        _task("tingshuo.diarize", lane, *ids),
        _task("tingshuo.plan_clips", lane, *ids, lane),
    )


def transcription_signature(
    scope: RunScope, clip_indices: Sequence[int], clips_per_task: int, lane: str
) -> Signature:
    """Clips in small batches, in parallel; once all are stored, the analysis, then finalize."""
    ids = (scope.recording_id, scope.generation)
    finalize = chain(
        _task("tingshuo.analyze_text", lane, *ids),
        _task("tingshuo.analyze_sentiment", lane, *ids),
        _task("tingshuo.analyze_pronunciation", lane, *ids),
        _task("tingshuo.finalize", lane, *ids),
    )
    if not clip_indices:
        return finalize
    step = max(1, clips_per_task)
    batches = [list(clip_indices[i : i + step]) for i in range(0, len(clip_indices), step)]
    header = group(_task("tingshuo.transcribe", lane, *ids, b) for b in batches)
    return chord(header, finalize)
