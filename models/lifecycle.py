"""The end of a recording: deleting it with every file it produced, and retention.

A recording's rows go with its row (ON DELETE CASCADE). Its files live under its content hash,
which recordings of other scopes may share (models/intake.py): the folder goes with the last
recording that uses it. Exports written into a watched folder's export folder go too.
Files a crash left behind with no recording (a worker decoding while its recording was
deleted) are found by ``orphan_folders`` and removed by the retention task."""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.accounts import group_of
from models.audit import Subject, audit
from models.base import as_utc, utcnow
from models.db import session_scope
from models.folders import WatchedFolder, export_paths
from models.settings import Settings
from models.storage import recording_dir
from models.tables import SETTLED_STATUSES, Recording

# A folder without a recording is left alone this long: it may be an upload being registered.
ORPHAN_GRACE_S = 3600


@dataclass
class Deletion:
    recording_id: int
    name: str
    paths: list[Path] = field(default_factory=list)


def _export_files(session: Session, recording: Recording) -> list[Path]:
    """Exports this recording's watched folder wrote for it (auto-export)."""
    if recording.watch_folder_id is None or not recording.source_path:
        return []
    folder = session.get(WatchedFolder, recording.watch_folder_id)
    if folder is None or not folder.export_enabled:
        return []
    formats = [name.strip() for name in folder.export_formats.split(",") if name.strip()]
    paths = export_paths(folder, recording.source_path, formats).values()
    return [path for path in paths if path.exists()]


def plan_deletion(session: Session, recording: Recording, settings: Settings) -> Deletion:
    """What deleting ``recording`` removes: its folder unless another recording shares it."""
    plan = Deletion(recording.id, recording.original_name)
    sharing = session.scalar(
        select(func.count(Recording.id)).where(
            Recording.content_hash == recording.content_hash, Recording.id != recording.id
        )
    )
    folder = recording_dir(settings, recording.content_hash)
    if not sharing and folder.exists():
        plan.paths.append(folder)
    plan.paths += _export_files(session, recording)
    return plan


def delete_recording(
    recording_id: int, settings: Settings, *, actor: str, user_id: int | None, reason: str
) -> Deletion | None:
    """Delete a recording, its rows and its files; None when there is no such recording."""
    with session_scope() as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            return None
        plan = plan_deletion(session, recording, settings)
        audit(
            session,
            actor=actor,
            user_id=user_id,
            action="delete" if reason == "delete" else "retention",
            subject=Subject.of(recording),
            detail=f"{recording.original_name} ({reason})",
        )
        session.delete(recording)
    for path in plan.paths:
        remove_path(path)
    return plan


def remove_path(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def retention_days(session: Session, recording: Recording, default: int | None) -> int | None:
    """How long this recording is kept: its team's or class's setting, else the default."""
    group = group_of(session, recording.team_id, recording.class_id)
    if group is not None and group.retention_days is not None:
        return group.retention_days
    return default


def expired_recordings(settings: Settings) -> list[tuple[int, str, int]]:
    """(id, name, days kept) of every settled recording older than its retention."""
    now = utcnow()
    expired = []
    with session_scope() as session:
        for recording in session.scalars(
            select(Recording).where(Recording.status.in_(SETTLED_STATUSES))
        ):
            days = retention_days(session, recording, settings.retention_days)
            if days is not None and as_utc(recording.created_at) < now - timedelta(days=days):
                expired.append((recording.id, recording.original_name, days))
    return expired


def orphan_folders(settings: Settings) -> list[Path]:
    """Content folders no recording refers to, older than the grace period."""
    with session_scope() as session:
        known = set(session.scalars(select(Recording.content_hash).distinct()))
    orphans = []
    cutoff = time.time() - ORPHAN_GRACE_S
    for prefix in settings.files_dir.glob("??"):
        for folder in prefix.iterdir():
            if folder.name not in known and folder.stat().st_mtime < cutoff:
                orphans.append(folder)
    return orphans


def apply_retention(settings: Settings, *, dry_run: bool) -> list[str]:
    """Delete what retention says has expired; with ``dry_run`` only say what would go."""
    lines = []
    for recording_id, name, days in expired_recordings(settings):
        verb = "would delete" if dry_run else "deleted"
        if not dry_run:
            delete_recording(
                recording_id, settings, actor="retention", user_id=None, reason="retention"
            )
        lines.append(f"{verb} recording {recording_id} ({name}): older than {days} days")
    for folder in orphan_folders(settings):
        if not dry_run:
            remove_path(folder)
        lines.append(
            f"{'would remove' if dry_run else 'removed'} {folder}: no recording refers to it"
        )
    return lines
