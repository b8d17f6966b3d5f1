"""What the dashboard writes to the audit log (models/audit.py): views and exports of lessons
and students' scores. Changes and deletions are logged where they are made (dashboard/actions.py,
models/lifecycle.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from models.access import Viewer
from models.audit import Subject, record_event


def subject_of(detail: dict[str, Any]) -> Subject:
    return Subject(detail["id"], detail.get("student_id"), detail.get("kind") == "lesson")


def _first_time(key: str) -> bool:
    """True the first time this browser session asks: a view is logged once, not on every
    rerun of the page."""
    if st.session_state.get(key):
        return False
    st.session_state[key] = True
    return True


def note_viewed(viewer: Viewer, detail: dict[str, Any]) -> None:
    if not _first_time(f"audited-view-{detail['id']}"):
        return
    record_event(
        actor=viewer.username, user_id=viewer.user_id, action="view", subject=subject_of(detail)
    )


def note_student_viewed(viewer: Viewer, student_id: int, student: str) -> None:
    if not _first_time(f"audited-student-{student_id}"):
        return
    record_event(
        actor=viewer.username,
        user_id=viewer.user_id,
        action="view",
        subject=Subject(None, student_id, True),
        detail=f"scores of {student}",
    )


def note_export(viewer: Viewer, subject: Subject, what: str) -> None:
    record_event(
        actor=viewer.username, user_id=viewer.user_id, action="export", subject=subject, detail=what
    )


def audited_export(
    viewer: Viewer, subject: Subject, what: str, build: Callable[[], str | bytes]
) -> Callable[[], str | bytes]:
    """A download button's data, built only when the file is asked for (not on every rerun
    of the page), and logged then."""

    def made() -> str | bytes:
        note_export(viewer, subject, what)
        return build()

    return made
