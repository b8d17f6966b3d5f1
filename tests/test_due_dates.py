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
        # a day of the month alone: this month's, or the next month's once it has passed
        ("the 14th", "2026-12-14"),
        ("by the 30th", "2026-11-30"),
        ("the 25th", "2026-11-25"),
        ("by the twentieth", "2026-12-20"),
        ("the twenty-first", "2026-12-21"),
        ("by the first of May", "2027-05-01"),
        ("the second half", None),  # an ordinal that is no day
        ("the 3rd floor", None),
        ("over the weekend", "2026-11-28"),
        ("this weekend", "2026-11-28"),
        ("next weekend", "2026-12-05"),
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
        ("read it over the weekend", ("read it", "over the weekend")),
        ("proofread everything by the 20th", ("proofread everything", "by the 20th")),
        ("fix this bug", ("fix this bug", None)),
        ("review this month's figures", ("review this month's figures", None)),
        ("把预算表发给大家周五之前", ("把预算表发给大家", "周五之前")),
    ],
)
def test_the_date_is_split_from_the_task(task: str, expected: tuple[str, str | None]) -> None:
    assert split_due(task) == expected


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (date(2026, 11, 25), "2026-12-31"),
        (date(2027, 1, 31), "2027-01-31"),
        (date(2027, 2, 1), "2027-03-31"),  # February has none
    ],
)
def test_the_31st_is_the_next_month_that_has_one(reference: date, expected: str) -> None:
    assert resolve_date("by the 31st", reference) == expected
