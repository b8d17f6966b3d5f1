"""Dashboard logins: signed cookies naming server-side rows, ended by logout, "log out
everywhere", a password change, a reset or a disabled account, in every tab at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from dashboard.auth import SESSION_KEY
from models.accounts import LoginSession, User
from models.base import utcnow
from models.db import session_scope
from models.passwords import verify_password
from models.sessions import active_session, signing_key
from models.settings import Settings, get_settings
from tests.dashboard_fixtures import PAGES, PASSWORD, Org, disable, login_cookie, org, page

__all__ = ["org"]
APP = PAGES.parent / "streamlit_app.py"


def tab(cookie: str, name: str = "library.py") -> AppTest:
    """Another browser tab holding the same login cookie."""
    app = AppTest.from_file(str(PAGES / name), default_timeout=30)
    app.session_state[SESSION_KEY] = cookie
    return app.run()


def logged_out(app: AppTest) -> bool:
    return [w.value for w in app.warning] == ["Please log in."]


def user_of(cookie: str) -> int | None:
    with session_scope() as session:
        active = active_session(session, cookie, get_settings())
        return active.user_id if active else None


def test_a_login_is_a_row_named_by_a_signed_cookie(org: Org) -> None:
    cookie = login_cookie(org.users["alice"])
    assert user_of(cookie) == org.users["alice"]
    with session_scope() as session:
        stored = session.scalars(select(LoginSession.token_hash)).all()
    # Only a hash of the token is stored: the database's copy logs no one in.
    assert stored and all(cookie not in h and len(h) == 64 for h in stored)


@pytest.mark.parametrize(
    "forge",
    [
        lambda cookie: cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"),
        lambda cookie: URLSafeTimedSerializer("another key", salt="tingshuo-login-session").dumps(
            "made-up-token"
        ),
        lambda cookie: "",
        lambda cookie: "not a cookie at all",
    ],
    ids=["tampered", "other-key", "empty", "garbage"],
)
def test_forged_cookies_log_no_one_in(org: Org, forge) -> None:  # type: ignore[no-untyped-def]
    cookie = login_cookie(org.users["alice"])
    assert user_of(forge(cookie)) is None
    assert logged_out(tab(forge(cookie)))


def test_an_expired_or_disabled_login_ends(org: Org) -> None:
    cookie = login_cookie(org.users["alice"])
    with session_scope() as session:
        session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert logged_out(tab(cookie))
    bob = tab(login_cookie(org.users["bob"]))
    assert not logged_out(bob)
    disable("bob")
    assert logged_out(bob.run())


def test_logout_everywhere_ends_the_other_tabs(org: Org) -> None:
    cookie = login_cookie(org.users["alice"])
    first, second = tab(cookie, "account.py"), tab(cookie)
    other_browser = tab(login_cookie(org.users["alice"]))
    assert not logged_out(second) and not logged_out(other_browser)
    next(b for b in first.button if b.label == "Log out everywhere").click().run()
    assert logged_out(second.run())
    assert logged_out(other_browser.run())
    with session_scope() as session:
        reasons = set(session.scalars(select(LoginSession.end_reason)).all())
    assert reasons == {"logout everywhere"}


def test_a_password_change_ends_every_other_login(org: Org) -> None:
    cookie = login_cookie(org.users["alice"])
    account, elsewhere = tab(cookie, "account.py"), tab(login_cookie(org.users["alice"]))
    account.text_input[0].input("wrong current pw")
    account.text_input[1].input("a brand new password")
    account.text_input[2].input("a brand new password")
    account.button[0].click().run()
    assert [e.value for e in account.error] == ["the current password is wrong"]
    account.text_input[0].input(PASSWORD)
    account.text_input[1].input("a brand new password")
    account.text_input[2].input("a brand new password")
    account.button[0].click().run()
    assert not account.error
    assert logged_out(elsewhere.run())
    # This tab goes on with a fresh login; the old cookie is dead.
    assert user_of(account.session_state[SESSION_KEY]) == org.users["alice"]
    assert user_of(cookie) is None
    with session_scope() as session:
        user = session.get(User, org.users["alice"])
        assert user is not None
        assert verify_password(user.password_hash, "a brand new password")
        assert not verify_password(user.password_hash, PASSWORD)


def test_login_form_opens_a_session(org: Org) -> None:
    app = AppTest.from_file(str(PAGES / "login.py"), default_timeout=30).run()
    app.text_input[0].input("alice")
    app.text_input[1].input("wrong password!")
    app.button[0].click().run()
    assert [e.value for e in app.error] == ["Wrong username or password."]
    assert SESSION_KEY not in app.session_state
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    assert user_of(app.session_state[SESSION_KEY]) == org.users["alice"]


def test_a_reset_password_works_once_to_choose_a_new_one(org: Org) -> None:
    from models.people import reset_password

    old = tab(login_cookie(org.users["bob"]))
    with session_scope() as session:
        one_time = reset_password(session, "bob")
    assert logged_out(old.run())
    app = AppTest.from_file(str(APP), default_timeout=30).run()
    app.text_input[0].input("bob")
    app.text_input[1].input(one_time)
    app.button[0].click().run()
    assert [t.value for t in app.title] == ["Choose a new password"]
    app.text_input[0].input(one_time)
    app.text_input[1].input("bob's own new password")
    app.text_input[2].input("bob's own new password")
    app.button[0].click().run()
    assert "Choose a new password" not in [t.value for t in app.title]
    with session_scope() as session:
        assert (
            session.scalar(select(User.must_change_password).where(User.username == "bob")) is False
        )


def test_production_needs_a_real_secret_and_development_makes_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="TINGSHUO_SECRET_KEY"):
        Settings(
            environment="production",
            database_url="postgresql://x/y",
            broker_url="redis://x",
            result_backend="redis://x",
            secret_key="changeme",
        )
    development = Settings(data_dir=tmp_path)
    key = signing_key(development)
    assert len(key) >= 32 and signing_key(development) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    configured = Settings(data_dir=tmp_path, secret_key="a configured secret key")
    assert signing_key(configured) == "a configured secret key"


def test_the_sidebar_draws_a_hostile_display_name_as_text(org: Org) -> None:
    from tests.dashboard_fixtures import HOSTILE

    with session_scope() as session:
        session.execute(update(User).where(User.username == "alice").values(display_name=HOSTILE))
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.session_state[SESSION_KEY] = login_cookie(org.users["alice"])
    app.run()
    shown = [c.value for c in app.sidebar.caption]
    assert any("\\<script\\>" in text and "\\*\\*bold\\*\\*" in text for text in shown), shown


def test_pages_still_answer_to_the_fixture_login(org: Org) -> None:
    assert not logged_out(page("library.py", org, "alice"))


def test_repeated_failed_logins_lock_the_account_for_a_while(org: Org) -> None:
    app = AppTest.from_file(str(PAGES / "login.py"), default_timeout=30).run()

    def attempt(username: str, password: str) -> list[str]:
        app.text_input[0].input(username)
        app.text_input[1].input(password)
        app.button[0].click().run()
        return [e.value for e in app.error]

    for _ in range(5):
        assert attempt("alice", "wrong password!") == ["Wrong username or password."]
    refused = attempt("alice", PASSWORD)  # the right one, too late
    assert refused == ["Too many failed logins for this account: try again in 15 minute(s)."]
    assert SESSION_KEY not in app.session_state
    # Other accounts are not locked by alice's failures.
    assert attempt("bob", PASSWORD) == []
    # The window passes: the right password works again.
    from models.login_limits import LoginAttempt

    with session_scope() as session:
        session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    fresh = AppTest.from_file(str(PAGES / "login.py"), default_timeout=30).run()
    fresh.text_input[0].input("alice")
    fresh.text_input[1].input(PASSWORD)
    fresh.button[0].click().run()
    assert not fresh.error and user_of(fresh.session_state[SESSION_KEY]) == org.users["alice"]


def test_unknown_usernames_are_limited_too(org: Org) -> None:
    from models.login_limits import ACCOUNT_FAILURES, refusal

    with session_scope() as session:
        from models.login_limits import record_attempt

        for _ in range(ACCOUNT_FAILURES):
            record_attempt(session, "nobody", "10.0.0.9", succeeded=False)
    with session_scope() as session:
        assert refusal(session, "nobody", None) is not None
        assert refusal(session, "alice", "10.0.0.9") is None  # 5 < the address limit
