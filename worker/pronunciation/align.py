"""Aligning the words a recogniser heard with the words the student was asked to read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Op = Literal["match", "substitute", "omit", "insert"]
_WORD = re.compile(r"[\w']+", re.UNICODE)
# Hesitation sounds Whisper writes out; they are counted for fluency, never as inserted words.
FILLERS = frozenset({"um", "uh", "er", "erm", "ah", "hmm", "mm", "eh", "uhm"})


@dataclass(frozen=True)
class AlignedWord:
    op: Op
    reference_index: int | None
    heard_index: int | None


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation; apostrophes inside words are kept ("don't")."""
    folded = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return [w.strip("'") for w in _WORD.findall(folded) if w.strip("'")]


def align_words(reference: list[str], heard: list[str]) -> list[AlignedWord]:
    """Minimum edit alignment (Levenshtein); ties prefer a substitution over omit+insert."""
    rows, cols = len(reference) + 1, len(heard) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            same = reference[i - 1] == heard[j - 1]
            cost[i][j] = min(
                cost[i - 1][j - 1] + (0 if same else 1),
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
            )
    path: list[AlignedWord] = []
    i, j = len(reference), len(heard)
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            same = reference[i - 1] == heard[j - 1]
            if cost[i][j] == cost[i - 1][j - 1] + (0 if same else 1):
                path.append(AlignedWord("match" if same else "substitute", i - 1, j - 1))
                i, j = i - 1, j - 1
                continue
        if i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            path.append(AlignedWord("omit", i - 1, None))
            i -= 1
        else:
            path.append(AlignedWord("insert", None, j - 1))
            j -= 1
    path.reverse()
    return path
