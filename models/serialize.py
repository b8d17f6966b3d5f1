"""A recording with its speakers and segments as plain JSON-ready data (CLI, exports, API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.tables import Recording


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _joiner(language: str | None) -> str:
    # Chinese and Japanese are written without spaces between words.
    return "" if language in {"zh", "ja", "yue"} else " "


def recording_as_dict(recording: Recording) -> dict[str, Any]:
    speakers = {s.id: s for s in recording.speakers}
    return {
        "id": recording.id,
        "original_name": recording.original_name,
        "kind": recording.kind,
        "status": recording.status,
        "stage": recording.current_stage,
        "progress": recording.progress,
        "error": recording.error,
        "content_hash": recording.content_hash,
        "duration_s": recording.duration_s,
        "language": recording.language,
        "uploaded_by": recording.uploaded_by,
        "created_at": _time(recording.created_at),
        "finished_at": _time(recording.finished_at),
        "speakers": [{"label": s.label, "name": s.display_name} for s in recording.speakers],
        "segments": [
            {
                "start": round(seg.start_s, 3),
                "end": round(seg.end_s, 3),
                "speaker": speakers[seg.speaker_id].label if seg.speaker_id in speakers else None,
                "text": seg.text,
                "confidence": None if seg.confidence is None else round(seg.confidence, 3),
            }
            for seg in recording.segments
        ],
        "text": _joiner(recording.language).join(seg.text for seg in recording.segments).strip(),
    }


def load_recording(session: Session, recording_id: int) -> Recording | None:
    return session.scalars(
        select(Recording)
        .where(Recording.id == recording_id)
        .options(selectinload(Recording.speakers), selectinload(Recording.segments))
    ).one_or_none()
