"""Upload page: several files at once, filed under a team, or a class and student."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard.actions import consent_moment, upload
from dashboard.auth import require_viewer
from dashboard.people_field import people_heard
from dashboard.queries import upload_choices
from models.exports import escape_markdown
from models.intake import RecordingMeta

viewer = require_viewer()
choices = upload_choices(viewer)
st.title("Upload recordings")
kinds = ["meeting", "lesson"] if viewer.is_teacher else ["meeting"]
kind = st.radio("Kind", kinds, horizontal=True)
form = RecordingMeta(kind=kind)
if kind == "meeting":
    team = st.selectbox(
        "Team",
        [None, *choices.teams],
        format_func=lambda t: "only me" if t is None else choices.teams[t],
    )
    form = RecordingMeta(kind=kind, team_id=team)
else:
    if not choices.classes:
        st.warning("You teach no class yet: ask an administrator to create one.")
        st.stop()
    class_ids: list[int] = list(choices.classes)
    class_id: int = st.selectbox("Class", class_ids, format_func=lambda c: choices.classes[c])
    students = dict(choices.students.get(class_id, []))
    student = st.selectbox(
        "Student",
        [None, *students],
        format_func=lambda s: "whole class" if s is None else students[s],
    )
    reference = st.text_area("Reference text (for read-aloud exercises)", max_chars=5000)
    form = RecordingMeta(
        kind=kind, class_id=class_id, student_id=student, reference_text=reference or None
    )

with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("Audio or video files", accept_multiple_files=True)
    language = st.selectbox("Language", ["auto", "en", "zh"], help="A hint for transcription")
    speakers = st.number_input("Expected number of speakers (0: unknown)", 0, 20, 0)
    people = people_heard()
    st.caption("Consent (some classes require it): who was told they were being recorded, how.")
    consent_who = st.text_input(
        "Who was informed", max_chars=500, placeholder="the class and parents"
    )
    consent_how = st.text_input("How", max_chars=255, placeholder="letter home, 1 September")
    consent_on = st.date_input("When", value=None)
    submitted = st.form_submit_button("Queue for processing")

if submitted:
    if not files:
        st.warning("Choose at least one file.")
    final = replace(
        form,
        language=None if language == "auto" else language,
        expected_speakers=int(speakers) or None,
        people=(people,),
        consent_who=consent_who or None,
        consent_how=consent_how or None,
        consent_at=consent_moment(consent_on),
    )
    for file in files or []:
        outcome = upload(viewer, file, file.name, final)
        said = escape_markdown(f"{outcome.name}: {outcome.message}")  # names are typed by users
        (st.success if outcome.ok else st.error)(said)
    st.page_link("app_pages/library.py", label="See progress in the library")
