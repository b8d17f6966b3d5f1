"""`tingshuo users`, `tingshuo teams`, `tingshuo classes`: accounts and groups."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.db import session_scope
from models.passwords import WeakPasswordError
from models.people import (
    DirectoryError,
    add_student,
    add_team_member,
    create_class,
    create_team,
    create_user,
    remove_student,
    remove_team_member,
    reset_password,
    set_active,
    set_default_language,
    set_requires_consent,
    set_retention,
)
from worker.cli.support import err, failure, migrate_db

users_app = typer.Typer(help="Dashboard accounts.", no_args_is_help=True)
teams_app = typer.Typer(help="Teams (meetings).", no_args_is_help=True)
classes_app = typer.Typer(help="Classes and their students (lessons).", no_args_is_help=True)


@users_app.command("create")
def users_create(
    username: str,
    admin: Annotated[bool, typer.Option("--admin", help="an administrator")] = False,
    teacher: Annotated[bool, typer.Option("--teacher", help="a teacher")] = False,
    name: Annotated[str, typer.Option(help="display name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    generate: Annotated[
        bool, typer.Option("--generate-password", help="make a random password and print it once")
    ] = False,
) -> None:
    """Create an account; the password is asked for (there is no default password)."""
    migrate_db()
    if generate:
        password = secrets.token_urlsafe(12)
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    role = "admin" if admin else "teacher" if teacher else "member"
    try:
        with session_scope() as session:
            create_user(session, username, password, role, name or None)
    except (DirectoryError, WeakPasswordError) as exc:
        raise failure(exc) from exc
    err.print(f"created {role} {username}")
    if generate:
        print(f"password for {username}: {password}  (shown once; change it after logging in)")


@users_app.command("list")
def users_list() -> None:
    migrate_db()
    with session_scope() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            teams = ",".join(t.name for t in user.teams)
            print(
                f"{user.username}\t{user.role}\t{'active' if user.active else 'disabled'}\t{teams}"
            )


@teams_app.command("create")
def teams_create(name: str) -> None:
    migrate_db()
    try:
        with session_scope() as session:
            create_team(session, name)
    except DirectoryError as exc:
        raise failure(exc) from exc
    err.print(f"created team {name}")


@teams_app.command("add")
def teams_add(team: str, username: str) -> None:
    """Add a user to a team."""
    migrate_db()
    try:
        with session_scope() as session:
            add_team_member(session, team, username)
    except DirectoryError as exc:
        raise failure(exc) from exc
    err.print(f"added {username} to team {team}")


@classes_app.command("create")
def classes_create(
    name: str, teacher: Annotated[str, typer.Option(help="teacher's username")]
) -> None:
    migrate_db()
    try:
        with session_scope() as session:
            create_class(session, name, teacher)
    except DirectoryError as exc:
        raise failure(exc) from exc
    err.print(f"created class {name}, taught by {teacher}")


@classes_app.command("add-student")
def classes_add_student(school_class: str, student: str) -> None:
    migrate_db()
    try:
        with session_scope() as session:
            add_student(session, school_class, student)
    except DirectoryError as exc:
        raise failure(exc) from exc
    err.print(f"added {student} to class {school_class}")


def _change(action: Callable[[Session], str]) -> None:
    """Run one directory change and say what it changed."""
    migrate_db()
    try:
        with session_scope() as session:
            said = action(session)
    except DirectoryError as exc:
        raise failure(exc) from exc
    err.print(said)


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """Give the user a one-time password (printed once) and end their logins; they choose a
    new password when they log in with it."""
    migrate_db()
    try:
        with session_scope() as session:
            one_time = reset_password(session, username)
    except DirectoryError as exc:
        raise failure(exc) from exc
    err.print(f"reset the password of {username} and ended their logins")
    print(f"one-time password for {username}: {one_time}  (shown once)")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable an account: it cannot log in, and its open logins end now."""
    _change(lambda session: set_active(session, username, False))


@users_app.command("enable")
def users_enable(username: str) -> None:
    _change(lambda session: set_active(session, username, True))


@teams_app.command("remove")
def teams_remove(team: str, username: str) -> None:
    """Take a user out of a team."""
    _change(lambda session: remove_team_member(session, team, username))


@teams_app.command("language")
def teams_language(team: str, language: str) -> None:
    """The team's transcription language when an upload names none (auto: detect)."""
    _change(lambda session: set_default_language(session, "team", team, language))


@classes_app.command("remove-student")
def classes_remove_student(school_class: str, student: str) -> None:
    """Take a student off a class list (their recordings stay with the class)."""
    _change(lambda session: remove_student(session, school_class, student))


@classes_app.command("language")
def classes_language(school_class: str, language: str) -> None:
    """The class's transcription language when an upload names none (auto: detect)."""
    _change(lambda session: set_default_language(session, "class", school_class, language))


def _days(days: str) -> int | None:
    if days.strip().lower() == "default":
        return None
    if not days.strip().isdigit():
        raise failure("say a number of days, or default")
    return int(days)


@teams_app.command("retention")
def teams_retention(team: str, days: str) -> None:
    """Delete the team's recordings older than DAYS (default: the installation's setting)."""
    kept = _days(days)
    _change(lambda session: set_retention(session, "team", team, kept))


@classes_app.command("retention")
def classes_retention(school_class: str, days: str) -> None:
    """Delete the class's lessons older than DAYS (default: the installation's setting)."""
    kept = _days(days)
    _change(lambda session: set_retention(session, "class", school_class, kept))


@classes_app.command("consent")
def classes_consent(school_class: str, state: str) -> None:
    """on: the class's lessons need a note of consent (who was informed, when, how); off."""
    if state not in ("on", "off"):
        raise failure("say on or off")
    _change(lambda session: set_requires_consent(session, school_class, state == "on"))
