"""Action items: owner, task, due date (ISO when it resolves) and the moment it was said.

Answers come as the prompt's pipe lines, markdown tables, JSON, 'Owner: … Task: …' blocks or
plain sentences ('Alice will send the budget by Friday').
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from worker.analysis.parsers.common import (
    CHATTER,
    NONE_WORDS,
    ParseResult,
    extract_json,
    is_placeholder,
    json_get,
    json_objects,
    normalise,
    parse_time,
    strip_markup,
)
from worker.analysis.parsers.dates import resolve_date, split_due

FIELDS = {
    "owner": [
        "owner",
        "assignee",
        "responsible",
        "who",
        "person",
        "负责人",
        "执行人",
        "责任人",
        "负责",
    ],
    "task": [
        "task",
        "action",
        "action item",
        "item",
        "todo",
        "what",
        "任务",
        "事项",
        "行动",
        "内容",
        "行动项",
        "工作",
    ],
    "due": [
        "due",
        "due date",
        "deadline",
        "by when",
        "when",
        "截止日期",
        "截止时间",
        "期限",
        "截止",
        "完成时间",
        "时限",
    ],
    "time": [
        "time",
        "timestamp",
        "evidence",
        "evidence time",
        "said at",
        "mentioned at",
        "时间",
        "时间点",
        "时间戳",
        "提及时间",
    ],
}
EMPTY = re.compile(r"^\s*(?:none|n/?a|-+|—|无|没有|未定|unknown|not specified|null)\s*$", re.I)
KEY_VALUE = re.compile(
    r"(?P<key>"
    + "|".join(re.escape(s) for f in FIELDS.values() for s in sorted(f, key=len, reverse=True))
    + r")\s*[:=]\s*(?P<value>[^|,;]+?)(?=\s*(?:[|,;]|\s\w+\s*[:=]|$))",
    re.I,
)
WILL = re.compile(
    r"^(?P<owner>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)\s*(?::|will|to|is going to|shall|should|"
    r"needs to|must)\s+(?P<task>.+)$"
)
ZH_OWNER = re.compile(r"^(?P<owner>[\u4e00-\u9fff]{2,4})(?:负责|将|要|需要|会|来)(?P<task>.+)$")
DUE_PHRASE = re.compile(
    r"\s*(?:,\s*)?\b(?:by|before|until|due|no later than|on)\s+(?P<due>[^,.;()]+)|"
    r"(?:在|于)?(?P<zh>[^,，。；]{1,12}?)(?:之前|前|以前|为止)",
    re.I,
)
LINE_PREFIX = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])?\s*(?:item|action|行动项)?\s*:?\s*", re.I)
ITEM_PREFIX = re.compile(r"^\s*(?:[-*•]\s*)?(?:item|action)\s*:", re.I)
HEADING = re.compile(r"^(?:action items?|actions|to-?dos?|行动项|待办事项|任务清单)\s*:?$", re.I)
TIME_TAG = re.compile(
    r"\s*[(\[]\s*(?:at\s+|时间\s*:?\s*|~)?(\d{1,2}:\d{2}(?::\d{2})?|\d+(?:\.\d+)?\s*s)\s*[)\]]|"
    r"\s+(?:at|@)\s+(\d{1,2}:\d{2}(?::\d{2})?)\b",
    re.I,
)


def _field_of(name: str) -> str | None:
    name = strip_markup(name).lower().strip(" :")
    for field, synonyms in FIELDS.items():
        if name in (s.lower() for s in synonyms):
            return field
    return None


def _item(owner: Any, task: Any, due: Any, time: Any, reference: date | None) -> dict[str, Any]:
    def text(value: Any) -> str | None:
        if value is None:
            return None
        cleaned = strip_markup(str(value)).strip(" .\"'")
        return None if not cleaned or EMPTY.match(cleaned) or is_placeholder(cleaned) else cleaned

    due_words, task_words = text(due), text(task)
    if due_words is None and task_words:
        # "book the bus by Wednesday" with due "none": the date is in the task (seen from
        # Qwen2.5-Coder-1.5B); taken out only when the words name a date.
        rest, said = split_due(task_words)
        if said and rest and resolve_date(said, reference or date.today()):
            task_words, due_words = rest, said
    resolved = resolve_date(due_words, reference) if due_words and reference else None
    return {
        "owner": text(owner),
        "task": task_words,
        "due": resolved or due_words,
        # The words said, kept for grounding: a date resolved from nothing said is dropped.
        "due_words": due_words,
        "evidence_time": parse_time(time) if time is not None else None,
    }


def _listed(answer: dict[str, Any]) -> Any:
    return json_get(answer, "items", "action_items", "actions", "行动项", "tasks")


def _from_json(data: Any, reference: date | None) -> list[dict[str, Any]] | None:
    if isinstance(data, dict):
        data = _listed(data)
    if not isinstance(data, list):
        return None
    return [
        _item(
            json_get(d, *FIELDS["owner"]),
            json_get(d, *FIELDS["task"]),
            json_get(d, *FIELDS["due"]),
            json_get(d, *FIELDS["time"]),
            reference,
        )
        for d in data
        if isinstance(d, dict)
    ]


def _from_pipes(lines: list[str], reference: date | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    columns: list[str | None] | None = None
    for line in lines:
        body = LINE_PREFIX.sub("", line).strip()
        if line.strip().startswith("|"):  # a table row: outer pipes frame the cells
            body = body.removeprefix("|").removesuffix("|")
        cells = [c.strip() for c in body.split("|")]
        if len(cells) < 2 or all(set(c) <= set("-: ") for c in cells):
            continue
        header = [_field_of(c) for c in cells]
        if sum(h is not None for h in header) >= 2 and "task" in header:
            columns = header
            continue
        if any(KEY_VALUE.match(c) for c in cells):
            values = {
                _field_of(m.group("key")): m.group("value")
                for c in cells
                if (m := KEY_VALUE.match(c))
            }
        else:
            order = columns or ["owner", "task", "due", "time"]
            values = {field: cell for field, cell in zip(order, cells, strict=False) if field}
        item = _item(
            values.get("owner"),
            values.get("task"),
            values.get("due"),
            values.get("time"),
            reference,
        )
        if columns is None and len(cells) < 4:
            item["incomplete"] = True  # the prompt's line has four fields: cut off?
        items.append(item)
    return items


def _from_blocks(lines: list[str], reference: date | None) -> list[dict[str, Any]]:
    """'Owner: …' / 'Task: …' lines, one item per group (a repeated field starts a new one)."""
    items: list[dict[str, str]] = []
    for line in lines:
        for match in KEY_VALUE.finditer(strip_markup(line)):
            field = _field_of(match.group("key"))
            if field is None:
                continue
            if not items or field in items[-1]:
                items.append({})
            items[-1][field] = match.group("value")
    return [
        _item(i.get("owner"), i.get("task"), i.get("due"), i.get("time"), reference)
        for i in items
        if "task" in i or "owner" in i
    ]


def _from_sentences(lines: list[str], reference: date | None) -> list[dict[str, Any]]:
    items = []
    for line in lines:
        if not re.match(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", line) and len(lines) > 1:
            continue  # prose around a list is not an item
        sentence = strip_markup(line)
        time = None
        tag = TIME_TAG.search(sentence)
        if tag:
            time = tag.group(1) or tag.group(2)
            sentence = (sentence[: tag.start()] + sentence[tag.end() :]).strip()
        match = WILL.match(sentence) or ZH_OWNER.match(sentence)
        owner, task = (match.group("owner"), match.group("task")) if match else (None, sentence)
        due = None
        phrase = DUE_PHRASE.search(task)
        if phrase:
            due = phrase.group("due") or phrase.group("zh")
            task = (task[: phrase.start()] + task[phrase.end() :]).strip(" ,.，。")
        items.append(_item(owner, task, due, time, reference))
    return items


# Fields separated by dashes instead of pipes: "- **Alice** — send the report — Friday — 02:15".
DASHED = re.compile(r"\s+[—–]\s+")


def _dashes_as_pipes(line: str) -> str:
    return DASHED.sub(" | ", line) if len(DASHED.findall(line)) >= 2 else line


def parse(raw: str, reference: date | None = None) -> ParseResult:
    text = "\n".join(_dashes_as_pipes(line) for line in normalise(raw).split("\n"))
    lines = [
        line
        for line in text.split("\n")
        if line.strip() and not CHATTER.match(line) and not HEADING.match(strip_markup(line))
    ]
    if any(NONE_WORDS.match(strip_markup(line)) for line in lines) and len(lines) <= 2:
        return ParseResult("action_items", "ok", {"items": []}, raw, [])
    answer = extract_json(text)
    if answer == [] or (isinstance(answer, dict) and _listed(answer) == []):
        # {"items": []}: a JSON-constrained model's way of saying "none".
        return ParseResult("action_items", "ok", {"items": []}, raw, [])
    items = _from_json(answer, reference)
    salvaged = False
    if items is None and text.lstrip(" `\n").removeprefix("json").lstrip().startswith(("{", "[")):
        # JSON cut off (a model repeating itself until its token limit) or broken by one bad
        # item: the complete item objects still count; never the JSON text as a task.
        salvaged = True
        complete = [o for o in json_objects(text) if json_get(o, *FIELDS["task"]) is not None]
        items = _from_json(complete, reference)
    if items is None:
        pipe_lines = [
            line
            for line in lines
            if line.count("|") >= 2 or ("|" in line and ITEM_PREFIX.match(line))
        ]
        if pipe_lines:
            items = _from_pipes(pipe_lines, reference)
        elif any(KEY_VALUE.search(line) for line in lines):
            items = _from_blocks(lines, reference)
        else:
            items = _from_sentences(lines, reference)
    items = [i for i in items if i["task"] or i["owner"]]
    # An item repeated (echoed example, or the model saying it twice) counts once.
    unique = []
    for item in items:
        if item not in unique:
            unique.append(item)
    if not unique:
        return ParseResult("action_items", "failed", {"items": []}, raw, ["no action items found"])
    problems = [
        f"item {n} has no {f}"
        for n, i in enumerate(unique, 1)
        for f in ("owner", "task")
        if not i[f]
    ]
    for number, item in enumerate(unique, 1):
        if item.pop("incomplete", False):
            problems.append(f"item {number} looks cut off")
    if salvaged:
        problems.append("the JSON was cut off or invalid: items read from its complete objects")
    return ParseResult(
        "action_items", "partial" if problems else "ok", {"items": unique}, raw, problems
    )
