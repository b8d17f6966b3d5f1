"""Watched folders page: what is watched, and what each scan found."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import require_viewer
from dashboard.queries import recent_scans, watched_folders

require_viewer("admin")

st.title("Watched folders")
folders = watched_folders()
if not folders:
    st.info("No folder is watched. Add one with `tingshuo watch add PATH --every 300`.")
else:
    st.dataframe([f.__dict__ for f in folders], hide_index=True, width="stretch")


@st.fragment(run_every="5s")
def scans_table() -> None:
    st.subheader("Recent scans")
    scans = recent_scans()
    if scans:
        st.dataframe(scans, hide_index=True, width="stretch")
    else:
        st.caption("No scan yet.")


scans_table()
