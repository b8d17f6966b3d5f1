"""Sentiment of one speaker turn: label, score in -1..1, emotion, quoted evidence."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from worker.analysis.parsers.common import (
    ParseResult,
    extract_json,
    is_placeholder,
    json_get,
    normalise,
    sections,
)

LABELS = {
    "label": [
        "sentiment",
        "label",
        "polarity",
        "overall sentiment",
        "情感",
        "情感倾向",
        "倾向",
        "态度",
        "情感标签",
    ],
    "score": ["score", "sentiment score", "polarity score", "分数", "得分", "情感分数", "评分"],
    "emotion": ["emotion", "feeling", "mood", "情绪", "心情"],
    "evidence": ["evidence", "quote", "reason", "because", "证据", "依据", "原文", "理由"],
}
POSITIVE = re.compile(r"\b(positive|pos|upbeat|optimistic)\b|正面|积极|正向|乐观", re.I)
NEGATIVE = re.compile(r"\b(negative|neg|pessimistic|frustrated)\b|负面|消极|负向|悲观", re.I)
NEUTRAL = re.compile(r"\b(neutral|mixed|objective)\b|中性|中立|客观|平静", re.I)
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def normalise_label(text: str | None) -> str | None:
    if not text:
        return None
    for pattern, label in ((NEUTRAL, "neutral"), (NEGATIVE, "negative"), (POSITIVE, "positive")):
        if pattern.search(text):
            return label
    return None


def normalise_score(text: object, label: str | None) -> float | None:
    """A score in -1..1 from '0.8', '-0.6', '+0.3', '80%', '4/5', '8/10' (given with a label)."""
    if text is None or isinstance(text, bool):
        return None
    raw = normalise(str(text))
    fraction = re.search(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", raw)
    number = NUMBER.search(raw)
    if fraction and float(fraction.group(2)) > 0:
        value = 2 * float(fraction.group(1)) / float(fraction.group(2)) - 1
    elif number and "%" in raw:
        value = 2 * float(number.group(0)) / 100 - 1
    elif number:
        value = float(number.group(0))
        if abs(value) > 1:
            value = value / 100 if abs(value) <= 100 else float("nan")
        # A bare magnitude with a negative label is a strength of negativity.
        if label == "negative" and value > 0 and not number.group(0).startswith("+"):
            value = -value
    else:
        return None
    if value != value or not -1.0 <= value <= 1.0:
        return None
    return round(value, 3)


def _quoted(text: str) -> str:
    match = re.search(r'"([^"]{2,})"', text)
    return (match.group(1) if match else text).strip().strip('"').strip()


def parse(raw: str, reference: date | None = None) -> ParseResult:
    text = normalise(raw)
    data = extract_json(text)
    if isinstance(data, dict) and (json_get(data, "label", "sentiment") is not None):
        label = normalise_label(str(json_get(data, "label", "sentiment")))
        fields = {
            "label": label,
            "score": normalise_score(json_get(data, "score", "sentiment_score"), label),
            "emotion": _clean(json_get(data, "emotion", "feeling")),
            "evidence": _clean(json_get(data, "evidence", "quote")),
        }
        return _result(raw, fields)
    found = {k: " ".join(v) for k, v in sections(text, LABELS).items()}
    label = normalise_label(found.get("label"))
    score_text = found.get("score")
    if score_text is None and found.get("label"):
        inline = re.search(r"\(([-+]?\d[^)]*)\)|[-+]?\d+(?:\.\d+)?", found["label"])
        score_text = inline.group(0) if inline else None
    if label is None and not found:
        # No labels: a one-word or one-line answer such as "Positive - the speaker is happy".
        label = normalise_label(text.split("\n")[0][:80]) if text.strip() else None
    fields = {
        "label": label,
        "score": normalise_score(score_text, label),
        "emotion": _clean(found.get("emotion")),
        "evidence": _quoted(found["evidence"]) if found.get("evidence") else None,
    }
    if fields["label"] is None and fields["score"] is not None:
        score = fields["score"]
        assert isinstance(score, float)
        fields["label"] = "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"
        return _result(raw, fields, ["label inferred from the score"])
    return _result(raw, fields)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip().strip('"').strip(".").strip()
    return None if not text or is_placeholder(text) else text


def _result(
    raw: str, fields: Mapping[str, object], problems: list[str] | None = None
) -> ParseResult:
    problems = list(problems or [])
    if fields["label"] is None:
        return ParseResult("sentiment", "failed", dict(fields), raw, ["no sentiment label found"])
    missing = [name for name in ("score", "emotion", "evidence") if fields[name] is None]
    problems += [f"missing {m}" for m in missing]
    status = "ok" if not problems else "partial"
    return ParseResult("sentiment", status, dict(fields), raw, problems)
