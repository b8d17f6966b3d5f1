"""Logging in and out of the dashboard; every page asks ``require_viewer`` who is asking."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import streamlit as st
from sqlalchemy import select

from models.access import Viewer, load_viewer
from models.accounts import User
from models.base import utcnow
from models.db import session_scope
from models.passwords import verify_password
from models.settings import get_settings

SESSION_KEY = "tingshuo_auth"
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$Eo2uSBaxeHqV81/cBAZjAA$"
    "fXJMLvQ34YWlgJcYRZiXXNbKoVgojxNXFOGYDknf43o"
)


def login(username: str, password: str) -> Viewer | None:
    with session_scope() as session:
        user = session.scalars(select(User).where(User.username == username.strip())).one_or_none()
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password)
            return None
        if not verify_password(user.password_hash, password):
            return None
        user.last_login_at = utcnow()
        viewer = load_viewer(session, user.id)
    st.session_state[SESSION_KEY] = {"user_id": user.id, "login_at": time.time()}
    return viewer


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The e-mail of an OpenID Connect identity, only when the provider says it verified it:
    anyone can type an address into an account at some providers."""
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified")
    if not email or not (verified is True or str(verified).lower() == "true"):
        return None
    return email


def login_external(claims: Mapping[str, Any]) -> Viewer | None:
    """After an OpenID Connect login: the account whose username is the verified e-mail."""
    email = verified_email(claims)
    if email is None:
        return None
    with session_scope() as session:
        user_id = session.scalar(select(User.id).where(User.username == email, User.active))
        if user_id is None:
            return None
    st.session_state[SESSION_KEY] = {"user_id": user_id, "login_at": time.time()}
    return current_viewer()


def logout() -> None:
    st.session_state.pop(SESSION_KEY, None)


def current_viewer() -> Viewer | None:
    auth = st.session_state.get(SESSION_KEY)
    if not auth:
        return None
    if time.time() - float(auth.get("login_at", 0)) > get_settings().session_max_age_s:
        logout()
        return None
    # Reloaded on every run: a disabled account or a changed team takes effect at once.
    with session_scope() as session:
        viewer = load_viewer(session, int(auth["user_id"]))
    if viewer is None:
        logout()
    return viewer


def require_viewer(role: str | None = None) -> Viewer:
    """The logged-in user, or stop the page. ``role``: 'teacher' or 'admin' pages."""
    viewer = current_viewer()
    if viewer is None:
        st.warning("Please log in.")
        st.stop()
    assert viewer is not None
    allowed = {None: True, "teacher": viewer.is_teacher, "admin": viewer.is_admin}[role]
    if not allowed:
        st.error("This page is not available to your account.")
        st.stop()
    return viewer
