"""What the analysis stages store: summaries, action items, sentiment spans, pronunciation.

Each row points at the StageRun whose raw answer it was parsed from, so ``tingshuo reparse``
can rebuild it without calling a model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OfRun


class Grounded:
    """A record checked against the transcript (worker/analysis/grounding.py): an unsupported
    one is kept with its reasons and left out of what readers show unless asked for."""

    supported: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)


class Summary(Grounded, OfRun, Base):
    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("recording_id", "generation", name="uq_summaries_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    stage_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_runs.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    decisions: Mapped[list[str]] = mapped_column(JSON, default=list)


class ActionItem(Grounded, OfRun, Base):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    stage_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_runs.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str | None] = mapped_column(String(255))
    task: Mapped[str | None] = mapped_column(Text)
    due: Mapped[str | None] = mapped_column(String(255))
    evidence_time_s: Mapped[float | None] = mapped_column(Float)


class SentimentSpan(Grounded, OfRun, Base):
    __tablename__ = "sentiment_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    stage_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_runs.id", ondelete="SET NULL")
    )
    speaker_label: Mapped[str | None] = mapped_column(String(32))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    emotion: Mapped[str | None] = mapped_column(String(64))
    evidence: Mapped[str | None] = mapped_column(Text)


class PronunciationScore(Grounded, OfRun, Base):
    """Scores for a recording, or for one speaker of a class recording. Always ``supported``
    (the scores come from the speaker's own audio); ``problems`` notes the words a listening
    model flagged that nobody said, taken out of ``mispronounced``."""

    __tablename__ = "pronunciation_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    stage_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_runs.id", ondelete="SET NULL")
    )
    speaker_label: Mapped[str | None] = mapped_column(String(32))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    accuracy: Mapped[float | None] = mapped_column(Float)
    fluency: Mapped[float | None] = mapped_column(Float)
    completeness: Mapped[float | None] = mapped_column(Float)
    prosody: Mapped[float | None] = mapped_column(Float)
    overall: Mapped[float | None] = mapped_column(Float)
    mispronounced: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Word-level marks: [{"word", "mark": correct|mispronounced|omitted|inserted, "start", "end"}]
    word_marks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    feedback: Mapped[str | None] = mapped_column(Text)
    # Which evidence each score came from, e.g. {"accuracy": "qwen2-audio"}.
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overridden_by: Mapped[str | None] = mapped_column(String(64))
    overridden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# How close (seconds) a word heard in a new run must be to keep an override keyed by its time.
OVERRIDE_TIME_TOLERANCE_S = 0.3


def word_mark_key(mark: dict[str, Any]) -> str:
    """What a teacher's override on a word is about: the word's place in the reference text
    (scripted readings), else the moment it was heard. Never its position in the list, which
    a re-run can change."""
    word = str(mark.get("word", "")).lower()
    if mark.get("reference_index") is not None:
        return f"ref:{mark['reference_index']}:{word}"
    if mark.get("start_s") is not None:
        return f"at:{float(mark['start_s']):.2f}:{word}"
    return f"word:{word}"


def find_marked_word(key: str, marks: list[dict[str, Any]]) -> int | None:
    """The index of the mark an override key is about, or None when that word is gone."""
    for index, mark in enumerate(marks):
        if word_mark_key(mark) == key:
            return index
    if key.startswith("at:"):
        _, moment, word = key.split(":", 2)
        for index, mark in enumerate(marks):
            start = mark.get("start_s")
            if (
                start is not None
                and str(mark.get("word", "")).lower() == word
                and abs(float(start) - float(moment)) <= OVERRIDE_TIME_TOLERANCE_S
            ):
                return index
    return None


def reattach(overrides: dict[str, Any], marks: list[dict[str, Any]]) -> dict[str, Any]:
    """A teacher's overrides laid on a new report's word marks: each word override goes to the
    word it is about, or to ``orphaned`` when that word is no longer in the report."""
    result = {k: v for k, v in overrides.items() if k not in ("word_marks", "orphaned")}
    attached: dict[str, Any] = {}
    orphaned = list(overrides.get("orphaned", []))
    for key, change in (overrides.get("word_marks") or {}).items():
        found = find_marked_word(key, marks)
        if found is None:
            orphaned.append({"key": key, **change})
        else:
            attached[word_mark_key(marks[found])] = change
    if attached:
        result["word_marks"] = attached
    if orphaned:
        result["orphaned"] = orphaned
    return result
