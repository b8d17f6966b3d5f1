"""Alembic environment: the database URL comes from settings, the metadata from models.schema."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from migrations import include_name
from models.db import get_engine
from models.schema import metadata
from models.settings import get_settings

config = context.config
target_metadata = metadata


def _url() -> str:
    return str(config.attributes.get("database_url") or get_settings().sqlalchemy_url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=include_name,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection) -> None:
    """Run the migrations on ``connection``. On SQLite, batch mode recreates tables, and with
    foreign keys on, dropping a parent table fires its ON DELETE actions on every child row
    (segments would lose their speakers, analysis rows their raw answers). So foreign keys are
    off while migrating, checked afterwards, and on again."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Outside any transaction, where SQLite honours it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows that point nowhere: {broken[:5]}")
    finally:
        if sqlite:
            # After the commit: inside a transaction SQLite would ignore it, and this pooled
            # connection would go on without foreign keys.
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            on = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            if on != 1:
                connection.invalidate()  # never hand out a connection without foreign keys


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with get_engine(_url()).connect() as connection:
        _migrate(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
