"""Whisper windows filled with consecutive clips.

Whisper's encoder always reads 30 s: a clip of 4 s costs as much as a full window. Clips are cut
at every speaker turn (the listening model's prompts are per turn), so a meeting's clips are short.
For Whisper, consecutive clips are read as one window of the recording of up to 30 s (the audio
between them included: it is the real recording, so no word at a seam is cut), and each word
heard goes back to the clip its time falls in, and so to that clip's speaker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from models.records import PlannedClip, TranscribedSegment
from worker.engines.whisper import HeardWord, to_simplified

WINDOW_S = 30.0
# Clips further apart than this are not read as one window (the silence between them would take
# room in the window, and Whisper is apt to invent words in long silence).
MAX_GAP_S = 2.0


@dataclass(frozen=True)
class FilledWindow:
    clips: tuple[PlannedClip, ...]

    @property
    def start_s(self) -> float:
        return self.clips[0].start_s

    @property
    def end_s(self) -> float:
        return self.clips[-1].end_s


def fill_windows(
    clips: Sequence[PlannedClip], window_s: float = WINDOW_S, max_gap_s: float = MAX_GAP_S
) -> list[FilledWindow]:
    """Consecutive clips grouped into windows no longer than ``window_s``; every clip in one."""
    windows: list[list[PlannedClip]] = []
    for clip in sorted(clips, key=lambda c: c.start_s):
        current = windows[-1] if windows else None
        if (
            current
            and clip.end_s - current[0].start_s <= window_s
            and clip.start_s - current[-1].end_s <= max_gap_s
        ):
            current.append(clip)
        else:
            windows.append([clip])
    return [FilledWindow(tuple(group)) for group in windows]


def task_batches(
    clips: Sequence[PlannedClip], audio_per_task_s: float, window_s: float = WINDOW_S
) -> list[list[int]]:
    """Clip indices for transcription tasks: whole windows, about ``audio_per_task_s`` each."""
    batches: list[list[int]] = []
    seconds = 0.0
    for window in fill_windows(clips, window_s):
        length = window.end_s - window.start_s
        if not batches or seconds + length > audio_per_task_s:
            batches.append([])
            seconds = 0.0
        batches[-1].extend(c.index for c in window.clips)
        seconds += length
    return batches


def segments_of_clips(
    window: FilledWindow, words: Sequence[HeardWord], language: str | None
) -> dict[int, list[TranscribedSegment]]:
    """Each clip's segments from the words heard in its window (times relative to the recording).

    A word belongs to the clip holding its midpoint (the nearest clip when it falls between
    two); a clip's words that came in one Whisper segment stay one segment."""
    found: dict[int, list[list[tuple[HeardWord, float, float]]]] = {
        c.index: [] for c in window.clips
    }
    last: dict[int, int] = {}
    for word in words:
        start, end = window.start_s + word.start_s, window.start_s + word.end_s
        clip = _clip_at(window.clips, (start + end) / 2)
        start, end = max(start, clip.start_s), min(max(start, end), clip.end_s)
        pieces = found[clip.index]
        if not pieces or last.get(clip.index) != word.segment:  # Whisper started a segment
            pieces.append([])
        pieces[-1].append((word, start, max(start, end)))
        last[clip.index] = word.segment
    segments: dict[int, list[TranscribedSegment]] = {}
    for index, pieces in found.items():
        segments[index] = []
        for piece in pieces:
            text = "".join(w.text for w, _, _ in piece).strip()
            if language == "zh":
                text = to_simplified(text)
            if text:
                segments[index].append(
                    TranscribedSegment(piece[0][1], piece[-1][2], text, piece[0][0].confidence)
                )
    return segments


def _clip_at(clips: Sequence[PlannedClip], time_s: float) -> PlannedClip:
    for clip in clips:
        if clip.start_s <= time_s < clip.end_s:
            return clip
    return min(clips, key=lambda c: min(abs(c.start_s - time_s), abs(c.end_s - time_s)))
