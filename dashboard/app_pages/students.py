"""Students page (teachers): each student's lessons over time, exportable as CSV."""

from __future__ import annotations

import csv
import io
from functools import partial

import streamlit as st

from dashboard.audit_trail import audited_export, note_student_viewed
from dashboard.auth import require_viewer
from dashboard.queries import SCORE_FIELDS, student_lessons
from dashboard.student_notes import enrol_from_lesson, read_notes, save_notes
from models.audit import Subject
from models.exports import escape_markdown
from models.student_report import student_report_docx

viewer = require_viewer("teacher")
st.title("Students")
lessons = student_lessons(viewer)
if not lessons:
    st.info("No lessons filed under a student yet.")
    st.stop()
students = sorted({row["student"] for row in lessons})
student = st.selectbox("Student", students)
mine = [row for row in lessons if row["student"] == student]
for student_id in sorted({row["student_id"] for row in mine}):
    note_student_viewed(viewer, student_id, student)
scored = [row for row in mine if row["overall"] is not None]
if len(scored) == 1:
    # One lesson is a point, not a line: its scores, said plainly.
    st.subheader("Pronunciation (one lesson scored so far)")
    only = scored[0]
    for column, field in zip(st.columns(len(SCORE_FIELDS)), SCORE_FIELDS, strict=True):
        value = only[field]
        column.metric(f"{field} (0-100)", "-" if value is None else f"{value:.0f}")
elif scored:
    st.subheader("Pronunciation over time")
    st.line_chart(
        [
            {"lesson": f"{row['date']} #{row['recording']}", "score": row[field], "measure": field}
            for row in scored
            for field in SCORE_FIELDS
            if row[field] is not None
        ],
        x="lesson",
        y="score",
        color="measure",
        x_label="lesson (date #recording)",
        y_label="score (0-100)",
    )
if scored:
    latest = scored[-1]
    st.subheader(f"Latest report ({latest['date']}, {escape_markdown(latest['name'])})")
    st.text(f"Mispronounced: {latest['mispronounced'] or 'none'}")
    if latest["feedback"]:
        st.text(latest["feedback"])
else:
    st.caption("No pronunciation scores yet: they appear once lessons are scored.")
st.subheader("Lessons")
st.dataframe(mine, hide_index=True, width="stretch")
buffer = io.StringIO()
writer = csv.DictWriter(buffer, fieldnames=list(mine[0]))
writer.writeheader()
writer.writerows(mine)
exported = Subject(None, mine[0]["student_id"], True)
st.download_button(
    "Export CSV",
    audited_export(viewer, exported, "scores CSV", buffer.getvalue),
    file_name=f"{student}.csv",
    mime="text/csv",
    on_click="ignore",
)

school_class = mine[0]["class"]
st.subheader("Notes and report")
with st.form(f"notes-{student}"):
    notes = st.text_area(
        "Teacher's notes (printed on the report)",
        value=read_notes(viewer, student, school_class),
        max_chars=5000,
    )
    if st.form_submit_button("Save notes"):
        st.toast(escape_markdown(save_notes(viewer, student, school_class, notes)))
report = partial(
    student_report_docx, student, school_class, mine, read_notes(viewer, student, school_class)
)
st.download_button(
    "Report for parents (DOCX)",
    audited_export(viewer, exported, "report for parents", report),
    file_name=f"{student} report.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    on_click="ignore",
)

done_lessons = [row for row in mine if row["status"] == "done"]
if done_lessons:
    with st.form(f"enrol-{student}"):
        st.caption(
            f"Enrol {escape_markdown(student)}'s voice from a lesson where they speak most: "
            "in class recordings, their speaker is then named after them and their report "
            "filed under them."
        )
        lesson = st.selectbox(
            "Lesson",
            [row["recording"] for row in done_lessons],
            format_func=lambda r: next(
                f"{row['date']} {row['name']}" for row in done_lessons if row["recording"] == r
            ),
        )
        if st.form_submit_button("Enrol voice from this lesson"):
            st.toast(escape_markdown(enrol_from_lesson(viewer, student, school_class, lesson)))
