"""Library page: recordings with live status and progress."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import retry
from dashboard.queries import STATUSES, list_recordings

st.title("Library")
left, right = st.columns(2)
kind = left.selectbox("Kind", ["all", "meeting", "lesson"])
status = right.selectbox("Status", ["all", *STATUSES])


@st.fragment(run_every="2s")
def recordings_table() -> None:
    rows = list_recordings(None if kind == "all" else kind, None if status == "all" else status)
    if not rows:
        st.info("No recordings yet: upload some on the Upload page.")
        return
    st.dataframe(
        [
            {
                "open": f"/recording?id={r.id}",
                "name": r.name,
                "kind": r.kind,
                "status": r.status,
                "stage": r.stage or "",
                "progress": r.progress,
                "minutes": round((r.duration_s or 0) / 60, 1),
                "uploaded": r.created_at,
                "error": r.error or "",
            }
            for r in rows
        ],
        column_config={
            "open": st.column_config.LinkColumn("open", display_text=r"id=(\d+)"),
            "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=100),
        },
        hide_index=True,
        use_container_width=True,
    )
    failed = [r for r in rows if r.status == "failed"]
    if failed:
        choice = st.selectbox("Retry a failed recording", [f"{r.id}: {r.name}" for r in failed])
        if st.button("Retry"):
            st.toast(retry(int(choice.split(":", 1)[0])))


recordings_table()
