"""Due dates in English and Chinese, resolved against the recording date.

``resolve_date`` returns an ISO date, or None when the words name no date it can be sure of
(the caller then keeps the original words).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from worker.analysis.parsers.common import normalise

WEEKDAYS_EN = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def _month(word: str) -> int:
    """1-12 for a month name or its abbreviation (three letters or more), else 0."""
    word = word.rstrip(".")
    for number, name in enumerate(MONTH_NAMES, start=1):
        if len(word) >= 3 and name.startswith(word):
            return number
    return 0


def _dated(reference: date, month: int, day: int, year: str | None) -> date | None:
    return _safe(int(year), month, day) if year else _nearest_year(reference, month, day)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(reference: date, weekday: int, weeks_ahead: int = 0) -> date:
    """The next such weekday after the reference (this week's if still ahead)."""
    if weeks_ahead:
        monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=weeks_ahead)
        return monday + timedelta(days=weekday)
    days = (weekday - reference.weekday()) % 7
    return reference + timedelta(days=days or 7)


def _zh_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in ZH_DIGITS:
        return ZH_DIGITS[text]
    if len(text) == 2 and text[0] == "十":
        return 10 + ZH_DIGITS.get(text[1], 0)
    return None


WEEKDAY_WORDS = "|".join(WEEKDAYS_EN)
ORDINALS = (
    r"(?:(?:twenty|thirty)[- ])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"tenth|eleventh|twelfth|(?:thir|four|fif|six|seven|eigh|nine)teenth|twentieth|thirtieth"
)
# "on" says when only before a day ("on Monday", "on the 14th", "on the first of April"), so
# that "put it on the board on Monday" keeps "on the board" in its task.
ON_A_DAY = (
    r"on\s+(?:(?:next|this|the)\s+)?(?:\d{1,2}(?:st|nd|rd|th)?|"
    + "|".join([*WEEKDAYS_EN, *MONTH_NAMES, ORDINALS])
    + r")\b"
)
# Words at the end of a task that say when it is due.
DUE = re.compile(
    r"\s+(?:for\s+)?(?P<due>(?:by|before|until|no later than)\s+.+|" + ON_A_DAY + r".*|"
    r"(?:over|at)\s+the\s+weekend|"
    r"(?:next|this)\s+(?:week(?:end)?|month|year|morning|afternoon|evening|"
    + WEEKDAY_WORDS
    + r")(?:\s+(?:morning|afternoon|evening))?|tomorrow(?:\s+(?:morning|afternoon|evening|night))?|"
    r"tonight|today|end of (?:the )?(?:day|week|month))$",
    re.I,
)
DUE_ZH = re.compile(
    r"(?P<due>(?:下下|下个?|这个?|本)?(?:周|星期|礼拜)[一二三四五六日天七](?:之前|以前|前)?|"
    r"明天|后天|今天|(?:本周|这周)(?:内|末|底)?)"
)


def split_due(task: str) -> tuple[str, str | None]:
    """A task and the words at its end that say when ("book the bus by Wednesday")."""
    found = DUE.search(task)
    if found:
        return task[: found.start()].strip(), found.group("due")
    chinese = DUE_ZH.search(task)
    if chinese:
        return (task[: chinese.start()] + task[chinese.end() :]).strip("，, "), chinese.group("due")
    return task.strip(), None


def resolve_date(words: str | None, reference: date) -> str | None:
    if not words:
        return None
    text = normalise(words).lower().strip()
    found = (
        _absolute(text, reference) or _relative_en(text, reference) or _relative_zh(text, reference)
    )
    return found.isoformat() if found else None


def _absolute(text: str, reference: date) -> date | None:
    iso = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if iso:
        return _safe(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    zh = re.search(r"(\d{1,2})月(\d{1,2})[日号]", text)
    if zh:
        return _nearest_year(reference, int(zh.group(1)), int(zh.group(2)))
    day_first = re.search(
        r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?(?:,?\s+(\d{4}))?", text
    )
    if day_first and _month(day_first.group(2)):
        return _dated(
            reference, _month(day_first.group(2)), int(day_first.group(1)), day_first.group(3)
        )
    in_words = re.search(r"\b(" + ORDINALS + r")\s+of\s+([a-z]{3,9})\b", text)
    if in_words and _month(in_words.group(2)):  # "the first of April"
        return _dated(reference, _month(in_words.group(2)), _ordinal(in_words.group(1)), None)
    month_first = re.search(
        r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", text
    )
    if month_first and _month(month_first.group(1)):
        return _dated(
            reference, _month(month_first.group(1)), int(month_first.group(2)), month_first.group(3)
        )
    slash = re.search(r"\b(\d{1,2})/(\d{1,2})\b", text)
    if slash:  # month/day, the form the prompt's example uses
        return _nearest_year(reference, int(slash.group(1)), int(slash.group(2)))
    return None


def _nearest_year(reference: date, month: int, day: int) -> date | None:
    """A month and day without a year: the first such date not long before the reference."""
    this_year = _safe(reference.year, month, day)
    if this_year is None:
        return None
    if this_year < reference - timedelta(days=60):
        return _safe(reference.year + 1, month, day)
    return this_year


UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
TEENS = (
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
)
# "the 20th", "the twentieth", alone at the end ("the second draft" is no date)
DAY_OF_MONTH = re.compile(
    r"\bthe\s+(?:(?P<digits>\d{1,2})(?:st|nd|rd|th)|(?P<words>" + ORDINALS + r"))\s*[.,!?]?$"
)


def _ordinal(words: str) -> int:
    """1-31 for an ordinal in words ("twentieth", "twenty-first")."""
    if words in TEENS:
        return 10 + TEENS.index(words)
    tens, _, unit = words.replace("-", " ").rpartition(" ")
    if unit in ("twentieth", "thirtieth"):
        return 20 if unit == "twentieth" else 30
    return {"": 0, "twenty": 20, "thirty": 30}.get(tens, 0) + UNITS.index(unit) + 1


def _day_of_month(text: str, reference: date) -> date | None:
    """ "by the 20th": that day of this month, or of the next when it has passed (a month named
    with it is read by ``_absolute`` first)."""
    found = DAY_OF_MONTH.search(text)
    if not found:
        return None
    day = int(found.group("digits")) if found.group("digits") else _ordinal(found.group("words"))
    month_start = reference.replace(day=1)
    for months_ahead in range(3):  # the 31st skips the months that have none
        first = (month_start + timedelta(days=32 * months_ahead)).replace(day=1)
        candidate = _safe(first.year, first.month, day)
        if candidate is not None and candidate >= reference:
            return candidate
    return None


def _relative_en(text: str, reference: date) -> date | None:
    today = r"\b(today|tonight|eod|end of (the )?day|this (morning|afternoon|evening))\b"
    if re.search(today, text):
        return reference
    weekend = re.search(r"\b(next|this|the|coming)\s+weekend\b", text)
    if weekend:  # its Saturday; "next weekend" is the one after the coming one
        return _upcoming(reference, 5, 1 if weekend.group(1) == "next" else 0)
    if "day after tomorrow" in text:  # before "tomorrow", which it contains
        return reference + timedelta(days=2)
    if re.search(r"\btomorrow\b", text):
        return reference + timedelta(days=1)
    weekday = re.search(r"\b(next|this|coming)?\s*(" + WEEKDAY_WORDS + r")\b", text)
    if weekday:
        target = WEEKDAYS_EN[weekday.group(2)]
        return _upcoming(reference, target, 1 if weekday.group(1) == "next" else 0)
    if re.search(r"\b(end of (the )?week|eow|this week)\b", text):
        return _upcoming(reference, 4) if reference.weekday() != 4 else reference
    if re.search(r"\bnext week\b", text):
        return _upcoming(reference, 0, 1)
    count = re.search(r"\bin\s+(\d+|a|one|two|three)\s+(day|week)s?\b", text)
    if count:
        amount = {"a": 1, "one": 1, "two": 2, "three": 3}.get(count.group(1))
        number = amount if amount is not None else int(count.group(1))
        return reference + timedelta(days=number * (7 if count.group(2) == "week" else 1))
    if re.search(r"\bend of (the )?month\b", text):
        following = (reference.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return _day_of_month(text, reference)


def _relative_zh(text: str, reference: date) -> date | None:
    for word, days in (
        ("大后天", 3),
        ("后天", 2),
        ("明天", 1),
        ("明日", 1),
        ("今天", 0),
        ("今日", 0),
        ("今晚", 0),
    ):
        if word in text:
            return reference + timedelta(days=days)
    weekday = re.search(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天七])", text)
    if weekday:
        prefix = weekday.group(1) or ""
        ahead = 2 if prefix.startswith("下下") else 1 if prefix.startswith("下") else 0
        return _upcoming(reference, WEEKDAYS_ZH[weekday.group(2)], ahead)
    if re.search(r"(本周|这周)(内|末|底)?", text):
        return _upcoming(reference, 4) if reference.weekday() < 4 else reference
    if re.search(r"下(个)?(周|星期)", text):
        return _upcoming(reference, 0, 1)
    later = re.search(r"([\d一二两三四五六七八九十]+)\s*(天|周|个?星期)(之?内|后)", text)
    if later:
        number = _zh_number(later.group(1))
        if number is not None:
            return reference + timedelta(days=number * (1 if later.group(2) == "天" else 7))
    if "月底" in text:
        following = (reference.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return None
