"""Many recordings queued at once: do they all finish, how fast, and how long does one wait?

    .venv/bin/python bench/queue_load.py [--count 50] [--backend embedded|services] [--json]
        [--redis redis://127.0.0.1:6379/14 --postgres postgresql://tingshuo:tingshuo@127.0.0.1/postgres]

Builds ``count`` distinct 3-second recordings from the LibriSpeech sentence in tests/data
(each a different slice, so none is a duplicate of another), starts one worker, queues them all
with one ``tingshuo process --language en`` and times it until every one has settled. Prints
the throughput, the largest queue wait (from upload to the first stage starting) and the longest
time from upload to done. tests/test_faults.py runs
it on both backends and checks that every recording finished.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "librispeech_1995-1837-0001.wav"
CLIP_S = 3.0


def make_recordings(folder: Path, count: int) -> list[Path]:
    audio, rate = sf.read(SOURCE, dtype="float32")
    span = len(audio) - int(CLIP_S * rate)
    paths = []
    for i in range(count):
        start = (i * span) // max(1, count)
        path = folder / f"call-{i:03d}.wav"
        sf.write(path, audio[start : start + int(CLIP_S * rate)], rate)
        paths.append(path)
    return paths


def backend_env(workdir: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINGSHUO_")}
    env["TINGSHUO_DATA_DIR"] = str(workdir / "data")
    env["TINGSHUO_WHISPER_MODEL"] = args.whisper
    if args.backend == "services":
        import psycopg

        name = f"tingshuo_load_{os.getpid()}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        base = args.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        env["TINGSHUO_DATABASE_URL"] = f"{base}/{name}"
        env["TINGSHUO_BROKER_URL"] = env["TINGSHUO_RESULT_BACKEND"] = args.redis
        subprocess.run(["redis-cli", "-u", args.redis, "flushdb"], check=True, capture_output=True)
    return env


def waits(env: dict[str, str]) -> dict[str, Any]:
    """Status, seconds from upload to the first stage starting, audio seconds, and seconds
    from upload to done, of every recording."""
    script = (
        "import json; from sqlalchemy import func, select; from models.db import session_scope;"
        "from models.tables import Recording, StageRun\n"
        "with session_scope() as s:\n"
        "    first = dict(s.execute(select(StageRun.recording_id, func.min(StageRun.started_at))"
        ".group_by(StageRun.recording_id)).all())\n"
        "    rows = [(r.status, (first[r.id] - r.created_at).total_seconds() if r.id in first"
        " else None, r.duration_s or 0, (r.finished_at - r.created_at).total_seconds()"
        " if r.finished_at else None) for r in s.scalars(select(Recording))]\n"
        "print(json.dumps(rows))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    rows = json.loads(out.stdout or "[]")
    return {
        "done": sum(row[0] == "done" for row in rows),
        "failed": sum(row[0] == "failed" for row in rows),
        "max_queue_wait_s": max((row[1] for row in rows if row[1] is not None), default=None),
        "max_upload_to_done_s": max((row[3] for row in rows if row[3] is not None), default=None),
        "audio_s": sum(row[2] for row in rows),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from worker.cli.processes import stop, worker_argv

    workdir = Path(tempfile.mkdtemp(prefix="tingshuo-load-"))
    files = make_recordings(workdir, args.count)
    env = backend_env(workdir, args)
    tingshuo = str(Path(sys.executable).parent / "tingshuo")
    subprocess.run([tingshuo, "migrate"], env=env, check=True, capture_output=True)
    log = (workdir / "worker.log").open("wb")
    worker = subprocess.Popen(
        worker_argv(hostname="load@%h"), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    time.sleep(5)
    started = time.perf_counter()
    options = ["--language", "en", "--wait", "--json", "--timeout", str(args.timeout)]
    queued = subprocess.run(
        [tingshuo, "process", *map(str, files), *options],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    stop(worker)
    result = {"backend": args.backend, "count": args.count, "wall_s": wall, **waits(env)}
    result["per_minute"] = 60 * result["done"] / wall
    result["exit_code"] = queued.returncode
    if queued.returncode != 0:
        result["stderr"] = queued.stderr[-2000:]
        result["worker_log"] = (workdir / "worker.log").read_text(errors="replace")[-3000:]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--backend", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--postgres", default="postgresql://tingshuo:tingshuo@127.0.0.1/postgres")
    parser.add_argument(
        "--whisper", default=str(ROOT / "tingshuo-data" / "models" / "whisper-base")
    )
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; one worker process")
    print(
        f"{result['backend']}: {result['done']}/{result['count']} done, {result['failed']} failed"
        f" in {result['wall_s']:.1f} s ({result['per_minute']:.1f} recordings/min,"
        f" {result['audio_s']:.0f} s of audio); largest queue wait"
        f" {result['max_queue_wait_s']:.1f} s, longest from upload to done"
        f" {result['max_upload_to_done_s']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
