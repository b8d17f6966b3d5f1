"""Aligning the words a recogniser heard with the words the student was asked to read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Levenshtein

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
    """Minimum edit alignment (Levenshtein, rapidfuzz: bit-parallel, linear memory in practice).

    Both lists are aligned back to front, so that among equally cheap alignments a repeated
    word's last attempt is the reading and the earlier ones are insertions."""
    last_r, last_h = len(reference) - 1, len(heard) - 1
    backwards: list[AlignedWord] = []
    for block in Levenshtein.opcodes(reference[::-1], heard[::-1]):
        sources = range(block.src_start, block.src_end)
        dests = range(block.dest_start, block.dest_end)
        if block.tag in ("equal", "replace"):
            op: Op = "match" if block.tag == "equal" else "substitute"
            pairs = zip(sources, dests, strict=True)
            backwards += [AlignedWord(op, last_r - i, last_h - j) for i, j in pairs]
        elif block.tag == "delete":
            backwards += [AlignedWord("omit", last_r - i, None) for i in sources]
        else:
            backwards += [AlignedWord("insert", None, last_h - j) for j in dests]
    backwards.reverse()
    return backwards
