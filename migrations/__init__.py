"""Alembic migrations. ``upgrade_head`` runs them from code (``tingshuo migrate``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent


# Search structures created by raw SQL in migration 0003, not described by the ORM.
UNMAPPED_PREFIXES = ("segments_fts", "ix_segments_text_fts")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves the full-text search tables and indexes alone."""
    return not (name and name.startswith(UNMAPPED_PREFIXES))


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        # env.py reads the URL from settings unless one is given here (tests, tools).
        config.attributes["database_url"] = url
    return config


def upgrade_head(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")
