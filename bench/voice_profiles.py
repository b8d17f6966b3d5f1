"""How well voice profiles recognise people across recordings, on the shared AMI excerpts.

Several people appear in more than one excerpt (trn00/01/03, trn07/08, trn06/09). For each
excerpt, every speaker's voice is taken from their annotated turns (the RTTM, inside the
scored UEM), exactly as the diarize stage takes it (worker/stages/voices.py). Profiles are
built from all *other* excerpts (one per person, averaged over their appearances, as naming
them in each recording would), then each speaker is matched with models.voices.best_matches.

Printed per threshold: suggestions made, precision (the suggested name is the person's) and
recall (people with a profile who got their name). Usage:

    .venv/bin/python bench/voice_profiles.py [../shared/data/diarization/ami_debug_train]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.settings import Settings  # noqa: E402
from models.voices import best_matches, unit  # noqa: E402
from worker.stages.voices import voice_of  # noqa: E402

AMI = ROOT.parent / "shared" / "data" / "diarization" / "ami_debug_train"
THRESHOLDS = (0.7, 0.8, 0.85, 0.88, 0.9, 0.92, 0.95)
# As the worker: a voice heard for less than this is neither matched nor learned from.
MIN_SPEECH_S = Settings().voice_min_speech_s


class _Profile:
    def __init__(self, profile_id: int, name: str, embedding: list[float]) -> None:
        self.id, self.name, self.embedding, self.student_id = profile_id, name, embedding, None


def _turns(folder: Path) -> dict[str, dict[str, list[tuple[float, float]]]]:
    scored: dict[str, tuple[float, float]] = {}
    for line in (folder / "debug.train.uem").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4:
            scored[parts[0]] = (float(parts[2]), float(parts[3]))
    turns: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for line in (folder / "debug.train.rttm").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 8 or parts[0] != "SPEAKER":
            continue
        uri, start, length, who = parts[1], float(parts[3]), float(parts[4]), parts[7]
        low, high = scored.get(uri, (0.0, 1e9))
        begin, end = max(start, low), min(start + length, high)
        if end - begin >= 0.5:
            turns[uri][who].append((begin, end))
    return turns


def main(folder: Path) -> None:
    if not folder.exists():
        print(f"skipped: {folder} is absent")
        return
    voices: dict[str, dict[str, tuple[np.ndarray, float]]] = {}
    for uri, people in sorted(_turns(folder).items()):
        samples, rate = sf.read(str(folder / f"{uri}.wav"), dtype="float32", always_2d=False)
        if samples.ndim > 1:
            samples = samples.mean(axis=1)
        assert rate == 16000, rate
        voices[uri] = {who: voice_of(samples, spans) for who, spans in people.items()}
    appearances = [s for people in voices.values() for _, s in people.values()]
    print(
        f"{len(voices)} excerpts, {len(appearances)} speaker appearances, "
        f"{sum(s >= MIN_SPEECH_S for s in appearances)} with {MIN_SPEECH_S:g} s of speech or more"
    )
    print("threshold  suggested  correct  precision  recall (of people with a profile)")
    for threshold in THRESHOLDS:
        suggested = correct = enrolled = 0
        for uri, people in voices.items():
            sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(256))
            for other, others in voices.items():
                if other != uri:
                    for who, (voice, seconds) in others.items():
                        if seconds >= MIN_SPEECH_S:
                            sums[who] = sums[who] + voice * seconds
            profiles = [
                _Profile(n, who, [float(x) for x in unit(total)])
                for n, (who, total) in enumerate(sorted(sums.items()))
            ]
            known = {p.name for p in profiles}
            wanted = {
                who: voice for who, (voice, seconds) in people.items() if seconds >= MIN_SPEECH_S
            }
            matches = best_matches(wanted, profiles, threshold)  # type: ignore[arg-type]
            suggested += len(matches)
            correct += sum(match.name == who for who, match in matches.items())
            enrolled += sum(who in known for who in wanted)
        precision = correct / suggested if suggested else float("nan")
        recall = correct / enrolled if enrolled else float("nan")
        print(f"{threshold:9.2f}  {suggested:9d}  {correct:7d}  {precision:9.2f}  {recall:6.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else AMI)
