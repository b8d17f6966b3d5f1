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
                "voice profiles": "on" if t.voice_profiles else "off",
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
                "voice profiles": "on" if c.voice_profiles else "off",
            }
            for c in session.scalars(select(SchoolClass).order_by(SchoolClass.name))
        ]
    return {"users": users, "groups": groups}


def voice_profiles() -> list[dict[str, Any]]:
    from models.voices import VoiceProfile

    with session_scope() as session:
        teams = dict(session.execute(select(Team.id, Team.name)).tuples().all())
        classes = dict(session.execute(select(SchoolClass.id, SchoolClass.name)).tuples().all())
        return [
            {
                "id": p.id,
                "group": f"team {teams.get(p.team_id, '?')}"
                if p.team_id is not None
                else f"class {classes.get(p.class_id or 0, '?')}",
                "name": p.name,
                "kind": "enrolled student" if p.student_id else "named in a recording",
                "seconds of speech": round(p.speech_s),
                "updated": f"{p.updated_at:%Y-%m-%d %H:%M}",
            }
            for p in session.scalars(select(VoiceProfile).order_by(VoiceProfile.id))
        ]
