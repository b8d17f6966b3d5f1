"""Library page: the recordings the viewer may see, with live status and progress."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.actions import delete, retry
from dashboard.auth import require_viewer
from dashboard.queries import STATUSES, list_recordings, upload_choices
from models.exports import escape_markdown

viewer = require_viewer()
choices = upload_choices(viewer)
st.title("Library")
kind_col, status_col, group_col, since_col = st.columns(4)
kind = kind_col.selectbox("Kind", ["all", "meeting", "lesson"])
status = status_col.selectbox("Status", ["all", *STATUSES])
groups = {("team", t): n for t, n in choices.teams.items()}
groups |= {("class", c): n for c, n in choices.classes.items()}
group = group_col.selectbox(
    "Team or class", [None, *groups], format_func=lambda g: "all" if g is None else groups[g]
)
since = since_col.date_input("Uploaded since", value=None, max_value=dt.date.today())


@st.fragment(run_every="2s")
def recordings_table() -> None:
    rows = list_recordings(
        viewer,
        kind=None if kind == "all" else kind,
        status=None if status == "all" else status,
        team_id=group[1] if group and group[0] == "team" else None,
        class_id=group[1] if group and group[0] == "class" else None,
        since=since,
    )
    if not rows:
        st.info("No recordings yet: upload some on the Upload page.")
        return
    st.caption("Select a row to open its recording.")
    table = st.dataframe(
        [
            {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "group": r.group,
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
            "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=100),
        },
        hide_index=True,
        width="stretch",
        key="library-table",
        on_select="rerun",
        selection_mode="single-row",
    )
    chosen = table.selection.rows if table is not None else []
    if chosen:
        # In this tab: the login and the filters stay where they are.
        st.switch_page("app_pages/recording.py", query_params={"id": str(rows[chosen[0]].id)})


recordings_table()
with st.expander("Retry or delete a recording"):
    # Only the recordings this viewer may change (their uploads, their classes; admins all).
    rows = [r for r in list_recordings(viewer) if r.may_change]
    if not rows:
        st.caption("Nothing here that you may retry or delete.")
    if rows:
        target = st.selectbox(
            "Recording",
            [r.id for r in rows],
            format_func=lambda i: next(f"{r.id}: {r.name} ({r.status})" for r in rows if r.id == i),
        )
        retry_col, delete_col = st.columns(2)
        if retry_col.button("Retry"):
            st.toast(escape_markdown(retry(viewer, target)))
        confirm = delete_col.checkbox("Yes, delete it with its files and results")
        if delete_col.button("Delete", disabled=not confirm):
            st.toast(escape_markdown(delete(viewer, target)))
            st.rerun()
