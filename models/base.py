"""The declarative base every table module shares."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored or parsed time as an aware UTC time: SQLite hands back naive datetimes, and
    every time Tingshuo writes is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class OfRun:
    """A row a pipeline run wrote. ``generation`` is that run's number (Recording.generation):
    readers show the current run's rows only, and a task of an older run writes none."""

    generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
