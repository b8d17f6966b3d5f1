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


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrading_keeps_every_link_between_existing_rows(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Batch migrations recreate SQLite tables: with foreign keys on, dropping a parent table
    would null every segment's speaker and every summary's raw answer. Nothing may be lost."""
    from alembic import command
    from sqlalchemy import text

    from migrations import alembic_config
    from models.db import dispose_engines, get_engine

    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO recordings (id, content_hash, original_name, kind, size_bytes,"
                " status, progress, created_at, updated_at, lane) VALUES (1, :h, 'old.wav',"
                " 'meeting', 10, 'done', 100, :t, :t, 'interactive')"
            ),
            {"h": "c" * 64, "t": "2026-01-01T00:00:00+00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO speakers (id, recording_id, label, display_name)"
                " VALUES (5, 1, 'SPEAKER_00', 'Wei')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO segments (recording_id, speaker_id, start_s, end_s, text)"
                " VALUES (1, 5, 0, 1, 'hello')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO stage_runs (id, recording_id, stage, status, started_at, clip_index)"
                " VALUES (7, 1, 'transcribe', 'done', :t, 0)"
            ),
            {"t": "2026-01-01T00:00:00+00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO summaries (recording_id, stage_run_id, status, summary, topics,"
                " decisions) VALUES (1, 7, 'ok', 's', '[]', '[]')"
            )
        )
    engine.dispose()
    command.upgrade(config, "head")
    with get_engine(url).connect() as connection:
        assert connection.execute(text("SELECT speaker_id FROM segments")).scalar() == 5
        assert connection.execute(text("SELECT stage_run_id FROM summaries")).scalar() == 7
        run = connection.execute(
            text("SELECT subject_kind, subject_index, generation FROM stage_runs")
        ).one()
        assert tuple(run) == ("clip", 0, 1)
        named = connection.execute(text("SELECT named_by FROM speakers")).scalar()
        assert named == "(earlier)", "a name given before runs were tracked is kept as given"
        if backend == "sqlite":
            on = connection.execute(text("PRAGMA foreign_keys")).scalar()
            assert on == 1, "the migration leaves foreign keys on"
    dispose_engines()
