"""Finalize: check that every clip of the run was transcribed, drop the rows earlier runs left,
and mark the recording done."""

from __future__ import annotations

from sqlalchemy import delete, select

from models.analysis import ActionItem, PronunciationScore, SentimentSpan, Summary
from models.base import utcnow
from models.db import session_scope
from models.tables import Clip, Segment, Speaker, SpeakerTurn, SpeechRegion
from worker.errors import IncompleteTranscriptError
from worker.stages.runs import RunScope, guard, stage_run

# Everything a run derives. Earlier runs' rows stay (hidden) until a run finishes, so names and
# overrides people gave can be carried over; then they go.
DERIVED_TABLES = (
    Segment,
    Clip,
    SpeakerTurn,
    SpeechRegion,
    Summary,
    ActionItem,
    SentimentSpan,
    PronunciationScore,
    Speaker,
)


def run(scope: RunScope) -> str:
    """Mark the recording done; returns its lane."""
    rid = scope.recording_id
    with stage_run(scope, "finalize", engine="tingshuo"), session_scope() as session:
        recording = guard(session, scope)
        missing = session.scalars(
            select(Clip.index).where(
                Clip.recording_id == rid,
                Clip.generation == scope.generation,
                Clip.transcribed.is_(False),
            )
        ).all()
        if missing:
            raise IncompleteTranscriptError(f"clips {list(missing)} were never transcribed")
        for table in DERIVED_TABLES:
            session.execute(
                delete(table).where(table.recording_id == rid, table.generation < scope.generation)
            )
        recording.status = "done"
        recording.progress = 100
        recording.current_stage = "finalize"
        recording.finished_at = utcnow()
        recording.error = None
        return recording.lane
