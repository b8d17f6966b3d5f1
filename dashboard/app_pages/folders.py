"""Watched folders page: what is watched, and what each scan found."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import require_viewer
from dashboard.queries import FolderRow, recent_scans, watched_folders
from models.db import session_scope
from models.exports import escape_markdown
from models.folders import set_watching

require_viewer("admin")


def _label(folders: list[FolderRow], folder_id: int) -> str:
    folder = next(f for f in folders if f.id == folder_id)
    return f"{folder.id}: {folder.path} ({'watched' if folder.watching == 'yes' else 'stopped'})"


st.title("Watched folders")
folders = watched_folders()
if not folders:
    st.info("No folder is watched. Add one with `tingshuo watch add PATH --every 300`.")
else:
    st.dataframe([f.__dict__ for f in folders], hide_index=True, width="stretch")
    with st.form("watching"):
        chosen = st.selectbox(
            "Folder", [f.id for f in folders], format_func=lambda i: _label(folders, i)
        )
        stop_col, resume_col = st.columns(2)
        stop = stop_col.form_submit_button("Stop watching")
        resume = resume_col.form_submit_button("Watch again")
    if stop or resume:
        with session_scope() as session:
            st.toast(escape_markdown(set_watching(session, chosen, enabled=bool(resume))))
        st.rerun()


@st.fragment(run_every="5s")
def scans_table() -> None:
    st.subheader("Recent scans")
    scans = recent_scans()
    if scans:
        st.dataframe(scans, hide_index=True, width="stretch")
    else:
        st.caption("No scan yet.")


scans_table()
