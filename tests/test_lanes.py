"""An interactive upload is not stuck behind a folder batch (real worker, Redis, PostgreSQL)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import session_scope
from models.tables import Recording
from tests.conftest import AISHELL, LIBRISPEECH, WorkerProcess, beat_process, run_cli
from tests.media import convert

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_upload_overtakes_a_waiting_batch(service_env: dict[str, str], tmp_path: Path) -> None:
    env = {**service_env, "TINGSHUO_BATCH_MAX_IN_FLIGHT": "1", "TINGSHUO_DISPATCH_TICK_S": "1"}
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(6):  # six different recordings (different gain, so different content)
        convert(LIBRISPEECH, folder / f"part{i}.flac", "-af", f"volume={0.5 + i / 10}")
    queued = run_cli("batch", str(folder), "--json", env=env)
    assert queued.returncode == 0, queued.stderr
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    beat = beat_process(env, tmp_path).start()
    url = env["TINGSHUO_DATABASE_URL"]

    def lanes() -> tuple[list[str], int]:
        with session_scope(url) as session:
            rows = session.execute(select(Recording.lane, Recording.status)).all()
        interactive = [s for lane, s in rows if lane == "interactive"]
        return interactive, sum(1 for lane, s in rows if lane == "batch" and s == "done")

    try:
        _, done_before = lanes()
        uploaded = run_cli("process", str(AISHELL), env=env)
        assert uploaded.returncode == 0, uploaded.stderr
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            interactive, batch_done = lanes()
            if interactive == ["done"]:
                break
            time.sleep(0.2)
        assert interactive == ["done"], worker.tail()
        assert batch_done < 6, "the whole batch finished before the upload"
        waited_for = batch_done - done_before
        print(f"upload waited for {waited_for} batch recordings")
        assert waited_for <= 1, f"the upload waited for {waited_for} batch recordings"
    finally:
        beat.stop()
        worker.stop()
