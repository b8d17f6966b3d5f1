"""Every read the dashboard makes. Pages call these and only draw what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.db import session_scope
from models.serialize import load_recording, recording_as_dict
from models.settings import get_settings
from models.storage import audio_path, original_path
from models.tables import Recording

STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class RecordingRow:
    id: int
    name: str
    kind: str
    status: str
    stage: str | None
    progress: int
    duration_s: float | None
    error: str | None
    created_at: str


def list_recordings(
    kind: str | None = None, status: str | None = None, limit: int = 500
) -> list[RecordingRow]:
    query = select(Recording).order_by(Recording.id.desc()).limit(limit)
    if kind:
        query = query.where(Recording.kind == kind)
    if status:
        query = query.where(Recording.status == status)
    with session_scope() as session:
        return [
            RecordingRow(
                r.id,
                r.original_name,
                r.kind,
                r.status,
                r.current_stage,
                100 if r.status == "done" else r.progress,
                r.duration_s,
                r.error,
                r.created_at.strftime("%Y-%m-%d %H:%M"),
            )
            for r in session.scalars(query)
        ]


def recording_detail(recording_id: int) -> dict[str, Any] | None:
    with session_scope() as session:
        recording = load_recording(session, recording_id)
        return None if recording is None else recording_as_dict(recording)


def playable_audio(content_hash: str) -> Path | None:
    """The decoded WAV when ingest has run, else the original upload, else nothing."""
    settings = get_settings()
    for path in (audio_path(settings, content_hash), original_path(settings, content_hash)):
        if path.exists():
            return path
    return None
