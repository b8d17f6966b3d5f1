"""Throughput of a folder batch with 1 and 2 worker processes on this machine.

    .venv/bin/python bench/batch_throughput.py [--data ../shared/data/asr] [--workers 1 2]
        [--redis redis://127.0.0.1:6379/14 --postgres postgresql://tingshuo:tingshuo@127.0.0.1/postgres]

Each run uses a fresh data folder (SQLite + the local broker by default, or PostgreSQL + Redis
when both URLs are given: a fresh database is created through the PostgreSQL URL for each run),
registers every clip as one batch and times it until all are done.
Whisper's CPU threads are split between the workers (2 cores: 2 threads for one, 1 each for two).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(data: Path, workers: int, args: argparse.Namespace) -> tuple[float, float, int, int]:
    workdir = Path(tempfile.mkdtemp(prefix=f"tingshuo-batch-{workers}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINGSHUO_")}
    env.update(
        {
            "TINGSHUO_DATA_DIR": str(workdir),
            "TINGSHUO_WHISPER_MODEL": str(ROOT / "tingshuo-data" / "models" / "whisper-base"),
            "TINGSHUO_CPU_THREADS": str(max(1, (os.cpu_count() or 2) // workers)),
            "TINGSHUO_BATCH_MAX_IN_FLIGHT": str(2 * workers),
        }
    )
    if args.redis and args.postgres:
        import psycopg

        name = f"tingshuo_bench_{os.getpid()}_{workers}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        base = args.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        env.update(
            {
                "TINGSHUO_BROKER_URL": args.redis,
                "TINGSHUO_RESULT_BACKEND": args.redis,
                "TINGSHUO_DATABASE_URL": f"{base}/{name}",
            }
        )
        subprocess.run(["redis-cli", "-u", args.redis, "flushdb"], check=True, capture_output=True)
    tingshuo = str(Path(sys.executable).parent / "tingshuo")
    subprocess.run([tingshuo, "migrate"], env=env, check=True, capture_output=True)
    from worker.cli.processes import worker_argv

    procs = [
        subprocess.Popen(
            worker_argv(hostname=f"bench{i}@%h"),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    time.sleep(6)
    started = time.perf_counter()
    result = subprocess.run(
        [tingshuo, "batch", str(data), "--recursive", "--wait", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(30)
    import json

    summary = json.loads(result.stdout)
    audio = float(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from sqlalchemy import func, select; from models.db import session_scope;"
                "from models.tables import Recording;"
                "s=session_scope().__enter__();"
                "print(s.scalar(select(func.sum(Recording.duration_s))))",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        or 0
    )
    if args.redis and args.postgres:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return wall, audio, summary["done"], summary["failed"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "asr")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--redis", default="")
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found")
        return 0
    backend = "PostgreSQL + Redis" if args.redis and args.postgres else "SQLite + local broker"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; backend: {backend}")
    columns = ("workers", 8), ("files", 7), ("failed", 8), ("audio s", 9), ("wall s", 8)
    print("".join(f"{name:>{width}}" for name, width in columns) + f"{'files/min':>11}{'RTF':>7}")
    for workers in args.workers:
        wall, audio, done, failed = run_once(args.data, workers, args)
        print(
            f"{workers:>8}{done:>7}{failed:>8}{audio:>9.1f}{wall:>8.1f}"
            f"{60 * done / wall:>11.1f}{wall / audio:>7.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
