"""Average-linkage (cosine) clustering of speaker embeddings, whole or in chunks.

``WholeTree`` is scipy's linkage over every window: exact, but its distance matrix grows with the
square of the recording (0.8 GB at two hours of speech). ``ChunkedTree`` clusters each chunk of
consecutive windows on its own, finely, then links the chunks' clusters with the same average
linkage: for unit vectors the mean cosine similarity between two groups is the dot product of
their mean vectors, so starting average linkage from the local clusters (their summed vectors and
counts) gives exactly the merges the whole tree would make above the local cut. Memory is one
chunk's distances plus one row per local cluster; time is linear in the number of chunks apart
from the linking of the (few hundred) local clusters."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Dendrogram(Protocol):
    def by_distance(self, threshold: float) -> np.ndarray:
        """Labels of the clusters left when merging stops at this cosine distance."""
        ...

    def by_count(self, count: int) -> np.ndarray:
        """Labels of (at most) ``count`` clusters."""
        ...


class WholeTree:
    def __init__(self, vectors: np.ndarray) -> None:
        from scipy.cluster.hierarchy import linkage

        self._tree = linkage(vectors, method="average", metric="cosine")

    def by_distance(self, threshold: float) -> np.ndarray:
        from scipy.cluster.hierarchy import fcluster

        return np.asarray(fcluster(self._tree, t=threshold, criterion="distance"))

    def by_count(self, count: int) -> np.ndarray:
        from scipy.cluster.hierarchy import fcluster

        return np.asarray(fcluster(self._tree, t=count, criterion="maxclust"))


class ChunkedTree:
    def __init__(
        self, vectors: np.ndarray, chunk: int, local_threshold: float, max_local: int
    ) -> None:
        local = np.zeros(len(vectors), dtype=int)
        found = 0
        for first in range(0, len(vectors), chunk):
            part = vectors[first : first + chunk]
            if len(part) < 2:
                labels = np.zeros(len(part), dtype=int)
            else:
                tree = WholeTree(part)
                labels = tree.by_distance(local_threshold)
                if len(set(labels)) > max_local:
                    labels = tree.by_count(max_local)
            _, dense = np.unique(labels, return_inverse=True)
            local[first : first + chunk] = dense + found
            found += int(dense.max()) + 1
        self._local = local
        self._merges = _average_linkage(vectors, local, found)
        self._clusters = found

    def by_distance(self, threshold: float) -> np.ndarray:
        merges = [(a, b) for a, b, distance in self._merges if distance <= threshold]
        return self._apply(merges)

    def by_count(self, count: int) -> np.ndarray:
        return self._apply([(a, b) for a, b, _ in self._merges[: max(0, self._clusters - count)]])

    def _apply(self, merges: list[tuple[int, int]]) -> np.ndarray:
        owner = np.arange(self._clusters)
        for kept, merged in merges:
            owner[owner == merged] = kept
        return owner[self._local]


def _average_linkage(
    vectors: np.ndarray, labels: np.ndarray, clusters: int
) -> list[tuple[int, int, float]]:
    """Merges (kept, merged, distance) of average linkage started from the given clusters."""
    units = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sums = np.zeros((clusters, vectors.shape[1]))
    np.add.at(sums, labels, units)
    counts = np.bincount(labels, minlength=clusters).astype(float)
    distance = 1.0 - (sums @ sums.T) / np.outer(counts, counts)
    np.fill_diagonal(distance, np.inf)
    alive = np.ones(clusters, dtype=bool)
    merges = []
    for _ in range(clusters - 1):
        a, b = np.unravel_index(int(np.argmin(distance)), distance.shape)
        kept, merged = int(min(a, b)), int(max(a, b))
        merges.append((kept, merged, float(distance[kept, merged])))
        sums[kept] += sums[merged]
        counts[kept] += counts[merged]
        alive[merged] = False
        row = np.where(alive, 1.0 - (sums @ sums[kept]) / (counts * counts[kept]), np.inf)
        distance[kept, :] = row
        distance[:, kept] = row
        distance[kept, kept] = np.inf
        distance[merged, :] = np.inf
        distance[:, merged] = np.inf
    return merges
