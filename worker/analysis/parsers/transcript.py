"""Transcription answers: the spoken text without the model's framing."""

from __future__ import annotations

import re
from datetime import date

from worker.analysis.parsers.common import CHATTER, ParseResult, extract_json, json_get, normalise

FRAMING = re.compile(
    r"^\s*(?:the\s+)?(?:original\s+content\s+of\s+this\s+audio\s+is|speech\s+says|"
    r"audio\s+says|speaker\s+says|transcription|transcript|the\s+transcription\s+is|"
    r"here\s+is\s+the\s+transcription|the\s+audio\s+(?:contains|says)|text|"
    r"这段音频的原始内容是|音频内容(?:是|为)?|转写(?:结果)?|转录(?:结果)?|识别结果|原文)"
    r"\s*(?:\([^)]*\))?\s*[:：]?\s*",
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


def _unframed(line: str) -> str:
    """The line without framing, which can be nested: 'Transcription: The speech says: …'."""
    previous = None
    line = line.strip()
    while previous != line:
        previous = line
        line = FRAMING.sub("", line, count=1).strip()
    return line


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
    kept = []
    for line in text.split("\n"):
        spoken = _unframed(line)
        if spoken and not (spoken == line.strip() and CHATTER.match(line)):
            kept.append(spoken)
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
