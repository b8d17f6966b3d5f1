"""Database writes shared by the stages: stage runs, progress, failure."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import session_scope
from models.tables import Clip, Recording, StageRun
from worker.errors import RecordingNotFound

# Share of the overall progress bar each stage covers: (start, end) in percent.
STAGE_PROGRESS: dict[str, tuple[int, int]] = {
    "ingest": (0, 10),
    "speech": (10, 18),
    "diarize": (18, 22),
    "plan": (22, 25),
    "transcribe": (25, 85),
    "summary": (85, 88),
    "action_items": (88, 90),
    "sentiment": (90, 93),
    "pronunciation": (93, 95),
    "pronunciation_evidence": (93, 95),
    "analysis": (85, 95),
    "finalize": (95, 100),
}


@dataclass
class RunHandle:
    """What a stage hands back to its StageRun while it runs."""

    run_id: int
    raw_output: str | None = None
    prompt_version: str | None = None


@contextmanager
def stage_run(
    recording_id: int,
    stage: str,
    *,
    engine: str | None = None,
    model_id: str | None = None,
    clip_index: int | None = None,
    prompt_version: str | None = None,
    subject: Mapping[str, Any] | None = None,
) -> Iterator[RunHandle]:
    """Record one execution of ``stage``: running now, then done or failed with its timing."""
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        # A run of the same work still marked running was cut off (a worker killed or lost).
        session.execute(
            update(StageRun)
            .where(
                StageRun.recording_id == recording_id,
                StageRun.stage == stage,
                StageRun.clip_index.is_(None)
                if clip_index is None
                else StageRun.clip_index == clip_index,
                StageRun.status == "running",
            )
            .values(status="abandoned", error="the worker running it stopped before it finished")
        )
        run = StageRun(
            recording_id=recording_id,
            stage=stage,
            engine=engine,
            model_id=model_id,
            clip_index=clip_index,
            prompt_version=prompt_version,
            subject=dict(subject) if subject is not None else None,
        )
        session.add(run)
        if recording.status != "failed":
            recording.status = "running"
            recording.current_stage = stage
            recording.progress = max(recording.progress, STAGE_PROGRESS[stage][0])
        session.flush()
        handle = RunHandle(run.id)
    started = time.perf_counter()
    try:
        yield handle
    except BaseException as exc:
        _close_run(handle, "failed", started, f"{type(exc).__name__}: {exc}")
        raise
    _close_run(handle, "done", started, None)


def _close_run(handle: RunHandle, status: str, started: float, error: str | None) -> None:
    extra = {"prompt_version": handle.prompt_version} if handle.prompt_version else {}
    with session_scope() as session:
        session.execute(
            update(StageRun)
            .where(StageRun.id == handle.run_id)
            .values(
                **extra,
                status=status,
                raw_output=handle.raw_output,
                error=error,
                finished_at=utcnow(),
                duration_s=time.perf_counter() - started,
            )
        )


def set_progress(recording_id: int, stage: str, fraction: float) -> None:
    start, end = STAGE_PROGRESS[stage]
    percent = int(start + (end - start) * min(1.0, max(0.0, fraction)))
    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == recording_id, Recording.progress < percent)
            .values(progress=percent, current_stage=stage)
        )


def transcribed_fraction(recording_id: int) -> float:
    with session_scope() as session:
        total, done = session.execute(
            select(func.count(Clip.id), func.count(Clip.id).filter(Clip.transcribed)).where(
                Clip.recording_id == recording_id
            )
        ).one()
    return done / total if total else 1.0


def mark_failed(recording_id: int, stage: str, message: str) -> None:
    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == recording_id)
            .values(status="failed", current_stage=stage, error=message, finished_at=utcnow())
        )


def get_recording(session: Session, recording_id: int) -> Recording:
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise RecordingNotFound(f"recording {recording_id} does not exist")
    return recording


def record_run(
    recording_id: int,
    stage: str,
    *,
    engine: str,
    model_id: str,
    clip_index: int | None,
    prompt_version: str | None,
    subject: Mapping[str, Any] | None,
    raw_output: str | None,
    duration_s: float,
    error: str | None = None,
    parse_status: str | None = None,
) -> int:
    """A finished run of work done in a batch (one generate for many clips or turns)."""
    now = utcnow()
    with session_scope() as session:
        run = StageRun(
            recording_id=recording_id,
            stage=stage,
            engine=engine,
            model_id=model_id,
            clip_index=clip_index,
            prompt_version=prompt_version,
            subject=dict(subject) if subject is not None else None,
            status="failed" if error else "done",
            raw_output=raw_output,
            error=error,
            parse_status=parse_status,
            started_at=now,
            finished_at=now,
            duration_s=duration_s,
        )
        session.add(run)
        session.flush()
        return run.id
