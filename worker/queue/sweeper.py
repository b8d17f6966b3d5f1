"""Finding pipeline runs whose tasks are gone, so that nothing stays "running" forever.

A task cannot outlive the hard time limit: Celery kills it there, and a killed task is not
delivered again, so a StageRun still marked running well past that limit belongs to a task that
no longer exists (killed at the limit, or its worker lost with the machine). Its recording is
re-queued once as a new run; if that run gets stuck too, the recording fails with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from models.base import utcnow
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


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def sweep_stuck_runs(settings: Settings, now: datetime | None = None) -> list[Swept]:
    limit_s = settings.task_time_limit_s
    cutoff = (now or utcnow()) - timedelta(seconds=limit_s + settings.sweep_grace_s)
    with session_scope() as session:
        stuck = session.execute(
            select(Recording.id, Recording.generation, StageRun.id, StageRun.stage)
            .join(StageRun, StageRun.recording_id == Recording.id)
            .where(
                Recording.status == "running",
                StageRun.generation == Recording.generation,
                StageRun.status == "running",
                StageRun.started_at < cutoff,
            )
            .order_by(Recording.id)
        ).all()
    swept: list[Swept] = []
    for recording_id, generation, run_id, stage in stuck:
        if any(s.recording_id == recording_id for s in swept):
            continue
        swept.append(_settle(recording_id, generation, run_id, stage, limit_s))
    return swept


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
