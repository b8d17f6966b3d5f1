"""The migrations build the schema the ORM describes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from migrations import upgrade_head
from models.tables import Base


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
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
