"""Login page."""

from __future__ import annotations

from dashboard.login_form import draw_login

draw_login()
