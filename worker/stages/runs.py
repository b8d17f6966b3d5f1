"""What every stage records: its StageRun (what ran, on what, its raw answer and timing),
progress and failure, all within one pipeline run (a recording's generation).

A task of an older run writes nothing: ``guard`` re-checks the generation inside the same
transaction as the rows it protects, so a run taken over by a newer one cannot mix rows in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import session_scope
from models.tables import Clip, Recording, StageRun
from worker.errors import PermanentError, RecordingNotFound, StaleRunError

# The speaker of speech the diarizer did not attribute (and of recordings without diarization).
DEFAULT_SPEAKER = "SPEAKER_00"

# A stage whose worker died this many times in one run fails instead of being tried again.
MAX_WORKER_LOSSES = 3

# Share of the overall progress bar each stage covers: (start, end) in percent.
STAGE_PROGRESS: dict[str, tuple[int, int]] = {
    "ingest": (0, 10),
    "speech": (10, 18),
    "speaker_embeddings": (18, 22),
    "diarize": (18, 22),
    "plan": (22, 24),
    "language": (24, 25),
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


@dataclass(frozen=True)
class RunScope:
    """One pipeline run of one recording: what every task of the run carries (ids only)."""

    recording_id: int
    generation: int


def guard(session: Session, scope: RunScope) -> Recording:
    """The recording, if ``scope`` is still its current run; else StaleRunError. Call it first
    in the transaction that writes the run's rows: on PostgreSQL the UPDATE locks the row until
    commit, so a claim of a newer run waits for these rows and then replaces them."""
    touched = session.execute(
        update(Recording)
        .where(Recording.id == scope.recording_id, Recording.generation == scope.generation)
        .values(updated_at=utcnow())
    )
    if touched.rowcount != 1:  # type: ignore[attr-defined]
        if session.get(Recording, scope.recording_id) is None:
            raise RecordingNotFound(f"recording {scope.recording_id} does not exist")
        raise StaleRunError(
            f"run {scope.generation} of recording {scope.recording_id} is no longer current"
        )
    return get_recording(session, scope.recording_id)


@contextmanager
def stage_run(
    scope: RunScope,
    stage: str,
    *,
    engine: str | None = None,
    model_id: str | None = None,
    subject_kind: str | None = None,
    subject_index: int | None = None,
    prompt_version: str | None = None,
    subject: Mapping[str, Any] | None = None,
) -> Iterator[RunHandle]:
    """Record one execution of ``stage``: running now, then done or failed with its timing."""
    recording_id = scope.recording_id
    with session_scope() as session:
        recording = guard(session, scope)
        refuse_redelivery(recording, stage)
        same_work = (
            StageRun.recording_id == recording_id,
            StageRun.generation == scope.generation,
            StageRun.stage == stage,
            StageRun.subject_kind.is_(None)
            if subject_kind is None
            else StageRun.subject_kind == subject_kind,
            StageRun.subject_index.is_(None)
            if subject_index is None
            else StageRun.subject_index == subject_index,
        )
        # A run of the same work still marked running was cut off (a worker killed or lost).
        session.execute(
            update(StageRun)
            .where(*same_work, StageRun.status == "running")
            .values(status="abandoned", error="the worker running it stopped before it finished")
        )
        lost = session.scalar(
            select(func.count(StageRun.id)).where(*same_work, StageRun.status == "abandoned")
        )
        if lost and lost >= MAX_WORKER_LOSSES:
            # Work that kills its worker (out of memory, a crashing library) is delivered again
            # after each death: without this bound it would loop for ever.
            raise PermanentError(
                f"{stage} stopped its worker {lost} times (killed, or out of memory); giving up"
            )
        run = _new_run(
            scope, stage, engine, model_id, subject_kind, subject_index, prompt_version, subject
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
    except Exception as exc:
        _close_run(handle, "failed", started, f"{type(exc).__name__}: {exc}")
        raise
    except BaseException as exc:
        # SystemExit and the like: the process was stopped from outside (a hard time limit, a
        # shutdown). Not the stage's failure; the sweeper looks for runs left like this.
        _close_run(handle, "abandoned", started, f"the worker process was stopped ({exc!r})")
        raise
    _close_run(handle, "done", started, None)


def refuse_redelivery(recording: Recording, stage: str) -> None:
    """A task of a finished run delivered again (at-least-once delivery after a lost ack, a
    broker restart) writes nothing: the run's results are already final."""
    if recording.status == "done":
        raise StaleRunError(
            f"run {recording.generation} of recording {recording.id} is finished; "
            f"a repeated {stage} task changes nothing"
        )


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


def _new_run(
    scope: RunScope,
    stage: str,
    engine: str | None,
    model_id: str | None,
    subject_kind: str | None,
    subject_index: int | None,
    prompt_version: str | None,
    subject: Mapping[str, Any] | None,
) -> StageRun:
    return StageRun(
        recording_id=scope.recording_id,
        generation=scope.generation,
        stage=stage,
        engine=engine,
        model_id=model_id,
        subject_kind=subject_kind,
        subject_index=subject_index,
        prompt_version=prompt_version,
        subject=dict(subject) if subject is not None else None,
    )


def flag_parse(run_id: int, status: str) -> None:
    """How well the parser understood a run's answer (ok, partial, failed)."""
    with session_scope() as session:
        session.execute(update(StageRun).where(StageRun.id == run_id).values(parse_status=status))


def delete_run_rows(session: Session, table: Any, scope: RunScope) -> None:
    """Delete the rows of ``table`` this run wrote before (a stage run again replaces them)."""
    session.execute(
        delete(table).where(
            table.recording_id == scope.recording_id, table.generation == scope.generation
        )
    )


def set_progress(scope: RunScope, stage: str, fraction: float) -> None:
    start, end = STAGE_PROGRESS[stage]
    percent = int(start + (end - start) * min(1.0, max(0.0, fraction)))
    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(
                Recording.id == scope.recording_id,
                Recording.generation == scope.generation,
                Recording.progress < percent,
            )
            .values(progress=percent, current_stage=stage, updated_at=utcnow())
        )


def progress_reporter(scope: RunScope, stage: str) -> Callable[[float], None]:
    """``set_progress`` for engines that report often (silero-vad reports every 32 ms of audio):
    the database is written only when the overall percentage moves."""
    shown = -1

    def report(fraction: float) -> None:
        nonlocal shown
        start, end = STAGE_PROGRESS[stage]
        percent = int(start + (end - start) * min(1.0, max(0.0, fraction)))
        if percent > shown:
            shown = percent
            set_progress(scope, stage, fraction)

    return report


def transcribed_fraction(scope: RunScope) -> float:
    with session_scope() as session:
        total, done = session.execute(
            select(func.count(Clip.id), func.count(Clip.id).filter(Clip.transcribed)).where(
                Clip.recording_id == scope.recording_id, Clip.generation == scope.generation
            )
        ).one()
    return done / total if total else 1.0


def mark_failed(scope: RunScope, stage: str, message: str) -> None:
    """Fail the recording, if ``scope`` is still its current run (an old run's failure must
    not fail the run that replaced it)."""
    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == scope.recording_id, Recording.generation == scope.generation)
            .values(status="failed", current_stage=stage, error=message, finished_at=utcnow())
        )


def get_recording(session: Session, recording_id: int) -> Recording:
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise RecordingNotFound(f"recording {recording_id} does not exist")
    return recording


def record_run(
    scope: RunScope,
    stage: str,
    *,
    engine: str,
    model_id: str,
    subject_kind: str | None,
    subject_index: int | None,
    prompt_version: str | None,
    subject: Mapping[str, Any] | None,
    raw_output: str | None,
    duration_s: float,
    error: str | None = None,
) -> int:
    """A finished run of work done in a batch (one generate for many clips or turns)."""
    now = utcnow()
    with session_scope() as session:
        refuse_redelivery(guard(session, scope), stage)
        run = _new_run(
            scope, stage, engine, model_id, subject_kind, subject_index, prompt_version, subject
        )
        run.status, run.raw_output, run.error = "failed" if error else "done", raw_output, error
        run.duration_s = duration_s
        run.started_at, run.finished_at = now, now
        session.add(run)
        session.flush()
        return run.id


def recording_length(scope: RunScope) -> float | None:
    """The recording's length as far as it is known (declared at upload, exact after ingest)."""
    with session_scope() as session:
        recording = session.get(Recording, scope.recording_id)
        return None if recording is None else recording.duration_s
