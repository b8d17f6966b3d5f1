"""A small organisation for dashboard tests: two teams, a teacher's class, an admin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from dashboard.auth import SESSION_KEY
from models.accounts import User
from models.db import session_scope
from models.people import add_student, add_team_member, create_class, create_team, create_user
from models.tables import Recording, Segment, Speaker
from tests.conftest import ROOT

PAGES = ROOT / "dashboard" / "app_pages"
PASSWORD = "correct horse battery"
HOSTILE = '<script>alert("owned")</script> **bold** [link](http://example.invalid)'


@dataclass(frozen=True)
class Org:
    users: dict[str, int]
    recordings: dict[str, int]
    student_id: int
    class_id: int
    team_ids: dict[str, int]


def _recording(session, key: str, name: str, **fields) -> int:  # type: ignore[no-untyped-def]
    recording = Recording(
        content_hash=key * 64,
        original_name=name,
        status="done",
        progress=100,
        duration_s=12.0,
        language="en",
        **fields,
    )
    session.add(recording)
    session.flush()
    return recording.id


def build_org() -> Org:
    with session_scope() as session:
        users = {}
        for username, role in [
            ("alice", "member"),
            ("bob", "member"),
            ("tina", "teacher"),
            ("tom", "teacher"),
            ("root", "admin"),
        ]:
            users[username] = create_user(session, username, PASSWORD, role).id
        red, blue = create_team(session, "red"), create_team(session, "blue")
        add_team_member(session, "red", "alice")
        add_team_member(session, "blue", "bob")
        add_team_member(session, "red", "tina")
        school_class = create_class(session, "Year 7", "tina")
        create_class(session, "Year 8", "tom")
        student = add_student(session, "Year 7", "Lin")
        recordings = {
            "red": _recording(
                session,
                "a",
                "red-standup.wav",
                kind="meeting",
                team_id=red.id,
                uploader_id=users["alice"],
                uploaded_by="alice",
            ),
            "blue": _recording(
                session,
                "b",
                "blue-planning.wav",
                kind="meeting",
                team_id=blue.id,
                uploader_id=users["bob"],
                uploaded_by="bob",
            ),
            "lesson": _recording(
                session,
                "c",
                "lin-reading.wav",
                kind="lesson",
                class_id=school_class.id,
                student_id=student.id,
                uploader_id=users["tina"],
                uploaded_by="tina",
            ),
            "failed": _recording(
                session,
                "d",
                "notes.wav",
                kind="meeting",
                team_id=red.id,
                uploader_id=users["alice"],
                uploaded_by="alice",
            ),
        }
        failed = session.get(Recording, recordings["failed"])
        assert failed is not None
        failed.status, failed.current_stage, failed.progress = "failed", "ingest", 0
        failed.error = "not an audio or video file that can be read"
        from models.analysis import ActionItem, Summary

        session.add(
            Summary(
                recording_id=recordings["red"],
                status="ok",
                summary="The red team planned the spring release.",
                topics=["release"],
                decisions=[],
            )
        )
        session.add(
            ActionItem(
                recording_id=recordings["red"],
                position=0,
                owner="Alice",
                task="send the invoices",
                due="2026-11-20",
                evidence_time_s=4.0,
            )
        )
        texts = {
            "red": ["We ship the release on Friday.", HOSTILE],
            "blue": ["The blue budget is confidential."],
            "lesson": ["I like reading stories about dragons."],
        }
        for key, lines in texts.items():
            speaker = Speaker(
                recording_id=recordings[key], label="SPEAKER_00", display_name="Speaker 1"
            )
            session.add(speaker)
            session.flush()
            for i, line in enumerate(lines):
                session.add(
                    Segment(
                        recording_id=recordings[key],
                        speaker_id=speaker.id,
                        start_s=4.0 * i,
                        end_s=4.0 * i + 4,
                        text=line,
                    )
                )
        return Org(users, recordings, student.id, school_class.id, {"red": red.id, "blue": blue.id})


@pytest.fixture
def org(embedded_db: Path) -> Org:
    return build_org()


def first_line(org: Org, key: str = "red") -> Segment:
    """The first transcript line of one of the org's recordings (detached from its session)."""
    with session_scope() as session:
        segment = session.scalars(
            select(Segment)
            .where(Segment.recording_id == org.recordings[key])
            .order_by(Segment.start_s)
        ).first()
        assert segment is not None
        session.expunge(segment)
        return segment


def analyse_red_again(org: Org) -> tuple[int, int]:
    """Alice asks for the red recording's analysis again (its transcript carried into a new
    run); the analysis, lexicon sentiment and finalize stages run here. The new run's
    (recording id, generation)."""
    import numpy as np

    from dashboard.actions import analyse_again
    from models.access import load_viewer
    from worker.stages import analyze, finalize, sentiment
    from worker.stages.runs import RunScope

    def no_audio(content_hash: str, start_s: float, end_s: float) -> np.ndarray:
        raise AssertionError("the lexicon sentiment reads no audio")

    with session_scope() as session:
        viewer = load_viewer(session, org.users["alice"])
    assert viewer is not None
    assert analyse_again(viewer, org.recordings["red"]) == "analysis queued again"
    with session_scope() as session:
        recording = session.get(Recording, org.recordings["red"])
        assert recording is not None
        scope = RunScope(recording.id, recording.generation)
    analyze.run_text(scope)
    sentiment.run(scope, audio_loader=no_audio)
    finalize.run(scope)
    return scope.recording_id, scope.generation


def login_cookie(user_id: int) -> str:
    """A real login (a session row and its signed cookie value), as the login form makes."""
    from models.sessions import open_session
    from models.settings import get_settings

    with session_scope() as session:
        return open_session(session, user_id, get_settings())


def as_shown(markdown: str) -> str:
    """What Markdown shows for text escaped by models.exports.escape_markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def page(name: str, org: Org, user: str | None, via_app: bool = False, **query: str) -> AppTest:
    """The page on its own, or (``via_app``) inside the whole app with its navigation, which
    pages that link to other pages (st.page_link) need."""
    if via_app:
        app = AppTest.from_file(str(PAGES.parent / "streamlit_app.py"), default_timeout=30)
        app.switch_page(f"app_pages/{name}")
    else:
        app = AppTest.from_file(str(PAGES / name), default_timeout=30)
    if user is not None:
        app.session_state[SESSION_KEY] = login_cookie(org.users[user])
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def disable(username: str) -> None:
    from sqlalchemy import update

    with session_scope() as session:
        session.execute(update(User).where(User.username == username).values(active=False))
