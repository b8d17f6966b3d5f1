"""Pipeline runs against the real services: a race on PostgreSQL, workers started exactly as
docker-compose.yml starts them, a task killed at its hard time limit, and the layout rules."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import yaml
from sqlalchemy import select

from models.db import dispose_engines, session_scope
from models.errors import RunRefused
from models.runs import claim_run
from models.tables import Recording, StageRun
from tests.conftest import AISHELL, BIN, LIBRISPEECH, ROOT, WorkerProcess, run_cli, tingshuo_env


def _recording(url: str, status: str = "done") -> int:
    with session_scope(url) as session:
        recording = Recording(content_hash="d" * 64, original_name="race.wav", status=status)
        session.add(recording)
        session.flush()
        return recording.id


@pytest.mark.postgres
def test_two_reruns_raced_on_postgres_exactly_one_is_claimed(postgres_url: str) -> None:
    from migrations import upgrade_head

    upgrade_head(postgres_url)
    recording_id = _recording(postgres_url)
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def claim() -> None:
        barrier.wait()
        try:
            with session_scope(postgres_url) as session:
                outcomes.append(claim_run(session, recording_id))
        except RunRefused as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    dispose_engines()
    assert sorted(o for o in outcomes if isinstance(o, int)) == [2]
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert len(refusals) == 3 and all("wait until it is done or failed" in r for r in refusals)


def test_reprocess_of_a_recording_in_progress_is_refused(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    queued = run_cli("process", str(LIBRISPEECH), env=env)  # queued, no worker running
    assert queued.returncode == 0, queued.stderr
    refused = run_cli("reprocess", "1", env=env)
    assert refused.returncode == 1
    assert "recording 1 is queued: wait until it is done or failed" in refused.stderr


def _compose_commands() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {}
    for name in ("worker-gpu", "worker-cpu", "beat"):
        command = services[name]["command"]
        commands[name] = shlex.split(command) if isinstance(command, str) else list(command)
    return commands


@pytest.mark.slow
def test_a_folder_batch_finishes_on_workers_started_as_compose_starts_them(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(LIBRISPEECH, folder / "a.wav")
    shutil.copy(AISHELL, folder / "b.wav")
    commands = _compose_commands()
    # The same argv as the compose file, with the beat schedule file in this test's folder.
    beat = commands["beat"]
    beat[beat.index("--schedule") + 1] = str(tmp_path / "beat-schedule")
    beat = [sys.executable, "-m", *beat] if beat[0] == "celery" else beat
    processes = [
        WorkerProcess(service_env, tmp_path / f"{name}.log", argv=[str(BIN / argv[0]), *argv[1:]])
        for name, argv in commands.items()
        if name != "beat"
    ]
    processes.append(
        WorkerProcess(service_env, tmp_path / "beat.log", argv=beat, ready_marker="beat: Starting")
    )
    try:
        for process in processes:
            process.start()
        done = run_cli("batch", str(folder), "--wait", "--json", env=service_env, timeout=400)
        assert done.returncode == 0, done.stderr + "".join(p.tail() for p in processes)
        summary = json.loads(done.stdout)
        assert summary["done"] == 2 and summary["failed"] == 0, summary
    finally:
        for process in processes:
            process.stop()


def _long_recording(path: Path, minutes: float) -> Path:
    speech, rate = sf.read(str(LIBRISPEECH), dtype="float32")
    repeats = int(minutes * 60 * rate / len(speech)) + 1
    sf.write(str(path), np.tile(speech, repeats), rate)
    return path


def _wait(predicate: Any, timeout: float, what: str, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{worker.tail()}")


@pytest.mark.slow
def test_a_task_killed_at_its_hard_limit_leaves_no_recording_running(tmp_path: Path) -> None:
    """Speech detection over 8 minutes takes longer than a 2 s hard limit: Celery kills the
    task, which is not delivered again. The sweeper re-queues the run once, then fails it."""
    data = tmp_path / "data"
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(data),
        TINGSHUO_TASK_TIME_LIMIT_S="2",
        # The soft limit would let the task fail itself; here nothing but the kill stops it.
        TINGSHUO_TASK_SOFT_TIME_LIMIT_S="0",
        # The configured limits exactly: no share of the recording's length on top of them.
        TINGSHUO_WHOLE_RECORDING_LIMIT_RTF="0",
        TINGSHUO_SWEEP_GRACE_S="0",
        TINGSHUO_SWEEP_TICK_S="3600",
    )
    queued = run_cli("process", str(_long_recording(tmp_path / "long.wav", 8)), env=env)
    assert queued.returncode == 0, queued.stderr
    url = f"sqlite:///{data / 'tingshuo.db'}"
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:

        def killed(generation: int) -> Any:
            def check() -> bool:
                with session_scope(url) as session:
                    runs = session.scalars(
                        select(StageRun).where(
                            StageRun.generation == generation, StageRun.status == "abandoned"
                        )
                    ).all()
                log = worker.log.read_text(errors="replace")
                return bool(runs) and log.count("Hard time limit") >= generation

            return check

        def sweep() -> str:
            """Sweep until the run counts as stuck (once the 2 s limit has passed)."""
            for _ in range(20):
                result = run_cli("sweep", "--json", env=env)
                assert result.returncode == 0, result.stderr
                swept = json.loads(result.stdout)
                if swept:
                    return str(swept[0]["action"])
                time.sleep(0.5)
            raise AssertionError(f"nothing swept\n{worker.tail()}")

        _wait(killed(1), 120, "the first kill", worker)
        assert sweep() == "requeued"
        _wait(killed(2), 120, "the kill of the re-queued run", worker)
        assert sweep() == "failed"
    finally:
        worker.stop()
    with session_scope(url) as session:
        recording = session.scalars(select(Recording)).one()
        assert recording.status == "failed"
        assert "hard time limit" in (recording.error or "")
        assert session.scalars(select(StageRun).where(StageRun.status == "running")).all() == []
    dispose_engines()


def test_the_layering_contracts_hold() -> None:
    """import-linter: cli -> queue -> evaluation -> folders -> stages -> analysis | pronunciation
    -> engines; stages independent; the dashboard and models never import the worker; no
    cycles between siblings (pyproject.toml, [tool.importlinter])."""
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


STAGES = (
    "ingest",
    "speech",
    "diarize",
    "clips",
    "transcribe",
    "analyze",
    "pronunciation",
    "finalize",
)


def test_each_stage_is_one_module_that_the_tasks_call() -> None:
    import importlib
    from types import ModuleType

    import worker.queue.tasks as tasks

    called = {v.__name__ for v in vars(tasks).values() if isinstance(v, ModuleType)}
    for stage in STAGES:
        module = importlib.import_module(f"worker.stages.{stage}")
        assert any(name.startswith("run") for name in vars(module)), stage
        assert module.__name__ in called, f"no task calls {module.__name__}"
    top_level = sorted(p.name for p in (ROOT / "worker").glob("*.py"))
    assert top_level == ["__init__.py", "errors.py"], "worker/ is packages by concern"
