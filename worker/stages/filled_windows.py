"""Whisper reading a task's clips the way the plain library reads a recording.

Whisper's encoder always reads 30 s: a clip of 4 s costs as much as a full window. Clips are cut
at every speaker turn (the listening model's prompts are per turn), so a meeting's clips are short.
For Whisper, a task's clips are joined into stretches of the recording (clips no more than 2 s
apart, the audio between them included, so no word at a seam is cut), the stretches are put end
to end (as faster-whisper's own voice filter does with speech), and faster-whisper reads that in
its own 30 s windows of real audio. Each word heard goes back to the clip its time falls in, and
so to that clip's speaker (as WhisperX assigns words to diarized speakers).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace

from models.records import UNSURE_WORD_BELOW, PlannedClip, TimeSpan, TranscribedSegment
from worker.engines.whisper import HeardWord, to_simplified

WINDOW_S = 30.0
# Clips further apart than this are not read as one window (the silence between them would take
# room in the window, and Whisper is apt to invent words in long silence).
MAX_GAP_S = 2.0
# Detected speech this long with no word heard is looked at again (see unheard_speech); a
# word's timestamps are not exact, so speech this close to a word counts as heard.
UNHEARD_MIN_S = 1.5
WORD_SLACK_S = 0.3


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


@dataclass(frozen=True)
class Stretch:
    """A stretch of the recording, and where it begins in the audio given to Whisper."""

    start_s: float
    end_s: float
    offset_s: float


def stretches_of(clips: Sequence[PlannedClip], max_gap_s: float = MAX_GAP_S) -> list[Stretch]:
    """The clips' time covered as stretches (clips at most ``max_gap_s`` apart joined), laid
    end to end."""
    spans: list[list[float]] = []
    for clip in sorted(clips, key=lambda c: c.start_s):
        if spans and clip.start_s - spans[-1][1] <= max_gap_s:
            spans[-1][1] = max(spans[-1][1], clip.end_s)
        else:
            spans.append([clip.start_s, clip.end_s])
    stretches, offset = [], 0.0
    for start, end in spans:
        stretches.append(Stretch(start, end, offset))
        offset += end - start
    return stretches


def recording_time(stretches: Sequence[Stretch], time_s: float) -> float:
    """A time in the joined audio as a time in the recording."""
    stretch = next((s for s in reversed(stretches) if s.offset_s <= time_s), stretches[0])
    return min(stretch.end_s, stretch.start_s + max(0.0, time_s - stretch.offset_s))


def words_in_recording(stretches: Sequence[Stretch], words: Sequence[HeardWord]) -> list[HeardWord]:
    return [
        replace(
            w,
            start_s=recording_time(stretches, w.start_s),
            end_s=recording_time(stretches, w.end_s),
        )
        for w in words
    ]


def segments_of_clips(
    clips: Sequence[PlannedClip], words: Sequence[HeardWord], language: str | None
) -> dict[int, list[TranscribedSegment]]:
    """Each clip's segments from the words heard (times in the recording).

    A word belongs to the clip holding its midpoint (the nearest clip when it falls between
    two); a clip's words that came in one Whisper segment stay one segment."""
    found: dict[int, list[list[tuple[HeardWord, float, float]]]] = {c.index: [] for c in clips}
    last: dict[int, int] = {}
    for word in words:
        start, end = word.start_s, word.end_s
        clip = _clip_at(clips, (start + end) / 2)
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
                    TranscribedSegment(
                        piece[0][1],
                        piece[-1][2],
                        text,
                        piece[0][0].confidence,
                        _unsure_words([w for w, _, _ in piece], language),
                    )
                )
    return segments


def unheard_speech(
    clips: Sequence[PlannedClip],
    regions: Sequence[TimeSpan],
    words: Sequence[HeardWord],
    min_s: float = UNHEARD_MIN_S,
) -> list[TimeSpan]:
    """Stretches of detected speech inside the clips, at least ``min_s`` long, with no word heard
    in or near them (times in the recording): speech a reading skipped, or a sound that is
    not words (a laugh, a cough)."""
    if not clips:
        return []
    heard = sorted(
        (w.start_s - WORD_SLACK_S, w.end_s + WORD_SLACK_S) for w in words if w.text.strip()
    )
    starts = [start for start, _ in heard]
    first, last = min(c.start_s for c in clips), max(c.end_s for c in clips)
    near = [r for r in regions if r.end_s > first and r.start_s < last]  # a task's few
    gaps: list[TimeSpan] = []
    for clip in clips:
        for region in near:
            low, high = max(region.start_s, clip.start_s), min(region.end_s, clip.end_s)
            if high - low < min_s:
                continue
            cursor = low
            index = max(0, bisect_left(starts, low) - 3)  # a word starting just before may reach in
            while index < len(heard) and heard[index][0] < high:
                start, end = heard[index]
                if start - cursor >= min_s:
                    gaps.append(TimeSpan(cursor, start))
                cursor = max(cursor, end)
                index += 1
            if high - cursor >= min_s:
                gaps.append(TimeSpan(cursor, high))
    return gaps


def clips_holding(clips: Sequence[PlannedClip], spans: Sequence[TimeSpan]) -> list[PlannedClip]:
    return [c for c in clips if any(s.start_s < c.end_s and c.start_s < s.end_s for s in spans)]


def with_clips_read_again(
    clips: Sequence[PlannedClip],
    words: Sequence[HeardWord],
    read_again: Sequence[PlannedClip],
    words_again: Sequence[HeardWord],
) -> list[HeardWord]:
    """The words of a reading, those of the clips ``read_again`` taken from the second reading
    instead (times in the recording; each reading's segments kept apart)."""
    again = {c.index for c in read_again}
    kept = [w for w in words if _clip_at(clips, (w.start_s + w.end_s) / 2).index not in again]
    first_free = max((w.segment for w in kept), default=-1) + 1
    moved = [replace(w, segment=w.segment + first_free) for w in words_again]
    return sorted([*kept, *moved], key=lambda w: (w.start_s, w.end_s))


def _unsure_words(
    words: Sequence[HeardWord], language: str | None
) -> tuple[tuple[str, float], ...]:
    unsure = [w for w in words if w.text.strip() and w.probability < UNSURE_WORD_BELOW]
    convert = to_simplified if language == "zh" else str
    return tuple((convert(w.text.strip()), round(w.probability, 3)) for w in unsure)


def _clip_at(clips: Sequence[PlannedClip], time_s: float) -> PlannedClip:
    for clip in clips:
        if clip.start_s <= time_s < clip.end_s:
            return clip
    return min(clips, key=lambda c: min(abs(c.start_s - time_s), abs(c.end_s - time_s)))
