"""Which heard words are wrong, and does Whisper's own word probability tell?

    .venv/bin/python bench/unsure_words.py [--meetings DIR] [--learners 150] [--json]

Transcribes speech whose words are known with the product's Whisper engine (the configured
model folder, beam and word timestamps, as the transcription stage reads a task's audio) and
aligns each file's heard words with the words said (`worker.pronunciation.align`). A heard
word is wrong when the alignment substitutes or inserts it. For each probability threshold it
prints how many words fall under it, the share of those that are wrong (precision) and the
share of the wrong words under it (recall). Sets, each skipped when absent:

- read English: the `asr/en_*` utterances of ../shared/data that have a Kaldi `text` file;
- learners: the first ``--learners`` speechocean762 sentences (Mandarin-L1 readers);
- spoken meetings: ``--meetings DIR`` as written by scripts/make_meetings.py (espeak-ng
  voices), the English ones, against bench/meetings.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.long_recording import DATA, _class_texts, read_mono_16k  # noqa: E402

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
Sample = tuple[str, np.ndarray, str]  # name, 16 kHz audio, the words said


def read_english() -> Iterator[Sample]:
    from faster_whisper import decode_audio  # resamples (the JFK clip is 44.1 kHz)

    for folder in sorted((DATA / "asr").glob("en_*")):
        if not (folder / "text").is_file():
            continue
        for line in (folder / "text").read_text().splitlines():
            key, _, said = line.partition(" ")
            audio = next(
                (p for p in folder.glob(f"{key}.*") if p.suffix in (".wav", ".flac")), None
            )
            if audio is not None and said.strip():
                yield key, decode_audio(str(audio)), said


def learners(count: int) -> Iterator[Sample]:
    texts = _class_texts()
    files = sorted((DATA / "pronunciation/speechocean762/WAVE").glob("*/*.WAV"))[:count]
    for path in files:
        if path.stem in texts:
            yield path.stem, read_mono_16k(path), texts[path.stem]


def spoken_meetings(folder: Path) -> Iterator[Sample]:
    labels = json.loads((ROOT / "bench" / "meetings.json").read_text())["meetings"]
    for meeting in labels:
        wav = folder / f"{meeting['name']}.wav"
        said = " ".join(text for _, text in meeting["lines"])
        if wav.is_file() and meeting.get("language", "en") == "en" and said.isascii():
            yield meeting["name"], read_mono_16k(wav), said


def judged_words(engine: Any, samples: Iterator[Sample]) -> list[tuple[float, bool]]:
    """(probability, wrong) for every heard word of every sample."""
    from worker.pronunciation.align import align_words, words_of

    judged: list[tuple[float, bool]] = []
    for _, audio, said in samples:
        heard, _ = engine.words(audio, "en")
        tokens = [(token, w.probability) for w in heard for token in words_of(w.text)]
        ops = align_words(words_of(said), [t for t, _ in tokens])
        for op in ops:
            if op.heard_index is not None:
                judged.append((tokens[op.heard_index][1], op.op in ("substitute", "insert")))
    return judged


def figures(judged: list[tuple[float, bool]]) -> dict[str, Any]:
    wrong = sum(w for _, w in judged)
    rows = []
    for threshold in THRESHOLDS:
        flagged = [w for p, w in judged if p < threshold]
        rows.append(
            {
                "threshold": threshold,
                "flagged_share": round(len(flagged) / max(1, len(judged)), 3),
                "precision": round(sum(flagged) / len(flagged), 3) if flagged else None,
                "recall": round(sum(flagged) / wrong, 3) if wrong else None,
            }
        )
    return {"words": len(judged), "wrong": wrong, "thresholds": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=Path, help="spoken meetings from make_meetings.py")
    parser.add_argument("--learners", type=int, default=150, help="speechocean762 sentences")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    os.environ.setdefault(
        "TINGSHUO_WHISPER_MODEL", str(ROOT / "tingshuo-data" / "models" / "whisper-base")
    )
    from models.settings import Settings
    from worker.engines.whisper import WhisperEngine

    engine = WhisperEngine(Settings())
    sets: dict[str, Iterator[Sample]] = {
        "read English": read_english(),
        "learners (speechocean762)": learners(args.learners),
    }
    if args.meetings:
        sets["spoken meetings (espeak-ng)"] = spoken_meetings(args.meetings)
    report = {name: figures(judged_words(engine, samples)) for name, samples in sets.items()}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; model {engine.model_id}")
    for name, found in report.items():
        print(f"{name}: {found['words']} heard words, {found['wrong']} wrong")
        for row in found["thresholds"]:
            print(
                f"  probability < {row['threshold']:.1f}: {row['flagged_share']:.1%} of words, "
                f"precision {row['precision']}, recall {row['recall']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
