"""Meeting summary: a paragraph, the topics and the decisions."""

from __future__ import annotations

from datetime import date

from worker.analysis.parsers.common import (
    CHATTER,
    NONE_WORDS,
    ParseResult,
    extract_json,
    is_placeholder,
    json_get,
    normalise,
    sections,
    split_items,
    strip_markup,
)

LABELS = {
    "summary": [
        "summary",
        "meeting summary",
        "overview",
        "tl;dr",
        "总结",
        "摘要",
        "概要",
        "会议总结",
        "会议摘要",
        "概述",
    ],
    "topics": [
        "topics",
        "main topics",
        "key topics",
        "topics discussed",
        "agenda",
        "主题",
        "议题",
        "话题",
        "讨论主题",
        "主要议题",
        "讨论要点",
    ],
    "decisions": [
        "decisions",
        "key decisions",
        "decisions made",
        "decided",
        "决定",
        "决策",
        "决议",
        "结论",
        "达成的决定",
    ],
}


def _as_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip() and not NONE_WORDS.match(str(v))]
    if isinstance(value, str):
        return split_items([value])
    return []


def parse(raw: str, reference: date | None = None) -> ParseResult:
    text = normalise(raw)
    data = extract_json(text)
    if isinstance(data, dict) and json_get(data, "summary", "总结", "摘要") is not None:
        summary = str(json_get(data, "summary", "总结", "摘要")).strip()
        topics = _as_list(json_get(data, "topics", "主题", "议题"))
        decisions_value = json_get(data, "decisions", "决定", "决策")
        decisions = _as_list(decisions_value)
        missing = [
            name
            for name, value in (
                ("topics", json_get(data, "topics", "主题", "议题")),
                ("decisions", decisions_value),
            )
            if value is None
        ]
        return _result(raw, summary, topics, decisions, missing)

    found = sections(text, LABELS)
    summary_lines = [line for line in found.get("summary", []) if not is_placeholder(line)]
    summary = " ".join(summary_lines).strip()
    topics = split_items(found["topics"]) if "topics" in found else []
    decisions = split_items(found["decisions"]) if "decisions" in found else []
    missing = [name for name in ("topics", "decisions") if name not in found]
    if (
        "decisions" in found
        and not decisions
        and not any(NONE_WORDS.match(v) for v in found["decisions"])
    ):
        missing.append("decisions")
    if not summary and not found:
        # No labels at all: plain prose is still a usable summary.
        prose = [strip_markup(line) for line in text.split("\n") if line.strip()]
        prose = [line for line in prose if line and not CHATTER.match(line)]
        summary = " ".join(prose).strip()
        missing = ["topics", "decisions"]
    return _result(raw, summary, topics, decisions, sorted(set(missing)))


def _result(
    raw: str, summary: str, topics: list[str], decisions: list[str], missing: list[str]
) -> ParseResult:
    data = {"summary": summary or None, "topics": topics, "decisions": decisions}
    if not summary:
        return ParseResult("summary", "failed", data, raw, ["no summary found"])
    status = "partial" if missing else "ok"
    return ParseResult("summary", status, data, raw, [f"missing {m}" for m in missing])
