"""Sentence-level sentiment from lexicons that ship their data: VADER for English, SnowNLP for
Chinese. No model call per turn, and the evidence is the sentence itself, so it cannot quote
words nobody said."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

ENGINE_NAME = "lexicon"
MODEL_ID = "vaderSentiment-3.3.2+snownlp-0.12.3"
CJK = re.compile(r"[\u3400-\u9fff]")
SENTENCE = re.compile(r"[^.!?。！？；;]+[.!?。！？；;]*")
# VADER's own published thresholds on its compound score.
VADER_NEUTRAL = 0.05
# SnowNLP gives the probability of positive; far from 0.5 on both sides counts.
SNOWNLP_POSITIVE, SNOWNLP_NEGATIVE = 0.75, 0.25
MIN_WORDS, MIN_HANZI = 3, 4


@dataclass(frozen=True)
class SentenceSentiment:
    text: str
    score: float  # -1 (negative) to 1 (positive)
    label: str  # positive, neutral or negative


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentences(text: str) -> list[str]:
    """The sentences of a line long enough to carry a sentiment."""
    found = [s.strip() for s in SENTENCE.findall(text) if s.strip()]
    return [
        s
        for s in found
        if len(CJK.findall(s)) >= MIN_HANZI or len(re.findall(r"[A-Za-z']+", s)) >= MIN_WORDS
    ]


def score_sentence(text: str) -> SentenceSentiment:
    if len(CJK.findall(text)) >= MIN_HANZI:
        from snownlp import SnowNLP

        positive = float(SnowNLP(text).sentiments)
        label = (
            "positive"
            if positive >= SNOWNLP_POSITIVE
            else "negative"
            if positive <= SNOWNLP_NEGATIVE
            else "neutral"
        )
        return SentenceSentiment(text, round(2 * positive - 1, 3), label)
    compound = float(_vader().polarity_scores(text)["compound"])
    label = (
        "positive"
        if compound >= VADER_NEUTRAL
        else "negative"
        if compound <= -VADER_NEUTRAL
        else "neutral"
    )
    return SentenceSentiment(text, round(compound, 3), label)
