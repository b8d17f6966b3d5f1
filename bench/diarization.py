"""Diarization error and real-time factor on the shared diarization data.

    .venv/bin/python bench/diarization.py [--data ../shared/data/diarization]

Runs `tingshuo eval diarization` for each available engine (the CPU diarizer always; pyannote
when TINGSHUO_PYANNOTE_PIPELINE points at a pipeline that loads). Skips cleanly without data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class EvalFailed(Exception):
    """`tingshuo eval diarization` exited with an error (the message is its stderr's end)."""


def eval_diarization(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    """The report of `tingshuo eval diarization FOLDER --json`, run with ``env``."""
    tingshuo = str(Path(sys.executable).parent / "tingshuo")
    result = subprocess.run(
        [tingshuo, "eval", "diarization", str(folder), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise EvalFailed(result.stderr[-2000:])
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "diarization"
    )
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found")
        return 0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    engines = ["cpu"] + (["pyannote"] if os.environ.get("TINGSHUO_PYANNOTE_PIPELINE") else [])
    for engine in engines:
        env = {**os.environ, "TINGSHUO_DIARIZATION_ENGINE": engine}
        try:
            report = eval_diarization(args.data, env)
        except EvalFailed as failure:
            print(f"{engine}: failed\n{failure}")
            continue
        print(
            f"{engine}: DER {report['der']:.3f} (without overlap {report['der_no_overlap']:.3f}), "
            f"missed {report['missed']:.3f}, false alarm {report['false_alarm']:.3f}, "
            f"confusion {report['confusion']:.3f}, "
            f"real-time factor {report['real_time_factor']:.3f}"
        )
        for row in report["files"]:
            print(
                f"  {row['file']:<20} DER {row['der']:.3f}  speakers {row['speakers']}/"
                f"{row['reference_speakers']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
