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


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_engine(_url()).connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
