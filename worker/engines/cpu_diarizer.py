"""A speaker diarizer that runs on any CPU: silero-vad speech regions, resemblyzer (GE2E)
embeddings of short windows of speech, agglomerative clustering, and smoothing of short turns.

Limits, honestly: it gives one speaker at a time, so overlapped speech (about a fifth of the
AMI excerpts) counts as missed for every speaker but one; far-field audio makes the speech
detector miss quiet talkers; speakers who say less than a second or two in the whole recording
are often merged into a neighbour, and on far-field meetings it tends to find fewer speakers
than there are; on close-talking real voices it more often finds one too many (a few windows of
one speaker; README, "Counting real voices").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.records import TimeSpan
from worker.engines.audio_source import AudioSource
from worker.engines.ge2e import embed
from worker.engines.linkage import ChunkedTree, Dendrogram, WholeTree
from worker.engines.voice_clusters import (
    absorb_fragments,
    absorb_small,
    numbered,
    refine,
    silhouette,
)

ENGINE_NAME = "cpu-diarizer"
MODEL_ID = "silero-vad+resemblyzer-ge2e"
SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100  # resemblyzer's mel frames are 10 ms apart


@dataclass(frozen=True)
class DiarizerOptions:
    window_s: float = 1.5
    hop_s: float = 0.5
    # Cosine distance at which two clusters stop merging (average linkage).
    threshold: float = 0.4
    # When everything is one cluster, a split is kept if it reaches this mean silhouette.
    min_silhouette: float = 0.15
    # ...and only when each voice has this many windows (about 5 s of speech at a 0.5 s hop).
    # Also after the cut: a voice with fewer windows is a piece of its nearest larger voice
    # (one reader's few sentences split off), unless it clearly differs from every larger one.
    min_speaker_windows: int = 8
    # Cosine distance from the nearest larger voice's centroid at which a small voice is kept.
    clearly_different: float = 0.3
    # A cluster with less than this share of the windows is not a speaker of its own.
    min_share: float = 0.15
    min_turn_s: float = 0.6
    # Pauses shorter than this inside one speaker's talk are filled, not left as silence.
    fill_gap_s: float = 0.5
    max_speakers: int = 12
    # Longer recordings are clustered in chunks of this many windows (5 minutes of speech),
    # then the chunks' clusters are linked (see ``ChunkedTree``): memory and time stay bounded.
    chunk_windows: int = 600
    # Within a chunk, windows closer than this are one local cluster (finer than ``threshold``,
    # so that a local cluster is one voice; linking decides which local clusters are the same).
    local_threshold: float = 0.2
    max_local_clusters: int = 30


@dataclass(frozen=True)
class SpeakerTurn:
    start_s: float
    end_s: float
    speaker: str


def windows_in(speech: Sequence[TimeSpan], window_s: float, hop_s: float) -> list[TimeSpan]:
    """Windows covering each speech region; a region shorter than a window is one window."""
    windows = []
    for region in speech:
        if region.duration_s <= window_s:
            windows.append(region)
            continue
        start = region.start_s
        while start + window_s < region.end_s:
            windows.append(TimeSpan(start, start + window_s))
            start += hop_s
        windows.append(TimeSpan(region.end_s - window_s, region.end_s))
    return windows


def cluster(
    vectors: np.ndarray,
    options: DiarizerOptions,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> np.ndarray:
    """Cluster labels 0..k-1: the given count, or average linkage cut at a cosine distance
    (bounded by min/max speakers); windows then move to their nearest centroid."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    tree: Dendrogram
    if len(vectors) <= options.chunk_windows:
        tree = WholeTree(vectors)
    else:
        tree = ChunkedTree(
            vectors, options.chunk_windows, options.local_threshold, options.max_local_clusters
        )
    if num_speakers:
        # Cut finer until exactly that many substantial clusters remain (strays absorbed).
        labels = tree.by_count(num_speakers)
        for finer in range(num_speakers, num_speakers + 6):
            candidate = absorb_small(vectors, tree.by_count(finer), options.min_share)
            if len(set(candidate)) == num_speakers:
                labels = candidate
                break
        return numbered(refine(vectors, labels))
    low = max(1, min_speakers or 1)
    high = max(low, min(max_speakers or options.max_speakers, options.max_speakers))
    labels = tree.by_distance(options.threshold)
    count = len(set(labels))
    if low <= count <= high and count >= 2:
        labels = absorb_fragments(
            vectors, labels, options.min_speaker_windows, options.clearly_different, low
        )
        count = len(set(labels))
    if count < low or count > high:
        labels = tree.by_count(min(max(count, low), high))
    elif count == 1 and high >= 2:
        # Similar voices (a phone call, two synthetic voices) stay under the threshold: look
        # for a split into two or three whose silhouette says they are different people.
        best = options.min_silhouette
        for tried in range(2, min(3, high) + 1):
            candidate = absorb_small(vectors, tree.by_count(tried), options.min_share)
            if len(set(candidate)) < 2:
                continue
            candidate = refine(vectors, candidate)
            if np.bincount(candidate)[np.unique(candidate)].min() < options.min_speaker_windows:
                continue  # too little evidence for a second voice (short clips split falsely)
            score = silhouette(vectors, candidate)
            if score > best:
                best, labels = score, candidate
    return numbered(refine(vectors, labels))


def turns_from_windows(
    speech: Sequence[TimeSpan],
    windows: Sequence[TimeSpan],
    labels: np.ndarray,
    options: DiarizerOptions,
) -> list[SpeakerTurn]:
    """Each 10 ms of speech takes the label of the windows covering it (majority), then short
    turns are absorbed by their neighbours and short pauses of one speaker are filled."""
    if not len(windows):
        return []
    end = max(r.end_s for r in speech)
    frames = int(np.ceil(end * FRAMES_PER_SECOND)) + 1
    votes = np.zeros((frames, int(labels.max()) + 1), dtype=np.int16)
    for window, label in zip(windows, labels, strict=True):
        votes[
            int(window.start_s * FRAMES_PER_SECOND) : int(window.end_s * FRAMES_PER_SECOND), label
        ] += 1
    best = votes.argmax(axis=1)
    raw: list[list[Any]] = []
    for region in speech:
        first, last = int(region.start_s * FRAMES_PER_SECOND), int(region.end_s * FRAMES_PER_SECOND)
        for frame in range(first, max(first + 1, last)):
            label = int(best[min(frame, frames - 1)])
            if raw and raw[-1][2] == label and frame - raw[-1][1] <= 1:
                raw[-1][1] = frame + 1
            else:
                raw.append([frame, frame + 1, label])
    turns = _merge(
        [[a / FRAMES_PER_SECOND, b / FRAMES_PER_SECOND, label] for a, b, label in raw],
        options.fill_gap_s,
    )
    for _ in range(len(turns)):
        # The shortest turn that touches another speaker's turn goes to the longer neighbour.
        candidates = [
            i
            for i, turn in enumerate(turns)
            if turn[1] - turn[0] < options.min_turn_s and _touching_neighbours(turns, i, options)
        ]
        if not candidates:
            break
        shortest = min(candidates, key=lambda i: turns[i][1] - turns[i][0])
        neighbours = _touching_neighbours(turns, shortest, options)
        longest = max(neighbours, key=lambda i: turns[i][1] - turns[i][0])
        turns[shortest][2] = turns[longest][2]
        turns = _merge(turns, options.fill_gap_s)
    return [SpeakerTurn(round(a, 3), round(b, 3), f"SPEAKER_{label:02d}") for a, b, label in turns]


def _merge(turns: list[list[Any]], fill_gap_s: float) -> list[list[Any]]:
    merged: list[list[Any]] = []
    for turn in turns:
        if merged and merged[-1][2] == turn[2] and turn[0] - merged[-1][1] <= fill_gap_s:
            merged[-1][1] = max(merged[-1][1], turn[1])
        else:
            merged.append(list(turn))
    return merged


def _touching_neighbours(turns: list[list[Any]], i: int, options: DiarizerOptions) -> list[int]:
    """Neighbours of turn i that belong to another speaker and are not across a long pause."""
    found = []
    if i > 0 and turns[i][0] - turns[i - 1][1] <= options.fill_gap_s:
        found.append(i - 1)
    if i + 1 < len(turns) and turns[i + 1][0] - turns[i][1] <= options.fill_gap_s:
        found.append(i + 1)
    return [j for j in found if turns[j][2] != turns[i][2]]


def speech_windows(speech: Sequence[TimeSpan], options: DiarizerOptions) -> list[TimeSpan]:
    """The windows the diarizer embeds, in order (the same list wherever it is computed, so
    parts of it can be embedded by separate tasks)."""
    return windows_in(_audible(speech), options.window_s, options.hop_s)


def part_of(windows: Sequence[TimeSpan], part: int, parts: int) -> list[TimeSpan]:
    """Part ``part`` of ``parts`` consecutive, near-equal shares of the windows."""
    if not 0 <= part < parts:
        raise ValueError(f"part {part} of {parts}")
    return list(windows[part * len(windows) // parts : (part + 1) * len(windows) // parts])


def _audible(speech: Sequence[TimeSpan]) -> list[TimeSpan]:
    return [s for s in speech if s.duration_s > 0.05]


def diarize(
    audio: AudioSource | np.ndarray,
    speech: Sequence[TimeSpan],
    options: DiarizerOptions | None = None,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    on_progress: Callable[[float], None] | None = None,
    embedded: Callable[[list[TimeSpan]], np.ndarray] | None = None,
) -> list[SpeakerTurn]:
    """``embedded``: the windows' embeddings when some were computed elsewhere (the parts of a
    long recording, each embedded by a task of its own); by default GE2E on ``audio``."""
    options = options or DiarizerOptions()
    windows = speech_windows(speech, options)
    if on_progress:
        on_progress(0.1)
    vectors = embedded(windows) if embedded else embed(audio, windows, options.window_s)
    if len(vectors) != len(windows):
        raise ValueError(f"{len(vectors)} embeddings for {len(windows)} windows")
    if on_progress:
        on_progress(0.8)
    labels = cluster(vectors, options, num_speakers, min_speakers, max_speakers)
    turns = turns_from_windows(_audible(speech), windows, labels, options)
    if on_progress:
        on_progress(1.0)
    return turns
