"""`tingshuo users`, `tingshuo teams`, `tingshuo classes`: accounts and groups."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer
from sqlalchemy import select

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
)
from worker.cli.support import err, migrate_db

users_app = typer.Typer(help="Dashboard accounts.", no_args_is_help=True)
teams_app = typer.Typer(help="Teams (meetings).", no_args_is_help=True)
classes_app = typer.Typer(help="Classes and their students (lessons).", no_args_is_help=True)


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]{exc}[/red]")
    return typer.Exit(1)


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
        raise _fail(exc) from exc
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
        raise _fail(exc) from exc


@teams_app.command("add")
def teams_add(team: str, username: str) -> None:
    """Add a user to a team."""
    migrate_db()
    try:
        with session_scope() as session:
            add_team_member(session, team, username)
    except DirectoryError as exc:
        raise _fail(exc) from exc


@classes_app.command("create")
def classes_create(
    name: str, teacher: Annotated[str, typer.Option(help="teacher's username")]
) -> None:
    migrate_db()
    try:
        with session_scope() as session:
            create_class(session, name, teacher)
    except DirectoryError as exc:
        raise _fail(exc) from exc


@classes_app.command("add-student")
def classes_add_student(school_class: str, student: str) -> None:
    migrate_db()
    try:
        with session_scope() as session:
            add_student(session, school_class, student)
    except DirectoryError as exc:
        raise _fail(exc) from exc
