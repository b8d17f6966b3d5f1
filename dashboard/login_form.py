"""The login form, drawn in place of any page while nobody is logged in."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import LoginRefused, login, login_external, verified_email
from models.settings import get_settings


def draw_login() -> None:
    st.title("Tingshuo 听说")
    with st.form("login"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        try:
            viewer = login(username, password)
        except LoginRefused as exc:
            st.error(str(exc))
        else:
            if viewer is None:
                st.error("Wrong username or password.")
            else:
                st.rerun()
    if get_settings().oidc_enabled:
        st.divider()
        if not st.user.is_logged_in:
            if st.button("Log in with single sign-on"):
                st.login()
        elif verified_email(dict(st.user)) is None:
            st.error("Your provider has not verified this e-mail address, so it cannot log in.")
        elif login_external(dict(st.user)) is None:
            st.error("Your account is not registered in Tingshuo; ask an administrator.")
        else:
            st.rerun()
