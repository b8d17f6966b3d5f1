"""Faults: a worker killed mid-task, and services that restart under a running worker."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import session_scope
from models.tables import Recording, StageRun
from tests.conftest import LIBRISPEECH, WorkerProcess, cli_json, run_cli
from tests.media import repeated_with_pauses

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _pool_children(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_a_worker_process_killed_mid_transcription_loses_nothing(
    service_env: dict[str, str], service_worker: WorkerProcess, tmp_path: Path
) -> None:
    long_file = repeated_with_pauses(LIBRISPEECH, tmp_path / "long.flac", times=8, pause_s=0.6)
    queued = run_cli("process", str(long_file), env=service_env)
    assert queued.returncode == 0, queued.stderr
    url = service_env["TINGSHUO_DATABASE_URL"]
    assert service_worker.process is not None

    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and not killed:
        with session_scope(url) as session:
            running = session.scalars(
                select(StageRun).where(StageRun.stage == "transcribe", StageRun.status == "running")
            ).first()
        if running is not None:
            for child in _pool_children(service_worker.process.pid):
                os.kill(child, signal.SIGKILL)
                killed = True
        time.sleep(0.05)
    assert killed, f"never saw transcription running:\n{service_worker.tail()}"

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        with session_scope(url) as session:
            recording = session.scalars(select(Recording)).one()
            if recording.status in ("done", "failed"):
                break
        time.sleep(0.5)
    assert recording.status == "done", f"{recording.error}\n{service_worker.tail()}"
    with session_scope(url) as session:
        runs = session.scalars(select(StageRun).where(StageRun.stage == "transcribe")).all()
        # The killed run is kept, marked abandoned, and its clip was transcribed again.
        abandoned = [r for r in runs if r.status == "abandoned"]
        assert abandoned and all("stopped" in (r.error or "") for r in abandoned)
        assert not any(r.status == "running" for r in runs)
        done_clips = {r.subject_index for r in runs if r.status == "done"}
    shown = cli_json("show", str(recording.id), "--json", env=service_env)
    assert len({round(s["start"], 2) for s in shown["segments"]}) == len(shown["segments"])
    assert done_clips == set(range(max(done_clips) + 1))
