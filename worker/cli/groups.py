"""Looking up teams and classes by name for the command line."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import SchoolClass, Team
from models.db import session_scope
from worker.errors import TingshuoError


class UnknownGroupError(TingshuoError):
    pass


def resolve_groups(team: str | None, school_class: str | None) -> tuple[int | None, int | None]:
    with session_scope() as session:
        team_id = class_id = None
        if team:
            team_id = session.scalar(select(Team.id).where(Team.name == team))
            if team_id is None:
                raise UnknownGroupError(
                    f"no team named {team!r}: create it with `tingshuo teams create`"
                )
        if school_class:
            class_id = session.scalar(
                select(SchoolClass.id).where(SchoolClass.name == school_class)
            )
            if class_id is None:
                raise UnknownGroupError(
                    f"no class named {school_class!r}: create it with `tingshuo classes create`"
                )
    return team_id, class_id
