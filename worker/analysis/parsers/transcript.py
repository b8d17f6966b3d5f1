"""Transcription answers: the spoken text without the model's framing."""

from __future__ import annotations

import re
from datetime import date

from worker.analysis.parsers.common import ParseResult, extract_json, json_get, normalise

# An explicit label the model puts before the words: only at the very start of the answer, and
# only with its colon. "Text messages are cheap" is speech; "Text: messages are cheap" is not.
FRAMING = re.compile(
    r"^\s*(?:the\s+)?(?:original\s+content\s+of\s+this\s+audio\s+is|speech\s+says|"
    r"audio\s+says|speaker\s+says|transcription|transcript|the\s+transcription\s+is|"
    r"here\s+is\s+the\s+transcription|here's\s+the\s+transcription|"
    r"the\s+audio\s+(?:contains|says)|text|"
    r"这段音频的原始内容是|音频内容(?:是|为)?|转写(?:结果)?|转录(?:结果)?|识别结果|原文)"
    r"\s*(?:\([^)]*\))?\s*[:：]\s*",
    re.I,
)
# A courtesy word is dropped only when a framing label follows it ("Sure! Here is the
# transcription: ..."); "Sure, let's begin." is speech.
COURTESY = re.compile(
    r"^\s*(?:sure|certainly|of course|ok(?:ay)?|好的|当然)\s*[,!.，。！]\s*", re.I
)
# Whole lines of assistant chatter after the transcript (never the first line).
TRAILING_CHATTER = re.compile(
    r"^\s*(?:let me know if|(?:i\s+)?hope this helps|feel free to|is there anything else|"
    r"if you (?:need|have|want) (?:any(?:thing)? )?(?:more|further|other|else)|please note|note:|"
    r"如果(?:你|您)?(?:需要|有)|希望(?:这|对)|以上是)",
    re.I,
)
LANGUAGE = re.compile(r"^\s*(?:language|语言)\s*[:：]\s*(\S+)\s*$", re.I | re.M)
LANGUAGE_NAMES = {
    "english": "en",
    "chinese": "zh",
    "mandarin": "zh",
    "中文": "zh",
    "英语": "en",
    "英文": "en",
    "普通话": "zh",
    "en": "en",
    "zh": "zh",
}


def _unframed(text: str) -> str:
    """The answer without the labels before its first words, which can be nested
    ('Transcription: The speech says: ...')."""
    courteous = COURTESY.match(text)
    if courteous and FRAMING.match(text[courteous.end() :]):
        text = text[courteous.end() :]
    previous = None
    while previous != text:
        previous = text
        text = FRAMING.sub("", text, count=1)
    return text


def parse(raw: str, reference: date | None = None) -> ParseResult:
    text = normalise(raw).strip()
    language = None
    data = extract_json(text) if text.startswith(("{", "```")) else None
    if isinstance(data, dict) and json_get(data, "text", "transcript", "transcription"):
        text = str(json_get(data, "text", "transcript", "transcription"))
        language = LANGUAGE_NAMES.get(str(json_get(data, "language", "lang") or "").lower())
    declared = LANGUAGE.search(text)
    if declared:
        language = LANGUAGE_NAMES.get(declared.group(1).lower().strip("."), language)
        text = LANGUAGE.sub("", text)
    lines = [line.strip() for line in _unframed(text.strip()).split("\n")]
    lines = [line for line in lines if line]
    kept = lines[:1] + [line for line in lines[1:] if not TRAILING_CHATTER.match(line)]
    text = " ".join(kept).strip().strip('"').strip("'").strip()
    if text.startswith("```"):
        text = text.strip("`").strip()
    if not language and text:
        language = "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
    if not text:
        return ParseResult(
            "transcript", "failed", {"text": None, "language": None}, raw, ["no text found"]
        )
    return ParseResult("transcript", "ok", {"text": text, "language": language}, raw, [])
