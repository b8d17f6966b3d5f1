"""Full-text search over transcripts, summaries and action items the viewer may see.

PostgreSQL uses its text search with the GIN index from migration 0003; SQLite uses the FTS5
trigram table. Queries in Chinese (no spaces between words) and queries shorter than three
characters fall back to a substring match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, column, func, select, text
from sqlalchemy.orm import Session

from models.access import Viewer, visible_recordings
from models.tables import Recording, Segment

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class Hit:
    recording_id: int
    recording_name: str
    start_s: float
    text: str
    kind: str = "transcript"


def _fts_condition(session: Session, query: str):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    if len(query) < 3 or (dialect == "postgresql" and CJK.search(query)):
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return Segment.text.ilike(f"%{escaped}%", escape="\\")
    if dialect == "sqlite":
        phrase = '"' + query.replace('"', '""') + '"'
        matching = text("SELECT rowid FROM segments_fts WHERE segments_fts MATCH :phrase")
        return Segment.id.in_(matching.bindparams(phrase=phrase).columns(column("rowid", Integer)))
    return func.to_tsvector("simple", Segment.text).op("@@")(func.plainto_tsquery("simple", query))


def search_segments(session: Session, viewer: Viewer, query: str, limit: int = 100) -> list[Hit]:
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    rows = session.execute(
        select(Recording.id, Recording.original_name, Segment.start_s, Segment.text)
        # The current run's rows only (see Recording.generation).
        .join(
            Recording,
            (Recording.id == Segment.recording_id) & (Recording.generation == Segment.generation),
        )
        .where(visible_recordings(viewer), _fts_condition(session, query))
        .order_by(Recording.id.desc(), Segment.start_s)
        .limit(limit)
    ).all()
    return [Hit(*row) for row in rows]


def _escaped_like(column: Any, query: str) -> Any:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _text_match(session: Session, column: Any, query: str) -> Any:
    """Summaries and action items are a few rows a recording: PostgreSQL's text search, or a
    substring match (SQLite, Chinese, very short queries)."""
    if (
        session.get_bind().dialect.name == "postgresql"
        and len(query) >= 3
        and not CJK.search(query)
    ):
        return func.to_tsvector("simple", column).op("@@")(func.plainto_tsquery("simple", query))
    return _escaped_like(column, query)


def search_everything(session: Session, viewer: Viewer, query: str, limit: int = 100) -> list[Hit]:
    """Transcripts, summaries and action items the viewer may see."""
    from models.analysis import ActionItem, Summary

    hits = search_segments(session, viewer, query, limit)
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return hits
    summaries = session.execute(
        select(Recording.id, Recording.original_name, Summary.summary)
        .join(
            Recording,
            (Recording.id == Summary.recording_id) & (Recording.generation == Summary.generation),
        )
        .where(
            visible_recordings(viewer),
            Summary.summary.is_not(None),
            Summary.supported,
            _text_match(session, Summary.summary, query),
        )
        .limit(limit)
    ).all()
    items = session.execute(
        select(
            Recording.id,
            Recording.original_name,
            ActionItem.evidence_time_s,
            ActionItem.owner,
            ActionItem.task,
        )
        .join(
            Recording,
            (Recording.id == ActionItem.recording_id)
            & (Recording.generation == ActionItem.generation),
        )
        .where(
            visible_recordings(viewer),
            ActionItem.supported,
            _text_match(session, ActionItem.task, query) | _escaped_like(ActionItem.owner, query),
        )
        .limit(limit)
    ).all()
    hits += [Hit(rid, name, 0.0, str(text), "summary") for rid, name, text in summaries]
    hits += [
        Hit(rid, name, moment or 0.0, f"{owner or '?'}: {task or ''}", "action item")
        for rid, name, moment, owner, task in items
    ]
    return hits[:limit]
