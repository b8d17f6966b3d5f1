"""A teacher's notes on a student: read and written only by the class's teacher and admins."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.access import Viewer
from models.accounts import Student
from models.db import session_scope
from models.people import find_student


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
