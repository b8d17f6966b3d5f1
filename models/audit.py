"""The audit log: who viewed, exported, changed or deleted a lesson recording or a student's
scores. Schools must be able to answer "who looked at this child's recording"; admins read it.

Rows name the recording and student by id without a foreign key, so the log outlives what it
describes (a deleted recording's deletion is itself logged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.db import session_scope
from models.tables import Recording

AUDITED_ACTIONS = ("view", "export", "change", "delete", "retention")


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Kept as written: the user may be deleted, operators act from the command line.
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    recording_id: Mapped[int | None] = mapped_column(Integer, index=True)
    student_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Subject:
    """What an action touched, as far as the audit log cares."""

    recording_id: int | None
    student_id: int | None
    is_lesson: bool

    @classmethod
    def of(cls, recording: Recording) -> Subject:
        return cls(recording.id, recording.student_id, recording.kind == "lesson")


def audit(
    session: Session,
    *,
    actor: str,
    user_id: int | None,
    action: str,
    subject: Subject,
    detail: str | None = None,
) -> None:
    """Log ``action`` if it touched student data (a lesson, or a student's scores)."""
    if action not in AUDITED_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if not subject.is_lesson and subject.student_id is None:
        return
    session.add(
        AuditEvent(
            user_id=user_id,
            actor=actor[:128],
            action=action,
            recording_id=subject.recording_id,
            student_id=subject.student_id,
            detail=(detail or None) and detail[:2000],
        )
    )


def record_event(
    *,
    actor: str,
    user_id: int | None,
    action: str,
    subject: Subject,
    detail: str | None = None,
) -> None:
    with session_scope() as session:
        audit(session, actor=actor, user_id=user_id, action=action, subject=subject, detail=detail)


def recent_events(
    limit: int = 500, recording_id: int | None = None, student_id: int | None = None
) -> list[dict[str, object]]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if recording_id is not None:
        query = query.where(AuditEvent.recording_id == recording_id)
    if student_id is not None:
        query = query.where(AuditEvent.student_id == student_id)
    with session_scope() as session:
        return [
            {
                "at": event.at,
                "who": event.actor,
                "action": event.action,
                "recording": event.recording_id,
                "student": event.student_id,
                "detail": event.detail or "",
            }
            for event in session.scalars(query)
        ]
