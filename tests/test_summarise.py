"""The extractive summary (the CPU default): what it opens with and where its sentences come
from. Table-driven; every sentence it gives must have been said."""

from __future__ import annotations

import pytest

from worker.analysis.questions import Line
from worker.analysis.summarise import summarise


def _at(*lines: tuple[float, str]) -> list[Line]:
    return [Line(start, start + 4.0, "SPEAKER_00", text) for start, text in lines]


@pytest.mark.parametrize(
    ("lines", "duration_s", "opens_with"),
    [
        (
            [
                (0.0, "Good morning everyone, thanks for coming in today."),
                (5.0, "Let's review the launch plan for the new app."),
                (10.0, "The release candidate passed all the tests last night."),
            ],
            60.0,
            "Let's review the launch plan for the new app.",
        ),
        (
            [
                (0.0, "Hello everyone, I hope you all had a good week."),
                (4.0, "We need to sort out the support rota for next week."),
                (9.0, "Customers complained that nobody answered the phone on Saturday."),
            ],
            60.0,
            "We need to sort out the support rota for next week.",
        ),
        (
            [(0.0, "大家好，今天我们讨论下个月的预算。"), (6.0, "市场部的费用比去年高了很多。")],
            30.0,
            "大家好，今天我们讨论下个月的预算。",
        ),
        (
            [
                (0.0, "The main topic of this meeting is the new office in Leeds."),
                (20.0, "The office has room for forty people and a small kitchen."),
            ],
            60.0,
            "The main topic of this meeting is the new office in Leeds.",
        ),
    ],
)
def test_the_meetings_stated_purpose_opens_the_summary(
    lines: list[tuple[float, str]], duration_s: float, opens_with: str
) -> None:
    summary = summarise(_at(*lines), duration_s)["summary"]
    assert summary.startswith(opens_with)


@pytest.mark.parametrize(
    "lines",
    [
        # said late in an hour: a proposal, not the meeting's purpose
        [
            (0.0, "The budget for the new office was approved by the board."),
            (30.0, "The office budget covers the rent and the furniture."),
            (1800.0, "Let's review the cleaning contract another time, not today."),
        ],
        # "let's go with" is a decision, not a purpose
        [
            (0.0, "Let's go with the blue design for the landing page."),
            (10.0, "The blue design tested better with our customers last month."),
        ],
    ],
)
def test_no_stated_purpose_means_no_opening_sentence_of_that_kind(
    lines: list[tuple[float, str]],
) -> None:
    from worker.analysis.summarise import purpose_of

    assert purpose_of(lines, 3600.0) is None


def test_a_long_meetings_summary_draws_on_every_part_of_it() -> None:
    # The first half talks about the budget at length; the second half moves to hiring. A
    # summary by recurring vocabulary alone would be all budget.
    budget = [
        (60.0 * n, f"The budget for the spring campaign needs line {n} checked by finance.")
        for n in range(20)
    ]
    hiring = [
        (1800.0 + 60.0 * n, text)
        for n, text in enumerate(
            [
                "We have two open positions for junior developers in the mobile team.",
                "The interviews for the developer positions start in the second week.",
                "Recruiting agencies charge too much for junior developer positions.",
            ]
        )
    ]
    lines = _at(*budget, *hiring)
    summary = summarise(lines, 3600.0)["summary"]
    said = {line.text for line in lines}
    sentences = [s for s in said if s in summary]
    assert "positions" in summary
    assert sum("budget" in s for s in sentences) >= 1
    rest = summary
    for sentence in sentences:
        rest = rest.replace(sentence, "")
    assert not rest.strip()  # nothing but sentences said


def test_a_sentence_said_again_is_summarised_once() -> None:
    said = [
        "Tom, could you draw the new menu layout by Monday?",
        "The menu layout needs three buttons and a colour screen.",
    ]
    lines = _at(*[(60.0 * n, said[n % 2]) for n in range(60)])
    summary = summarise(lines, 3600.0)["summary"]
    assert summary.count(said[0]) == 1 and summary.count(said[1]) == 1


def test_a_sentence_said_again_with_other_commas_is_summarised_once() -> None:
    """As Whisper writes the same words in an hour that repeats an excerpt."""
    ways = [
        "I'm just thinking, you know, sometimes when there's a process error like that.",
        "I'm just thinking you know sometimes when there's a process error like that.",
        "I'm just thinking, you know, sometimes when there is a process error like that.",
    ]
    other = "The remote control needs a bigger sign in red letters."
    lines = _at(*[(600.0 * n, ways[n % 3]) for n in range(6)], (3000.0, other))
    summary = summarise(lines, 3600.0)["summary"]
    assert sum(summary.count(way) for way in ways) == 1, summary
    assert other in summary


def test_words_said_often_but_too_common_are_no_topics() -> None:
    lines = _at(
        (0.0, "I think there's a problem with the backup of the lab data, I think."),
        (10.0, "Yeah, like, okay, I think the backup should run every night, like before."),
        (20.0, "Okay, so there's the backup, and I think the lab data is probably fine."),
        (30.0, "我们觉得我们的预算不够。"),
        (35.0, "我们需要更多的预算和时间。"),
    )
    topics = summarise(lines, 60.0)["topics"]
    assert "backup" in topics and "预算" in topics
    assert not {"think", "like", "okay", "there'", "probably", "我们"} & set(topics), topics


def test_a_part_with_nothing_said_leaves_its_place_to_the_heaviest_sentence_left() -> None:
    # Ten seconds, both sentences in the first half: the summary still has two sentences.
    lines = _at(
        (0.0, "It was the first great sorrow of his life."),
        (3.9, "It was not so much the loss of the cotton itself but the dreams built on it."),
    )
    summary = summarise(lines, 10.5)["summary"]
    assert summary == " ".join(line.text for line in lines)
