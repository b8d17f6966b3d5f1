"""Correcting what the machine got wrong: the language, reference text and number of speakers
(then a new run), and transcript lines (then the analysis again, on the corrected text)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.actions import analyse_again, correct_and_rerun, correct_line
from dashboard.people_field import people_heard
from dashboard.transcript_view import clock
from models.access import Viewer
from models.languages import language_name

# Offered first; any ISO 639-1 code can be typed.
COMMON_LANGUAGES = ("en", "zh", "es", "fr", "de", "ja", "ko", "pt", "ru", "it", "ar", "hi")


def draw_rerun_settings(viewer: Viewer, detail: dict[str, Any]) -> None:
    if not detail.get("may_change"):
        return
    asked = detail["status"] == "failed" and detail["stage"] == "language"
    with (
        st.expander("Language, reference text and speakers", expanded=asked),
        st.form(f"settings-{detail['id']}"),
    ):
        current = detail.get("language") or ""
        options = ["", *COMMON_LANGUAGES]
        if current and current not in options:
            options.append(current)
        language = st.selectbox(
            "Language",
            options,
            index=options.index(current),
            format_func=lambda c: f"{language_name(c)} ({c})" if c else "detect",
        )
        reference = None
        if detail["kind"] == "lesson":
            reference = st.text_area(
                "Reference text (what the student reads aloud)",
                value=detail.get("reference_text") or "",
                max_chars=5000,
            )
        speakers = st.number_input(
            "Expected number of speakers (0: unknown)",
            0,
            20,
            int(detail.get("expected_speakers") or 0),
        )
        people = people_heard(", ".join(detail.get("people") or []))
        if st.form_submit_button("Save and run again"):
            said = correct_and_rerun(
                viewer,
                detail["id"],
                language or None,
                reference,
                int(speakers) or None,
                people=people,
            )
            st.session_state["recording-said"] = said
            st.rerun()
    said = st.session_state.pop("recording-said", None)
    if said:
        st.toast(said)


def _line_label(segments: list[dict[str, Any]], number: int) -> str:
    segment = segments[number]
    words = segment["text"][:60]
    return f"{clock(segment['start'])}  {words}"


def draw_corrections(viewer: Viewer, detail: dict[str, Any]) -> None:
    segments = detail["segments"]
    with st.expander("Correct a line"):
        number = st.selectbox(
            "Line", range(len(segments)), format_func=lambda n: _line_label(segments, n)
        )
        segment = segments[number]
        with st.form(f"correct-{detail['id']}"):
            text = st.text_area("Corrected text", value=segment["text"], max_chars=5000)
            if st.form_submit_button("Save correction"):
                st.session_state["recording-said"] = correct_line(
                    viewer, detail["id"], segment["id"], text
                )
                st.rerun()
        if any(s.get("edited_by") for s in segments) and detail["status"] == "done":
            st.caption(
                "Lines were corrected: run the analysis again so that the summary, action "
                "items and sentiment read the corrected text."
            )
            if st.button("Analyse the corrected transcript again"):
                st.session_state["recording-said"] = analyse_again(viewer, detail["id"])
                st.rerun()
