"""Measurements any machine can make from the waveform and the word timings: speech rate,
pauses and hesitations (fluency), pitch and loudness variation (prosody)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
# A gap between two words longer than this is heard as a pause rather than as a word boundary.
PAUSE_S = 0.3
_FRAME = 400  # 25 ms
_HOP = 160  # 10 ms
YIN_FRAME = 1024
# Frame measures are taken this many frames (30 s) at a time, so memory does not follow the
# length of the sample.
BLOCK_FRAMES = 3000
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Timing:
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Delivery:
    speech_s: float
    words_per_s: float
    syllables_per_s: float
    pauses: int
    pause_share: float
    longest_pause_s: float
    pitch_spread_st: float
    pitch_range_st: float
    voiced_share: float
    loudness_spread_db: float


def syllables(word: str) -> int:
    """A rough English syllable count (vowel groups, silent final e); at least one."""
    groups = len(_VOWEL_GROUPS.findall(word.lower()))
    if word.lower().endswith("e") and groups > 1 and not word.lower().endswith("le"):
        groups -= 1
    return max(1, groups)


def delivery(samples: np.ndarray, timings: Sequence[Timing], words: Sequence[str]) -> Delivery:
    """Rate and pauses from the word timings; pitch and loudness over the spoken span."""
    if not timings:
        return Delivery(0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    start, end = timings[0].start_s, max(t.end_s for t in timings)
    # Whisper's word timings run words together; silences in the signal show the pauses.
    pauses = quiet_stretches(samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE) + 1])
    span = max(end - start, 1e-3)
    spoken = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE) + 1]
    pitch_spread, pitch_range, voiced = _pitch(spoken)
    return Delivery(
        speech_s=span,
        words_per_s=len(timings) / span,
        syllables_per_s=sum(syllables(w) for w in words) / span,
        pauses=len(pauses),
        pause_share=sum(pauses) / span,
        longest_pause_s=max(pauses, default=0.0),
        pitch_spread_st=pitch_spread,
        pitch_range_st=pitch_range,
        voiced_share=voiced,
        loudness_spread_db=_loudness_spread(spoken),
    )


def quiet_stretches(samples: np.ndarray) -> list[float]:
    """Lengths (s) of the silences longer than PAUSE_S between the first and last loud frame:
    frames 30 dB below the speech level (its 90th percentile) are silent."""
    db = _frames_db(samples)
    if db.size == 0:
        return []
    silent = db < np.percentile(db, 90) - 30
    loud = np.flatnonzero(~silent)
    if loud.size == 0:
        return []
    stretches, run = [], 0
    for quiet in silent[loud[0] : loud[-1] + 1]:
        if quiet:
            run += 1
            continue
        if run * _HOP / SAMPLE_RATE > PAUSE_S:
            stretches.append(run * _HOP / SAMPLE_RATE)
        run = 0
    return stretches


def _frames_db(samples: np.ndarray, block: int = BLOCK_FRAMES) -> np.ndarray:
    """Loudness (dB) of 25 ms frames every 10 ms, measured ``block`` frames at a time: the
    frames of a ten-minute sample as one float64 matrix were about 200 MB per copy."""
    if len(samples) < _FRAME:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(samples, _FRAME)[::_HOP]
    rms = np.concatenate(
        [
            np.sqrt(np.mean(frames[first : first + block].astype(np.float64) ** 2, axis=1))
            for first in range(0, len(frames), block)
        ]
    )
    return np.asarray(20 * np.log10(rms + 1e-6))


def _loudness_spread(samples: np.ndarray) -> float:
    """Standard deviation of the loudness (dB) of the frames that carry sound."""
    db = _frames_db(samples)
    loud = db[db > db.max(initial=-120.0) - 35] if db.size else db
    return float(np.std(loud)) if loud.size > 1 else 0.0


def _yin(samples: np.ndarray, block: int = BLOCK_FRAMES) -> np.ndarray:
    """``librosa.yin`` with its centred frames, computed ``block`` frames at a time (each frame's
    pitch depends on that frame only): on ten minutes at once its work arrays took about 1 GB."""
    import librosa

    padded = np.pad(samples.astype(np.float32), YIN_FRAME // 2)  # what center=True does
    count = 1 + (len(padded) - YIN_FRAME) // _HOP
    parts = [
        librosa.yin(
            padded[first * _HOP : (min(count, first + block) - 1) * _HOP + YIN_FRAME],
            fmin=65,
            fmax=500,
            sr=SAMPLE_RATE,
            frame_length=YIN_FRAME,
            hop_length=_HOP,
            center=False,
        )
        for first in range(0, count, block)
    ]
    return np.concatenate(parts)


def _pitch(samples: np.ndarray) -> tuple[float, float, float]:
    """Spread (std) and 10-90% range of the pitch in semitones, and the voiced share of frames."""
    if len(samples) < 2048:
        return 0.0, 0.0, 0.0
    f0 = _yin(samples)
    db = _frames_db(np.pad(samples, (_FRAME // 2, _FRAME // 2)))
    count = min(len(f0), len(db))
    f0, db = f0[:count], db[:count]
    # yin always answers; frames near its limits or too quiet are unvoiced.
    voiced = (f0 > 70) & (f0 < 490) & (db > db.max(initial=-120.0) - 30)
    if voiced.sum() < 5:
        return 0.0, 0.0, float(voiced.mean()) if count else 0.0
    semitones = 12 * np.log2(f0[voiced] / np.median(f0[voiced]))
    spread = float(np.std(semitones))
    low, high = np.percentile(semitones, [10, 90])
    return spread, float(high - low), float(voiced.mean())
