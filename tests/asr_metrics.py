"""Word and character error rates, normalised the way the shared data's README asks."""

from __future__ import annotations

import re

import jiwer


def normalise_english(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", text.lower())).strip()


def wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(normalise_english(reference), normalise_english(hypothesis)))


def cer_chinese(reference: str, hypothesis: str) -> float:
    def chars(text: str) -> str:
        return " ".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")

    return float(jiwer.wer(chars(reference), chars(hypothesis)))
