"""Analysis on the embedded default: accuracy on labelled spoken meetings, grounding on real AMI
excerpts, and the analysis stage's cost on an hour of meeting transcript.

    .venv/bin/python bench/analysis.py [--meetings DIR] [--ami AMI_DIR]

1. The labelled meetings of bench/meetings.json (--set second, heldout, fourth or fifth:
   bench/meetings_second.json, meetings_heldout.json, meetings_fourth.json,
   meetings_fifth.json), synthesised with
   espeak-ng (or read from --meetings), through `tingshuo eval analysis` (Whisper, the CPU
   diarizer, the small GGUF for summaries, the extractive finder and lexicons): action-item
   precision, recall and F1, due dates, unsupported and echoed records, topic coverage, items in
   meetings that have none.
2. The AMI excerpts (no action-item labels): how many records were unsupported or echoed.
3. An hour of transcript (the meetings' recognised lines repeated to 60 minutes, with three
   speakers) through the analysis and sentiment stages in this process: seconds and the
   real-time factor (stage seconds / 3600).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tingshuo-data" / "models"
BIN = Path(sys.executable).parent


DEFAULT_TEXT_MODEL = MODELS / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
# Set by --text-model and --ask-model (one bench run measures one configuration).
TEXT_MODEL = DEFAULT_TEXT_MODEL
ASK_MODEL = False


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINGSHUO_")}
    env.update(
        TINGSHUO_DATA_DIR=str(data),
        TINGSHUO_WHISPER_MODEL=str(MODELS / "whisper-base"),
        TINGSHUO_LLM_GGUF=str(TEXT_MODEL),
    )
    if ASK_MODEL:
        env.update(TINGSHUO_SUMMARY_ENGINE="model", TINGSHUO_ACTION_ITEMS_ENGINE="model")
    return env


def _eval(folder: Path, data: Path, options: list[str] | None = None) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "tingshuo"), "eval", "analysis", str(folder), "--json", *(options or [])],
        env=_env(data),
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    report["wall_s"] = round(time.perf_counter() - started, 1)
    return report


def _hour_of_transcript(data: Path) -> dict[str, float]:
    """The analysis stages on 60 minutes of lines recognised in the labelled meetings."""
    os.environ.update(_env(data / "hour"))
    from sqlalchemy import select

    from migrations import upgrade_head
    from models.db import session_scope
    from models.settings import get_settings
    from models.tables import Recording, Segment, Speaker
    from worker.stages import analyze, sentiment
    from worker.stages.runs import RunScope

    get_settings().ensure_dirs()
    upgrade_head()
    with session_scope(f"sqlite:///{data / 'tingshuo.db'}") as session:
        lines = [s.text for s in session.scalars(select(Segment).order_by(Segment.id))]
    with session_scope() as session:
        recording = Recording(
            content_hash="b" * 64, original_name="hour.wav", status="running", duration_s=3600.0
        )
        session.add(recording)
        session.flush()
        speakers = [
            Speaker(recording_id=recording.id, label=f"SPEAKER_0{n}", display_name=f"Speaker {n}")
            for n in range(3)
        ]
        session.add_all(speakers)
        session.flush()
        clock, n = 0.0, 0
        while clock < 3600.0:
            text = lines[n % len(lines)]
            length = max(1.5, len(text.split()) / 2.5)  # about 150 words a minute
            session.add(
                Segment(
                    recording_id=recording.id,
                    speaker_id=speakers[n % 3].id,
                    start_s=clock,
                    end_s=clock + length,
                    text=text,
                )
            )
            clock, n = clock + length + 0.3, n + 1
        scope = RunScope(recording.id, recording.generation)
    timings = {"lines": float(n)}
    for name, stage in (("summary and action items", analyze.run_text),):
        started = time.perf_counter()
        stage(scope)
        timings[name] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    sentiment.run(scope, lambda *_: None)
    timings["sentiment"] = round(time.perf_counter() - started, 1)
    total = timings["summary and action items"] + timings["sentiment"]
    timings["real-time factor"] = round(total / 3600.0, 4)
    return timings


def main() -> int:
    global TEXT_MODEL, ASK_MODEL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=Path, help="already synthesised meetings")
    parser.add_argument(
        "--set",
        choices=("seen", "second", "heldout", "fourth", "fifth"),
        default="seen",
        dest="which",
        help="which labelled set to synthesise (bench/meetings.json, meetings_second.json, "
        "the held-out meetings_heldout.json, meetings_fourth.json or meetings_fifth.json)",
    )
    parser.add_argument(
        "--ami",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "diarization" / "ami_debug_train",
    )
    parser.add_argument(
        "--text-model",
        type=Path,
        default=DEFAULT_TEXT_MODEL,
        help="the GGUF (e.g. the 1.5B from `tingshuo models prepare --text-model 1.5b`)",
    )
    parser.add_argument(
        "--ask-model",
        action="store_true",
        help="summary and action items asked of the text model (JSON-schema constrained) "
        "instead of chosen from the transcript",
    )
    parser.add_argument(
        "--with-people",
        action="store_true",
        help="give each meeting its people's names at upload (as a user would)",
    )
    parser.add_argument("--skip-hour", action="store_true", help="no hour-of-transcript timing")
    args = parser.parse_args()
    TEXT_MODEL, ASK_MODEL = args.text_model, args.ask_model
    work = Path(tempfile.mkdtemp(prefix="tingshuo-bench-analysis-"))
    meetings = args.meetings
    if meetings is None:
        if shutil.which("espeak-ng") is None:
            print("skipped: espeak-ng is not installed (apt-get install espeak-ng)")
            return 0
        meetings = work / "meetings"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "make_meetings.py"),
                str(meetings),
                "--set",
                args.which,
            ],
            check=True,
            capture_output=True,
        )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"text model: {TEXT_MODEL.name}; summary and action items asked of it: {ASK_MODEL}")
    print(f"people's names given at upload: {args.with_people}")
    report = _eval(meetings, work / "meetings-data", ["--with-people"] if args.with_people else [])
    print("labelled meetings:", json.dumps(report["overall"]), f"wall {report['wall_s']} s")
    for row in report["files"]:
        print(f"  {row['file']}: {json.dumps(row['action_items'])} dues {row['due_dates']}")
    if args.ami.is_dir():
        ami = work / "ami"
        ami.mkdir()
        for wav in sorted(args.ami.glob("*.wav")):
            shutil.copy(wav, ami / wav.name)
            (ami / f"{wav.stem}.json").write_text(json.dumps({"language": "en"}))
        ami_report = _eval(ami, work / "ami-data")
        print("AMI excerpts:", json.dumps(ami_report["overall"]), f"wall {ami_report['wall_s']} s")
    else:
        print(f"AMI skipped: {args.ami} not found")
    if not args.skip_hour:
        hour = _hour_of_transcript(work / "meetings-data")
        print("one hour of transcript:", json.dumps(hour))
    return 0


if __name__ == "__main__":
    sys.exit(main())
