"""`tingshuo delete`, `tingshuo retention`, `tingshuo audit`: operators' data protection."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from models.audit import recent_events
from models.lifecycle import apply_retention, delete_recording
from models.settings import get_settings
from worker.cli.support import err, failure, migrate_db

retention_app = typer.Typer(help="Deleting recordings past their retention.", no_args_is_help=True)


def delete(
    recording_id: Annotated[int, typer.Argument(help="the recording's id")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Delete a recording with its rows, audio, derived files and auto-exports."""
    migrate_db()
    if not yes and not typer.confirm(f"Delete recording {recording_id} and all its files?"):
        raise typer.Exit(1)
    deleted = delete_recording(
        recording_id, get_settings(), actor="operator (command line)", user_id=None, reason="delete"
    )
    if deleted is None:
        raise failure(f"there is no recording {recording_id}")
    err.print(
        f"deleted recording {recording_id} and {len(deleted.paths)} files or folders", markup=False
    )


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would go")] = False,
) -> None:
    """Delete recordings older than their team's, class's or the default retention (beat does
    this every retention_tick_s)."""
    migrate_db()
    lines = apply_retention(get_settings(), dry_run=dry_run)
    for line in lines:
        print(line)
    if not lines:
        err.print("nothing has expired")


def audit(
    recording: Annotated[int | None, typer.Option(help="only this recording")] = None,
    student: Annotated[int | None, typer.Option(help="only this student")] = None,
    limit: Annotated[int, typer.Option(help="how many, newest first")] = 100,
) -> None:
    """Who viewed, exported, changed or deleted lessons and students' scores (JSON lines)."""
    migrate_db()
    for event in recent_events(limit, recording_id=recording, student_id=student):
        print(json.dumps(event, default=str))
