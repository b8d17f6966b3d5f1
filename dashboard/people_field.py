"""The "people heard" field of the upload and correction forms (one label, one limit, one help
text, so the two forms cannot drift apart)."""

from __future__ import annotations

import streamlit as st


def people_heard(value: str = "") -> str:
    """Names typed by the user: the transcript is told them as hot words (models/intake.py
    cleans and limits them)."""
    return st.text_input(
        "People heard (names, comma-separated)",
        value=value,
        max_chars=2000,
        placeholder="Kate, Omar, 王老师",
        help="The transcript is told these names so that it spells them. Who spoke is still "
        "found from the voices.",
    )
