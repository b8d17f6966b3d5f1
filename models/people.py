"""Creating users, teams, classes and students (command line and admin page)."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import ROLES, SchoolClass, Student, Team, TeamMember, User
from models.base import utcnow
from models.passwords import hash_password, verify_password
from models.sessions import end_user_sessions

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{2,64}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class DirectoryError(ValueError):
    """A user, team or class could not be created or found; the message says why."""


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise DirectoryError(f"no user named {username!r}")
    return user


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str = "member",
    display_name: str | None = None,
) -> User:
    if not USERNAME.match(username):
        raise DirectoryError("a username is 2-64 letters, digits or . _ @ + -")
    if role not in ROLES:
        raise DirectoryError(f"role must be one of {', '.join(ROLES)}")
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise DirectoryError(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def create_team(session: Session, name: str) -> Team:
    if session.scalars(select(Team.id).where(Team.name == name)).first() is not None:
        raise DirectoryError(f"team {name!r} already exists")
    team = Team(name=name.strip())
    session.add(team)
    session.flush()
    return team


def add_team_member(session: Session, team_name: str, username: str) -> None:
    team = session.scalars(select(Team).where(Team.name == team_name)).one_or_none()
    if team is None:
        raise DirectoryError(f"no team named {team_name!r}")
    user = _user(session, username)
    if session.get(TeamMember, (team.id, user.id)) is None:
        session.add(TeamMember(team_id=team.id, user_id=user.id))


def create_class(session: Session, name: str, teacher: str) -> SchoolClass:
    user = _user(session, teacher)
    if user.role not in ("teacher", "admin"):
        raise DirectoryError(f"{teacher!r} is not a teacher")
    if session.scalars(select(SchoolClass.id).where(SchoolClass.name == name)).first():
        raise DirectoryError(f"class {name!r} already exists")
    school_class = SchoolClass(name=name.strip(), teacher_id=user.id)
    session.add(school_class)
    session.flush()
    return school_class


def add_student(session: Session, class_name: str, student_name: str) -> Student:
    school_class = session.scalars(
        select(SchoolClass).where(SchoolClass.name == class_name)
    ).one_or_none()
    if school_class is None:
        raise DirectoryError(f"no class named {class_name!r}")
    student = Student(class_id=school_class.id, name=student_name.strip())
    session.add(student)
    session.flush()
    return student


def remove_team_member(session: Session, team_name: str, username: str) -> str:
    team = session.scalars(select(Team).where(Team.name == team_name)).one_or_none()
    if team is None:
        raise DirectoryError(f"no team named {team_name!r}")
    user = _user(session, username)
    membership = session.get(TeamMember, (team.id, user.id))
    if membership is None:
        raise DirectoryError(f"{username!r} is not in team {team_name!r}")
    session.delete(membership)
    return f"removed {username} from team {team_name}"


def find_student(session: Session, class_name: str, student_name: str) -> Student | None:
    return session.scalars(
        select(Student)
        .join(SchoolClass)
        .where(SchoolClass.name == class_name, Student.name == student_name.strip())
    ).one_or_none()


def remove_student(session: Session, class_name: str, student_name: str) -> str:
    """Take a student off the class list. Their recordings stay with the class (a teacher's
    record), no longer filed under them."""
    student = find_student(session, class_name, student_name)
    if student is None:
        raise DirectoryError(f"no student {student_name!r} in class {class_name!r}")
    session.delete(student)
    return f"removed {student_name} from class {class_name}"


def change_password(session: Session, user_id: int, current: str, new: str) -> None:
    """The user's own change: the current password (or the one-time one) must be right."""
    user = session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, current):
        raise DirectoryError("the current password is wrong")
    if new == current:
        raise DirectoryError("the new password must differ from the current one")
    _set_password(session, user, new, reason="password changed")


def reset_password(session: Session, username: str) -> str:
    """An admin's reset: a random one-time password, returned to be shown once. It only lets the
    user choose a new password; every open login of theirs ends now."""
    user = _user(session, username)
    one_time = secrets.token_urlsafe(12)
    _set_password(session, user, one_time, reason="password reset")
    user.must_change_password = True
    return one_time


def _set_password(session: Session, user: User, password: str, reason: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_user_sessions(session, user.id, reason)


def set_active(session: Session, username: str, active: bool) -> str:
    user = _user(session, username)
    if user.active == active:
        return f"{username} is already {'active' if active else 'disabled'}"
    user.active = active
    if not active:
        ended = end_user_sessions(session, user.id, "account disabled")
        return f"disabled {username} and ended {ended} open login(s)"
    return f"enabled {username}"


def set_default_language(session: Session, kind: str, name: str, language: str | None) -> str:
    """A team's or class's language for uploads that do not name one (None: detect)."""
    code = normalise_language(language)
    group = group_named(session, kind, name)
    group.default_language = code
    return f"{kind} {name}: default language {code or 'detect'}"


def set_retention(session: Session, kind: str, name: str, days: int | None) -> str:
    """How many days the group's recordings are kept (None: the installation's default)."""
    if days is not None and days < 1:
        raise DirectoryError("keep recordings for at least one day, or say default")
    group = group_named(session, kind, name)
    group.retention_days = days
    kept = f"{days} days" if days is not None else "the installation's default"
    return f"{kind} {name}: recordings kept for {kept}"


def set_requires_consent(session: Session, name: str, required: bool) -> str:
    school_class = group_named(session, "class", name)
    assert isinstance(school_class, SchoolClass)
    school_class.requires_consent = required
    state = "need" if required else "do not need"
    return f"class {name}: lesson uploads {state} a note of consent"


def group_named(session: Session, kind: str, name: str) -> Team | SchoolClass:
    """A team or a class by its name (``kind``: "team" or "class")."""
    group: Team | SchoolClass | None
    if kind == "team":
        group = session.scalars(select(Team).where(Team.name == name)).one_or_none()
    elif kind == "class":
        group = session.scalars(select(SchoolClass).where(SchoolClass.name == name)).one_or_none()
    else:
        raise DirectoryError("say team or class")
    if group is None:
        raise DirectoryError(f"no {kind} named {name!r}")
    return group


def normalise_language(language: str | None) -> str | None:
    code = (language or "").strip().lower()
    if code in ("", "auto", "detect"):
        return None
    if not LANGUAGE_CODE.match(code):
        raise DirectoryError("a language is an ISO 639-1 code such as en or zh")
    return code
