"""A one-hour meeting and a three-hour class, end to end: time and memory of every stage.

    .venv/bin/python bench/long_recording.py [--kind meeting|class] [--minutes 60]
        [--backend embedded|services] [--clip-by-clip] [--no-plain] [--json]
        [--summary-model GGUF]

Builds the recording from the real speech in ../shared/data (a meeting from the AMI excerpts, a
class from the speechocean762 readers, each file once in turn until the length is reached, with
the pauses of a conversation between them), runs the whole pipeline with one worker (transcript,
speakers, analysis) and prints for each stage its summed run time and real-time factor, when the
transcript was complete and when the recording was done, and the peak memory (VmHWM) of every
worker process. Then plain faster-whisper transcribes the same audio with the same model folder,
beam and thread count and its own voice filter, and the pipeline's transcription time is given as
a ratio to it. A class has its words known (speechocean762's sentences), so both transcripts get
a word error rate. ``--summary-model`` has the summary written by that llama.cpp model (the
1.5B GGUF, say) instead of chosen from the transcript, and prints it with its check. Skips
cleanly (exit 0) when ../shared/data is absent.
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

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.queue_load import backend_env  # noqa: E402
from tests.memory import PeakMemory  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SOURCES = {
    "meeting": ("diarization/ami_debug_train", "*.wav"),
    "class": ("pronunciation/speechocean762/WAVE", "*/*.WAV"),
}


def build_recording(kind: str, minutes: float, dest: Path) -> tuple[Path, str | None]:
    """The recording, and for a class the words read in it, in order (speechocean762's texts):
    whole files only, so the last one may run a few seconds past the length asked for."""
    folder, pattern = SOURCES[kind]
    files = sorted((DATA / folder).glob(pattern))
    texts = _class_texts() if kind == "class" else {}
    rng = np.random.default_rng(0)
    target = int(minutes * 60 * 16000)
    read: list[str] = []
    with sf.SoundFile(dest, "w", 16000, 1, format="FLAC") as out:
        written = 0
        while written < target:
            for path in files:
                pause = np.zeros(int(rng.uniform(0.3, 1.5) * 16000), dtype=np.float32)
                piece = np.concatenate([read_mono_16k(path), pause])
                out.write(piece)
                written += len(piece)
                read.append(texts.get(path.stem, ""))
                if written >= target:
                    break
    return dest, (" ".join(read) if texts else None)


def read_mono_16k(path: Path) -> np.ndarray:
    """A file of the shared data as 16 kHz mono float32 (it is stored at 16 kHz; never
    resampled here)."""
    samples, rate = sf.read(path, dtype="float32", always_2d=True)
    if rate != 16000:
        raise SystemExit(f"{path} is {rate} Hz; expected 16 kHz")
    return np.asarray(samples.mean(axis=1), dtype=np.float32)


def _class_texts() -> dict[str, str]:
    scores = json.loads((DATA / "pronunciation/speechocean762/scores.json").read_text())
    return {key: entry["text"] for key, entry in scores.items()}


def word_error_rate(truth: str, heard: str) -> float:
    """WER after lower-casing and stripping punctuation (the data README's rule)."""
    import jiwer

    from worker.pronunciation.align import words_of

    return float(jiwer.wer(" ".join(words_of(truth)), " ".join(words_of(heard)) or "<nothing>"))


def run_pipeline(
    path: Path, kind: str, env: dict[str, str], timeout: float, people: str = ""
) -> dict[str, Any]:
    from worker.cli.processes import stop, worker_argv

    tingshuo = str(Path(sys.executable).parent / "tingshuo")
    subprocess.run([tingshuo, "migrate"], env=env, check=True, capture_output=True)
    data = Path(env["TINGSHUO_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)  # on PostgreSQL nothing else makes it
    log = (data / "worker.log").open("wb")
    worker = subprocess.Popen(
        worker_argv(hostname="long@%h"), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    watch = PeakMemory(worker.pid)
    watch.start()
    time.sleep(5)
    started = time.time()
    command = [tingshuo, "process", str(path), "--kind", kind, "--language", "en", "--wait"]
    if people:
        command += ["--people", people]
    done = subprocess.run(
        [*command, "--json", "--timeout", str(timeout)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.time() - started
    peaks = watch.stop()
    stop(worker)
    result: dict[str, Any] = {"wall_s": wall, "exit_code": done.returncode, "peak_mb": peaks}
    result.update(_stage_times(env, started))
    if done.returncode != 0:
        result["stderr"] = done.stderr[-2000:]
    return result


def _stage_times(env: dict[str, str], started: float) -> dict[str, Any]:
    script = (
        "import json; from sqlalchemy import select; from models.db import session_scope;"
        "from models.tables import Recording, Segment, StageRun\n"
        "from models.analysis import Summary\n"
        "with session_scope() as s:\n"
        "    r = s.scalars(select(Recording)).one()\n"
        "    runs = [(x.stage, x.status, x.duration_s or 0, x.finished_at.timestamp()"
        " if x.finished_at else None) for x in s.scalars(select(StageRun))]\n"
        "    said = ' '.join(x.text for x in"
        " s.scalars(select(Segment).order_by(Segment.start_s)))\n"
        "    summary = [(x.status, x.supported, x.problems, x.summary, x.topics) for x in"
        " s.scalars(select(Summary))]\n"
        "    again = sum('read_again_without_names' in (x.raw_output or '') for x in"
        " s.scalars(select(StageRun).where(StageRun.stage == 'transcribe')))\n"
        "    print(json.dumps({'status': r.status, 'error': r.error, 'audio_s': r.duration_s,"
        " 'runs': runs, 'transcript': said, 'summary': summary, 'read_again': again}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    found = json.loads(out.stdout)
    by_stage: dict[str, float] = {}
    for stage, _, seconds, _ in found["runs"]:
        by_stage[stage] = by_stage.get(stage, 0.0) + seconds
    transcribed = [end for stage, _, _, end in found["runs"] if stage == "transcribe" and end]
    ended = {stage: end for stage, _, _, end in sorted(found["runs"], key=lambda r: r[3] or 0)}
    return {
        "status": found["status"],
        "error": found["error"],
        "audio_s": found["audio_s"],
        "stage_s": by_stage,
        "transcript_complete_s": max(transcribed) - started if transcribed else None,
        # from speech found to speaker turns stored: the parts (in parallel) and the clustering
        "diarization_wall_s": (ended.get("diarize") or 0) - (ended.get("speech") or 0),
        "failed_runs": sum(status == "failed" for _, status, _, _ in found["runs"]),
        # transcription tasks whose clips were partly read again without the names given
        "read_again_without_names": found["read_again"],
        "transcript": found["transcript"],
        "summary": found["summary"],
    }


def plain_faster_whisper(path: Path, model: str, beam: int, threads: int) -> tuple[float, str]:
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    whisper = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=threads)
    audio = decode_audio(str(path))
    started = time.perf_counter()
    segments, _ = whisper.transcribe(
        audio, language="en", beam_size=beam, vad_filter=True, condition_on_previous_text=False
    )
    heard = " ".join(segment.text for segment in segments)
    return time.perf_counter() - started, heard


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=sorted(SOURCES), default="meeting")
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--backend", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--postgres", default="postgresql://tingshuo:tingshuo@127.0.0.1/postgres")
    parser.add_argument(
        "--whisper", default=str(ROOT / "tingshuo-data" / "models" / "whisper-base")
    )
    parser.add_argument("--no-plain", action="store_true")
    parser.add_argument(
        "--clip-by-clip", action="store_true", help="TINGSHUO_WHISPER_FILL_WINDOWS=false"
    )
    parser.add_argument("--summary-model", help="a GGUF for the summary (model, not extractive)")
    parser.add_argument(
        "--people", default="", help="names given at upload, comma-separated (hot words)"
    )
    parser.add_argument(
        "--diarization-part-s",
        type=float,
        help="TINGSHUO_DIARIZATION_PART_S: audio per speaker-embedding task (default 1800)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="tingshuo-long-"))
    recording, truth = build_recording(args.kind, args.minutes, workdir / f"{args.kind}.flac")
    env = backend_env(workdir, args)
    if args.clip_by_clip:
        env["TINGSHUO_WHISPER_FILL_WINDOWS"] = "false"
    if args.diarization_part_s:
        env["TINGSHUO_DIARIZATION_PART_S"] = str(args.diarization_part_s)
    if args.summary_model:
        env["TINGSHUO_LLM_GGUF"] = args.summary_model
        env["TINGSHUO_SUMMARY_ENGINE"] = "model"
    result: dict[str, Any] = {
        "kind": args.kind,
        "minutes": args.minutes,
        "backend": args.backend,
        "clip_by_clip": args.clip_by_clip,
        "summary_model": args.summary_model,
    }
    kind = "lesson" if args.kind == "class" else "meeting"  # a class is a lesson: pronunciation
    result["people"] = args.people
    result.update(run_pipeline(recording, kind, env, 6 * args.minutes * 60, args.people))
    if not args.no_plain:
        from models.settings import Settings

        settings = Settings()
        plain, plain_heard = plain_faster_whisper(
            recording, args.whisper, settings.whisper_beam_size, settings.cpu_threads
        )
        result["plain_faster_whisper_s"] = plain
        result["transcribe_ratio"] = result["stage_s"].get("transcribe", 0.0) / plain
        if truth is not None:
            result["plain_wer"] = word_error_rate(truth, plain_heard)
    if truth is not None:
        result["wer"] = word_error_rate(truth, result["transcript"])
    result.pop("transcript")
    if args.json:
        print(json.dumps(result))
        return 0
    _print(result)
    return 0


CLIP_BY_CLIP = "clip by clip"
TOGETHER = "a task's clips read together"


def _print(result: dict[str, Any]) -> None:
    audio = result["audio_s"] or 1.0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; one worker; {result['backend']} backend; Whisper "
        f"{CLIP_BY_CLIP if result['clip_by_clip'] else TOGETHER}"
    )
    print(
        f"{result['kind']}: {audio / 60:.1f} min of audio, {result['status']}"
        f" {result['error'] or ''} ({result['failed_runs']} failed stage runs)"
    )
    print(f"{'stage':<16}{'seconds':>10}{'RTF':>8}")
    for stage, seconds in sorted(result["stage_s"].items(), key=lambda kv: -kv[1]):
        print(f"{stage:<16}{seconds:>10.1f}{seconds / audio:>8.3f}")
    diarized = result["diarization_wall_s"]
    print(f"{'diarization':<16}{diarized:>10.1f}{diarized / audio:>8.3f}  (wall clock)")
    complete = result["transcript_complete_s"]
    print(f"{'transcript':<16}{complete or 0:>10.1f}{(complete or 0) / audio:>8.3f}  (wall clock)")
    print(f"{'end to end':<16}{result['wall_s']:>10.1f}{result['wall_s'] / audio:>8.3f}")
    if "plain_faster_whisper_s" in result:
        print(
            f"plain faster-whisper on the same audio: {result['plain_faster_whisper_s']:.1f} s;"
            f" pipeline transcription / plain = {result['transcribe_ratio']:.2f}"
        )
    if "wer" in result:
        plain_wer = result.get("plain_wer")
        print(
            f"word error rate against the sentences read: {result['wer']:.3f}"
            + (f" (plain faster-whisper {plain_wer:.3f})" if plain_wer is not None else "")
        )
    for process, megabytes in result["peak_mb"].items():
        print(f"peak {megabytes:>6} MB  {process}")
    for status, supported, problems, text, topics in result["summary"]:
        check = "supported" if supported else f"unsupported: {'; '.join(problems)}"
        print(f"summary ({status}, {check}); topics {', '.join(topics)}\n{text}")


if __name__ == "__main__":
    sys.exit(main())
