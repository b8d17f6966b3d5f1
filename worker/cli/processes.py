"""Starting worker and dashboard processes, and telling whether a worker is running."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
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


def start_everything(settings: Settings, port: int | None) -> list[subprocess.Popen[bytes]]:
    """What ``tingshuo up`` runs: a worker with the scheduler (celery beat, which scans watched
    folders, admits batch work and sweeps stuck runs), or the scheduler alone beside a worker
    that already runs; and the dashboard."""
    schedule = settings.data_path / "beat-schedule"
    if not worker_running(settings):
        first = start_worker(settings, beat_schedule=schedule)
    else:
        first = start_beat(settings, schedule)
    return [first, subprocess.Popen(dashboard_argv(settings, port))]


def supervise(processes: list[subprocess.Popen[bytes]]) -> None:
    """Wait until one of them ends, Ctrl-C or SIGTERM; then stop them all."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            stop(process)
