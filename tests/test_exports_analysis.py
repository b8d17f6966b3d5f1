"""Exports carry the analysis (summary, decisions, action items with owner, due date and the
moment said), and a student's printable report carries their scores, words and notes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from docx import Document

from models.exports import analysis_sections, to_docx, to_json, to_markdown
from models.student_report import student_report_docx, words_to_practise
from tests.dashboard_fixtures import HOSTILE, Org, org, page

__all__ = ["org"]


def _recording(**analysis: Any) -> dict[str, Any]:
    return {
        "original_name": "standup.wav",
        "kind": "meeting",
        "duration_s": 90.0,
        "speakers": [{"label": "S0", "name": "Sam"}],
        "segments": [{"start": 4.0, "end": 8.0, "speaker": "S0", "text": "I will send it."}],
        **analysis,
    }


SUMMARY = {
    "summary": "The team agreed to ship on Friday.",
    "decisions": ["Ship on Friday"],
    "supported": True,
}
ITEM = {"owner": "Sam", "task": "send the invoices", "due": "2026-12-04", "evidence_time": 64.5}


@pytest.mark.parametrize(
    ("analysis", "expected"),
    [
        ({}, []),
        ({"summary": None, "action_items": []}, []),
        (
            {"summary": SUMMARY, "action_items": [ITEM]},
            [
                ("Summary", ["The team agreed to ship on Friday."]),
                ("Decisions", ["Ship on Friday"]),
                ("Action items", ["Sam: send the invoices, due 2026-12-04 (said at 00:01:04)"]),
            ],
        ),
        (
            {"action_items": [{**ITEM, "owner": None, "due": None, "evidence_time": None}]},
            [("Action items", ["unassigned: send the invoices"])],
        ),
        (
            {"summary": {**SUMMARY, "decisions": [], "supported": False}},
            [("Summary", ["The team agreed to ship on Friday. (not supported by the transcript)"])],
        ),
    ],
    ids=["none", "empty", "full", "bare-item", "unsupported-shown"],
)
def test_analysis_sections(analysis: dict[str, Any], expected: list[Any]) -> None:
    assert analysis_sections(_recording(**analysis)) == expected


def test_markdown_and_docx_carry_the_analysis_before_the_transcript() -> None:
    recording = _recording(summary=SUMMARY, action_items=[{**ITEM, "task": HOSTILE}])
    markdown = to_markdown(recording)
    assert markdown.index("## Summary") < markdown.index("## Action items")
    assert markdown.index("## Action items") < markdown.index("## Transcript")
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    document = Document(io.BytesIO(to_docx(recording)))
    text = [p.text for p in document.paragraphs]
    assert text.index("Summary") < text.index("Action items") < text.index("Transcript")
    assert f"Sam: {HOSTILE}, due 2026-12-04 (said at 00:01:04)" in text
    assert json.loads(to_json(recording))["action_items"][0]["owner"] == "Sam"


def test_words_to_practise_counts_across_lessons() -> None:
    lessons = [{"mispronounced": "three, think"}, {"mispronounced": "Three"}, {"mispronounced": ""}]
    assert words_to_practise(lessons) == [("three", 2), ("think", 1)]


def test_student_report_holds_scores_words_and_notes() -> None:
    lessons = [
        {
            "date": "2026-11-02",
            "name": "week 1.wav",
            "overall": 61.0,
            "accuracy": 70.0,
            "fluency": None,
            "completeness": 90.0,
            "prosody": None,
            "mispronounced": "three",
        },
        {
            "date": "2026-11-09",
            "name": "week 2.wav",
            "overall": 74.4,
            "accuracy": 80.0,
            "fluency": 60.0,
            "completeness": 95.0,
            "prosody": None,
            "mispronounced": "three, the",
        },
    ]
    document = Document(io.BytesIO(student_report_docx("Lin", "Year 7", lessons, HOSTILE)))
    text = [p.text for p in document.paragraphs]
    assert text[0] == "Lin: speaking report"
    assert "three (2×)" in text and "the (1×)" in text
    assert HOSTILE in text  # Word shows it as typed; there is no markup to interpret
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == [
        "date",
        "lesson",
        "overall",
        "accuracy",
        "fluency",
        "completeness",
        "prosody",
    ]
    assert rows[2] == ["2026-11-09", "week 2.wav", "74", "80", "60", "95", ""]


def test_students_page_saves_notes_and_offers_the_report(org: Org) -> None:
    app = page("students.py", org, "tina")
    notes = next(t for t in app.text_area if t.label.startswith("Teacher's notes"))
    notes.input("Practise 'th' sounds.")
    next(b for b in app.button if b.label == "Save notes").click().run()
    assert next(t.label for t in app.text_area).startswith("Teacher's notes")
    assert app.text_area[0].value == "Practise 'th' sounds."
    # Another teacher's page never shows Lin, so the notes cannot be reached from it.
    from dashboard.student_notes import read_notes, save_notes
    from models.access import load_viewer
    from models.db import session_scope

    with session_scope() as session:
        tom = load_viewer(session, org.users["tom"])
    assert tom is not None
    assert read_notes(tom, "Lin", "Year 7") == ""
    assert save_notes(tom, "Lin", "Year 7", "overwritten") == "not found"


def _score(recording_id: int, overall: float) -> None:
    from models.analysis import PronunciationScore
    from models.db import session_scope

    with session_scope() as session:
        session.add(
            PronunciationScore(
                recording_id=recording_id,
                status="ok",
                accuracy=overall,
                overall=overall,
                mispronounced=["three"],
            )
        )


def test_one_scored_lesson_is_shown_as_scores_not_an_empty_chart(org: Org) -> None:
    _score(org.recordings["lesson"], 72.0)
    app = page("students.py", org, "tina")
    assert [(m.label, m.value) for m in app.metric][:2] == [
        ("overall (0-100)", "72"),
        ("accuracy (0-100)", "72"),
    ]
    assert "Pronunciation (one lesson scored so far)" in [s.value for s in app.subheader]
    assert not app.get("vega_lite_chart")


def test_several_scored_lessons_are_a_chart_with_units(org: Org) -> None:
    from models.db import session_scope
    from models.tables import Recording

    _score(org.recordings["lesson"], 72.0)
    with session_scope() as session:
        first = session.get(Recording, org.recordings["lesson"])
        assert first is not None
        second = Recording(
            content_hash="e" * 64,
            original_name="week 2.wav",
            kind="lesson",
            status="done",
            class_id=first.class_id,
            student_id=first.student_id,
        )
        session.add(second)
        session.flush()
        second_id = second.id
    _score(second_id, 80.0)
    app = page("students.py", org, "tina")
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    spec = charts[0].proto.spec
    assert "score (0-100)" in spec and "lesson (date #recording)" in spec
