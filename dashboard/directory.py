"""The People page's data: accounts, teams and classes with who is in them (admins only; the
page checks the role before it asks)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.accounts import SchoolClass, Team, User
from models.db import session_scope


def people_overview() -> dict[str, list[dict[str, Any]]]:
    with session_scope() as session:
        users = [
            {
                "username": u.username,
                "name": u.display_name,
                "role": u.role,
                "active": u.active,
                "teams": ", ".join(t.name for t in u.teams),
                "last login": f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "",
            }
            for u in session.scalars(select(User).order_by(User.username))
        ]
        groups = [
            {
                "kind": "team",
                "name": t.name,
                "people": len(t.members),
                "members": sorted(m.username for m in t.members),
                "language": t.default_language or "detect",
            }
            for t in session.scalars(select(Team).order_by(Team.name))
        ]
        groups += [
            {
                "kind": "class",
                "name": c.name,
                "people": len(c.students),
                "members": [s.name for s in c.students],
                "language": c.default_language or "detect",
            }
            for c in session.scalars(select(SchoolClass).order_by(SchoolClass.name))
        ]
    return {"users": users, "groups": groups}
