"""Creating users, teams, classes and students (command line and admin page)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import ROLES, SchoolClass, Student, Team, TeamMember, User
from models.passwords import hash_password

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{2,64}$")


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
