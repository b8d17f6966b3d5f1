"""People and groups: users with roles, teams (meetings), classes and their students (lessons)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow

ROLES = ("admin", "teacher", "member")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by an admin's password reset: the one-time password works once, to choose a new one.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    teams: Mapped[list[Team]] = relationship(secondary="team_members", back_populates="members")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    # Transcription language for the team's uploads that do not name one ("" or None: detect).
    default_language: Mapped[str | None] = mapped_column(String(16))
    # Whether named voices are remembered and suggested (models/voices.py).
    voice_profiles: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Recordings older than this many days are deleted (None: the installation's default).
    retention_days: Mapped[int | None] = mapped_column(Integer)

    members: Mapped[list[User]] = relationship(secondary="team_members", back_populates="teams")


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class SchoolClass(Base):
    __tablename__ = "school_classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    default_language: Mapped[str | None] = mapped_column(String(16))
    voice_profiles: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    retention_days: Mapped[int | None] = mapped_column(Integer)
    # A lesson of this class cannot be uploaded without saying how those recorded were informed.
    requires_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    students: Mapped[list[Student]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan", order_by="Student.name"
    )


class Student(Base):
    __tablename__ = "students"
    # AUTOINCREMENT: a deleted student's id is never given to another (old links stay dead).
    __table_args__ = (UniqueConstraint("class_id", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_classes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    # The teacher's notes on this student, printed on their report.
    notes: Mapped[str | None] = mapped_column(Text)

    school_class: Mapped[SchoolClass] = relationship(back_populates="students")


def group_of(
    session: Session, team_id: int | None, class_id: int | None
) -> Team | SchoolClass | None:
    """The team a recording is filed under, else its class (a recording has one at most)."""
    if team_id is not None:
        return session.get(Team, team_id)
    if class_id is not None:
        return session.get(SchoolClass, class_id)
    return None


class LoginSession(Base):
    """One dashboard login. The browser holds a signed cookie naming it; this row is what makes
    the cookie valid, so logging out, disabling the account or changing the password ends it
    everywhere at once. Only a hash of the token is stored: a copy of the database logs no one in.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "logout", "logout everywhere", "password changed", "account disabled", ...
    end_reason: Mapped[str | None] = mapped_column(String(32))
