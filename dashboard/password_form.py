"""Changing one's own password: the Account page, and the form a one-time password leads to."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import start_login
from models.access import Viewer
from models.db import session_scope
from models.exports import escape_markdown
from models.passwords import WeakPasswordError
from models.people import DirectoryError, change_password


def draw_password_change(viewer: Viewer) -> None:
    with st.form("change-password", clear_on_submit=True):
        current = st.text_input("Current password", type="password")
        new = st.text_input("New password (10 characters or more)", type="password")
        again = st.text_input("New password again", type="password")
        submitted = st.form_submit_button("Change password")
    if not submitted:
        return
    if new != again:
        st.error("The new passwords differ.")
        return
    try:
        with session_scope() as session:
            change_password(session, viewer.user_id, current, new)
    except (DirectoryError, WeakPasswordError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    # Every login of this account ended with the change; this tab gets a fresh one.
    start_login(viewer.user_id)
    st.session_state["tingshuo_flash"] = "Password changed; your other logins have ended."
    st.rerun()
