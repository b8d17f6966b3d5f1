"""Upload page: several files at once, with their kind."""

from __future__ import annotations

import os

import streamlit as st

from dashboard.actions import upload
from worker.intake import RecordingMeta

st.title("Upload recordings")
with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("Audio or video files", accept_multiple_files=True)
    kind = st.radio("Kind", ["meeting", "lesson"], horizontal=True)
    language = st.selectbox("Language", ["auto", "en", "zh"], help="A hint for transcription")
    submitted = st.form_submit_button("Queue for processing")

if submitted:
    if not files:
        st.warning("Choose at least one file.")
    for file in files or []:
        meta = RecordingMeta(
            kind=kind,
            uploaded_by=os.environ.get("USER", "dashboard"),
            language=None if language == "auto" else language,
        )
        outcome = upload(file, file.name, meta)
        if outcome.ok:
            st.success(f"{outcome.name}: {outcome.message}")
        else:
            st.error(f"{outcome.name}: {outcome.message}")
    st.page_link("app_pages/library.py", label="See progress in the library", icon="📚")
