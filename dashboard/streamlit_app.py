"""Tingshuo dashboard: navigation only; each page lives in app_pages/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.connections import ensure_database

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="Tingshuo", page_icon="🎧", layout="wide")
ensure_database()
navigation = st.navigation(
    [
        st.Page(PAGES / "library.py", title="Library", icon="📚", default=True),
        st.Page(PAGES / "upload.py", title="Upload", icon="⬆️"),
        st.Page(PAGES / "recording.py", title="Recording", icon="🎧", url_path="recording"),
        st.Page(PAGES / "folders.py", title="Watched folders", icon="📂", url_path="folders"),
    ]
)
navigation.run()
