"""Faults: a worker killed mid-task, and services that restart under a running worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
import yaml
from sqlalchemy import select

from migrations import upgrade_head
from models.db import dispose_engines, session_scope
from models.tables import Clip, Recording, StageRun
from tests.conftest import LIBRISPEECH, ROOT, WorkerProcess, cli_json, free_port, run_cli
from tests.media import repeated_with_pauses
from tests.servers import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]


def _pool_children(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _settled(url: str) -> list[Recording]:
    with session_scope(url) as session:
        return list(session.scalars(select(Recording).order_by(Recording.id)))


def _kill_in_each(
    url: str, worker: WorkerProcess, stages: tuple[str, ...], timeout: float
) -> list[str]:
    """Kill the worker's pool process the first time each of ``stages`` is seen running, until
    every recording has settled; the stages it killed, in order. It may start watching before
    the worker has started."""
    killed: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(url) as session:
            running = session.scalars(
                select(StageRun.stage).where(StageRun.status == "running")
            ).all()
        target = next((s for s in running if s in stages and s not in killed), None)
        if target is not None and worker.process is not None:
            for child in _pool_children(worker.process.pid):
                os.kill(child, signal.SIGKILL)
            killed.append(target)
        elif all(r.status in ("done", "failed") for r in _settled(url)):
            break
        time.sleep(0.02)
    return killed


def test_a_worker_killed_in_each_stage_in_turn_still_finishes_with_one_set_of_results(
    service_env: dict[str, str], small_gguf: Path, tmp_path: Path
) -> None:
    # The summary from the small text model: seconds long, so there is time to kill it.
    env = {**service_env, "TINGSHUO_LLM_GGUF": str(small_gguf), "TINGSHUO_SUMMARY_ENGINE": "model"}
    # Queued before the worker starts, and watched from before it starts, so that the watch is
    # running when the first stage (ingest, about a second) begins: queued with a worker
    # already running, both ingests could end while the second `tingshuo process` was still
    # starting, and no ingest was killed.
    meeting = repeated_with_pauses(LIBRISPEECH, tmp_path / "meeting.flac", times=6, pause_s=0.8)
    lesson = repeated_with_pauses(LIBRISPEECH, tmp_path / "lesson.flac", times=3, pause_s=0.5)
    for path, kind in ((meeting, "meeting"), (lesson, "lesson")):
        queued = run_cli("process", str(path), "--kind", kind, env=env)
        assert queued.returncode == 0, queued.stderr
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        _kill_in_each_stage(env, worker)
    finally:
        worker.stop()


def _kill_in_each_stage(env: dict[str, str], worker: WorkerProcess) -> None:
    url = env["TINGSHUO_DATABASE_URL"]
    stages = ("ingest", "speech", "diarize", "transcribe", "summary", "pronunciation_evidence")
    with ThreadPoolExecutor(max_workers=1) as watch:
        watching = watch.submit(_kill_in_each, url, worker, stages, 600)
        worker.start()
        killed = watching.result()

    recordings = _settled(url)
    assert [r.status for r in recordings] == ["done", "done"], (
        f"{[r.error for r in recordings]}\n{worker.tail()}"
    )
    assert sorted(killed) == sorted(stages), f"killed in {killed}"
    with session_scope(url) as session:
        abandoned = session.scalars(
            select(StageRun.stage).where(StageRun.status == "abandoned")
        ).all()
        assert set(killed) <= set(abandoned)
        assert not session.scalars(select(StageRun).where(StageRun.status == "running")).all()
        for recording in recordings:
            # Every clip was transcribed, the killed ones again.
            clips = session.scalars(
                select(Clip).where(
                    Clip.recording_id == recording.id,
                    Clip.generation == recording.generation,
                )
            ).all()
            assert clips and all(c.transcribed for c in clips)
    for recording in recordings:
        shown = cli_json("show", str(recording.id), "--json", env=env)
        starts = [round(s["start"], 2) for s in shown["segments"]]
        assert starts and len(set(starts)) == len(starts), "no segment twice"
        items = [(a["task"], a.get("owner")) for a in shown.get("action_items", [])]
        assert len(set(items)) == len(items), "no action item twice"
        spans = [(s["start"], s.get("speaker")) for s in shown.get("sentiment", [])]
        assert len(set(spans)) == len(spans), "no sentiment span twice"
        scores = [p.get("speaker") for p in shown.get("pronunciation", [])]
        assert len(set(scores)) == len(scores), "one pronunciation report per speaker"
    assert any(
        p for p in cli_json("show", str(recordings[1].id), "--json", env=env)["pronunciation"]
    ), "the lesson was scored"


def test_a_worker_killed_while_embedding_a_part_of_a_long_recordings_speakers_finishes(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    """A long recording's speakers are embedded by several tasks (here a minute in parts of
    15 s, as three hours are in parts of half an hour): the part whose worker died is embedded
    again, the others are not redone, and diarize clusters them all."""
    env = {**service_env, "TINGSHUO_DIARIZATION_PART_S": "15", "TINGSHUO_ANALYSIS_ENGINE": "none"}
    url = env["TINGSHUO_DATABASE_URL"]
    meeting = repeated_with_pauses(LIBRISPEECH, tmp_path / "meeting.flac", times=6, pause_s=0.8)
    queued = run_cli("process", str(meeting), "--kind", "meeting", env=env)
    assert queued.returncode == 0, queued.stderr
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        with ThreadPoolExecutor(max_workers=1) as watch:
            watching = watch.submit(_kill_in_each, url, worker, ("speaker_embeddings",), 600)
            worker.start()
            assert watching.result() == ["speaker_embeddings"]
    finally:
        worker.stop()
    [recording] = _settled(url)
    assert recording.status == "done", f"{recording.error}\n{worker.tail()}"
    with session_scope(url) as session:
        runs = session.execute(
            select(StageRun.subject_index, StageRun.status).where(
                StageRun.stage == "speaker_embeddings"
            )
        ).all()
    done = sorted(index for index, status in runs if status == "done")
    abandoned = [index for index, status in runs if status == "abandoned"]
    assert done == [0, 1, 2, 3], "each part embedded once to the end"
    assert len(abandoned) == 1 and abandoned[0] in done
    assert not list((tmp_path / "data").rglob("*-part*.npz")), "the parts' files are removed"
    shown = cli_json("show", str(recording.id), "--json", env=env)
    assert shown["segments"] and shown["speakers"]


def _compose_redis_arguments() -> list[str]:
    """Redis's persistence settings, as docker-compose.yml gives them to the production Redis."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["redis"]["command"]
    assert command[0] == "redis-server"
    return [str(part) for part in command[1:]]


class RedisServer:
    """A Redis server of this test's own, started with the compose file's persistence."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        folder.mkdir()
        self.argv = [
            "redis-server",
            *_compose_redis_arguments(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--logfile",
            str(folder / "redis.log"),
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("redis did not start")

    def crash(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no chance to save anything on the way down
        self.process.wait()


def _queue_talks(env: dict[str, str], folder: Path, repeats: tuple[int, ...]) -> None:
    """Queue one recording per entry: the LibriSpeech sentence that many times, with pauses."""
    for times in repeats:
        path = repeated_with_pauses(LIBRISPEECH, folder / f"talk-{times}.flac", times, 0.7)
        assert run_cli("process", str(path), env=env).returncode == 0


def _wait_for_transcription(url: str) -> None:
    """Until some clip is being transcribed (or two minutes have passed)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with session_scope(url) as session:
            transcribing = session.scalars(
                select(StageRun).where(StageRun.stage == "transcribe", StageRun.status == "running")
            ).first()
        if transcribing is not None:
            return
        time.sleep(0.05)


def test_redis_crashing_while_recordings_are_queued_and_running_loses_nothing(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    server = RedisServer(tmp_path / "redis").start()
    env = {**service_env, "TINGSHUO_BROKER_URL": server.url, "TINGSHUO_RESULT_BACKEND": server.url}
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:
        _queue_talks(env, tmp_path, (4, 2, 3))
        url = env["TINGSHUO_DATABASE_URL"]
        _wait_for_transcription(url)
        server.crash()  # one recording transcribing, two queued behind it
        time.sleep(3)
        server.start()
        recordings = _settled_through_outages(url, timeout=600)
        assert [r.status for r in recordings] == ["done"] * 3, (
            f"{[(r.status, r.current_stage, r.error) for r in recordings]}\n{worker.tail()}"
        )
    finally:
        worker.stop()
        server.crash()


def _settled_through_outages(url: str, timeout: float) -> list[Recording]:
    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            recordings = _settled(url)
        except OperationalError:
            recordings = []  # the database is still coming back
        if recordings and all(r.status in ("done", "failed") for r in recordings):
            return recordings
        time.sleep(1)
    return _settled(url)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.remove()


def test_postgresql_restarting_mid_run_is_retried_and_leaves_no_half_written_stage(
    service_env: dict[str, str], own_postgres: PostgresServer, tmp_path: Path
) -> None:
    # A server of the test's own: stopping the shared one would break the other test process.
    with psycopg.connect(own_postgres.admin_url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE tingshuo")
    url = own_postgres.url("tingshuo")
    upgrade_head(url)
    env = {**service_env, "TINGSHUO_DATABASE_URL": url}
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:
        _queue_talks(env, tmp_path, (5, 2))
        _wait_for_transcription(url)
        own_postgres.stop()
        try:
            # Down until a stage has met the outage (its next write) and been put off to retry.
            deadline = time.monotonic() + 90
            while "; retry 1" not in worker.tail(200_000) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            own_postgres.start()
        assert "; retry 1" in worker.tail(200_000), "no stage met the outage"
        recordings = _settled_through_outages(url, timeout=600)
        assert [r.status for r in recordings] == ["done", "done"], (
            f"{[(r.current_stage, r.error) for r in recordings]}\n{worker.tail()}"
        )
        with session_scope(url) as session:
            running = session.scalars(select(StageRun).where(StageRun.status == "running"))
            assert not running.all()
        for recording in recordings:
            shown = cli_json("show", str(recording.id), "--json", env=env)
            starts = [round(s["start"], 2) for s in shown["segments"]]
            assert starts and len(set(starts)) == len(starts)
    finally:
        worker.stop()
        dispose_engines()


@pytest.mark.parametrize("backend", ["embedded", "services"])
def test_fifty_recordings_queued_at_once_all_finish(
    backend: str, whisper_dir: Path, redis_url: str
) -> None:
    """bench/queue_load.py, which also measures the throughput and the queue wait (README)."""
    from tests.conftest import POSTGRES_ADMIN_URL

    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "queue_load.py"),
            "--count",
            "50",
            "--backend",
            backend,
            "--whisper",
            str(whisper_dir),
            "--redis",
            redis_url,
            "--postgres",
            POSTGRES_ADMIN_URL,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    load = json.loads(result.stdout.strip().splitlines()[-1])
    assert (load["done"], load["failed"], load["exit_code"]) == (50, 0, 0), load
    print(f"\n{backend}: {load}")
