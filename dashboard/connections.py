"""Process-wide resources for the dashboard, created once per server process."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from models.db import get_engine


@st.cache_resource
def database() -> Engine:
    return get_engine()


@st.cache_resource
def ensure_database() -> bool:
    """Apply migrations once per server start, so a fresh data folder just works."""
    from migrations import upgrade_head
    from models.settings import get_settings

    settings = get_settings()
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.ensure_dirs()
    upgrade_head()
    database()
    return True
