"""Everything a user can type is shown as text on every page: a script tag, an image link (a
tracking pixel in every colleague's browser), a Markdown link, emphasis and LaTeX."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from models.accounts import SchoolClass, Student, Team, User
from models.analysis import ActionItem, Summary
from models.db import session_scope
from models.tables import Recording, Speaker
from tests.dashboard_fixtures import Org, org, page

__all__ = ["org"]

PIXEL = "![t](https://tracker.invalid/p.png)"
TYPED = f'<script>alert("x")</script> {PIXEL} [l](https://e.invalid/) **b** $x^2$'
# Elements whose text Streamlit renders as Markdown.
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "success",
    "error",
    "warning",
    "info",
    "toast",
)


@pytest.fixture
def hostile_org(org: Org) -> Org:
    """The small organisation with every name and typed text replaced by hostile text."""
    with session_scope() as session:
        session.execute(update(Team).values(name=Team.name + " " + TYPED))
        session.execute(update(SchoolClass).values(name=SchoolClass.name + " " + TYPED))
        session.execute(update(Student).values(name=TYPED, notes=TYPED))
        session.execute(update(User).values(display_name=TYPED))
        session.execute(update(Speaker).values(display_name=TYPED))
        session.execute(
            update(Recording).values(original_name=TYPED + ".wav", reference_text=TYPED)
        )
        # What a model answered is shown the same way.
        session.execute(update(Summary).values(summary=TYPED, topics=[TYPED], decisions=[TYPED]))
        session.execute(update(ActionItem).values(owner=TYPED, task=TYPED, due=TYPED))
    return org


def _rendered(app: AppTest) -> list[str]:
    texts: list[str] = []
    for kind in MARKDOWN_ELEMENTS:
        texts += [str(element.value) for element in app.get(kind)]
    texts += [str(getattr(element, "label", "")) for element in app.get("expander")]
    return texts


def _unescaped(app: AppTest) -> list[str]:
    bad = ("![t](", "**b**", "[l](", "$x^2$", "<script>")
    return [text for text in _rendered(app) if any(mark in text for mark in bad)]


PAGES: list[tuple[str, str, dict[str, Any]]] = [
    ("library.py", "root", {}),
    ("recording.py", "alice", {"recording": "red"}),
    ("recording.py", "tina", {"recording": "lesson"}),
    ("recording.py", "alice", {"recording": "failed"}),
    ("students.py", "tina", {}),
    ("admin.py", "root", {}),
    ("folders.py", "root", {}),
    ("account.py", "alice", {}),
    ("upload.py", "tina", {}),
]


@pytest.mark.parametrize(("name", "user", "options"), PAGES)
def test_typed_text_is_never_rendered_as_markup(
    hostile_org: Org, name: str, user: str, options: dict[str, Any]
) -> None:
    query = {}
    if "recording" in options:
        query["id"] = str(hostile_org.recordings[options["recording"]])
    app = page(name, hostile_org, user, via_app=name == "library.py", **query)
    assert not app.exception, app.exception
    assert _unescaped(app) == []


def test_search_hits_show_typed_text_as_text(hostile_org: Org) -> None:
    app = page("search.py", hostile_org, "alice", via_app=True)
    app.text_input[0].set_value("script").run()
    assert not app.exception
    assert _unescaped(app) == []


def test_why_a_record_was_left_out_is_shown_as_text(hostile_org: Org) -> None:
    """The reasons quote what a model answered (an owner, a flagged word): escaped as well."""
    from models.analysis import PronunciationScore

    reason = f"the owner {TYPED!r} is not a speaker or anyone named"
    with session_scope() as session:
        session.execute(update(ActionItem).values(supported=False, problems=[reason]))
        session.add(
            PronunciationScore(
                recording_id=hostile_org.recordings["lesson"],
                status="ok",
                problems=[f"the listening model flagged {TYPED!r}, which was not said"],
            )
        )
    meeting = page("recording.py", hostile_org, "alice", id=str(hostile_org.recordings["red"]))
    meeting.toggle[0].set_value(True).run()
    assert not meeting.exception, meeting.exception
    assert any("is not a speaker" in text for text in _rendered(meeting))
    assert _unescaped(meeting) == []
    lesson = page("recording.py", hostile_org, "tina", id=str(hostile_org.recordings["lesson"]))
    assert not lesson.exception, lesson.exception
    assert any("flagged" in element.value for element in lesson.text)
    assert _unescaped(lesson) == []
