"""Shaping the clusters of speaker-embedding windows after a cut of the tree: numbering,
absorbing strays and small pieces, moving windows to their nearest centroid, and the
silhouette that says whether a split is two voices. Pure functions of unit vectors and labels."""

from __future__ import annotations

import numpy as np


def numbered(labels: np.ndarray) -> np.ndarray:
    """Speakers numbered by first appearance, so SPEAKER_00 is whoever talks first."""
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(int(label), len(order))
    return np.array([order[int(label)] for label in labels])


def absorb_small(vectors: np.ndarray, labels: np.ndarray, min_share: float) -> np.ndarray:
    counts = {int(n): int((labels == n).sum()) for n in set(labels)}
    large = [n for n, c in counts.items() if c >= min_share * len(labels)]
    if not large or len(large) == len(counts):
        return labels
    names, centres = centroids(vectors, np.where(np.isin(labels, large), labels, large[0]))
    keep = np.isin(labels, large)
    nearest = np.array(names)[np.argmax(vectors @ centres.T, axis=1)]
    return np.where(keep, labels, nearest)


def absorb_fragments(
    vectors: np.ndarray,
    labels: np.ndarray,
    min_windows: int,
    clearly_different: float,
    at_least: int,
) -> np.ndarray:
    """Voices of fewer than ``min_windows`` windows whose centroid lies within
    ``clearly_different`` (cosine distance) of a larger voice's are no voices of their own: each
    of their windows goes to the nearest larger voice, much as pyannote's clustering gives a
    cluster under its minimum size to the most similar large one. A voice that speaks little
    but clearly differs is kept, and never fewer than ``at_least`` voices remain. On
    conversations of real readers it removed about a third of the extra voices (README,
    "Counting real voices")."""
    names, centres = centroids(vectors, labels)
    sizes = np.array([(labels == n).sum() for n in names])
    large = sizes >= min_windows
    if large.all() or not large.any():
        return labels
    nearest = 1.0 - centres @ centres[large].T  # each voice against every large one
    keep = large | (nearest.min(axis=1) >= clearly_different)
    if keep.sum() < at_least:
        return labels
    kept = [n for n, k in zip(names, keep, strict=True) if k]
    if len(kept) == len(names):
        return labels
    closest = np.array(kept)[np.argmax(vectors @ centres[keep].T, axis=1)]
    return np.where(np.isin(labels, kept), labels, closest)


def silhouette(vectors: np.ndarray, labels: np.ndarray, sample: int = 1500) -> float:
    """Mean silhouette with cosine distance, on at most ``sample`` windows (evenly spaced)."""
    if len(vectors) > sample:
        keep = np.linspace(0, len(vectors) - 1, sample).astype(int)
        vectors, labels = vectors[keep], labels[keep]
    distance = 1.0 - vectors @ vectors.T
    names = sorted(set(int(x) for x in labels))
    scores = []
    for i, own in enumerate(labels):
        mates = labels == own
        if mates.sum() < 2:
            scores.append(0.0)
            continue
        inside = distance[i, mates].sum() / (mates.sum() - 1)
        outside = min(distance[i, labels == other].mean() for other in names if other != own)
        scores.append((outside - inside) / max(inside, outside, 1e-9))
    return float(np.mean(scores))


def centroids(vectors: np.ndarray, labels: np.ndarray) -> tuple[list[int], np.ndarray]:
    names = sorted(set(int(x) for x in labels))
    centres = np.stack([vectors[labels == n].mean(axis=0) for n in names])
    return names, centres / np.linalg.norm(centres, axis=1, keepdims=True)


def refine(vectors: np.ndarray, labels: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Each window moves to its nearest speaker centroid (average linkage leaves strays)."""
    for _ in range(rounds):
        names, centres = centroids(vectors, labels)
        nearest = np.argmax(vectors @ centres.T, axis=1)
        labels = np.array([names[i] for i in nearest])
    return labels
