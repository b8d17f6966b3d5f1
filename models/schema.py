"""Every table, registered on one metadata (what Alembic compares against)."""

from __future__ import annotations

from models import accounts, folders, tables
from models.base import Base

metadata = Base.metadata
__all__ = ["accounts", "folders", "metadata", "tables"]
