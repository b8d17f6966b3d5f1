"""Finding recordings in folders: audio/video by extension, never hidden or temporary files."""

from __future__ import annotations

import fnmatch
import os
import time
from dataclasses import dataclass
from pathlib import Path

MEDIA_SUFFIXES = frozenset(
    [
        ".wav",
        ".wave",
        ".mp3",
        ".m4a",
        ".aac",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".wma",
        ".amr",
        ".aiff",
        ".aif",
        ".caf",
        ".webm",
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".avi",
        ".wmv",
        ".mpeg",
        ".mpg",
        ".3gp",
        ".ts",
    ]
)
TEMPORARY_SUFFIXES = frozenset(
    {".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp"}
)


def is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith((".", "~")) or name.endswith("~"):
        return False
    suffixes = {s.lower() for s in path.suffixes}
    return path.suffix.lower() in MEDIA_SUFFIXES and not suffixes & TEMPORARY_SUFFIXES


def find_media(root: Path, recursive: bool = True, pattern: str | None = None) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".")) if recursive else []
        for name in sorted(files):
            path = Path(directory) / name
            if is_candidate(path) and (not pattern or fnmatch.fnmatch(name, pattern)):
                found.append(path)
    return found


@dataclass(frozen=True)
class FileState:
    size: int
    mtime: float


def look(path: Path) -> FileState | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return FileState(stat.st_size, stat.st_mtime)


def split_settled(paths: list[Path], settle_s: float) -> tuple[list[Path], list[Path]]:
    """Look twice, ``settle_s`` apart: files whose size or mtime changed are still being written."""
    if settle_s <= 0 or not paths:
        return list(paths), []
    first = {p: look(p) for p in paths}
    time.sleep(settle_s)
    settled, changing = [], []
    for path in paths:
        second = look(path)
        recently_touched = second is not None and time.time() - second.mtime < settle_s / 2
        if second is None or second != first[path] or recently_touched:
            changing.append(path)
        else:
            settled.append(path)
    return settled, changing
