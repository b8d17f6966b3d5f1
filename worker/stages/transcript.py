"""A run's transcript as the analysis stages read it (lines, speaker names, the day it was
recorded), and the small writes they share. Used by the analysis, sentiment and pronunciation
stages; it imports none of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from models.db import session_scope
from models.tables import Segment
from worker.analysis import grounding, questions
from worker.stages.runs import RunScope, guard
from worker.stages.speakers import run_speakers


@dataclass(frozen=True)
class Context:
    """What the prompts see of a run: its transcript lines and the facts around them."""

    lines: list[questions.Line]
    names: dict[str, str]
    recorded_on: date
    duration_s: float
    kind: str
    language: str | None
    reference_text: str | None
    content_hash: str
    student_id: int | None
    # Speakers recognised as enrolled students (voice profiles): label -> student id.
    students: dict[str, int] = field(default_factory=dict)

    def student_of(self, speaker: str | None) -> int | None:
        """Whose report a speaker's speech goes to: the enrolled student their voice matched,
        else the student the recording is filed under."""
        return self.students.get(speaker or "") or self.student_id

    @property
    def heard_lines(self) -> list[questions.Line]:
        """The lines a summary, an action item or a sentiment span may rest on: not those
        Whisper heard too poorly (a learner's accented lines still count for pronunciation,
        which reads ``lines``)."""
        return [line for line in self.lines if not line.unsure]


def context(scope: RunScope) -> Context:
    with session_scope() as session:
        recording = guard(session, scope)
        speakers = {
            s.id: s for s in run_speakers(session, scope.recording_id, scope.generation).values()
        }
        lines = [
            questions.Line(
                s.start_s,
                s.end_s,
                speakers[s.speaker_id].label if s.speaker_id in speakers else None,
                s.text,
                s.unsure,
                tuple(word for word, _ in s.words_to_check),
            )
            for s in session.scalars(
                select(Segment)
                .where(
                    Segment.recording_id == scope.recording_id,
                    Segment.generation == scope.generation,
                )
                .order_by(Segment.start_s)
            )
        ]
        return Context(
            lines,
            {s.label: s.display_name for s in speakers.values()},
            (recording.recorded_at or recording.created_at).date(),
            recording.duration_s or max((line.end_s for line in lines), default=0.0),
            recording.kind,
            recording.language,
            recording.reference_text,
            recording.content_hash,
            recording.student_id,
            {s.label: s.student_id for s in speakers.values() if s.student_id is not None},
        )


def transcript_of(facts: Context) -> grounding.Transcript:
    return grounding.Transcript(facts.heard_lines, facts.names, facts.duration_s)
