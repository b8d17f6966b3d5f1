"""Full-text search over transcripts, restricted to what the viewer may see.

PostgreSQL uses its text search with the GIN index from migration 0003; SQLite uses the FTS5
trigram table. Queries in Chinese (no spaces between words) and queries shorter than three
characters fall back to a substring match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        .join(Recording, Recording.id == Segment.recording_id)
        .where(visible_recordings(viewer), _fts_condition(session, query))
        .order_by(Recording.id.desc(), Segment.start_s)
        .limit(limit)
    ).all()
    return [Hit(*row) for row in rows]
