"""Who may see what. Every dashboard query goes through ``visible_recordings``.

- admins see everything;
- a teacher sees the lessons of the classes they teach, and the meetings of their teams;
- a member sees the meetings of their teams;
- everyone sees what they uploaded themselves, except lessons of a class they do not teach:
  student data is visible only to the class's teacher and to admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from models.accounts import SchoolClass, TeamMember, User
from models.tables import Recording


@dataclass(frozen=True)
class Viewer:
    user_id: int
    username: str
    display_name: str
    role: str
    team_ids: frozenset[int]
    class_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_teacher(self) -> bool:
        return self.role in ("teacher", "admin")


def load_viewer(session: Session, user_id: int) -> Viewer | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    teams = session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id)).all()
    classes = session.scalars(select(SchoolClass.id).where(SchoolClass.teacher_id == user.id)).all()
    return Viewer(
        user.id, user.username, user.display_name, user.role, frozenset(teams), frozenset(classes)
    )


def visible_recordings(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause selecting the recordings ``viewer`` may see."""
    if viewer.is_admin:
        return true()
    teaches = Recording.class_id.in_(viewer.class_ids) if viewer.class_ids else false()
    in_team = Recording.team_id.in_(viewer.team_ids) if viewer.team_ids else false()
    own = and_(Recording.uploader_id == viewer.user_id, Recording.class_id.is_(None))
    return or_(teaches, and_(in_team, Recording.class_id.is_(None)), own)


def may_see(session: Session, viewer: Viewer, recording_id: int) -> bool:
    found = session.scalar(
        select(Recording.id).where(Recording.id == recording_id, visible_recordings(viewer))
    )
    return found is not None


def may_change(viewer: Viewer, recording: Recording) -> bool:
    """Retry, delete, rename speakers: admins, the class's teacher, or the uploader. Seeing a
    team's meeting is not enough to delete a colleague's upload."""
    if viewer.is_admin or recording.uploader_id == viewer.user_id:
        return True
    return recording.class_id is not None and recording.class_id in viewer.class_ids


def may_override_scores(viewer: Viewer, recording: Recording) -> bool:
    """Pronunciation scores are a teacher's judgement: the class's teacher, or an admin."""
    if viewer.is_admin:
        return True
    return (
        viewer.is_teacher
        and recording.class_id is not None
        and recording.class_id in viewer.class_ids
    )
