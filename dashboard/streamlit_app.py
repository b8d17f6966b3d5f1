"""Tingshuo dashboard: login and navigation; each page lives in app_pages/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage as Page

from dashboard.auth import MUST_CHANGE_KEY, current_viewer, logout, write_pending_cookie
from dashboard.connections import ensure_database
from dashboard.login_form import draw_login
from dashboard.password_form import draw_password_change
from models.access import Viewer
from models.exports import escape_markdown

PAGES = Path(__file__).resolve().parent / "app_pages"


def pages_for(viewer: Viewer | None) -> list[Page]:
    pages = [
        st.Page(
            PAGES / "library.py", title="Library", icon=":material/video_library:", default=True
        ),
        st.Page(PAGES / "upload.py", title="Upload", icon=":material/upload:", url_path="upload"),
        st.Page(
            PAGES / "recording.py",
            title="Recording",
            icon=":material/graphic_eq:",
            url_path="recording",
        ),
        st.Page(PAGES / "search.py", title="Search", icon=":material/search:", url_path="search"),
        st.Page(
            PAGES / "account.py", title="Account", icon=":material/person:", url_path="account"
        ),
    ]
    if viewer is None or viewer.is_teacher:
        pages.append(
            st.Page(
                PAGES / "students.py",
                title="Students",
                icon=":material/school:",
                url_path="students",
            )
        )
    if viewer is None or viewer.is_admin:
        pages.append(
            st.Page(
                PAGES / "folders.py",
                title="Watched folders",
                icon=":material/folder_open:",
                url_path="folders",
            )
        )
        pages.append(
            st.Page(PAGES / "admin.py", title="People", icon=":material/group:", url_path="people")
        )
    return pages


st.set_page_config(page_title="Tingshuo", page_icon=":material/graphic_eq:", layout="wide")
ensure_database()
viewer = current_viewer()
write_pending_cookie()
if viewer is None:
    # Every page is known (hidden) so that a link such as /recording?id=7 survives the login;
    # none of them runs: the login form is drawn instead.
    st.navigation(pages_for(None), position="hidden")
    draw_login()
elif st.session_state.get(MUST_CHANGE_KEY):
    # A one-time password from an admin's reset opens this form and nothing else.
    st.navigation(pages_for(None), position="hidden")
    st.title("Choose a new password")
    st.info("Your password was reset. Choose a new one to continue.")
    draw_password_change(viewer)
else:
    with st.sidebar:
        st.caption(f"Logged in as **{escape_markdown(viewer.display_name)}** ({viewer.role})")
        if st.button("Log out"):
            logout()
            st.rerun()
    flash = st.session_state.pop("tingshuo_flash", None)
    if flash:
        st.toast(escape_markdown(flash))
    st.navigation(pages_for(viewer)).run()
