"""Correcting transcript lines in place: the machine's words are kept beside the correction,
search, exports and a re-run of the analysis use the corrected text, and only those who may
change the recording may correct it."""

from __future__ import annotations

from sqlalchemy import select

from dashboard.actions import analyse_again, correct_line
from models.access import Viewer, load_viewer
from models.analysis import ActionItem
from models.db import session_scope
from models.exports import to_markdown
from models.search import search_everything
from models.serialize import full_recording
from models.tables import Recording, Segment
from tests.dashboard_fixtures import Org, first_line, org, page
from worker.stages import analyze
from worker.stages.runs import RunScope

__all__ = ["org"]
CORRECTED = "We ship the release on Thursday. Alice will send the budget report by Friday."


def _viewer(org: Org, name: str) -> Viewer:
    with session_scope() as session:
        viewer = load_viewer(session, org.users[name])
    assert viewer is not None
    return viewer


def _search(org: Org, user: str, words: str) -> list[str]:
    with session_scope() as session:
        return [h.text for h in search_everything(session, _viewer(org, user), words)]


def test_a_corrected_line_is_what_search_and_exports_find(org: Org) -> None:
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    area = next(t for t in app.text_area if t.label == "Corrected text")
    assert area.value == "We ship the release on Friday."
    area.input(CORRECTED)
    next(b for b in app.button if b.label == "Save correction").click().run()
    line = first_line(org)
    assert (line.text, line.original_text, line.edited_by) == (
        CORRECTED,
        "We ship the release on Friday.",
        "alice",
    )
    assert line.edited_at is not None
    assert _search(org, "alice", "Thursday") == [CORRECTED]
    assert _search(org, "alice", "release on Friday") == []
    with session_scope() as session:
        detail = full_recording(session, org.recordings["red"])
    assert detail is not None
    assert "Thursday" in to_markdown(detail) and "release on Friday" not in to_markdown(detail)
    # The page says who corrected it and what the machine heard, as text.
    shown = [c.value for c in app.caption]
    assert "corrected by alice; the machine heard: We ship the release on Friday." in shown


def test_only_who_may_change_it_corrects_a_line(org: Org) -> None:
    line = first_line(org)
    bob = _viewer(org, "bob")
    assert correct_line(bob, org.recordings["red"], line.id, "nonsense") == "not found"
    # A line of another recording cannot be reached through a recording one may change.
    with session_scope() as session:
        blue_line = session.scalar(
            select(Segment.id).where(Segment.recording_id == org.recordings["blue"])
        )
    assert correct_line(bob, org.recordings["blue"], blue_line or 0, "x") == "corrected"
    assert (
        correct_line(_viewer(org, "alice"), org.recordings["red"], blue_line or 0, "x")
        == "that line is no longer in the current transcript"
    )
    assert correct_line(_viewer(org, "alice"), org.recordings["red"], line.id, "  ") == (
        "a line cannot be empty (delete words, not the line)"
    )
    app = page("recording.py", org, "bob", id=str(org.recordings["blue"]))
    assert any(t.label == "Corrected text" for t in app.text_area)
    member_view = page("recording.py", org, "tina", id=str(org.recordings["red"]))
    assert not any(t.label == "Corrected text" for t in member_view.text_area)


def test_the_analysis_runs_again_on_the_corrected_text(org: Org) -> None:
    alice = _viewer(org, "alice")
    line = first_line(org)
    assert correct_line(alice, org.recordings["red"], line.id, CORRECTED) == "corrected"
    assert analyse_again(alice, org.recordings["red"]) == "analysis queued again"
    with session_scope() as session:
        recording = session.get(Recording, org.recordings["red"])
        assert recording is not None
        generation = recording.generation
    assert generation == 2
    # The worker's analysis stage, on the run that carried the transcript over.
    analyze.run_text(RunScope(org.recordings["red"], generation))
    with session_scope() as session:
        detail = full_recording(session, org.recordings["red"])
        items = session.scalars(
            select(ActionItem).where(
                ActionItem.recording_id == org.recordings["red"],
                ActionItem.generation == generation,
            )
        ).all()
    assert detail is not None
    assert detail["segments"][0]["text"] == CORRECTED
    assert detail["segments"][0]["edited_by"] == "alice"
    assert any("budget report" in item.task for item in items), [i.task for i in items]
    # Not while it runs: the new run is queued.
    assert "only a finished transcript" in analyse_again(alice, org.recordings["red"])
