"""Search page: full-text search over the transcripts the viewer may see."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import require_viewer
from dashboard.queries import search
from models.exports import escape_markdown

RECORDING_PAGE = "app_pages/recording.py"

viewer = require_viewer()
st.title("Search")
query = st.text_input("Words to find", max_chars=200)
if query:
    hits = search(viewer, query)
    if not hits:
        st.info("Nothing found.")
    for hit in hits:
        minutes, seconds = divmod(int(hit.start_s), 60)
        name = escape_markdown(hit.recording_name)
        # In this tab, at that moment: the recording page plays from ?t= (seconds).
        st.page_link(
            RECORDING_PAGE,
            label=f"{name} at {minutes}\\:{seconds:02d}",
            query_params={"id": str(hit.recording_id), "t": str(int(hit.start_s))},
        )
        st.caption(hit.kind)
        st.text(hit.text)
