"""`tingshuo batch` and `tingshuo watch`: folders of recordings, once or on a schedule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from models.db import session_scope
from models.folders import FolderScan, WatchedFolder, set_watching
from models.settings import get_settings
from worker.cli.groups import resolve_groups
from worker.cli.support import err, local_worker_if_needed, migrate_db

watch_app = typer.Typer(help="Watched folders, scanned on a schedule by celery beat.")


def batch(
    folder: Annotated[Path, typer.Argument(help="folder of recordings", file_okay=False)],
    recursive: Annotated[
        bool, typer.Option("--recursive", "-r", help="include subfolders")
    ] = False,
    kind: Annotated[str, typer.Option(help="meeting or lesson")] = "meeting",
    team: Annotated[str, typer.Option(help="team name (meetings)")] = "",
    school_class: Annotated[str, typer.Option("--class", help="class name (lessons)")] = "",
    pattern: Annotated[str, typer.Option(help="only file names matching this glob")] = "",
    wait: Annotated[bool, typer.Option("--wait", help="wait and show progress")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait at most")] = 24 * 3600.0,
) -> None:
    """Queue every recording in a folder once; files already processed are skipped."""
    from models.intake import RecordingMeta
    from worker.cli.waiting import wait_for_batch
    from worker.folders.admission import dispatch_batch
    from worker.folders.media_files import find_media
    from worker.folders.scan import register_folder

    if not folder.is_dir():
        err.print(f"[red]{folder} is not a folder[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    migrate_db()
    team_id, class_id = resolve_groups(team or None, school_class or None)
    meta = RecordingMeta(kind=kind, team_id=team_id, class_id=class_id, uploaded_by="batch")
    report = register_folder(find_media(folder, recursive, pattern or None), settings, meta)
    for item in report.files:
        err.print(f"{item.path}: {item.outcome}{' - ' + item.error if item.error else ''}")
    max_in_flight = settings.batch_max_in_flight
    dispatch_batch(max_in_flight)
    queued = {f.recording_id: f for f in report.files if f.outcome == "queued" and f.recording_id}
    results: dict[int, tuple[str, str | None]] = {}
    if wait and queued:
        names = {rid: Path(f.path).name for rid, f in queued.items()}
        with local_worker_if_needed():
            results = wait_for_batch(
                list(queued), names, err, timeout, tick=lambda: dispatch_batch(max_in_flight)
            )
    summary = _summary(report.as_dict(), results)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        err.print(
            "queued {queued}, skipped {skipped}, done {done}, failed {failed}".format(**summary)
        )
    if summary["failed"] or (wait and len(results) < len(queued)):
        raise typer.Exit(1)


def _summary(scan: dict[str, Any], results: dict[int, tuple[str, str | None]]) -> dict[str, Any]:
    files = scan["files"]
    for item in files:
        outcome = results.get(item["recording_id"])
        if item["outcome"] == "queued" and outcome is not None:
            item["outcome"], item["error"] = outcome
    return {
        "queued": scan["queued"],
        "skipped": scan["skipped"],
        "done": sum(1 for f in files if f["outcome"] == "done"),
        "failed": sum(1 for f in files if f["outcome"] == "failed"),
        "files": files,
    }


@watch_app.command("add")
def watch_add(
    path: Annotated[Path, typer.Argument(help="folder to watch", file_okay=False)],
    every: Annotated[int, typer.Option(help="seconds between scans")] = 300,
    kind: Annotated[str, typer.Option(help="meeting or lesson")] = "meeting",
    team: Annotated[str, typer.Option(help="team name")] = "",
    school_class: Annotated[str, typer.Option("--class", help="class name")] = "",
    pattern: Annotated[str, typer.Option(help="only file names matching this glob")] = "",
    export: Annotated[bool, typer.Option("--export", help="write exports when done")] = False,
    export_dir: Annotated[
        str, typer.Option(help="exports go here (default: beside each file)")
    ] = "",
    formats: Annotated[str, typer.Option(help="export formats")] = "txt,srt,json",
) -> None:
    """Watch a folder: every new recording in it is processed once."""
    if every < 5:
        raise typer.BadParameter("scan at most every 5 seconds", param_hint="--every")
    migrate_db()
    team_id, class_id = resolve_groups(team or None, school_class or None)
    with session_scope() as session:
        folder = WatchedFolder(
            path=str(path.resolve()),
            every_s=every,
            kind=kind,
            pattern=pattern or None,
            team_id=team_id,
            class_id=class_id,
            export_enabled=export,
            export_dir=str(Path(export_dir).resolve()) if export_dir else None,
            export_formats=formats,
        )
        session.add(folder)
        session.flush()
        err.print(f"watching {folder.path} every {every} s as folder {folder.id}")


@watch_app.command("list")
def watch_list() -> None:
    """Watched folders and their latest scan."""
    migrate_db()
    with session_scope() as session:
        for folder in session.scalars(select(WatchedFolder).order_by(WatchedFolder.id)):
            scan = session.scalars(
                select(FolderScan)
                .where(FolderScan.folder_id == folder.id)
                .order_by(FolderScan.id.desc())
            ).first()
            last = (
                f"last scan {scan.started_at:%Y-%m-%d %H:%M:%S}: found {scan.found}, "
                f"queued {scan.queued}, skipped {scan.skipped}, waiting {scan.waiting}, "
                f"failed {scan.failed}"
                if scan
                else "never scanned"
            )
            every = f"every {folder.every_s} s" if folder.enabled else "stopped"
            print(f"{folder.id}\t{folder.path}\t{every}\t{last}")


@watch_app.command("stop")
def watch_stop(folder_id: int) -> None:
    """Stop scanning a watched folder (what it found stays)."""
    _set_watching(folder_id, False)


@watch_app.command("resume")
def watch_resume(folder_id: int) -> None:
    """Scan a stopped folder on its schedule again."""
    _set_watching(folder_id, True)


def _set_watching(folder_id: int, enabled: bool) -> None:
    migrate_db()
    try:
        with session_scope() as session:
            err.print(set_watching(session, folder_id, enabled))
    except LookupError as exc:
        err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(1) from None


@watch_app.command("scan")
def watch_scan(folder_id: int) -> None:
    """Scan one watched folder now."""
    from worker.folders.scan import scan_watched_folder

    migrate_db()
    report = scan_watched_folder(folder_id, get_settings())
    print(json.dumps({k: v for k, v in report.as_dict().items() if k != "files"}))
