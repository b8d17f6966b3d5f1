"""Synthesise the labelled test meetings in bench/meetings.json (or, with --set, the later
bench/meetings_second.json, the held-out bench/meetings_heldout.json, bench/meetings_fourth.json
or bench/meetings_fifth.json) with espeak-ng, one voice per person, into OUT/NAME.wav (16 kHz
mono), OUT/NAME.json (the labels `tingshuo eval analysis` reads) and OUT/NAME.rttm (who spoke
when).

    python scripts/make_meetings.py OUT [--set seen|second|heldout|fourth|fifth] [--only NAME,NAME]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

ROOT = Path(__file__).resolve().parent.parent
RATE = 16000
PAUSE_S = 0.5
# "seen": the set the finder's rules were first written against; "second": written later,
# measured once, then read to write more rules; "heldout": never read before those rules were done;
# "fourth": written in the next session before any change, measured as written first;
# "fifth": the same, one session later.
SETS = {
    "seen": "meetings.json",
    "second": "meetings_second.json",
    "heldout": "meetings_heldout.json",
    "fourth": "meetings_fourth.json",
    "fifth": "meetings_fifth.json",
}


def spoken(text: str, voice: str) -> tuple[str, str]:
    """The text and voice espeak-ng is given. Its ``cmn`` voice lacks the full Mandarin
    dictionary here and reads characters out as English letters and tone digits ("zhe four"),
    which nobody can transcribe; its ``cmn-latn-pinyin`` voice speaks pinyin with tones."""
    if not voice.startswith("cmn+") and voice != "cmn":
        return text, voice
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(syllables), voice.replace("cmn", "cmn-latn-pinyin", 1)


def speak(text: str, voice: str, folder: Path) -> np.ndarray:
    path = folder / "line.wav"
    text, voice = spoken(text, voice)
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    samples, rate = sf.read(str(path), dtype="float32")
    return soxr.resample(samples, rate, RATE) if rate != RATE else samples


def make(meeting: dict, out: Path) -> None:
    pieces, rttm, clock = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for person, text in meeting["lines"]:
            audio = speak(text, meeting["voices"][person], Path(tmp))
            rttm.append(
                f"SPEAKER {meeting['name']} 1 {clock:.3f} {len(audio) / RATE:.3f} "
                f"<NA> <NA> {person} <NA> <NA>"
            )
            pieces += [audio, np.zeros(int(PAUSE_S * RATE), np.float32)]
            clock += len(audio) / RATE + PAUSE_S
    sf.write(str(out / f"{meeting['name']}.wav"), np.concatenate(pieces), RATE, subtype="PCM_16")
    (out / f"{meeting['name']}.rttm").write_text("\n".join(rttm) + "\n")
    people = list(meeting["voices"])  # for `tingshuo eval analysis --with-people`
    labels = {"language": meeting["language"], "people": people, **meeting["labels"]}
    (out / f"{meeting['name']}.json").write_text(json.dumps(labels, ensure_ascii=False, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", default="", help="comma-separated meeting names")
    parser.add_argument("--set", choices=sorted(SETS), default="seen", dest="which")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = {n for n in args.only.split(",") if n}
    meetings = json.loads((ROOT / "bench" / SETS[args.which]).read_text())["meetings"]
    for meeting in meetings:
        if not wanted or meeting["name"] in wanted:
            make(meeting, args.out)
            print(f"{meeting['name']}: {args.out / meeting['name']}.wav")


if __name__ == "__main__":
    main()
