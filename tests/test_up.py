"""`tingshuo up` on the embedded default runs the scheduler too: a watched folder is scanned
(and its recording processed) with nothing else started."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import BIN, LIBRISPEECH, ROOT, free_port, run_cli, tingshuo_env

pytestmark = pytest.mark.slow


def test_up_scans_a_watched_folder(tmp_path: Path, whisper_dir: Path) -> None:
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"),
        TINGSHUO_WHISPER_MODEL=str(whisper_dir),
        TINGSHUO_ANALYSIS_ENGINE="none",
        TINGSHUO_LLM_GGUF=str(tmp_path / "no-text-model.gguf"),
        TINGSHUO_WATCH_TICK_S="2",
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(LIBRISPEECH, inbox / LIBRISPEECH.name)
    added = run_cli("watch", "add", str(inbox), "--every", "5", env=env)
    assert added.returncode == 0, added.stderr
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen(
        [str(BIN / "tingshuo"), "up", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        status = None
        while time.monotonic() < deadline:
            status = _first_status(tmp_path / "data" / "tingshuo.db")
            if status in ("done", "failed"):
                break
            assert up.poll() is None, (tmp_path / "up.log").read_text()
            time.sleep(2)
        scans = run_cli("watch", "list", env=env).stdout
        assert "last scan" in scans, scans
        assert status == "done", (tmp_path / "data" / "worker.log").read_text()[-3000:]
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(60)
        log.close()


def _first_status(database: Path) -> str | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT status FROM recordings ORDER BY id LIMIT 1").fetchone()
    return None if row is None else str(row[0])
