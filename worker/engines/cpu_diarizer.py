"""A speaker diarizer that runs on any CPU: silero-vad speech regions, resemblyzer (GE2E)
embeddings of short windows of speech, agglomerative clustering, and smoothing of short turns.

Limits, honestly: it gives one speaker at a time, so overlapped speech (about a fifth of the
AMI excerpts) counts as missed for every speaker but one; far-field audio makes the speech
detector miss quiet talkers; speakers who say less than a second or two in the whole recording
are often merged into a neighbour.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.records import TimeSpan

ENGINE_NAME = "cpu-diarizer"
MODEL_ID = "silero-vad+resemblyzer-ge2e"
SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100  # resemblyzer's mel frames are 10 ms apart


@dataclass(frozen=True)
class DiarizerOptions:
    window_s: float = 1.5
    hop_s: float = 0.5
    # Cosine distance at which two clusters stop merging (average linkage).
    threshold: float = 0.35
    min_turn_s: float = 0.6
    # Pauses shorter than this inside one speaker's talk are filled, not left as silence.
    fill_gap_s: float = 0.5
    max_speakers: int = 12


@dataclass(frozen=True)
class SpeakerTurn:
    start_s: float
    end_s: float
    speaker: str


_lock = threading.Lock()
_encoder: Any = None


def _load_encoder() -> Any:
    global _encoder
    with _lock:
        if _encoder is None:
            from resemblyzer import VoiceEncoder

            _encoder = VoiceEncoder(device="cpu", verbose=False)
        return _encoder


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


def embed(samples: np.ndarray, windows: Sequence[TimeSpan], window_s: float) -> np.ndarray:
    """One L2-normalised 256-d embedding per window (batched through the GE2E encoder)."""
    import torch
    from resemblyzer.audio import wav_to_mel_spectrogram

    encoder = _load_encoder()
    mel = wav_to_mel_spectrogram(np.asarray(samples, dtype=np.float32))
    size = int(window_s * FRAMES_PER_SECOND)
    batch = []
    for window in windows:
        start = int(window.start_s * FRAMES_PER_SECOND)
        piece = mel[start : start + size]
        if len(piece) == 0:
            piece = mel[max(0, start - 1) : start + 1]
        if len(piece) < size:  # short regions: repeat the frames to fill the window
            piece = np.resize(piece, (size, mel.shape[1]))
        batch.append(piece)
    if not batch:
        return np.zeros((0, 256), dtype=np.float32)
    with torch.no_grad():
        vectors = [
            encoder(torch.from_numpy(np.stack(batch[i : i + 64])).float()).numpy()
            for i in range(0, len(batch), 64)
        ]
    return np.concatenate(vectors)


def cluster(
    vectors: np.ndarray,
    options: DiarizerOptions,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> np.ndarray:
    """Cluster labels 0..k-1; the count is given, bounded, or found by the distance threshold."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    tree = linkage(vectors, method="average", metric="cosine")
    if num_speakers:
        labels = fcluster(tree, t=num_speakers, criterion="maxclust")
    else:
        labels = fcluster(tree, t=options.threshold, criterion="distance")
        count = len(set(labels))
        low = min_speakers or 1
        high = min(max_speakers or options.max_speakers, options.max_speakers)
        if count < low or count > high:
            labels = fcluster(tree, t=min(max(count, low), high), criterion="maxclust")
    # Number speakers by first appearance, so SPEAKER_00 is whoever talks first.
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(int(label), len(order))
    return np.array([order[int(label)] for label in labels])


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
    votes = np.zeros((frames, int(labels.max()) + 1))
    for window, label in zip(windows, labels, strict=True):
        votes[
            int(window.start_s * FRAMES_PER_SECOND) : int(window.end_s * FRAMES_PER_SECOND), label
        ] += 1
    raw: list[list[Any]] = []
    for region in speech:
        first, last = int(region.start_s * FRAMES_PER_SECOND), int(region.end_s * FRAMES_PER_SECOND)
        for frame in range(first, max(first + 1, last)):
            label = int(np.argmax(votes[min(frame, frames - 1)]))
            if raw and raw[-1][2] == label and frame - raw[-1][1] <= 1:
                raw[-1][1] = frame + 1
            else:
                raw.append([frame, frame + 1, label])
    turns = [[a / FRAMES_PER_SECOND, b / FRAMES_PER_SECOND, label] for a, b, label in raw]
    changed = True
    while changed and len(turns) > 1:  # absorb the shortest too-short turn, repeatedly
        changed = False
        shortest = min(range(len(turns)), key=lambda i: turns[i][1] - turns[i][0])
        if turns[shortest][1] - turns[shortest][0] < options.min_turn_s:
            neighbour = shortest - 1 if shortest > 0 else shortest + 1
            if 0 < shortest < len(turns) - 1:
                before, after = turns[shortest - 1], turns[shortest + 1]
                neighbour = (
                    shortest - 1 if before[1] - before[0] >= after[1] - after[0] else shortest + 1
                )
            turns[shortest][2] = turns[neighbour][2]
            changed = True
        merged: list[list[Any]] = []
        for turn in turns:
            if (
                merged
                and merged[-1][2] == turn[2]
                and turn[0] - merged[-1][1] <= options.fill_gap_s
            ):
                merged[-1][1] = max(merged[-1][1], turn[1])
            else:
                merged.append(list(turn))
        turns = merged
    return [SpeakerTurn(round(a, 3), round(b, 3), f"SPEAKER_{label:02d}") for a, b, label in turns]


def diarize(
    samples: np.ndarray,
    speech: Sequence[TimeSpan],
    options: DiarizerOptions | None = None,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> list[SpeakerTurn]:
    options = options or DiarizerOptions()
    speech = [s for s in speech if s.duration_s > 0.05]
    windows = windows_in(speech, options.window_s, options.hop_s)
    if on_progress:
        on_progress(0.1)
    vectors = embed(samples, windows, options.window_s)
    if on_progress:
        on_progress(0.8)
    labels = cluster(vectors, options, num_speakers, min_speakers, max_speakers)
    turns = turns_from_windows(speech, windows, labels, options)
    if on_progress:
        on_progress(1.0)
    return turns
