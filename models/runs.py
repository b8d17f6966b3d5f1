"""Pipeline runs: a recording has one current run (its generation); starting another is a claim.

A claim is one conditional UPDATE, so of two people pressing "re-run" at once exactly one wins,
and a recording that is queued or running is never restarted under its own tasks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.carry_over import copy_transcript
from models.db import session_scope
from models.errors import RunRefused
from models.queues import send_run
from models.settings import Settings
from models.storage import original_path
from models.tables import SETTLED_STATUSES, Recording


def current_run(table: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping only rows of ``table`` that belong to their recording's current
    run (``table`` has ``recording_id`` and ``generation`` columns)."""
    current = (
        select(Recording.generation)
        .where(Recording.id == table.recording_id)
        .correlate(table)
        .scalar_subquery()
    )
    return and_(table.generation == current)


def claim_run(session: Session, recording_id: int, *, force: bool = False) -> int:
    """Start a new run of a settled recording; returns its generation. ``force`` (the sweeper
    only) also claims a recording whose run is marked running but whose tasks are gone."""
    allowed = ("queued", "running", *SETTLED_STATUSES) if force else SETTLED_STATUSES
    claimed = session.execute(
        update(Recording)
        .where(Recording.id == recording_id, Recording.status.in_(allowed))
        .values(
            generation=Recording.generation + 1,
            status="queued",
            progress=0,
            error=None,
            current_stage=None,
            finished_at=None,
            dispatched_at=utcnow(),
            # A person's re-run starts afresh; the sweeper counts its own re-queues.
            sweeps=Recording.sweeps + 1 if force else 0,
        )
        .returning(Recording.generation)
    ).first()
    if claimed is None:
        status = session.scalar(select(Recording.status).where(Recording.id == recording_id))
        if status is None:
            raise RunRefused(f"no recording {recording_id}")
        raise RunRefused(
            f"recording {recording_id} is {status}: wait until it is done or failed, "
            "then run it again"
        )
    return int(claimed[0])


def start_current_run(recording_id: int, lane: str = "interactive") -> int:
    """Send the recording's current run to the workers (a new upload, or one admitted from a
    batch); returns the generation sent."""
    with session_scope() as session:
        generation = session.scalar(
            select(Recording.generation).where(Recording.id == recording_id)
        )
    if generation is None:
        raise RunRefused(f"no recording {recording_id}")
    send_run(recording_id, generation, lane)
    return generation


def rerun(recording_id: int, settings: Settings, lane: str = "interactive") -> int:
    """Retry a failed recording or run a finished one again; refused while it is queued or
    running. Returns the new run's generation."""
    with session_scope() as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            raise RunRefused(f"no recording {recording_id}")
        if not original_path(settings, recording.content_hash).exists():
            raise RunRefused(
                f"recording {recording_id} has no stored file to process "
                "(it was rejected at upload)"
            )
        generation = claim_run(session, recording_id)
    send_run(recording_id, generation, lane)
    return generation


def rerun_analysis(recording_id: int, lane: str = "interactive") -> int:
    """Run the analysis again on the current transcript, corrections included, without
    transcribing again: a new run that starts from a copy of this run's transcript."""
    with session_scope() as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            raise RunRefused(f"no recording {recording_id}")
        if recording.status != "done":
            raise RunRefused(
                f"recording {recording_id} is {recording.status}: only a finished transcript "
                "can be analysed again"
            )
        previous = recording.generation
        generation = claim_run(session, recording_id)
        copy_transcript(session, recording_id, previous, generation)
    send_run(recording_id, generation, lane, start_at="analysis")
    return generation
