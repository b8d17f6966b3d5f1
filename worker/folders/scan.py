"""Registering the recordings found in a folder: the batch command and watched-folder scans."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from models.base import as_utc, utcnow
from models.db import session_scope
from models.folders import FolderFile, FolderScan, WatchedFolder
from models.intake import RecordingMeta, accept_path
from models.settings import Settings
from worker.errors import RejectedUpload
from worker.folders.admission import dispatch_batch
from worker.folders.media_files import find_media, look, split_settled


@dataclass
class FileOutcome:
    path: str
    outcome: str  # queued | skipped | waiting | failed
    recording_id: int | None = None
    error: str | None = None


@dataclass
class ScanReport:
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)

    def as_dict(self) -> dict[str, object]:
        keys = ("queued", "skipped", "waiting", "failed")
        return {
            "found": len(self.files),
            **{k: self.count(k) for k in keys},
            "files": [asdict(f) for f in self.files],
        }


def register_file(path: Path, settings: Settings, meta: RecordingMeta) -> FileOutcome:
    try:
        intake = accept_path(path, settings, meta)
    except (RejectedUpload, OSError) as exc:
        return FileOutcome(str(path), "failed", None, str(exc))
    if not intake.created:
        return FileOutcome(str(path), "skipped", intake.recording_id, None)
    if intake.status == "failed":
        return FileOutcome(str(path), "failed", intake.recording_id, intake.error)
    return FileOutcome(str(path), "queued", intake.recording_id, None)


def register_folder(
    paths: list[Path], settings: Settings, meta: RecordingMeta, settle_s: float = 0.0
) -> ScanReport:
    settled, changing = split_settled(paths, settle_s)
    report = ScanReport([FileOutcome(str(p), "waiting") for p in changing])
    for path in settled:
        file_meta = RecordingMeta(**{**asdict(meta), "lane": "batch", "source_path": str(path)})
        report.files.append(register_file(path, settings, file_meta))
    report.files.sort(key=lambda f: f.path)
    return report


def folders_due(now: datetime | None = None) -> list[int]:
    """Claim every enabled watched folder whose schedule has come round."""
    now = now or utcnow()
    due = []
    with session_scope() as session:
        for folder in session.scalars(select(WatchedFolder).where(WatchedFolder.enabled)):
            last = as_utc(folder.last_scan_at) if folder.last_scan_at else None
            if last is None or (now - last).total_seconds() >= folder.every_s:
                folder.last_scan_at = now
                due.append(folder.id)
    return due


def scan_watched_folder(folder_id: int, settings: Settings) -> ScanReport:
    with session_scope() as session:
        folder = session.get(WatchedFolder, folder_id)
        if folder is None:
            return ScanReport()
        root, recursive, pattern = Path(folder.path), folder.recursive, folder.pattern
        meta = RecordingMeta(
            kind=folder.kind,
            team_id=folder.team_id,
            class_id=folder.class_id,
            uploaded_by=f"folder:{folder.id}",
            watch_folder_id=folder.id,
        )
        known = {
            f.rel_path: (f.size_bytes, f.mtime)
            for f in session.scalars(select(FolderFile).where(FolderFile.folder_id == folder_id))
        }
    scan = FolderScan(folder_id=folder_id)
    if not root.is_dir():
        report = ScanReport()
        scan.errors = json.dumps([f"folder {root} is missing or not a folder"])
    else:
        candidates = find_media(root, recursive, pattern)
        unchanged: list[Path] = []
        changed: list[Path] = []
        for path in candidates:
            state = look(path)
            rel = str(path.relative_to(root))
            same = state is not None and known.get(rel) == (state.size, state.mtime)
            (unchanged if same else changed).append(path)
        report = register_folder(changed, settings, meta, settings.watch_settle_s)
        _remember(folder_id, root, report)
        # Unchanged since a scan that already registered them: not even hashed again.
        report.files += [FileOutcome(str(p), "skipped") for p in unchanged]
        failures = [f"{f.path}: {f.error}" for f in report.files if f.outcome == "failed"]
        scan.errors = json.dumps(failures, ensure_ascii=False) if failures else None
    counts = report.as_dict()
    scan.found, scan.queued, scan.skipped = (
        len(report.files),
        report.count("queued"),
        report.count("skipped"),
    )
    scan.waiting, scan.failed, scan.finished_at = (
        report.count("waiting"),
        report.count("failed"),
        utcnow(),
    )
    with session_scope() as session:
        session.add(scan)
    if counts["queued"]:
        dispatch_batch(settings.batch_max_in_flight)
    return report


def _remember(folder_id: int, root: Path, report: ScanReport) -> None:
    with session_scope() as session:
        for item in report.files:
            if item.outcome == "waiting":
                continue
            path = Path(item.path)
            state = look(path)
            if state is None:
                continue
            rel = str(path.relative_to(root))
            row = session.scalars(
                select(FolderFile).where(
                    FolderFile.folder_id == folder_id, FolderFile.rel_path == rel
                )
            ).one_or_none()
            if row is None:
                row = FolderFile(folder_id=folder_id, rel_path=rel)
                session.add(row)
            row.size_bytes, row.mtime = state.size, state.mtime
            row.recording_id, row.outcome = item.recording_id, item.outcome
