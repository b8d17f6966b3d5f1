"""Every read the dashboard makes. Pages call these and only draw what comes back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.db import session_scope
from models.folders import FolderScan, WatchedFolder
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


@dataclass(frozen=True)
class FolderRow:
    id: int
    path: str
    every_s: int
    kind: str
    export: str
    last_scan: str


def watched_folders() -> list[FolderRow]:
    with session_scope() as session:
        return [
            FolderRow(
                f.id,
                f.path,
                f.every_s,
                f.kind,
                (f.export_dir or "beside each file") if f.export_enabled else "off",
                f"{f.last_scan_at:%Y-%m-%d %H:%M:%S}" if f.last_scan_at else "never",
            )
            for f in session.scalars(select(WatchedFolder).order_by(WatchedFolder.id))
        ]


def recent_scans(limit: int = 50) -> list[dict[str, Any]]:
    with session_scope() as session:
        scans = session.scalars(select(FolderScan).order_by(FolderScan.id.desc()).limit(limit))
        return [
            {
                "folder": s.folder_id,
                "when": f"{s.started_at:%Y-%m-%d %H:%M:%S}",
                "found": s.found,
                "queued": s.queued,
                "skipped": s.skipped,
                "waiting": s.waiting,
                "failed": s.failed,
                "problems": "; ".join(json.loads(s.errors)) if s.errors else "",
            }
            for s in scans
        ]
