"""Every read the dashboard makes, filtered by what the viewer may see. Pages only draw."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.access import Viewer, may_change, may_override_scores, may_see, visible_recordings
from models.accounts import SchoolClass, Student, Team
from models.analysis import PronunciationScore
from models.db import session_scope
from models.folders import FolderScan, WatchedFolder
from models.runs import current_run
from models.search import Hit, search_everything
from models.serialize import full_recording
from models.settings import get_settings
from models.storage import audio_path, original_path, player_path
from models.tables import Recording, StageRun

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
    group: str
    may_change: bool = False  # retry, delete, rename: offered only when the server allows it


@dataclass(frozen=True)
class Choices:
    """What a viewer may file an upload under."""

    teams: dict[int, str]
    classes: dict[int, str]
    students: dict[int, list[tuple[int, str]]]


def list_recordings(
    viewer: Viewer,
    kind: str | None = None,
    status: str | None = None,
    team_id: int | None = None,
    class_id: int | None = None,
    since: date | None = None,
    limit: int = 500,
) -> list[RecordingRow]:
    query = (
        select(Recording, Team.name, SchoolClass.name)
        .outerjoin(Team, Team.id == Recording.team_id)
        .outerjoin(SchoolClass, SchoolClass.id == Recording.class_id)
        .where(visible_recordings(viewer))
        .order_by(Recording.id.desc())
        .limit(limit)
    )
    for column, value in (
        (Recording.kind, kind),
        (Recording.status, status),
        (Recording.team_id, team_id),
        (Recording.class_id, class_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(Recording.created_at >= datetime(since.year, since.month, since.day))
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
                team or school_class or "",
                may_change(viewer, r),
            )
            for r, team, school_class in session.execute(query)
        ]


def recording_detail(
    viewer: Viewer, recording_id: int, show_unsupported: bool = False
) -> dict[str, Any] | None:
    """The recording as JSON-ready data, or None when it does not exist or is not visible."""
    with session_scope() as session:
        if not may_see(session, viewer, recording_id):
            return None
        detail = full_recording(session, recording_id, show_unsupported)
        if detail is None:
            return None
        detail["stage_runs"] = [
            {"stage": r.stage, "status": r.status, "error": r.error, "raw_output": r.raw_output}
            for r in session.scalars(
                select(StageRun)
                .where(
                    StageRun.recording_id == recording_id,
                    current_run(StageRun),
                    StageRun.status != "done",
                )
                .order_by(StageRun.id)
            )
        ]
        recording = session.get(Recording, recording_id)
        detail["may_override_scores"] = bool(recording and may_override_scores(viewer, recording))
        detail["may_change"] = bool(recording and may_change(viewer, recording))
        detail["student_id"] = recording.student_id if recording else None
        return detail


def recording_progress(viewer: Viewer, recording_id: int) -> dict[str, Any] | None:
    """Status, progress and stage only: what the page polls every 2 s while a recording runs
    (the whole recording, transcript and all, is read once it has settled)."""
    with session_scope() as session:
        row = session.execute(
            select(Recording.status, Recording.progress, Recording.current_stage).where(
                Recording.id == recording_id, visible_recordings(viewer)
            )
        ).one_or_none()
    if row is None:
        return None
    return {"status": row.status, "progress": row.progress, "stage": row.current_stage}


def talk_time(detail: dict[str, Any]) -> dict[str, float]:
    names = {s["label"]: s["name"] for s in detail["speakers"]}
    totals: dict[str, float] = {}
    for seg in detail["segments"]:
        name = names.get(seg["speaker"], seg["speaker"] or "unknown")
        totals[name] = totals.get(name, 0.0) + seg["end"] - seg["start"]
    return totals


def playable_audio(detail: dict[str, Any]) -> Path | None:
    """The player's compressed copy, else the decoded WAV, else the original, else nothing."""
    settings = get_settings()
    for path in (
        player_path(settings, detail["content_hash"]),
        audio_path(settings, detail["content_hash"]),
        original_path(settings, detail["content_hash"]),
    ):
        if path.exists():
            return path
    return None


def upload_choices(viewer: Viewer) -> Choices:
    with session_scope() as session:
        team_query = select(Team.id, Team.name).order_by(Team.name)
        class_query = select(SchoolClass.id, SchoolClass.name).order_by(SchoolClass.name)
        if not viewer.is_admin:
            team_query = team_query.where(Team.id.in_(viewer.team_ids))
            class_query = class_query.where(SchoolClass.id.in_(viewer.class_ids))
        teams = {i: n for i, n in session.execute(team_query)}
        classes = {i: n for i, n in session.execute(class_query)} if viewer.is_teacher else {}
        students: dict[int, list[tuple[int, str]]] = {c: [] for c in classes}
        for sid, cid, name in session.execute(
            select(Student.id, Student.class_id, Student.name)
            .where(Student.class_id.in_(list(classes)))
            .order_by(Student.name)
        ):
            students[cid].append((sid, name))
    return Choices(teams, classes, students)


def student_lessons(viewer: Viewer) -> list[dict[str, Any]]:
    """Every lesson of the viewer's students, oldest first (teachers and admins)."""
    query = (
        select(Recording, Student.name, SchoolClass.name)
        .join(Student, Student.id == Recording.student_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .where(visible_recordings(viewer), Recording.kind == "lesson")
        .order_by(Recording.created_at)
    )
    with session_scope() as session:
        rows = []
        for r, student, school_class in session.execute(query):
            score = session.scalars(
                select(PronunciationScore)
                .where(PronunciationScore.recording_id == r.id, current_run(PronunciationScore))
                .order_by(PronunciationScore.id.desc())
            ).first()
            rows.append(
                {
                    "student": student,
                    "student_id": r.student_id,
                    "class": school_class,
                    "recording": r.id,
                    "name": r.original_name,
                    "date": r.created_at.strftime("%Y-%m-%d"),
                    "status": r.status,
                    "minutes": round((r.duration_s or 0) / 60, 2),
                    **{k: _effective(score, k) for k in SCORE_FIELDS},
                    "mispronounced": ", ".join(score.mispronounced) if score else "",
                    "feedback": score.feedback if score else "",
                }
            )
        return rows


SCORE_FIELDS = ("overall", "accuracy", "fluency", "completeness", "prosody")


def _effective(score: PronunciationScore | None, field: str) -> float | None:
    """A teacher's override wins over the automatic value (both stay stored)."""
    if score is None:
        return None
    override = (score.overrides or {}).get(field)
    return float(override["value"]) if override else getattr(score, field)


@dataclass(frozen=True)
class FolderRow:
    id: int
    path: str
    every_s: int
    kind: str
    export: str
    last_scan: str
    watching: str


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
                "yes" if f.enabled else "stopped",
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


def search(viewer: Viewer, query: str) -> list[Hit]:
    with session_scope() as session:
        return search_everything(session, viewer, query)


# Ids are positive integers that fit the database's integer column.
MAX_RECORDING_ID = 2**31 - 1


def recording_id_from(text: str | None) -> int | None:
    """A recording id from a URL parameter, or None for anything else (too long, signs,
    other scripts' digits): the page then says "Recording not found." like for any other."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_RECORDING_ID else None
