"""full-text search over transcript segments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 13:30:00

PostgreSQL: a GIN index on to_tsvector('simple', text). SQLite: an FTS5 table with the trigram
tokenizer (it also finds Chinese, which has no spaces), kept in step by triggers. Neither is
part of the ORM metadata: migrations.include_name keeps autogenerate from reporting them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE segments_fts USING fts5("
    "text, content='segments', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN "
    "INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN "
    "INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER segments_fts_update AFTER UPDATE OF text ON segments BEGIN "
    "INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO segments_fts(rowid, text) SELECT id, text FROM segments",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS segments_fts_update",
    "DROP TRIGGER IF EXISTS segments_fts_delete",
    "DROP TRIGGER IF EXISTS segments_fts_insert",
    "DROP TABLE IF EXISTS segments_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        op.execute(
            "CREATE INDEX ix_segments_text_fts ON segments "
            "USING gin (to_tsvector('simple', text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_segments_text_fts")
