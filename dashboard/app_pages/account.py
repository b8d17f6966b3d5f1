"""Account page: one's own password, and ending one's logins everywhere."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import logout, require_viewer
from dashboard.password_form import draw_password_change
from models.db import session_scope
from models.sessions import end_user_sessions

viewer = require_viewer()
st.title("Account")
st.text(f"{viewer.display_name} ({viewer.username}), {viewer.role}")
st.subheader("Change password")
draw_password_change(viewer)
st.subheader("Logins")
st.caption("Ends this login and every other one of yours (other browsers, other devices).")
if st.button("Log out everywhere"):
    with session_scope() as session:
        end_user_sessions(session, viewer.user_id, "logout everywhere")
    logout()
    st.rerun()
