"""Students page (teachers): each student's lessons over time, exportable as CSV."""

from __future__ import annotations

import csv
import io

import streamlit as st

from dashboard.auth import require_viewer
from dashboard.queries import SCORE_FIELDS, student_lessons

viewer = require_viewer("teacher")
st.title("Students")
lessons = student_lessons(viewer)
if not lessons:
    st.info("No lessons filed under a student yet.")
    st.stop()
students = sorted({row["student"] for row in lessons})
student = st.selectbox("Student", students)
mine = [row for row in lessons if row["student"] == student]
scored = [row for row in mine if row["overall"] is not None]
if scored:
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
    )
    latest = scored[-1]
    st.subheader(f"Latest report ({latest['date']}, {latest['name']})")
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
st.download_button("Export CSV", buffer.getvalue(), file_name=f"{student}.csv", mime="text/csv")
