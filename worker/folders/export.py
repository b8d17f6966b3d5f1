"""Writing exports of a finished recording that came from a watched folder with exports on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import update

from models.db import session_scope
from models.exports import EXPORTERS
from models.folders import FolderFile, WatchedFolder, export_paths
from models.serialize import load_recording, recording_as_dict

log = logging.getLogger(__name__)


def auto_export(recording_id: int) -> list[Path]:
    with session_scope() as session:
        recording = load_recording(session, recording_id)
        if recording is None or recording.watch_folder_id is None or not recording.source_path:
            return []
        folder = session.get(WatchedFolder, recording.watch_folder_id)
        if folder is None or not folder.export_enabled:
            return []
        formats = [f.strip() for f in folder.export_formats.split(",") if f.strip() in EXPORTERS]
        data = recording_as_dict(recording)
        paths = export_paths(folder, recording.source_path, formats)
        folder_id = folder.id
    written = []
    for fmt, path in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(EXPORTERS[fmt](data), encoding="utf-8")
        os.replace(partial, path)
        written.append(path)
    with session_scope() as session:
        session.execute(
            update(FolderFile)
            .where(FolderFile.folder_id == folder_id, FolderFile.recording_id == recording_id)
            .values(exported=True)
        )
    log.info("exported recording %s to %s", recording_id, [str(p) for p in written])
    return written
