"""Logging in and out of the dashboard; every page asks ``require_viewer`` who is asking.

A login is a server-side row (models/sessions.py) named by a signed cookie, so it survives a
reload and a new tab, and ends everywhere when the row ends. The cookie is written by a script
in a zero-height component, because Streamlit has no API for setting one: it therefore cannot
be HttpOnly. What protects it is said in the README (signed, SameSite=Strict, Secure over
HTTPS, expiring, revocable, and no user text is ever drawn as HTML).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import streamlit as st
import streamlit.components.v1 as components
from sqlalchemy import select

from models.access import Viewer, load_viewer
from models.accounts import User
from models.base import utcnow
from models.db import session_scope
from models.login_limits import forget_old_attempts, record_attempt, refusal
from models.passwords import verify_password
from models.sessions import COOKIE_NAME, active_session, end_session, open_session
from models.settings import get_settings

# The signed cookie value of this tab's login.
SESSION_KEY = "tingshuo_auth"
MUST_CHANGE_KEY = "tingshuo_must_change_password"
_PENDING_COOKIE = "tingshuo_cookie_to_write"
_CLEARED = "tingshuo_cookie_cleared"
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$Eo2uSBaxeHqV81/cBAZjAA$"
    "fXJMLvQ34YWlgJcYRZiXXNbKoVgojxNXFOGYDknf43o"
)


class LoginRefused(Exception):
    """Too many failed logins: the message says for how long."""


def login(username: str, password: str) -> Viewer | None:
    """The viewer, or None for a wrong name or password; raises LoginRefused while the
    account or the address is locked out (models/login_limits.py)."""
    username = username.strip()
    address = _client_address()
    with session_scope() as session:
        reason = refusal(session, username, address)
    if reason:
        raise LoginRefused(reason)
    with session_scope() as session:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password)
            user_id = None
        elif not verify_password(user.password_hash, password):
            user_id = None
        else:
            user.last_login_at = utcnow()
            user_id = user.id
        record_attempt(session, username, address, succeeded=user_id is not None)
        if user_id is not None:
            forget_old_attempts(session)
    return None if user_id is None else start_login(user_id)


def _client_address() -> str | None:
    """The browser's address as the server saw it (None behind some proxies and in tests)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def start_login(user_id: int) -> Viewer | None:
    """Open a login for this tab and have the browser keep its cookie."""
    settings = get_settings()
    with session_scope() as session:
        cookie = open_session(session, user_id, settings)
    st.session_state[SESSION_KEY] = cookie
    st.session_state[_PENDING_COOKIE] = (cookie, settings.session_max_age_s)
    st.session_state.pop(_CLEARED, None)
    return current_viewer()


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
    return start_login(user_id)


def _cookie() -> str | None:
    """This tab's login: the one it made, else the one the browser brought when it connected."""
    held = st.session_state.get(SESSION_KEY)
    if held:
        return str(held)
    brought = st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None
    return brought or None


def logout() -> None:
    cookie = _cookie()
    if cookie:
        with session_scope() as session:
            end_session(session, cookie, get_settings())
    _forget()


def _forget() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(MUST_CHANGE_KEY, None)
    if not st.session_state.get(_CLEARED):  # tell the browser to drop it, once
        st.session_state[_PENDING_COOKIE] = ("", 0)
        st.session_state[_CLEARED] = True


def current_viewer() -> Viewer | None:
    cookie = _cookie()
    if not cookie:
        return None
    # Asked on every run: a logout elsewhere, a disabled account or a changed password ends
    # this tab's login at its next click.
    with session_scope() as session:
        active = active_session(session, cookie, get_settings())
        viewer = load_viewer(session, active.user_id) if active else None
    if active is None or viewer is None:
        _forget()
        return None
    st.session_state[SESSION_KEY] = cookie
    st.session_state[MUST_CHANGE_KEY] = active.must_change_password
    return viewer


def write_pending_cookie() -> None:
    """Hand the browser the cookie a login or logout of this run chose (once)."""
    pending = st.session_state.pop(_PENDING_COOKIE, None)
    if pending is None:
        return
    value, max_age = pending
    cookie = f"{COOKIE_NAME}={value}; Path=/; Max-Age={int(max_age)}; SameSite=Strict"
    components.html(
        "<script>"
        "const secure = window.parent.location.protocol === 'https:' ? '; Secure' : '';"
        f"window.parent.document.cookie = {json.dumps(cookie)} + secure;"
        "</script>",
        height=0,
    )


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
