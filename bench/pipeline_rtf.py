"""Real-time factor of every stage and end to end, on the shared English and Mandarin clips.

Runs the real pipeline on the embedded default (SQLite, local broker, one worker process) and
reads each StageRun's duration back from the database. Usage:

    .venv/bin/python bench/pipeline_rtf.py [--data ../shared/data/asr] [--beam 5]

Prints a table; skips cleanly (exit 0) when the data folder is absent.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "asr")
    parser.add_argument("--beam", type=int, default=5)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found")
        return 0
    files = sorted(p for p in args.data.glob("*/*") if p.suffix.lower() in AUDIO_SUFFIXES)
    workdir = Path(tempfile.mkdtemp(prefix="tingshuo-bench-"))
    os.environ.update(
        {
            "TINGSHUO_DATA_DIR": str(workdir),
            "TINGSHUO_WHISPER_MODEL": str(ROOT / "tingshuo-data" / "models" / "whisper-base"),
            "TINGSHUO_WHISPER_BEAM_SIZE": str(args.beam),
        }
    )
    from rich.console import Console
    from sqlalchemy import select

    from migrations import upgrade_head
    from models.db import session_scope
    from models.intake import accept_path
    from models.runs import start_current_run
    from models.settings import get_settings
    from models.tables import Recording, StageRun
    from worker.cli.processes import start_worker, stop
    from worker.cli.waiting import wait_for
    from worker.engines.model_files import prepare_whisper_base

    settings = get_settings()
    settings.ensure_dirs()
    prepare_whisper_base(Path(settings.whisper_model_path))
    upgrade_head()
    worker = start_worker(settings)
    time.sleep(8)  # let the worker start before the clock runs
    started = time.perf_counter()
    ids = []
    for path in files:
        intake = accept_path(path, settings)
        start_current_run(intake.recording_id)
        ids.append(intake.recording_id)
    wait_for(ids, {}, Console(stderr=True), 3600, show_progress=False)
    wall = time.perf_counter() - started
    stop(worker)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    by_stage: dict[str, float] = defaultdict(float)
    audio_s = 0.0
    with session_scope() as session:
        recordings = session.scalars(select(Recording).where(Recording.id.in_(ids))).all()
        audio_s = sum(r.duration_s or 0 for r in recordings)
        failed = [r.original_name for r in recordings if r.status != "done"]
        for run in session.scalars(select(StageRun).where(StageRun.status == "done")):
            by_stage[run.stage] += run.duration_s or 0.0

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"files: {len(files)} ({audio_s:.1f} s of audio), Whisper beam {args.beam}")
    print(f"failed: {failed or 'none'}")
    print(f"{'stage':<12}{'seconds':>10}{'RTF':>10}")
    for stage in ("ingest", "speech", "plan", "transcribe", "finalize"):
        print(f"{stage:<12}{by_stage[stage]:>10.2f}{by_stage[stage] / audio_s:>10.3f}")
    print(f"{'end to end':<12}{wall:>10.2f}{wall / audio_s:>10.3f}   (wall clock, with queue hops)")
    print(f"peak worker memory: {peak_rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
