"""People page (admins): accounts, teams and classes."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import require_viewer
from dashboard.queries import people_overview
from models.db import session_scope
from models.passwords import WeakPasswordError
from models.people import DirectoryError, add_team_member, create_team, create_user

require_viewer("admin")
st.title("People")
overview = people_overview()
st.subheader("Accounts")
st.dataframe(overview["users"], hide_index=True, width="stretch")
st.subheader("Teams and classes")
st.dataframe(overview["groups"], hide_index=True, width="stretch")

with st.form("new-user", clear_on_submit=True):
    st.write("New account")
    username = st.text_input("Username")
    password = st.text_input("Password (10 characters or more)", type="password")
    role = st.selectbox("Role", ["member", "teacher", "admin"])
    team = st.text_input("Team to join (optional; created if new)")
    if st.form_submit_button("Create"):
        try:
            with session_scope() as session:
                create_user(session, username, password, role)
                if team:
                    if team not in {g["name"] for g in overview["groups"]}:
                        create_team(session, team)
                    add_team_member(session, team, username)
            st.success(f"created {username}")
        except (DirectoryError, WeakPasswordError) as exc:
            st.error(str(exc))
