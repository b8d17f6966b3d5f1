"""Starting worker and dashboard processes, and telling whether a worker is running."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from models.settings import Settings
from worker.queue.app import ALL_QUEUES, worker_lock_path, worker_queues

DASHBOARD_APP = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"


def worker_running(settings: Settings) -> bool:
    if settings.embedded_broker:
        lock = Path(worker_lock_path(settings))
        if not lock.exists():
            return False
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    from worker.queue.app import celery_app

    return bool(celery_app.control.ping(timeout=1.0))


def worker_argv(
    queues: str = ",".join(ALL_QUEUES),
    concurrency: int = 1,
    pool: str = "prefork",
    hostname: str | None = None,
    beat_schedule: Path | None = None,
) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker.queue.app",
        "worker",
        "--loglevel",
        "INFO",
        "--queues",
        worker_queues(queues),
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
    ]
    if hostname:
        argv += ["--hostname", hostname]
    if beat_schedule is not None:
        # The embedded default runs beat inside its one worker; production runs it on its own.
        argv += ["--beat", "--schedule", str(beat_schedule)]
    return argv


def start_worker(
    settings: Settings, log_file: Path | None = None, **options: object
) -> subprocess.Popen[bytes]:
    settings.ensure_dirs()
    log_path = log_file or settings.data_path / "worker.log"
    with log_path.open("ab") as log:
        return subprocess.Popen(
            worker_argv(**options),  # type: ignore[arg-type]
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            start_new_session=True,
        )


def start_beat(settings: Settings, schedule: Path) -> subprocess.Popen[bytes]:
    """The scheduler alone, for when a worker already runs without it."""
    settings.ensure_dirs()
    argv = [sys.executable, "-m", "celery", "-A", "worker.queue.app", "beat"]
    argv += ["--loglevel", "INFO", "--schedule", str(schedule)]
    with (settings.data_path / "beat.log").open("ab") as log:
        return subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            start_new_session=True,
        )


def dashboard_argv(settings: Settings, port: int | None = None) -> list[str]:
    upload_mb = max(1, settings.max_upload_bytes // (1024 * 1024))
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD_APP),
        "--server.port",
        str(port or settings.dashboard_port),
        "--server.address",
        settings.dashboard_address,
        "--server.headless",
        "true",
        "--server.maxUploadSize",
        str(upload_mb),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
