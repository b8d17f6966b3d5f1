"""Typed records the stages return. Plain dataclasses: they cross no broker, only ids do."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

# Below this, a line is one Whisper itself would call failed: its mean log-probability is under
# -1, faster-whisper's log_prob_threshold, even after every temperature fallback.
UNSURE_BELOW = math.exp(-1.0)


# Below this, a word Whisper heard is shown as one to check. Chosen with bench/unsure_words.py
# (2026-12-01, Whisper base): on learners' read sentences 16% of words fall under it and 65% of
# those are wrong; on spoken meetings 4%, half of them wrong (6% of all words are).
UNSURE_WORD_BELOW = 0.4


def is_unsure(confidence: float | None, corrected: bool) -> bool:
    """Whether a transcript line was heard too poorly to rest a claim on (a person's
    correction makes it sure)."""
    return confidence is not None and confidence < UNSURE_BELOW and not corrected


@dataclass(frozen=True)
class AudioInfo:
    """What ingest learned about an upload after decoding it to 16 kHz mono."""

    duration_s: float
    sample_rate: int
    source_format: str
    source_codec: str
    declared_duration_s: float | None
    # When the container says it was recorded (its creation_time tag), if it says so.
    created_at: datetime | None = None


@dataclass(frozen=True, order=True)
class TimeSpan:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class PlannedClip:
    index: int
    start_s: float
    end_s: float
    speaker_label: str | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class TranscribedSegment:
    start_s: float
    end_s: float
    text: str
    confidence: float | None = None
    # The words Whisper gave a probability under UNSURE_WORD_BELOW, with it; None when the
    # engine gives no word probabilities (clip by clip, a listening model).
    unsure_words: tuple[tuple[str, float], ...] | None = None


@dataclass
class ClipTranscript:
    clip_index: int
    language: str | None
    segments: list[TranscribedSegment] = field(default_factory=list)
    raw_output: str = ""
