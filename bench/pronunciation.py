"""Pronunciation evidence: where the time goes, per part, on speechocean762 utterances.

    .venv/bin/python bench/pronunciation.py [--data DIR] [--count 40]

DIR defaults to ../shared/data/pronunciation/speechocean762.

Times each part of the evidence (Whisper's free transcription with word timings, the forced
reading of the reference, the voice profile, the delivery measures) and the scoring, as a
real-time factor (seconds of work per second of audio), and the process's peak memory.
The agreement with the experts is printed by `tingshuo eval pronunciation`.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT.parent / "shared" / "data" / "pronunciation" / "speechocean762"
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    if not (args.data / "scores.json").is_file():
        print(f"skipped: {args.data} not found")
        return 0
    from models.settings import get_settings
    from worker.engines.whisper import get_whisper
    from worker.engines.whisper_words import forced_words, heard_words, voice_profile
    from worker.pronunciation.acoustics import Timing, delivery
    from worker.pronunciation.evidence import gather
    from worker.pronunciation.experts import read_corpus
    from worker.pronunciation.scoring import load_calibration, score

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    engine = get_whisper(get_settings())
    calibration = load_calibration()
    utterances = read_corpus(args.data)[:: max(1, 450 // args.count)][: args.count]
    spent = dict.fromkeys(
        ("heard words", "forced reading", "voice profile", "delivery", "scoring"), 0.0
    )
    audio_s = whole_s = 0.0
    for utterance in utterances:
        samples, _ = sf.read(str(utterance.audio), dtype="float32")
        samples = np.asarray(samples)
        audio_s += len(samples) / 16000
        started = time.perf_counter()
        heard_words(engine, samples, "en")
        spent["heard words"] += time.perf_counter() - started
        started = time.perf_counter()
        read, _ = forced_words(engine, samples, utterance.text.lower(), "en")
        spent["forced reading"] += time.perf_counter() - started
        started = time.perf_counter()
        voice_profile(engine, samples, "en")
        spent["voice profile"] += time.perf_counter() - started
        started = time.perf_counter()
        delivery(samples, [Timing(w.start_s, w.end_s) for w in read], [w.text for w in read])
        spent["delivery"] += time.perf_counter() - started
        started = time.perf_counter()
        evidence = gather(engine, samples, utterance.text, "en")
        whole_s += time.perf_counter() - started
        started = time.perf_counter()
        score(evidence, calibration)
        spent["scoring"] += time.perf_counter() - started
    mean_s = audio_s / len(utterances)
    print(f"{len(utterances)} utterances, {audio_s:.1f} s of audio (mean {mean_s:.1f} s)")
    for part, seconds in spent.items():
        print(f"  {part:<16} real-time factor {seconds / audio_s:.3f}")
    print(f"  {'all evidence':<16} real-time factor {whole_s / audio_s:.3f} (one gather call)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
