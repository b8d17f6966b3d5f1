"""Tingshuo dashboard: login and navigation; each page lives in app_pages/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage as Page

from dashboard.auth import current_viewer, logout
from dashboard.connections import ensure_database
from dashboard.login_form import draw_login
from models.access import Viewer

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
if viewer is None:
    # Every page is known (hidden) so that a link such as /recording?id=7 survives the login;
    # none of them runs: the login form is drawn instead.
    st.navigation(pages_for(None), position="hidden")
    draw_login()
else:
    with st.sidebar:
        st.caption(f"Logged in as **{viewer.display_name}** ({viewer.role})")
        if st.button("Log out"):
            logout()
            st.rerun()
    st.navigation(pages_for(viewer)).run()
