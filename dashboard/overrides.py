"""A teacher's corrections to a pronunciation report. The automatic values stay stored; each
override records the value, the automatic value it replaced, who changed it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from models.access import Viewer, may_override_scores
from models.analysis import PronunciationScore, word_mark_key
from models.audit import Subject, audit
from models.db import session_scope
from models.runs import current_run
from models.tables import Recording

SCORE_NAMES = ("accuracy", "fluency", "completeness", "prosody", "overall")
WORD_MARKS = ("correct", "mispronounced", "omitted", "inserted")


class OverrideRejected(ValueError):
    """The override was refused; the message says why."""


@dataclass(frozen=True)
class Correction:
    scores: dict[str, float]  # score name -> the teacher's value (0-100)
    marks: dict[int, str]  # index into word_marks -> the teacher's mark


def override_pronunciation(
    viewer: Viewer, recording_id: int, speaker: str | None, correction: Correction
) -> str:
    for name, value in correction.scores.items():
        if name not in SCORE_NAMES:
            raise OverrideRejected(f"unknown score {name!r}")
        if not 0 <= value <= 100:
            raise OverrideRejected(f"{name} must be between 0 and 100, not {value}")
    for mark in correction.marks.values():
        if mark not in WORD_MARKS:
            raise OverrideRejected(f"a word mark is one of {', '.join(WORD_MARKS)}, not {mark!r}")
    with session_scope() as session:
        recording = session.get(Recording, recording_id)
        if recording is None or not may_override_scores(viewer, recording):
            raise OverrideRejected("not found")  # the same answer for absent and not allowed
        audit(
            session,
            actor=viewer.username,
            user_id=viewer.user_id,
            action="change",
            subject=Subject.of(recording),
            detail=f"override scores of {speaker or 'the recording'}",
        )
        report = session.scalars(
            select(PronunciationScore).where(
                PronunciationScore.recording_id == recording_id,
                PronunciationScore.speaker_label == speaker,
                current_run(PronunciationScore),
            )
        ).first()
        if report is None:
            raise OverrideRejected("this recording has no pronunciation report for that speaker")
        overrides: dict[str, Any] = dict(report.overrides or {})
        for name, value in correction.scores.items():
            automatic = getattr(report, name)
            if automatic is not None and abs(automatic - value) < 0.05:
                overrides.pop(name, None)  # set back to the automatic value
            else:
                overrides[name] = {"value": round(float(value), 1), "automatic": automatic}
        words: dict[str, Any] = dict(overrides.get("word_marks", {}))
        for index, mark in correction.marks.items():
            if not 0 <= index < len(report.word_marks):
                raise OverrideRejected(f"there is no word number {index}")
            automatic_mark = report.word_marks[index]["mark"]
            # Kept against the word itself (its place in the reference, or when it was heard),
            # so a re-run never moves it to another word.
            key = word_mark_key(report.word_marks[index])
            words.pop(str(index), None)  # an override saved before keys (by list position)
            if mark == automatic_mark:
                words.pop(key, None)
            else:
                words[key] = {
                    "value": mark,
                    "automatic": automatic_mark,
                    "word": report.word_marks[index]["word"],
                }
        if words:
            overrides["word_marks"] = words
        else:
            overrides.pop("word_marks", None)
        report.overrides = overrides
        report.overridden_by = viewer.username
        report.overridden_at = datetime.now(UTC)
    return "saved"


def effective_marks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The word marks with the teacher's changes applied; each says whether it was changed."""
    changed = (report.get("overrides") or {}).get("word_marks", {})
    result = []
    for index, mark in enumerate(report.get("word_marks") or []):
        override = changed.get(word_mark_key(mark)) or changed.get(str(index))
        result.append(
            {
                **mark,
                "mark": override["value"] if override else mark["mark"],
                "by_teacher": bool(override),
            }
        )
    return result


def effective_score(report: dict[str, Any], name: str) -> float | None:
    override = (report.get("overrides") or {}).get(name)
    return float(override["value"]) if override else report.get(name)


def orphaned_overrides(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Word overrides whose word is no longer in the report (after a re-run): shown apart,
    never moved to another word."""
    return list((report.get("overrides") or {}).get("orphaned", []))
