"""A teacher's notes on a student and their enrolled voice: only for the class's teacher and
admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import Viewer
from models.accounts import Student
from models.db import session_scope
from models.people import find_student
from models.runs import current_run
from models.settings import get_settings
from models.tables import Recording, Speaker
from models.voices import enroll_student


def _student(session: Session, viewer: Viewer, name: str, class_name: str) -> Student | None:
    student = find_student(session, class_name, name)
    if student is None:
        return None
    if not viewer.is_admin and student.class_id not in viewer.class_ids:
        return None
    return student


def read_notes(viewer: Viewer, name: str, class_name: str) -> str:
    with session_scope() as session:
        student = _student(session, viewer, name, class_name)
        return (student.notes or "") if student else ""


def save_notes(viewer: Viewer, name: str, class_name: str, notes: str) -> str:
    with session_scope() as session:
        student = _student(session, viewer, name, class_name)
        if student is None:
            return "not found"
        student.notes = notes.strip() or None
    return "notes saved"


def enrol_from_lesson(viewer: Viewer, name: str, class_name: str, recording_id: int) -> str:
    """Enrol a student's voice from one of their lessons: the voice of the speaker who talks
    most in it (the diarize stage stored it). Their speaker in class recordings is then
    named after them."""
    settings = get_settings()
    with session_scope() as session:
        student = _student(session, viewer, name, class_name)
        recording = session.get(Recording, recording_id)
        if student is None or recording is None or recording.student_id != student.id:
            return "not found"
        speaker = session.scalars(
            select(Speaker)
            .where(Speaker.recording_id == recording_id, current_run(Speaker))
            .where(Speaker.voice.is_not(None))
            .order_by(Speaker.voice_s.desc())
        ).first()
        if speaker is None or speaker.voice is None:
            return "this lesson has no voice to enrol yet (it is not diarized)"
        seconds = float(speaker.voice_s or 0)
        if seconds < settings.voice_min_speech_s:
            return f"only {seconds:.0f} s of speech: choose a longer lesson"
        enroll_student(session, student, speaker.voice, seconds, by=viewer.username)
    return f"enrolled the voice of {name} ({seconds:.0f} s of speech)"
