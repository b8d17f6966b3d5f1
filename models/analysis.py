"""What the analysis stages store: summaries, action items, sentiment spans, pronunciation.

Each row points at the StageRun whose raw answer it was parsed from, so ``tingshuo reparse``
can rebuild it without calling a model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Summary(Base):
    __tablename__ = "summaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), unique=True
    )
    stage_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_runs.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    decisions: Mapped[list[str]] = mapped_column(JSON, default=list)


class ActionItem(Base):
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


class SentimentSpan(Base):
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


class PronunciationScore(Base):
    """Scores for a recording, or for one speaker of a class recording."""

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
