"""Watched folders with a real celery beat and worker on PostgreSQL and Redis."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import session_scope
from models.folders import FolderScan
from models.tables import Recording
from tests.conftest import AISHELL, LIBRISPEECH, WorkerProcess, beat_process, run_cli
from tests.media import convert

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def watch_env(service_env: dict[str, str]) -> dict[str, str]:
    return {
        **service_env,
        "TINGSHUO_WATCH_TICK_S": "1",
        "TINGSHUO_DISPATCH_TICK_S": "1",
        "TINGSHUO_WATCH_SETTLE_S": "1",
    }


@pytest.fixture
def beat_and_worker(watch_env: dict[str, str], tmp_path: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(watch_env, tmp_path / "worker.log").start()
    beat = beat_process(watch_env, tmp_path).start()
    yield worker
    beat.stop()
    worker.stop()


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, worker: WorkerProcess
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{worker.tail()}")


def test_a_watched_folder_processes_each_new_recording_once(
    watch_env: dict[str, str], beat_and_worker: WorkerProcess, tmp_path: Path
) -> None:
    url = watch_env["TINGSHUO_DATABASE_URL"]
    folder, exports = tmp_path / "inbox", tmp_path / "exports"
    folder.mkdir()
    shutil.copy(LIBRISPEECH, folder / "standup.wav")
    shutil.copy(AISHELL, folder / "review.wav")
    (folder / ".~lock.review.wav#").write_text("office lock file")
    added = run_cli(
        "watch",
        "add",
        str(folder),
        "--every",
        "5",
        "--export",
        "--export-dir",
        str(exports),
        "--formats",
        "txt,srt,vtt,json,md",
        env=watch_env,
    )
    assert added.returncode == 0, added.stderr

    def statuses() -> dict[str, str]:
        with session_scope(url) as session:
            rows = session.execute(select(Recording.original_name, Recording.status)).all()
        return {name: status for name, status in rows}

    def scans() -> list[FolderScan]:
        with session_scope(url) as session:
            return list(session.scalars(select(FolderScan).order_by(FolderScan.id)))

    wait_until(
        lambda: statuses() == {"standup.wav": "done", "review.wav": "done"},
        180,
        "the first two recordings",
        beat_and_worker,
    )
    wait_until(lambda: (exports / "standup.json").exists(), 30, "exports", beat_and_worker)
    assert {p.name for p in exports.iterdir()} == {
        f"{stem}.{fmt}"
        for stem in ("standup", "review")
        for fmt in ("txt", "srt", "vtt", "json", "md")
    }
    assert "It was the first great sorrow" in (exports / "standup.txt").read_text()
    assert json.loads((exports / "review.json").read_text())["status"] == "done"

    # The next scan finds the same files and queues nothing.
    count = len(scans())
    wait_until(lambda: len(scans()) > count, 30, "another scan", beat_and_worker)
    latest = scans()[-1]
    assert (latest.found, latest.queued, latest.skipped) == (2, 0, 2)

    # A file that is still being written is left for a later scan, then picked up whole.
    data = convert(LIBRISPEECH, tmp_path / "late.flac").read_bytes()
    growing = folder / "late.flac"
    stop = threading.Event()

    def write_slowly() -> None:
        with growing.open("wb") as out:
            for i in range(0, len(data), len(data) // 20):
                out.write(data[i : i + len(data) // 20])
                out.flush()
                time.sleep(0.4)
        stop.set()

    writer = threading.Thread(target=write_slowly)
    writer.start()
    wait_until(lambda: any(s.waiting for s in scans()), 30, "a scan that waits", beat_and_worker)
    assert "late.flac" not in statuses(), "a half-written file must not be queued"
    writer.join()
    wait_until(lambda: statuses().get("late.flac") == "done", 180, "the late file", beat_and_worker)
    with session_scope(url) as session:
        assert session.scalar(select(func.count(Recording.id))) == 3
    listing = run_cli("watch", "list", env=watch_env)
    assert str(folder) in listing.stdout and "found 3" in listing.stdout
