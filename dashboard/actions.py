"""What the dashboard changes, each checked against the viewer's rights.

Tasks are sent by name and no model is imported, so the dashboard never loads torch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import Viewer, may_change, may_see
from models.accounts import Student
from models.audit import Subject, audit
from models.base import utcnow
from models.db import session_scope
from models.errors import RejectedUpload, RunRefused
from models.intake import RecordingMeta, accept_stream, people_named
from models.lifecycle import delete_recording
from models.people import DirectoryError, normalise_language
from models.runs import current_run, rerun, rerun_analysis, start_current_run
from models.settings import get_settings
from models.tables import SETTLED_STATUSES, Recording, Segment, Speaker
from models.voices import learn_voice


@dataclass(frozen=True)
class UploadOutcome:
    name: str
    recording_id: int | None
    message: str
    ok: bool


def check_upload_form(viewer: Viewer, form: RecordingMeta) -> str | None:
    """Why this viewer may not file an upload this way, or None when they may."""
    if form.kind == "lesson":
        if not viewer.is_teacher:
            return "only teachers can upload lessons"
        if form.class_id is None:
            return "choose the class this lesson belongs to"
        if not viewer.is_admin and form.class_id not in viewer.class_ids:
            return "you do not teach that class"
        if form.student_id is not None:
            with session_scope() as session:
                student = session.get(Student, form.student_id)
                if student is None or student.class_id != form.class_id:
                    return "that student is not in the chosen class"
    elif form.kind == "meeting":
        if form.class_id is not None or form.student_id is not None:
            return "meetings belong to a team, not a class"
        if form.team_id is not None and not viewer.is_admin and form.team_id not in viewer.team_ids:
            return "you are not a member of that team"
    else:
        return f"unknown kind {form.kind!r}"
    return None


def consent_moment(day: date | None) -> datetime | None:
    """The day consent was given, as a time (noon UTC: the same day in every time zone)."""
    return datetime.combine(day, time(12), tzinfo=UTC) if day is not None else None


def upload(viewer: Viewer, stream: BinaryIO, name: str, form: RecordingMeta) -> UploadOutcome:
    """File an upload as the viewer; who uploaded it and its lane are never the form's to say."""
    problem = check_upload_form(viewer, form)
    if problem:
        return UploadOutcome(name, None, problem, False)
    meta = replace(
        form,
        uploaded_by=viewer.username,
        uploader_id=viewer.user_id,
        lane="interactive",
        watch_folder_id=None,
        source_path=None,
    )
    try:
        intake = accept_stream(stream, name, get_settings(), meta)
    except RejectedUpload as exc:
        return UploadOutcome(name, None, str(exc), False)
    if intake.awaits_first_run:
        start_current_run(intake.recording_id)
        return UploadOutcome(name, intake.recording_id, "queued", True)
    if intake.created:
        return UploadOutcome(name, intake.recording_id, f"rejected: {intake.error}", False)
    with session_scope() as session:
        visible = may_see(session, viewer, intake.recording_id)
    # Never reveal someone else's recording, only that this content is already known.
    where = f"as recording {intake.recording_id}" if visible else "by someone else"
    return UploadOutcome(
        name,
        intake.recording_id if visible else None,
        f"this file was already uploaded {where}",
        visible,
    )


def _changeable(
    session: Session, viewer: Viewer, recording_id: int, change: str | None
) -> Recording | None:
    """The recording if the viewer may change it; the change (if named) goes to the audit log
    when it touches a lesson."""
    if not may_see(session, viewer, recording_id):
        return None
    recording = session.get(Recording, recording_id)
    if recording is None or not may_change(viewer, recording):
        return None
    if change is not None:
        audit(
            session,
            actor=viewer.username,
            user_id=viewer.user_id,
            action="change",
            subject=Subject.of(recording),
            detail=change,
        )
    return recording


def retry(viewer: Viewer, recording_id: int) -> str:
    with session_scope() as session:
        if _changeable(session, viewer, recording_id, "run again") is None:
            return "not found"
    try:
        rerun(recording_id, get_settings())
    except RunRefused as exc:
        return str(exc)
    return "queued again"


def delete(viewer: Viewer, recording_id: int) -> str:
    """Delete the recording, its rows (cascade) and every file it produced."""
    with session_scope() as session:
        if _changeable(session, viewer, recording_id, None) is None:
            return "not found"
    deleted = delete_recording(
        recording_id, get_settings(), actor=viewer.username, user_id=viewer.user_id, reason="delete"
    )
    return "deleted" if deleted is not None else "not found"


def rename_speaker(viewer: Viewer, recording_id: int, label: str, new_name: str) -> str:
    new_name = " ".join(new_name.split())[:128]
    if not new_name:
        return "a name cannot be empty"
    with session_scope() as session:
        recording = _changeable(session, viewer, recording_id, f"rename speaker {label}")
        if recording is None:
            return "not found"
        # The current run's speaker; the name is kept (named_by) across re-runs.
        speaker = session.scalars(
            select(Speaker).where(
                Speaker.recording_id == recording_id, Speaker.label == label, current_run(Speaker)
            )
        ).one_or_none()
        if speaker is None:
            return "no such speaker"
        speaker.display_name, speaker.named_by = new_name, viewer.username
        # The team or class remembers the voice under this name (unless it turned that off).
        remembered = learn_voice(
            session, recording, speaker, viewer.username, get_settings().voice_min_speech_s
        )
    return "renamed; voice remembered" if remembered else "renamed"


def correct_and_rerun(
    viewer: Viewer,
    recording_id: int,
    language: str | None,
    reference_text: str | None,
    expected_speakers: int | None,
    people: str | None = None,
) -> str:
    """Set what the machine should have known (language, reference text, number of
    speakers, the people heard; ``people`` None leaves them) and run the recording again."""
    try:
        code = normalise_language(language)
        names = None if people is None else people_named(people)
    except (DirectoryError, RejectedUpload) as exc:
        return str(exc)
    with session_scope() as session:
        recording = _changeable(session, viewer, recording_id, "correct settings and run again")
        if recording is None:
            return "not found"
        if recording.status not in SETTLED_STATUSES:
            return "it is still being processed: wait until it is done or failed"
        recording.language = code
        if recording.kind == "lesson":
            recording.reference_text = (reference_text or "").strip() or None
        recording.expected_speakers = expected_speakers or None
        if names is not None:
            recording.people = names or None
    return retry(viewer, recording_id)


def correct_line(viewer: Viewer, recording_id: int, segment_id: int, new_text: str) -> str:
    """Correct one transcript line in place; what the machine heard is kept beside it."""
    new_text = " ".join(new_text.split())
    if not new_text:
        return "a line cannot be empty (delete words, not the line)"
    with session_scope() as session:
        if _changeable(session, viewer, recording_id, f"correct line {segment_id}") is None:
            return "not found"
        segment = session.scalars(
            select(Segment).where(
                Segment.id == segment_id,
                Segment.recording_id == recording_id,
                current_run(Segment),
            )
        ).one_or_none()
        if segment is None:
            return "that line is no longer in the current transcript"
        if segment.text == new_text:
            return "unchanged"
        if segment.original_text is None:
            segment.original_text = segment.text
        segment.text = new_text
        segment.edited_by = viewer.username
        segment.edited_at = utcnow()
    return "corrected"


def analyse_again(viewer: Viewer, recording_id: int) -> str:
    with session_scope() as session:
        if _changeable(session, viewer, recording_id, "analyse again") is None:
            return "not found"
    try:
        rerun_analysis(recording_id)
    except RunRefused as exc:
        return str(exc)
    return "analysis queued again"
