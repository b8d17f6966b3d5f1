"""Helpers every answer parser shares: cleanup, JSON blocks, labelled lines, scores, dates, times.

Nothing here raises on odd input; each helper returns None (or an empty result) when it finds
nothing it can trust.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "partial", "failed")


@dataclass
class ParseResult:
    kind: str
    status: str
    data: dict[str, Any]
    raw: str
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, **self.data, "problems": self.problems}


# --- text cleanup ---------------------------------------------------------------------------
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "《": '"',
        "》": '"',
    }
)


def normalise(text: str) -> str:
    """NFKC (full-width forms such as ：，；（）％ become ASCII); one kind of quote and newline."""
    text = unicodedata.normalize("NFKC", text or "").translate(_ZERO_WIDTH).translate(_QUOTES)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("、", ",")


_BULLET = re.compile(r"^\s*(?:[-*•·+>]|\d{1,2}[.)]|[a-z][.)]|\(\d{1,2}\))\s+")
_DECORATION = re.compile(r"(\*\*|__|`)")


def strip_markup(line: str) -> str:
    """One line without list bullets, heading marks, bold/italic and code marks."""
    line = re.sub(r"^\s*#{1,6}\s*", "", line)
    line = _BULLET.sub("", line)
    line = _DECORATION.sub("", line)
    return line.strip().strip("*_").strip()


def is_placeholder(value: str) -> bool:
    """Template text echoed from the prompt, such as '<one paragraph>'."""
    value = value.strip()
    return bool(re.fullmatch(r"<[^<>]{1,80}>|\[[^\[\]]{1,80}\]|\.\.\.|…", value))


NONE_WORDS = re.compile(
    r"^\s*(?:none|n/?a|nothing|no (?:decisions|action items|items|errors|mistakes)[^.]*|"
    r"无|没有|暂无|無|无行动项|没有行动项|没有决定|无明显错误)\s*\.?\s*$",
    re.I,
)

CHATTER = re.compile(
    r"^\s*(?:let me know|hope this helps|i hope|feel free|if you (?:need|have|want)|"
    r"is there anything|please note|note:|sure[,!.]|certainly|here (?:is|are)|"
    r"如果(?:你|您)?(?:需要|有)|希望(?:这|对)|以上是|好的[,.!，。])",
    re.I,
)


# --- JSON ------------------------------------------------------------------------------------
def extract_json(text: str) -> Any:
    """The first JSON object or list in the text (inside a code fence or bare), or None."""
    fenced = re.findall(r"```(?:json|JSON)?\s*\n?(.*?)```", text, re.S)
    for candidate in [*fenced, text]:
        # Whichever bracket opens first: a list of objects must not be read as its first item.
        starts = sorted(i for i in (candidate.find("{"), candidate.find("[")) if i != -1)
        for start in starts:
            while start != -1:
                value = _balanced_json(candidate, start)
                if value is not None:
                    return value
                start = min(
                    (
                        i
                        for i in (candidate.find("{", start + 1), candidate.find("[", start + 1))
                        if i != -1
                    ),
                    default=-1,
                )
    return None


def _balanced_json(text: str, start: int) -> Any:
    end = _balanced_end(text, start)
    return _loads(text[start:end]) if end is not None else None


def _loads(candidate: str) -> Any:
    try:
        return json.loads(candidate)
    except ValueError:
        return None


def _balanced_end(text: str, start: int) -> int | None:
    """Where the bracket opened at ``start`` closes (one past it), or None if it never does."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, min(len(text), start + 200_000)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def json_objects(text: str) -> list[dict[str, Any]]:
    """Every complete JSON object in the text, outermost first, in order: what is left of an
    answer cut off mid-list (a model repeating itself until its token limit) or broken by one
    bad item."""
    found: list[dict[str, Any]] = []
    start = text.find("{")
    while start != -1:
        end = _balanced_end(text, start)
        value = _loads(text[start:end]) if end is not None else None
        if isinstance(value, dict) and end is not None:
            found.append(value)
            start = text.find("{", end)
        else:
            start = text.find("{", start + 1)
    return found


def json_get(obj: Any, *names: str) -> Any:
    """A value from a dict by any of several key spellings (case and spacing ignored)."""
    if not isinstance(obj, dict):
        return None
    wanted = {re.sub(r"[\s_-]", "", n.lower()) for n in names}
    for key, value in obj.items():
        if re.sub(r"[\s_-]", "", str(key).lower()) in wanted:
            return value
    return None


# --- labelled sections ----------------------------------------------------------------------
def label_regex(labels: dict[str, list[str]]) -> re.Pattern[str]:
    """Matches 'Label: value' lines whatever the markup, for any synonym of any field."""
    alternatives = "|".join(
        f"(?P<{name}>{'|'.join(re.escape(s) for s in sorted(synonyms, key=len, reverse=True))})"
        for name, synonyms in labels.items()
    )
    return re.compile(
        rf"^\s*(?:#{{1,6}}\s*)?(?:[-*•]\s*|\d{{1,2}}[.)]\s*)?(?:\*\*|__)?\s*(?:{alternatives})"
        r"\s*(?:\([^)]{0,30}\))?\s*(?:\*\*|__)?\s*(?::|-|=|\n|$)\s*(?:\*\*|__)?\s*(?P<value>.*)$",
        re.I,
    )


def sections(text: str, labels: dict[str, list[str]]) -> dict[str, list[str]]:
    """Lines grouped under the labelled field they follow. A label seen again replaces the
    earlier section, so an echoed prompt's example is overridden by the real answer."""
    pattern = label_regex(labels)
    found: dict[str, list[str]] = {}
    current: str | None = None
    blank_run = 0
    for raw_line in text.split("\n"):
        line = raw_line.strip()
        if set(line) <= set("|-: ") and line:
            continue  # a markdown table rule
        match = pattern.match(line)
        if match:
            current = next(name for name in labels if match.group(name))
            value = match.group("value").strip()
            found[current] = [value] if value else []
            blank_run = 0
            continue
        if current is None:
            continue
        if not line:
            blank_run += 1
            continue
        if (
            CHATTER.match(line)
            or line.startswith("|")
            or (blank_run and not _BULLET.match(line) and found[current])
        ):
            current = None  # trailing chatter, a table, or prose after the answer
            continue
        blank_run = 0
        found[current].append(line)
    return {k: [strip_markup(v) for v in vs if strip_markup(v)] for k, vs in found.items()}


def split_items(lines: list[str]) -> list[str]:
    """List items from bullet lines, or from one line separated by ; or ,."""
    if len(lines) == 1 and re.search(r"[;,]", lines[0]):
        parts = re.split(r"\s*;\s*|\s*,\s*", lines[0])
    else:
        parts = lines
    items = []
    for part in parts:
        part = strip_markup(part).strip(" .\"'")
        if part and not is_placeholder(part) and not NONE_WORDS.match(part):
            items.append(part)
    return items


# --- numbers, scores ------------------------------------------------------------------------
_NUMBER = r"[-+]?\d+(?:\.\d+)?"


def parse_score(text: str | float | int | None) -> float | None:
    """A score on 0-100 from '85', '85/100', '8.5/10', '4/5', '85分', '85%', '8.5'.

    Ambiguous forms are read the way people write them: '8.5' and '7分' are out of ten,
    '85', '85分' and '85%' out of a hundred, '满分10分中的9分' is nine out of ten.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
        return _clamp(value * 10 if value <= 10 and not float(value).is_integer() else value)
    text = normalise(str(text))
    full_marks = re.search(rf"满分\s*({_NUMBER})", text)
    if full_marks:  # "满分10分中的9分", "9分(满分10分)"
        scale = float(full_marks.group(1))
        rest = text[: full_marks.start()] + " " + text[full_marks.end() :]
        got = re.search(_NUMBER, rest)
        return _clamp(100 * float(got.group(0)) / scale) if got and scale > 0 else None
    fraction = re.search(rf"({_NUMBER})\s*(?:/|out of|of|满分)\s*({_NUMBER})", text, re.I)
    if fraction:
        value, scale = float(fraction.group(1)), float(fraction.group(2))
        return _clamp(100 * value / scale) if scale > 0 else None
    percent = re.search(rf"({_NUMBER})\s*(%|percent|分)", text, re.I)
    if percent:
        value = float(percent.group(1))
        # "7分" is a mark out of ten; "85分" one out of a hundred.
        return _clamp(value * 10 if percent.group(2) == "分" and value <= 10 else value)
    bare = re.search(_NUMBER, text)
    if bare:
        value = float(bare.group(0))
        # "8.5" on its own is a 0-10 score; a bare integer is already on 0-100.
        return _clamp(value * 10 if "." in bare.group(0) and value <= 10 else value)
    return None


def _clamp(value: float) -> float | None:
    if value < 0 or value > 100:
        return None
    return round(value, 1)


# --- times ----------------------------------------------------------------------------------
def parse_time(text: str | float | int | None) -> float | None:
    """Seconds from '12:30', '[01:02:03]', '75s', '75 秒', '1m15s'; None when absent."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if text >= 0 else None
    text = normalise(str(text))
    clock = re.search(r"(?<![\d.])(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?:\.(\d+))?(?![\d])", text)
    if clock:
        hours, minutes, seconds = int(clock.group(1) or 0), int(clock.group(2)), int(clock.group(3))
        if seconds < 60:
            return float(hours * 3600 + minutes * 60 + seconds)
    units = re.search(
        r"(?:(\d+)\s*(?:m|min|分钟?)\s*)?(\d+(?:\.\d+)?)\s*(?:s|sec|seconds?|秒)\b", text
    )
    if units:
        return float(int(units.group(1) or 0) * 60 + float(units.group(2)))
    return None
