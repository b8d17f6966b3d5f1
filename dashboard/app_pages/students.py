"""Students page (teachers): each student's lessons over time, exportable as CSV."""

from __future__ import annotations

import csv
import io

import streamlit as st

from dashboard.auth import require_viewer
from dashboard.queries import student_lessons

viewer = require_viewer("teacher")
st.title("Students")
lessons = student_lessons(viewer)
if not lessons:
    st.info("No lessons filed under a student yet.")
    st.stop()
students = sorted({row["student"] for row in lessons})
student = st.selectbox("Student", students)
mine = [row for row in lessons if row["student"] == student]
st.dataframe(mine, hide_index=True, width="stretch")
st.line_chart({row["date"]: row["minutes"] for row in mine}, x_label="lesson", y_label="minutes")
st.caption("Pronunciation scores appear here once lessons are scored.")
buffer = io.StringIO()
writer = csv.DictWriter(buffer, fieldnames=list(mine[0]))
writer.writeheader()
writer.writerows(mine)
st.download_button("Export CSV", buffer.getvalue(), file_name=f"{student}.csv", mime="text/csv")
