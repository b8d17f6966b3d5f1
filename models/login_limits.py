"""Limits on failed logins, per account and per address, so a password cannot be guessed by
trying many: after ``ACCOUNT_FAILURES`` wrong passwords for one username (or
``ADDRESS_FAILURES`` from one address) within ``WINDOW``, logins there are refused, the right
password too, until the window has passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, DateTime, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, as_utc, utcnow

WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def _failures_since(session: Session, since: datetime, **match: str | None) -> list[datetime]:
    query = select(LoginAttempt.at).where(LoginAttempt.at >= since, ~LoginAttempt.succeeded)
    for column, value in match.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return [as_utc(at) for at in session.scalars(query.order_by(LoginAttempt.at))]


def refusal(session: Session, username: str, address: str | None) -> str | None:
    """Why a login for this username from this address is refused now, or None."""
    now = utcnow()
    since = now - WINDOW
    checks = [(_failures_since(session, since, username=username), ACCOUNT_FAILURES, "account")]
    if address:
        checks.append(
            (_failures_since(session, since, address=address), ADDRESS_FAILURES, "address")
        )
    for failures, limit, what in checks:
        if len(failures) >= limit:
            wait = failures[-limit] + WINDOW - now
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            return f"Too many failed logins for this {what}: try again in {minutes} minute(s)."
    return None


def record_attempt(session: Session, username: str, address: str | None, succeeded: bool) -> None:
    session.add(
        LoginAttempt(username=username[:64], address=(address or None), succeeded=succeeded)
    )


def forget_old_attempts(session: Session) -> int:
    """Attempts older than a day say nothing any more; returns how many were deleted."""
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - WINDOW * 96))
    return int(result.rowcount)  # type: ignore[attr-defined]
