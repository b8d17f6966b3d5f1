"""Watched folders, what each scan found, and the files seen in them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class WatchedFolder(Base):
    __tablename__ = "watched_folders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    every_s: Mapped[int] = mapped_column(Integer, default=300)
    kind: Mapped[str] = mapped_column(String(16), default="meeting")
    recursive: Mapped[bool] = mapped_column(Boolean, default=True)
    pattern: Mapped[str | None] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="SET NULL")
    )
    export_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # None: exports are written next to each recording.
    export_dir: Mapped[str | None] = mapped_column(Text)
    export_formats: Mapped[str] = mapped_column(String(128), default="txt,srt,json")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_scan_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FolderScan(Base):
    __tablename__ = "folder_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folder_id: Mapped[int] = mapped_column(
        ForeignKey("watched_folders.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    found: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str | None] = mapped_column(Text)


class FolderFile(Base):
    """A file seen in a watched folder: unchanged files are not hashed again on the next scan."""

    __tablename__ = "folder_files"
    __table_args__ = (UniqueConstraint("folder_id", "rel_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folder_id: Mapped[int] = mapped_column(ForeignKey("watched_folders.id", ondelete="CASCADE"))
    rel_path: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    mtime: Mapped[float] = mapped_column(Float)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordings.id", ondelete="SET NULL")
    )
    outcome: Mapped[str] = mapped_column(String(16))
    exported: Mapped[bool] = mapped_column(Boolean, default=False)


def set_watching(session: Session, folder_id: int, enabled: bool) -> str:
    """Stop (or resume) scanning a folder; its files, scans and recordings stay."""
    folder = session.get(WatchedFolder, folder_id)
    if folder is None:
        raise LookupError(f"no watched folder {folder_id}")
    if folder.enabled == enabled:
        return f"folder {folder_id} ({folder.path}) is already {_state(enabled)}"
    folder.enabled = enabled
    return f"folder {folder_id} ({folder.path}) is now {_state(enabled)}"


def _state(enabled: bool) -> str:
    return "watched" if enabled else "not watched"


def export_paths(
    folder: WatchedFolder, source_path: str, formats: Iterable[str]
) -> dict[str, Path]:
    """Where auto-export writes a file's exports: beside it, or in the folder's export folder."""
    source = Path(source_path)
    target_dir = Path(folder.export_dir) if folder.export_dir else source.parent
    if folder.export_dir:
        # Keep the folder's own layout so two "notes.wav" in different subfolders never clash.
        with contextlib.suppress(ValueError):
            target_dir = target_dir / source.parent.relative_to(folder.path)
    return {fmt: target_dir / f"{source.stem}.{fmt}" for fmt in formats}
