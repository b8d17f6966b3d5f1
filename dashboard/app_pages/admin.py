"""People page (admins): accounts, teams and classes, and changes to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from dashboard.auth import require_viewer
from dashboard.directory import people_overview, voice_profiles
from models.audit import recent_events
from models.db import session_scope
from models.exports import escape_markdown
from models.passwords import WeakPasswordError
from models.people import (
    DirectoryError,
    add_team_member,
    create_team,
    create_user,
    group_named,
    remove_student,
    remove_team_member,
    reset_password,
    set_active,
    set_default_language,
    set_requires_consent,
    set_retention,
)
from models.voices import forget_profile, set_profiles_enabled

admin = require_viewer("admin")
st.title("People")
overview = people_overview()
usernames = [u["username"] for u in overview["users"]]
groups = overview["groups"]


def _forget(session: Session, profile_id: int) -> str:
    try:
        return forget_profile(session, profile_id)
    except LookupError as exc:
        raise DirectoryError(str(exc.args[0])) from None


def _switch(session: Session, group: dict[str, Any], enabled: bool) -> str:
    return set_profiles_enabled(
        group_named(session, group["kind"], group["name"]), session, enabled
    )


def change(action: Callable[[Session], str]) -> None:
    """Run one change and say what it changed (or why it could not)."""
    try:
        with session_scope() as session:
            said = action(session)
    except (DirectoryError, WeakPasswordError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    st.session_state["people-said"] = said
    st.rerun()


said = st.session_state.pop("people-said", None)
if said:
    st.success(escape_markdown(said))  # it holds names people typed
one_time = st.session_state.pop("people-one-time", None)
if one_time:
    st.warning("Shown once: give it to them in person. It only lets them choose a new password.")
    st.code(one_time, language=None)

st.subheader("Accounts")
st.dataframe(overview["users"], hide_index=True, width="stretch")
st.subheader("Teams and classes")
st.dataframe(
    [{**g, "members": ", ".join(g["members"])} for g in groups], hide_index=True, width="stretch"
)

with st.form("new-user", clear_on_submit=True):
    st.write("New account")
    username = st.text_input("Username")
    password = st.text_input("Password (10 characters or more)", type="password")
    role = st.selectbox("Role", ["member", "teacher", "admin"])
    team = st.text_input("Team to join (optional; created if new)")
    if st.form_submit_button("Create"):

        def create(session: Session) -> str:
            create_user(session, username, password, role)
            if team:
                if team not in {g["name"] for g in groups if g["kind"] == "team"}:
                    create_team(session, team)
                add_team_member(session, team, username)
                return f"created {username} in team {team}"
            return f"created {username}"

        change(create)

with st.expander("Change an account"):
    who = st.selectbox("Account", usernames, key="account")
    disable_col, enable_col, reset_col = st.columns(3)
    if disable_col.button("Disable", disabled=who == admin.username):
        change(lambda session: set_active(session, who, False))
    if enable_col.button("Enable"):
        change(lambda session: set_active(session, who, True))
    if reset_col.button("Reset password"):
        try:
            with session_scope() as session:
                new = reset_password(session, who)
        except DirectoryError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state["people-one-time"] = f"{who}: {new}"
            st.session_state["people-said"] = f"reset the password of {who}; their logins ended"
            st.rerun()

with st.expander("Remove someone from a team or class"):
    labels = {f"{g['kind']} {g['name']}": g for g in groups}
    chosen = st.selectbox("Team or class", list(labels), key="group")
    if chosen:
        group = labels[chosen]
        member = st.selectbox("Member" if group["kind"] == "team" else "Student", group["members"])
        if st.button("Remove", disabled=member is None):
            if group["kind"] == "team":
                change(lambda session: remove_team_member(session, group["name"], member))
            else:
                change(lambda session: remove_student(session, group["name"], member))

with st.expander("Default language of a team or class"):
    labels = {f"{g['kind']} {g['name']}": g for g in groups}
    chosen = st.selectbox("Team or class", list(labels), key="language-group")
    code = st.text_input("Language (ISO 639-1 code such as en or zh; empty: detect)")
    if chosen and st.button("Set language"):
        group = labels[chosen]
        change(lambda session: set_default_language(session, group["kind"], group["name"], code))

with st.expander("Voice profiles"):
    st.caption(
        "Voices people named, kept per team or class to suggest names in later recordings; "
        "enrolled students are named outright. Turning a group off deletes its profiles."
    )
    profiles = voice_profiles()
    if profiles:
        st.dataframe(profiles, hide_index=True, width="stretch")
        labels_by_id = {p["id"]: f"{p['name']} ({p['group']})" for p in profiles}
        forget = st.selectbox("Profile", list(labels_by_id), format_func=labels_by_id.__getitem__)
        if st.button("Forget this voice"):
            change(lambda session: _forget(session, forget))
    labels = {f"{g['kind']} {g['name']}": g for g in groups}
    chosen = st.selectbox("Team or class", list(labels), key="voices-group")
    on_col, off_col = st.columns(2)
    if chosen and on_col.button("Profiles on"):
        group = labels[chosen]
        change(lambda session: _switch(session, group, True))
    if chosen and off_col.button("Profiles off (deletes them)"):
        group = labels[chosen]
        change(lambda session: _switch(session, group, False))

with st.expander("Retention and consent"):
    st.caption(
        "Recordings older than a team's or class's retention are deleted with all their files "
        "every hour (empty: the installation's default). A class that requires consent refuses "
        "lessons uploaded without a note of who was informed and how."
    )
    labels = {f"{g['kind']} {g['name']}": g for g in groups}
    chosen = st.selectbox("Team or class", list(labels), key="retention-group")
    days = st.number_input("Keep recordings for (days; 0: the default)", min_value=0, step=30)
    if chosen and st.button("Set retention"):
        group = labels[chosen]
        change(
            lambda session: set_retention(session, group["kind"], group["name"], int(days) or None)
        )
    classes = [g["name"] for g in groups if g["kind"] == "class"]
    consent_class = st.selectbox("Class", classes, key="consent-class")
    required = st.toggle("Lessons need a note of consent", key="consent-required")
    if consent_class and st.button("Save consent rule"):
        change(lambda session: set_requires_consent(session, consent_class, required))

with st.expander("Audit log"):
    st.caption("Who viewed, exported, changed or deleted lessons and students' scores.")
    st.dataframe(recent_events(500), hide_index=True, width="stretch")
