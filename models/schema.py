"""Every table, registered on one metadata (what Alembic compares against)."""

from __future__ import annotations

from models import accounts, analysis, audit, folders, login_limits, tables, voices
from models.base import Base

metadata = Base.metadata
__all__ = [
    "accounts",
    "analysis",
    "audit",
    "folders",
    "login_limits",
    "metadata",
    "tables",
    "voices",
]
