"""Pronunciation assessment: five scores on 0-100, the mispronounced words, feedback."""

from __future__ import annotations

import re
from datetime import date

from worker.analysis.parsers.common import (
    ParseResult,
    extract_json,
    is_placeholder,
    json_get,
    normalise,
    parse_score,
    sections,
    split_items,
    strip_markup,
)

SCORES = ("accuracy", "fluency", "completeness", "prosody", "overall")
LABELS = {
    "accuracy": [
        "accuracy",
        "pronunciation accuracy",
        "accuracy score",
        "准确度",
        "准确性",
        "发音准确度",
        "准确率",
        "发音准确性",
    ],
    "fluency": ["fluency", "fluency score", "流利度", "流畅度", "流利性", "流畅性"],
    "completeness": ["completeness", "completeness score", "完整度", "完整性"],
    "prosody": ["prosody", "prosodic", "intonation", "rhythm", "韵律", "语调", "节奏", "韵律度"],
    "overall": [
        "overall",
        "overall score",
        "total",
        "total score",
        "综合",
        "总分",
        "总体",
        "综合得分",
        "总评分",
        "综合评分",
    ],
    "mispronounced": [
        "mispronounced",
        "mispronounced words",
        "mispronunciations",
        "words to practice",
        "problem words",
        "errors",
        "发音错误",
        "读错的词",
        "错读单词",
        "发音错误的单词",
        "错误单词",
        "需要练习的单词",
    ],
    "feedback": ["feedback", "comments", "advice", "suggestions", "反馈", "建议", "评语", "点评"],
}


def _table_scores(text: str) -> dict[str, float | None]:
    """Scores from a markdown table such as | Fluency | 80/100 |."""
    scores: dict[str, float | None] = {}
    for line in text.split("\n"):
        cells = [strip_markup(c) for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not line.strip().startswith("|"):
            continue
        name = cells[0].lower()
        for field in SCORES:
            if any(name == s.lower() or name.startswith(s.lower()) for s in LABELS[field]):
                scores[field] = parse_score(cells[1])
    return scores


def _words(value: object) -> list[str]:
    """Words from a JSON list, a JSON string, or the lines of a labelled section."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and len(value) > 1:
        candidates = [str(v) for v in value]
        if not any("," in v or ";" in v for v in candidates):
            return [c for c in (_word(v) for v in candidates) if c]
    lines = [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []
    return [c for c in (_word(w) for w in split_items(lines)) if c]


def _word(item: str) -> str:
    # "think (said as 'sink')" or "think: th sound" keeps the word itself
    word = re.split(r"\s*[(:]\s*|\s+-\s+", item.strip(), maxsplit=1)[0]
    return word.strip().strip('"').strip("'").strip()


SCORE_PAIR = re.compile(
    r"(?P<label>[^\W\d_][^:：=,;，；|]{0,30}?)\s*[:：=]\s*(?P<value>\d+(?:\.\d+)?\s*(?:/\s*\d+|分|%)?)"
)


def _one_score_a_line(text: str) -> str:
    """'Accuracy: 4/5, Fluency: 3/5, …' on one line becomes one labelled score a line."""
    known = {label.lower() for field in SCORES for label in LABELS[field]}
    lines = []
    for line in text.split("\n"):
        pairs = SCORE_PAIR.findall(strip_markup(line))
        if len(pairs) >= 2 and all(label.strip().lower() in known for label, _ in pairs):
            lines += [f"{label.strip()}: {value}" for label, value in pairs]
        else:
            lines.append(line)
    return "\n".join(lines)


def parse(raw: str, reference: date | None = None) -> ParseResult:
    text = _one_score_a_line(normalise(raw))
    data = extract_json(text)
    if isinstance(data, dict) and any(json_get(data, *LABELS[s][:2]) is not None for s in SCORES):
        fields: dict[str, object] = {s: parse_score(json_get(data, *LABELS[s])) for s in SCORES}
        fields["mispronounced"] = _words(json_get(data, *LABELS["mispronounced"]) or [])
        feedback = json_get(data, *LABELS["feedback"])
        fields["feedback"] = str(feedback).strip() if feedback else None
        return _result(raw, fields)
    found = sections(text, LABELS)
    fields = {s: parse_score(" ".join(found[s])) if found.get(s) else None for s in SCORES}
    for field, score in _table_scores(text).items():
        fields[field] = fields[field] if fields[field] is not None else score
    fields["mispronounced"] = _words(found.get("mispronounced", []))
    feedback = " ".join(line for line in found.get("feedback", []) if not is_placeholder(line))
    fields["feedback"] = feedback or None
    return _result(raw, fields)


def _result(raw: str, fields: dict[str, object]) -> ParseResult:
    present = [s for s in SCORES if fields[s] is not None]
    if not present:
        return ParseResult("pronunciation", "failed", fields, raw, ["no scores found"])
    problems = [f"missing {s}" for s in SCORES if fields[s] is None]
    if fields["feedback"] is None:
        problems.append("missing feedback")
    return ParseResult("pronunciation", "partial" if problems else "ok", fields, raw, problems)
