"""Waiting for recordings to finish, with a progress bar per file."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import select

from models.db import session_scope
from models.tables import Recording

FINISHED = ("done", "failed")


def _snapshot(ids: Sequence[int]) -> dict[int, tuple[str, str | None, int, str | None]]:
    with session_scope() as session:
        rows = session.execute(
            select(
                Recording.id,
                Recording.status,
                Recording.current_stage,
                Recording.progress,
                Recording.error,
            ).where(Recording.id.in_(list(ids)))
        ).all()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def wait_for(
    ids: Sequence[int],
    names: dict[int, str],
    console: Console,
    timeout_s: float,
    show_progress: bool = True,
) -> bool:
    """Poll until every recording is done or failed; False on timeout."""
    deadline = time.monotonic() + timeout_s
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
        transient=False,
    ) as progress:
        bars: dict[int, TaskID] = {
            rid: progress.add_task(names.get(rid, str(rid))[:40], total=100, stage="queued")
            for rid in ids
        }
        while True:
            states = _snapshot(ids)
            for rid, (status, stage, percent, error) in states.items():
                label = status if status in FINISHED else (stage or status)
                if status == "failed":
                    label = f"failed: {(error or '')[:60]}"
                progress.update(
                    bars[rid], completed=100 if status == "done" else percent, stage=label
                )
            if all(state[0] in FINISHED for state in states.values()):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)


def wait_for_batch(
    ids: Sequence[int],
    names: dict[int, str],
    console: Console,
    timeout_s: float,
    tick: Callable[[], object] | None = None,
) -> dict[int, tuple[str, str | None]]:
    """One overall bar and a line per file as it finishes; returns each id's (status, error)."""
    deadline = time.monotonic() + timeout_s
    finished: dict[int, tuple[str, str | None]] = {}
    with Progress(
        TextColumn("batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        bar = progress.add_task("batch", total=len(ids))
        while len(finished) < len(ids) and time.monotonic() < deadline:
            if tick is not None:
                tick()
            for rid, (status, _stage, _percent, error) in _snapshot(ids).items():
                if status in FINISHED and rid not in finished:
                    finished[rid] = (status, error)
                    mark = (
                        "[green]done[/green]" if status == "done" else f"[red]failed: {error}[/red]"
                    )
                    progress.console.print(f"{names.get(rid, rid)}: {mark}")
            progress.update(bar, completed=len(finished))
            if len(finished) < len(ids):
                time.sleep(0.5)
    return finished
