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

from models.queues import GPU_TASKS, celery_app, queue_name, time_limits
from models.settings import get_settings
from worker.stages import diarize
from worker.stages.runs import RunScope


def _task(name: str, lane: str, *args: object) -> Signature:
    kind = "gpu" if name in GPU_TASKS else "cpu"
    return celery_app.signature(name, args=args, immutable=True, queue=queue_name(kind, lane))


def pipeline_signature(
    scope: RunScope, lane: str = "interactive", duration_s: float | None = None
) -> Signature:
    """ingest → speech → [speaker embedding parts] → diarize → plan; plan replaces itself with
    the transcription chord.

    Each of these reads the whole recording: their time limits follow its length. A long
    recording's speaker embedding is split into parts (a group, each part with the limit of its
    share), and diarize then only clusters them."""
    ids = (scope.recording_id, scope.generation)
    settings = get_settings()
    soft, hard = time_limits(settings, duration_s)
    parts = diarize.parts_for(settings, duration_s)
    steps: list[Signature] = [
        _task(name, lane, *ids, *extra).set(soft_time_limit=soft, time_limit=hard)
        for name, extra in (
            ("tingshuo.ingest", ()),
            ("tingshuo.detect_speech", ()),
        )
    ]
    if parts > 1:
        part_soft, part_hard = time_limits(settings, (duration_s or 0.0) / parts)
        steps.append(
            group(
                [
                    _task("tingshuo.embed_speakers", lane, *ids, part, parts).set(
                        soft_time_limit=part_soft, time_limit=part_hard
                    )
                    for part in range(parts)
                ]
            )
        )
    steps += [
        _task(name, lane, *ids, *extra).set(soft_time_limit=soft, time_limit=hard)
        for name, extra in (
            ("tingshuo.diarize", (parts,)),
            ("tingshuo.plan_clips", (lane,)),
        )
    ]
    return chain(*steps)


def transcription_signature(
    scope: RunScope, batches: Sequence[Sequence[int]], lane: str, duration_s: float | None = None
) -> Signature:
    """Batches of clips in parallel; once all are stored, the analysis, then finalize.

    The analysis stages read the whole transcript (pronunciation: up to ten minutes of every
    speaker's speech), so their limits follow the recording's length too."""
    ids = (scope.recording_id, scope.generation)
    soft, hard = time_limits(get_settings(), duration_s)
    finalize = chain(
        *(
            _task(name, lane, *ids).set(soft_time_limit=soft, time_limit=hard)
            for name in (
                "tingshuo.analyze_text",
                "tingshuo.analyze_sentiment",
                "tingshuo.analyze_pronunciation",
            )
        ),
        _task("tingshuo.finalize", lane, *ids),
    )
    if not any(batches):
        return finalize
    header = group(_task("tingshuo.transcribe", lane, *ids, list(b)) for b in batches if b)
    return chord(header, finalize)
