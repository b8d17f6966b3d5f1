"""Does the diarizer find the right number of voices when two to four real people talk?

    .venv/bin/python bench/speaker_count.py [--per-count 10] [--seed 1] [--keep DIR] [--json]

Builds conversations of 2, 3 and 4 different speakers from the speechocean762 readers in
../shared/data (real voices, children and adults, all Mandarin-L1 English learners): each
speaker's sentences in turn (A B C A B C ...), a pause of 0.3-1.0 s between turns, and an RTTM
of who spoke when. Then `tingshuo eval diarization` scores the configured engine on them and
this prints, per number of speakers, how often the count found was right, under or over, and
the DER. The speakers are drawn at random with the seed, so ``--seed`` gives a set of
conversations never used for choosing settings. Skips cleanly (exit 0) without the data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.diarization import EvalFailed, eval_diarization  # noqa: E402
from bench.long_recording import read_mono_16k  # noqa: E402

READERS = ROOT.parent / "shared" / "data" / "pronunciation" / "speechocean762" / "WAVE"
RATE = 16000


def build_conversations(dest: Path, per_count: int, seed: int) -> None:
    """WAV + RTTM pairs in ``dest``. Speakers with at least three sentences are drawn without
    repetition inside one conversation."""
    rng = np.random.default_rng(seed)
    readers = sorted(p for p in READERS.iterdir() if len(list(p.glob("*.WAV"))) >= 3)
    for count in (2, 3, 4):
        for n in range(per_count):
            chosen = rng.choice(len(readers), size=count, replace=False)
            name = f"s{seed}-{count}spk-{n:02d}"
            _write(dest, name, [readers[i] for i in chosen], rng)


def _write(dest: Path, name: str, speakers: list[Path], rng: np.random.Generator) -> None:
    sentences = [sorted(folder.glob("*.WAV")) for folder in speakers]
    pieces, rttm, clock = [], [], 0.0
    for turn in range(max(len(s) for s in sentences)):
        for folder, files in zip(speakers, sentences, strict=True):
            if turn >= len(files):
                continue
            voice = read_mono_16k(files[turn])
            rttm.append(
                f"SPEAKER {name} 1 {clock:.3f} {len(voice) / RATE:.3f} "
                f"<NA> <NA> {folder.name} <NA> <NA>"
            )
            pause = np.zeros(int(rng.uniform(0.3, 1.0) * RATE), dtype=np.float32)
            pieces += [voice, pause]
            clock += (len(voice) + len(pause)) / RATE
    sf.write(str(dest / f"{name}.wav"), np.concatenate(pieces), RATE, subtype="PCM_16")
    (dest / f"{name}.rttm").write_text("\n".join(rttm) + "\n")


def tally(files: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Per reference speaker count: right / under / over and the counts found."""
    rows: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"right": 0, "under": 0, "over": 0, "found": [], "der": []}
    )
    for entry in files:
        row = rows[entry["reference_speakers"]]
        found, truth = entry["speakers"], entry["reference_speakers"]
        row["right" if found == truth else "under" if found < truth else "over"] += 1
        row["found"].append(found)
        row["der"].append(entry["der"])
    return dict(sorted(rows.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the conversations here and keep them")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not READERS.is_dir():
        print(f"skipped: {READERS} not found")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        build_conversations(folder, args.per_count, args.seed)
        try:
            report = eval_diarization(folder, dict(os.environ))
        except EvalFailed as failure:
            raise SystemExit(f"eval failed:\n{failure}") from None
    rows = tally(report["files"])
    if args.json:
        print(json.dumps({"seed": args.seed, "rows": rows, "der": report["der"]}, indent=2))
        return 0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; seed {args.seed}"
    )
    print("speakers | conversations | right | under | over | counts found | mean DER")
    for truth, row in rows.items():
        total = row["right"] + row["under"] + row["over"]
        print(
            f"{truth} | {total} | {row['right']} | {row['under']} | {row['over']} | "
            f"{' '.join(map(str, row['found']))} | {np.mean(row['der']):.3f}"
        )
    print(f"overall DER {report['der']:.3f}, confusion {report['confusion']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
