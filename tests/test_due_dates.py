"""Due dates: the words at a task's end that say when, and the day they mean (table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from worker.analysis.parsers.dates import resolve_date, split_due

WEDNESDAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("today", "2026-11-25"),
        ("this afternoon", "2026-11-25"),
        ("tomorrow", "2026-11-26"),
        ("tomorrow morning", "2026-11-26"),
        ("the day after tomorrow", "2026-11-27"),
        ("by Friday", "2026-11-27"),
        ("this Saturday", "2026-11-28"),
        ("next Monday", "2026-11-30"),
        ("next week", "2026-11-30"),
        ("end of the month", "2026-11-30"),
        ("in two weeks", "2026-12-09"),
        ("before the release", None),
        ("the 14th", None),
    ],
)
def test_words_resolve_to_a_day(words: str, expected: str | None) -> None:
    assert resolve_date(words, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("book the bus by Wednesday", ("book the bus", "by Wednesday")),
        ("book the movers for this Saturday", ("book the movers", "this Saturday")),
        ("book it tomorrow morning", ("book it", "tomorrow morning")),
        ("call them this afternoon", ("call them", "this afternoon")),
        ("book one for next week", ("book one", "next week")),
        ("put it on the board on Monday", ("put it on the board", "on Monday")),
        ("go on holiday on the 3rd", ("go on holiday", "on the 3rd")),
        ("meet on the first of April", ("meet", "on the first of April")),
        ("work on the slides", ("work on the slides", None)),
        ("fix this bug", ("fix this bug", None)),
        ("review this month's figures", ("review this month's figures", None)),
        ("把预算表发给大家周五之前", ("把预算表发给大家", "周五之前")),
    ],
)
def test_the_date_is_split_from_the_task(task: str, expected: tuple[str, str | None]) -> None:
    assert split_due(task) == expected
