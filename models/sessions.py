"""Dashboard login sessions: a signed, expiring cookie value naming a server-side row.

The cookie carries a random token signed with ``TINGSHUO_SECRET_KEY`` (itsdangerous), so a
forged or altered cookie is refused before the database is asked; the row (found by the
token's hash) decides whether the login still stands. Ending rows is how logout, "log out
everywhere", a password change and disabling an account take effect in every tab at once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.accounts import LoginSession, User
from models.base import as_utc, utcnow
from models.settings import Settings

COOKIE_NAME = "tingshuo_session"
_SALT = "tingshuo-login-session"
# last_seen_at is written at most this often, so a page that refreshes every 2 s does not
# write a row every 2 s.
_SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ActiveSession:
    session_id: int
    user_id: int
    must_change_password: bool


def signing_key(settings: Settings) -> str:
    """TINGSHUO_SECRET_KEY; in development, when it is unset, a random key made once and kept
    (mode 0600) in the data folder. Production refuses to start without one (settings.py)."""
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured
    if settings.environment == "production":  # pragma: no cover - the settings refuse it first
        raise RuntimeError("TINGSHUO_SECRET_KEY is required in production")
    path = settings.data_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def _write_private(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first; theirs is the key
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_key(settings), salt=_SALT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user_id: int, settings: Settings) -> str:
    """Start a login for the user; returns the cookie value to hand the browser."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=settings.session_max_age_s),
        )
    )
    session.flush()
    return str(_serializer(settings).dumps(token))


def _row(session: Session, cookie: str, settings: Settings) -> LoginSession | None:
    try:
        token = _serializer(settings).loads(cookie, max_age=settings.session_max_age_s)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(token, str):
        return None
    return session.scalars(
        select(LoginSession).where(LoginSession.token_hash == _hash(token))
    ).one_or_none()


def active_session(session: Session, cookie: str, settings: Settings) -> ActiveSession | None:
    """The login this cookie names, when it still stands: signed by us, not expired, not
    ended, and its account active."""
    row = _row(session, cookie, settings)
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    if as_utc(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_seen_at is None or now - as_utc(row.last_seen_at) > _SEEN_EVERY:
        row.last_seen_at = now
    return ActiveSession(row.id, row.user_id, user.must_change_password)


def end_session(session: Session, cookie: str, settings: Settings, reason: str = "logout") -> None:
    row = _row(session, cookie, settings)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason


def end_user_sessions(session: Session, user_id: int, reason: str) -> int:
    """End every open login of the user; returns how many ended."""
    query = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)
    )
    result = session.execute(query.values(ended_at=utcnow(), end_reason=reason))
    return int(result.rowcount)  # type: ignore[attr-defined]
