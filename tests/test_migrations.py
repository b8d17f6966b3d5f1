"""The migrations build the schema the ORM describes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from migrations import include_name, upgrade_head
from models.schema import metadata


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return list(diff)


def test_sqlite_upgrade_head_matches_the_orm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_head(url)
    upgrade_head(url)  # running it again is a no-op
    assert _differences(url) == []
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"recordings", "speakers", "segments", "stage_runs", "clips"} <= tables


@pytest.mark.postgres
def test_postgres_upgrade_head_matches_the_orm(postgres_url: str) -> None:
    upgrade_head(postgres_url)
    assert _differences(postgres_url) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrading_keeps_existing_recordings_and_downgrade_works(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command
    from sqlalchemy import text

    from migrations import alembic_config

    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    config = alembic_config(url)
    command.upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        insert = text(
            "INSERT INTO recordings (content_hash, original_name, kind, size_bytes, status,"
            " progress, created_at, updated_at)"
            " VALUES (:h, 'old.wav', 'meeting', 10, 'done', 100, :t, :t)"
        )
        connection.execute(insert, {"h": "c" * 64, "t": "2026-01-01T00:00:00+00:00"})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT original_name, lane FROM recordings")).one()
    assert tuple(row) == ("old.wav", "interactive")
    command.downgrade(config, "0001")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM recordings")).scalar() == 1
    engine.dispose()
