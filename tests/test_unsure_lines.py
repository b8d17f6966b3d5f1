"""Lines Whisper heard too poorly to rely on: marked wherever the transcript is shown, and no
summary, action item or sentiment span rests on them until a person corrects them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dashboard.actions import correct_line
from dashboard.transcript_view import UNSURE_NOTE
from models.access import load_viewer
from models.analysis import ActionItem, SentimentSpan
from models.db import session_scope
from models.exports import to_markdown, to_srt, to_txt
from models.records import UNSURE_BELOW, is_unsure
from models.serialize import full_recording
from models.tables import Recording, Segment
from tests.dashboard_fixtures import Org, analyse_red_again, first_line, org, page
from worker.cli.main import app as cli

__all__ = ["org"]
SAID = "Alice will send the budget report by Friday, great work everyone."


@pytest.mark.parametrize(
    ("confidence", "corrected", "unsure"),
    [
        (None, False, False),  # nothing known: not flagged
        (0.9, False, False),
        (UNSURE_BELOW, False, False),  # at Whisper's own threshold: it passed
        (0.27, False, True),  # an AMI filler, "And..."
        (0.27, True, False),  # a person corrected it
        (0.0, False, True),
    ],
)
def test_which_lines_are_unsure(confidence: float | None, corrected: bool, unsure: bool) -> None:
    assert is_unsure(confidence, corrected) is unsure


def _poorly_heard_first_line(org: Org) -> Segment:
    with session_scope() as session:
        line = session.get(Segment, first_line(org).id)
        assert line is not None
        line.text, line.confidence = SAID, 0.2
        session.flush()
        session.expunge(line)
        return line


def _analyse_again(org: Org) -> tuple[list[str], list[str]]:
    """Analysis and sentiment on a new run of the red recording: the tasks found, and the
    evidence of the sentiment spans."""
    recording_id, generation = analyse_red_again(org)
    with session_scope() as session:
        spans = session.scalars(
            select(SentimentSpan).where(
                SentimentSpan.recording_id == recording_id,
                SentimentSpan.generation == generation,
            )
        ).all()
        items = session.scalars(
            select(ActionItem).where(
                ActionItem.recording_id == recording_id,
                ActionItem.generation == generation,
            )
        ).all()
        return [item.task for item in items], [span.evidence or "" for span in spans]


def test_an_unsure_line_is_marked_and_no_claim_rests_on_it(org: Org) -> None:
    line = _poorly_heard_first_line(org)
    with session_scope() as session:
        detail = full_recording(session, org.recordings["red"])
    assert detail is not None
    assert [s["unsure"] for s in detail["segments"]] == [True, False]
    assert f"{SAID} (unsure)" in to_txt(detail)
    assert "(unsure)" in to_markdown(detail)
    assert "(unsure)" not in to_srt(detail), "subtitles carry the words only"
    shown = CliRunner().invoke(cli, ["show", str(org.recordings["red"])])
    assert shown.exit_code == 0 and f"{SAID} (unsure)" in shown.stdout, shown.output
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    assert UNSURE_NOTE in [c.value for c in app.caption]

    tasks, evidence = _analyse_again(org)
    assert not any("budget report" in task for task in tasks), tasks
    assert not any("great work" in quote for quote in evidence), evidence

    # A person listened and corrected it: now the analysis may rest on it.
    with session_scope() as session:
        alice = load_viewer(session, org.users["alice"])
    assert alice is not None
    corrected = "Alice will send the budget report by Friday. Great work, everyone."
    assert correct_line(alice, org.recordings["red"], _current(line, org), corrected) == (
        "corrected"
    )
    tasks, evidence = _analyse_again(org)
    assert any("budget report" in task for task in tasks), tasks
    assert any("Great work" in quote for quote in evidence), evidence


def _current(line: Segment, org: Org) -> int:
    """The id of the line in the recording's current run (re-runs copy the transcript)."""
    with session_scope() as session:
        recording = session.get(Recording, org.recordings["red"])
        assert recording is not None
        found = session.scalar(
            select(Segment.id).where(
                Segment.recording_id == recording.id,
                Segment.generation == recording.generation,
                Segment.start_s == line.start_s,
            )
        )
    assert found is not None
    return found
