"""Whatever a model writes, a parser returns a result, keeps the raw text and never raises."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.analysis.parsers import PARSERS, parse
from worker.analysis.parsers.common import parse_score, parse_time
from worker.analysis.parsers.dates import resolve_date

FRAGMENTS = st.sampled_from(
    [
        "SUMMARY:",
        "TOPICS:",
        "DECISIONS:",
        "ITEM:",
        "|",
        "||",
        "---",
        "**",
        "```json",
        "```",
        "{",
        "}",
        "[",
        "]",
        '"',
        "：",
        "总结",
        "负责人",
        "截止日期",
        "准确度",
        "85/100",
        "8.5/10",
        "4/5",
        "85分",
        "85%",
        "下周三",
        "by Friday",
        "12:30",
        "\n",
        " ",
        "none",
        "无",
        "LABEL:",
        "SCORE:",
        "-1.5",
        "1e309",
        "NaN",
        "满分",
        "分",
        "<one paragraph>",
        "\u200b",
        "\r\n",
        "99:99:99",
    ]
)
TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=60).map("".join),
)


@settings(max_examples=250, deadline=None)
@given(
    kind=st.sampled_from(sorted(PARSERS)),
    raw=TEXT,
    reference=st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1))),
)
def test_parsers_never_raise_and_keep_the_raw_text(
    kind: str, raw: str, reference: date | None
) -> None:
    result = parse(kind, raw, reference)
    assert result.raw == raw
    assert result.status in ("ok", "partial", "failed")
    assert isinstance(result.as_json(), dict)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_scores_are_always_within_0_and_100(text: str) -> None:
    score = parse_score(text)
    assert score is None or 0 <= score <= 100


@settings(max_examples=300, deadline=None)
@given(TEXT, st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_dates_and_times_never_raise(text: str, reference: date) -> None:
    resolved = resolve_date(text, reference)
    assert resolved is None or len(resolved) == 10
    seconds = parse_time(text)
    assert seconds is None or seconds >= 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85", 85.0),
        ("85/100", 85.0),
        ("8.5/10", 85.0),
        ("4/5", 80.0),
        ("85分", 85.0),
        ("85%", 85.0),
        ("7分", 70.0),
        ("8.5", 85.0),
        ("满分10分中的9分", 90.0),
        ("120", None),
        ("", None),
        ("n/a", None),
    ],
)
def test_score_forms(text: str, expected: float | None) -> None:
    assert parse_score(text) == expected
