"""Grounding: each kind of analysis record checked against what was said (table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from worker.analysis.grounding import (
    Transcript,
    check_action_item,
    check_flagged_words,
    check_quote,
    check_summary,
    echoes,
    resolve_person,
)
from worker.analysis.questions import Line

MEETING = Transcript(
    [
        Line(
            0.0, 6.0, "SPEAKER_00", "Good morning. Today we decide the LCD display for the remote."
        ),
        Line(6.0, 12.0, "SPEAKER_01", "The menu should be simple, three buttons at most."),
        Line(12.0, 20.0, "SPEAKER_00", "Sam, can you draw the menu layout by Friday?"),
        Line(20.0, 24.0, "SPEAKER_01", "Yes, I will draw the menu layout."),
        Line(24.0, 30.0, "SPEAKER_00", "We agreed to use a colour LCD display."),
        Line(60.0, 64.0, "SPEAKER_01", "This remote keeps losing its battery cover."),
    ],
    {"SPEAKER_00": "Wei", "SPEAKER_01": "Speaker 2"},
    70.0,
)
CHINESE = Transcript(
    [
        Line(0.0, 5.0, "SPEAKER_00", "小李，你周五之前把预算表发给大家。"),
        Line(5.0, 8.0, "SPEAKER_01", "好的，我周五之前发预算表。"),
    ],
    {"SPEAKER_00": "王老师", "SPEAKER_01": "小李"},
    10.0,
)


def _item(**fields: Any) -> dict[str, Any]:
    return {"owner": None, "task": None, "due": None, "evidence_time": None, **fields}


@pytest.mark.parametrize(
    ("item", "supported", "problem"),
    [
        (
            _item(owner="Sam", task="draw the menu layout", due="Friday", evidence_time=14.0),
            True,
            None,
        ),
        (_item(owner="SPEAKER_01", task="draw the menu layout", evidence_time=21.0), True, None),
        (_item(owner="Wei", task="use a colour LCD display", evidence_time=25.0), True, None),
        (_item(owner="speaker 2", task="draw menu layouts"), True, None),
        (
            _item(owner="Alice", task="send the revised budget", evidence_time=750.0),
            False,
            "owner 'Alice'",
        ),
        (
            _item(owner="Alice", task="send the revised budget", evidence_time=750.0),
            False,
            "recording is",
        ),
        (_item(owner="Alice", task="send the revised budget"), False, "prompt's example"),
        (
            _item(owner="Sam", task="book the venue for the party", evidence_time=14.0),
            False,
            "not supported",
        ),
        (_item(owner="Sam", task=None, evidence_time=14.0), False, "no task"),
        (
            _item(owner="Frank", task="draw the menu layout", evidence_time=14.0),
            False,
            "owner 'Frank'",
        ),
    ],
)
def test_action_items(item: dict[str, Any], supported: bool, problem: str | None) -> None:
    _, verdict = check_action_item(item, MEETING)
    assert verdict.supported is supported, verdict.problems
    if problem:
        assert any(problem in p for p in verdict.problems), verdict.problems


def test_an_action_item_without_a_time_gets_the_moment_it_was_said() -> None:
    checked, verdict = check_action_item(_item(owner="Sam", task="draw the menu layout"), MEETING)
    assert verdict.supported
    assert checked["evidence_time"] in (12.0, 20.0)


def test_a_due_date_nobody_said_is_left_empty() -> None:
    checked, verdict = check_action_item(
        _item(owner="Sam", task="draw the menu layout", due="2026-12-24", evidence_time=14.0),
        MEETING,
    )
    assert verdict.supported and checked["due"] is None
    assert any("was not said" in n for n in verdict.notes)
    kept, _ = check_action_item(
        _item(
            owner="Sam",
            task="draw the menu layout",
            due="2026-12-04",
            due_words="Friday",
            evidence_time=14.0,
        ),
        MEETING,
    )
    assert kept["due"] == "2026-12-04", "a date resolved from words that were said stays"


def test_chinese_action_items() -> None:
    _, ok = check_action_item(
        _item(owner="小李", task="把预算表发给大家", evidence_time=2.0), CHINESE
    )
    assert ok.supported, ok.problems
    _, invented = check_action_item(
        _item(owner="小李", task="预订会议室", evidence_time=2.0), CHINESE
    )
    assert not invented.supported


@pytest.mark.parametrize(
    ("quote", "turn", "supported"),
    [
        ("keeps losing its battery cover", "This remote keeps losing its battery cover.", True),
        ("Keeps losing its battery-cover!", "This remote keeps losing its battery cover.", True),
        ("this keeps breaking", "This remote keeps losing its battery cover.", False),
        (None, "This remote keeps losing its battery cover.", False),
        ("", "anything", False),
        ("预算表", "好的，我周五之前发预算表。", True),
        ("我很生气", "好的，我周五之前发预算表。", False),
    ],
)
def test_sentiment_quotes(quote: str | None, turn: str, supported: bool) -> None:
    assert check_quote(quote, turn).supported is supported


@pytest.mark.parametrize(
    ("summary", "supported", "topics", "decisions"),
    [
        (
            {
                "summary": "The team chose the LCD display and a simple menu for the remote.",
                "topics": ["LCD display", "menu"],
                "decisions": ["use a colour LCD display"],
            },
            True,
            ["LCD display", "menu"],
            ["use a colour LCD display"],
        ),
        (
            {
                "summary": "The team planned the spring fair and agreed on a date.",
                "topics": ["venue", "volunteers"],
                "decisions": ["hold the fair on May 3"],
            },
            False,
            [],
            [],
        ),
        (
            {
                "summary": "The team discussed the remote's menu.",
                "topics": ["menu", "marketing budget"],
                "decisions": [],
            },
            True,
            ["menu"],
            [],
        ),
        (
            {
                "summary": "Quarterly revenue grew in Asia thanks to new hires.",
                "topics": [],
                "decisions": [],
            },
            False,
            [],
            [],
        ),
    ],
)
def test_summaries(
    summary: dict[str, Any], supported: bool, topics: list[str], decisions: list[str]
) -> None:
    checked, verdict = check_summary(summary, MEETING)
    assert verdict.supported is supported, verdict.problems
    assert checked["topics"] == topics and checked["decisions"] == decisions


def test_echoes_only_count_when_the_meeting_never_said_it() -> None:
    assert echoes("hold the fair on May 3", MEETING) == ["hold the fair on may 3"]
    fair = Transcript([Line(0, 5, None, "We need volunteers for the spring fair.")], {}, 5.0)
    assert echoes("spring fair volunteers", fair) == []


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("Wei", "SPEAKER_00"),
        ("wei", "SPEAKER_00"),
        ("SPEAKER_01", "SPEAKER_01"),
        ("Speaker 2", "SPEAKER_01"),
        ("Sam", "Sam"),
        ("Bob", None),
        (None, None),
        ("", None),
    ],
)
def test_people(name: str | None, resolved: str | None) -> None:
    assert resolve_person(name, MEETING) == resolved


def test_no_prompt_shows_content_a_model_could_copy() -> None:
    from worker.analysis import prompts

    empty = Transcript([], {}, 0.0)
    for prompt in prompts.ALL:
        assert "example" not in prompt.template.lower(), prompt.version
        assert echoes(prompt.template, empty) == [], prompt.version
        assert prompt.version.endswith("-v2"), "a changed prompt gets a new version"


READING = "the quick brown fox jumps over the lazy dog"


@pytest.mark.parametrize(
    ("flagged", "heard", "reference", "kept"),
    [
        (["fox"], "the quick brown fox", READING, ["fox"]),
        # the transcript writes what the student said, near the word they tried to say
        (["three"], "I have tree apples", None, ["three"]),
        (["Think,"], "I tink so", None, ["Think,"]),
        # a reference word the student left out is not heard, and may still be named
        (["lazy"], "the quick brown fox jumps over the dog", READING, ["lazy"]),
        (["xylophone"], "the quick brown fox", READING, []),
        (["budget"], "we met on Monday", None, []),
        (["ice cream"], "I like ice cream", None, ["ice cream"]),
        (["ice storm"], "I like ice cream", None, []),
        (["", "  "], "anything", None, []),
        ([], "anything", READING, []),
    ],
)
def test_words_a_listening_model_flags(
    flagged: list[str], heard: str, reference: str | None, kept: list[str]
) -> None:
    words, verdict = check_flagged_words(flagged, heard, reference)
    assert words == kept
    assert verdict.supported, "the report stands; the words nobody said are taken out"
    left_out = [w for w in flagged if w.strip() and w not in kept]
    assert len(verdict.notes) == len(left_out)
    for word, note in zip(left_out, verdict.notes, strict=True):
        assert repr(word) in note


HEARD_UNSURE = Transcript(
    [
        Line(
            0.0,
            4.0,
            "SPEAKER_00",
            "Nina, can you write the new rota by Thursday?",
            False,
            ("Nina,",),
        ),
        Line(
            4.0, 8.0, "SPEAKER_01", "Yes, I will write the longer by Thursday.", False, ("longer",)
        ),
        Line(40.0, 44.0, "SPEAKER_00", "The budget is fine.", False, ("budget",)),
    ],
    {"SPEAKER_00": "Kate", "SPEAKER_01": "Speaker 2"},
    50.0,
)


@pytest.mark.parametrize(
    ("item", "noted"),
    [
        (_item(owner="Nina", task="write the new rota", evidence_time=0.0), "nina"),
        (_item(owner="SPEAKER_01", task="write the longer", evidence_time=4.0), "longer"),
        # an unsure word said 40 s away is not where this item was said
        (_item(owner="Kate", task="check the budget", evidence_time=0.0), None),
        (_item(owner="Kate", task="check the budget", evidence_time=40.0), "budget"),
    ],
)
def test_words_heard_with_low_confidence_where_an_item_was_said_are_noted(
    item: dict[str, Any], noted: str | None
) -> None:
    _, verdict = check_action_item(item, HEARD_UNSURE)
    doubts = [n for n in verdict.notes if "low confidence" in n]
    if noted is None:
        assert not doubts, verdict.notes
    else:
        assert len(doubts) == 1 and f": {noted};" in doubts[0].lower(), verdict.notes
