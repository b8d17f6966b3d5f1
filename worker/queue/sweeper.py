"""Finding pipeline runs whose tasks are gone, so that nothing stays "running" forever.

A task cannot outlive the hard time limit: Celery kills it there, and a killed task is not
delivered again. So when a recording's newest StageRun is still marked running (its worker lost
with the machine), or was abandoned when its process was stopped (the limit's kill), and nothing
followed within that limit, the task no longer exists. Its recording is
re-queued once as a new run; if that run gets stuck too, the recording fails with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from models.base import as_utc, utcnow
from models.db import session_scope
from models.queues import send_run
from models.runs import claim_run
from models.settings import Settings
from models.tables import Recording, StageRun

log = logging.getLogger(__name__)
MAX_REQUEUES = 1


@dataclass(frozen=True)
class Swept:
    recording_id: int
    stage: str
    action: str  # "requeued" or "failed"


def sweep_stuck_runs(settings: Settings, now: datetime | None = None) -> list[Swept]:
    """Recordings marked running whose newest StageRun (of the current run) is still
    "running", or was abandoned when its process was stopped, past the hard limit."""
    limit_s = settings.task_time_limit_s
    cutoff = (now or utcnow()) - timedelta(seconds=limit_s + settings.sweep_grace_s)
    stuck: list[tuple[int, int, int, str]] = []
    with session_scope() as session:
        running = session.execute(
            select(Recording.id, Recording.generation).where(Recording.status == "running")
        ).all()
        for recording_id, generation in running:
            newest = session.scalars(
                select(StageRun)
                .where(StageRun.recording_id == recording_id, StageRun.generation == generation)
                .order_by(StageRun.id.desc())
                .limit(1)
            ).first()
            if newest is None:
                continue
            moment = newest.started_at if newest.status == "running" else newest.finished_at
            if newest.status in ("running", "abandoned") and moment and as_utc(moment) < cutoff:
                stuck.append((recording_id, generation, newest.id, newest.stage))
    return [_settle(*item, limit_s) for item in stuck]


def _settle(recording_id: int, generation: int, run_id: int, stage: str, limit_s: int) -> Swept:
    why = (
        f"its {stage} task stopped without finishing (killed at the {limit_s} s hard time "
        "limit, or its worker was lost)"
    )
    with session_scope() as session:
        session.execute(
            update(StageRun)
            .where(StageRun.id == run_id, StageRun.status == "running")
            .values(status="abandoned", error=why, finished_at=utcnow())
        )
        recording = session.get(Recording, recording_id)
        if recording is None or recording.generation != generation:
            return Swept(recording_id, stage, "skipped")
        if recording.sweeps < MAX_REQUEUES:
            lane = recording.lane
            new_generation = claim_run(session, recording_id, force=True)
            action = "requeued"
        else:
            recording.status, recording.current_stage = "failed", stage
            recording.finished_at = utcnow()
            recording.error = f"{why}, and again after it was re-queued: giving up"
            action = "failed"
    if action == "requeued":
        send_run(recording_id, new_generation, lane)
    log.warning("recording %s %s: %s", recording_id, action, why)
    return Swept(recording_id, stage, action)
