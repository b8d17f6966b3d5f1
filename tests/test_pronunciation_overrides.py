"""A teacher corrects a pronunciation report: the override wins on every page, the automatic
value stays beside it with who changed it and when, and only the class's teacher (or an admin)
may change it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from dashboard.overrides import Correction, OverrideRejected, override_pronunciation
from models.access import load_viewer
from models.analysis import PronunciationScore
from models.db import session_scope
from models.tables import StageRun
from tests.dashboard_fixtures import Org, org, page
from worker.pronunciation.acoustics import Delivery
from worker.pronunciation.evidence import Evidence, WordEvidence, evidence_as_json
from worker.stages.pronunciation import EVIDENCE_STAGE, store_reports
from worker.stages.runs import RunScope

__all__ = ["org"]


def _evidence() -> Evidence:
    words = [
        WordEvidence("i", "match", "I", 0.9, 0.9, 0.1, 0.0, 0.3),
        WordEvidence("like", "match", "like", 0.95, 0.95, 0.05, 0.3, 0.6),
        WordEvidence("dragons", "substitute", "wagons", 0.4, 0.01, 0.001, 0.6, 1.4),
    ]
    return Evidence(
        "I like dragons",
        words,
        [],
        0,
        "I like wagons",
        Delivery(1.4, 2.1, 3.0, 0, 0.0, 0.0, 2.0, 6.0, 0.6, 6.0),
        1.6,
    )


@pytest.fixture
def scored(org: Org) -> int:
    """The lesson with evidence stored and its report built from it."""
    recording_id = org.recordings["lesson"]
    with session_scope() as session:
        session.add(
            StageRun(
                recording_id=recording_id,
                stage=EVIDENCE_STAGE,
                status="done",
                engine="faster-whisper",
                subject_kind="speaker",
                subject_index=0,
                subject={"speaker": "SPEAKER_00", "student_id": org.student_id},
                raw_output=json.dumps(evidence_as_json(_evidence())),
            )
        )
    assert store_reports(RunScope(recording_id, 1)) == 1
    return recording_id


def _viewer(org: Org, name: str):  # type: ignore[no-untyped-def]
    with session_scope() as session:
        return load_viewer(session, org.users[name])


def _report(recording_id: int) -> PronunciationScore:
    with session_scope() as session:
        row = session.query(PronunciationScore).filter_by(recording_id=recording_id).one()
        session.expunge(row)
        return row


def test_the_report_marks_the_misread_word(scored: int) -> None:
    report = _report(scored)
    marks = {m["word"]: m["mark"] for m in report.word_marks}
    assert marks["dragons"] == "mispronounced"
    assert marks["like"] == "correct"
    assert report.mispronounced == ["dragons"]
    assert "dragons" in (report.feedback or "")
    assert report.sources["accuracy"] == {"whisper-evidence": report.accuracy}


def test_teacher_override_keeps_the_automatic_value(org: Org, scored: int) -> None:
    automatic = _report(scored).accuracy
    override_pronunciation(
        _viewer(org, "tina"), scored, "SPEAKER_00", Correction({"accuracy": 95.0}, {2: "correct"})
    )
    report = _report(scored)
    assert report.accuracy == automatic, "the automatic value stays stored"
    assert report.overrides["accuracy"] == {"value": 95.0, "automatic": automatic}
    # Kept against the reference word itself (its place in the text), not its list position.
    assert report.overrides["word_marks"]["ref:2:dragons"]["value"] == "correct"
    assert report.overridden_by == "tina" and report.overridden_at is not None

    store_reports(RunScope(scored, 1))  # a re-parse rebuilds the report
    assert _report(scored).overrides == report.overrides, "overrides survive a rebuild"

    students = page("students.py", org, "tina")
    assert list(students.dataframe[0].value["accuracy"]) == [95.0]
    recording = page("recording.py", org, "tina", id=str(scored))
    assert not recording.exception
    assert any(m.label.startswith("accuracy (teacher)") for m in recording.metric)

    override_pronunciation(
        _viewer(org, "tina"),
        scored,
        "SPEAKER_00",
        Correction({"accuracy": automatic or 0}, {2: "mispronounced"}),
    )
    assert _report(scored).overrides == {}, "setting the automatic value back removes the override"


@pytest.mark.parametrize(
    ("user", "correction", "message"),
    [
        ("tom", Correction({"accuracy": 50.0}, {}), "not found"),  # another class's teacher
        ("alice", Correction({"accuracy": 50.0}, {}), "not found"),  # not a teacher
        ("tina", Correction({"accuracy": 150.0}, {}), "between 0 and 100"),
        ("tina", Correction({"charm": 50.0}, {}), "unknown score"),
        ("tina", Correction({}, {0: "excellent"}), "a word mark is one of"),
        ("tina", Correction({}, {9: "correct"}), "no word number 9"),
    ],
)
def test_overrides_are_checked(
    org: Org, scored: int, user: str, correction: Correction, message: str
) -> None:
    with pytest.raises(OverrideRejected, match=message):
        override_pronunciation(_viewer(org, user), scored, "SPEAKER_00", correction)
    assert _report(scored).overrides == {}


def test_admin_may_override_and_the_form_is_only_for_them_and_the_teacher(
    org: Org, scored: int
) -> None:
    assert (
        override_pronunciation(
            _viewer(org, "root"), scored, "SPEAKER_00", Correction({"fluency": 40.0}, {})
        )
        == "saved"
    )
    teacher = page("recording.py", org, "tina", id=str(scored))
    assert [b.label for b in teacher.button if b.label == "Save corrections"]
    # A member who cannot see the lesson gets no report and no form.
    member = page("recording.py", org, "alice", id=str(scored))
    assert not [b for b in member.button if b.label == "Save corrections"]


def test_the_form_saves_a_corrected_mark(org: Org, scored: int) -> None:
    app = page("recording.py", org, "tina", id=str(scored))
    app.number_input(key="override-0-overall").set_value(88.0)
    app.button[[b.label for b in app.button].index("Save corrections")].click().run()
    assert not app.exception
    assert _report(scored).overrides["overall"]["value"] == 88.0


def _evidence_for_run(recording_id: int, generation: int, evidence: Evidence) -> None:
    from models.runs import claim_run

    with session_scope() as session:
        assert claim_run(session, recording_id, force=True) == generation
        session.add(
            StageRun(
                recording_id=recording_id,
                generation=generation,
                stage=EVIDENCE_STAGE,
                status="done",
                engine="faster-whisper",
                subject_kind="speaker",
                subject_index=0,
                subject={"speaker": "SPEAKER_00"},
                raw_output=json.dumps(evidence_as_json(evidence)),
            )
        )
    store_reports(RunScope(recording_id, generation))


def _current_report(recording_id: int) -> PronunciationScore:
    from models.runs import current_run

    with session_scope() as session:
        row = (
            session.query(PronunciationScore)
            .filter(
                PronunciationScore.recording_id == recording_id, current_run(PronunciationScore)
            )
            .one()
        )
        session.expunge(row)
        return row


def test_an_override_stays_on_its_word_across_reruns_or_is_shown_orphaned(
    org: Org, scored: int
) -> None:
    override_pronunciation(
        _viewer(org, "tina"), scored, "SPEAKER_00", Correction({"fluency": 77.0}, {2: "correct"})
    )
    # Run 2 reads the same text: the override is still on "dragons".
    _evidence_for_run(scored, 2, _evidence())
    report = _current_report(scored)
    assert report.generation == 2
    assert report.overrides["word_marks"]["ref:2:dragons"]["value"] == "correct"
    assert report.overrides["fluency"]["value"] == 77.0
    assert "orphaned" not in report.overrides

    # Run 3's reference differs ("cats" where "dragons" was): the override is not moved to
    # "cats", it is kept and shown as orphaned.
    other = _evidence()
    words = [*other.words[:2], WordEvidence("cats", "match", "cats", 0.9, 0.9, 0.1, 0.6, 1.0)]
    _evidence_for_run(scored, 3, dataclasses.replace(other, reference="I like cats", words=words))
    report = _current_report(scored)
    assert "word_marks" not in report.overrides, "never attached to another word"
    [orphan] = report.overrides["orphaned"]
    assert orphan["word"] == "dragons" and orphan["value"] == "correct"
    recording = page("recording.py", org, "tina", id=str(scored))
    assert not recording.exception
    assert any("no longer in this report" in c.value for c in recording.caption)
