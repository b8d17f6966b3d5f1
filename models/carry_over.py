"""Carrying a run's transcript into the next run, for a re-run of the analysis alone (after a
person corrected lines): the new run starts with the same speakers, turns, clips and
segments, corrections included, and only the analysis stages run again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Clip, Segment, Speaker, SpeakerTurn, SpeechRegion

_SKIP = {"id", "generation"}


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in _SKIP}


def copy_transcript(session: Session, recording_id: int, source: int, target: int) -> int:
    """Copy run ``source``'s transcript rows into run ``target``; returns the segments copied."""

    def rows(table: Any) -> list[Any]:
        return list(
            session.scalars(
                select(table).where(table.recording_id == recording_id, table.generation == source)
            )
        )

    new_speaker_ids: dict[int, int] = {}
    for speaker in rows(Speaker):
        copy = Speaker(**_columns(speaker), generation=target)
        session.add(copy)
        session.flush()
        new_speaker_ids[speaker.id] = copy.id
    for table in (SpeechRegion, SpeakerTurn, Clip):
        session.add_all(table(**_columns(row), generation=target) for row in rows(table))
    segments = rows(Segment)
    for segment in segments:
        values = _columns(segment)
        if segment.speaker_id is not None:
            values["speaker_id"] = new_speaker_ids.get(segment.speaker_id)
        session.add(Segment(**values, generation=target))
    session.flush()
    return len(segments)
