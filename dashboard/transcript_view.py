"""The transcript as paragraphs: consecutive lines of one speaker together, each line keeping
its time (click it to play from there), corrections marked, text drawn as text."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

import streamlit as st

from models.exports import escape_markdown


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60:d}:{minutes % 60:02d}:{secs:02d}"


UNSURE_NOTE = (
    "heard with low confidence: listen before relying on it (the analysis does not rest on it;"
    " correcting it does)"
)
UNSURE_WORDS_NOTE = "words to check (Whisper was unsure of them): "


def unsure_words_note(words: list[dict[str, Any]]) -> str:
    """The line's doubtful words as a caption (Markdown escaped: they are heard text)."""
    listed = ", ".join(f"{escape_markdown(w['word'])} ({w['probability']:.0%})" for w in words)
    return UNSURE_WORDS_NOTE + listed


# A three-hour class has thousands of lines; the page draws one part of this many at a time.
PART_LINES = 200

Numbered = list[tuple[int, dict[str, Any]]]


def paragraphs(numbered: Numbered) -> list[Numbered]:
    """Runs of consecutive lines by the same speaker, each line with its number."""
    return [list(run) for _, run in groupby(numbered, key=lambda item: item[1]["speaker"])]


def parts(segments: list[dict[str, Any]]) -> list[Numbered]:
    numbered = list(enumerate(segments))
    return [numbered[i : i + PART_LINES] for i in range(0, len(numbered), PART_LINES)] or [[]]


def _chosen_part(segments: list[dict[str, Any]]) -> Numbered:
    found = parts(segments)
    if len(found) == 1:
        return found[0]
    labels = [f"{clock(p[0][1]['start'])} to {clock(p[-1][1]['end'])}" for p in found]
    chosen = st.selectbox(
        f"Part of the transcript ({len(segments)} lines)",
        range(len(found)),
        format_func=labels.__getitem__,
        key="transcript-part",
    )
    return found[chosen or 0]


def draw_transcript(
    segments: list[dict[str, Any]],
    speaker_name: Callable[[str | None], str],
    colour: Callable[[str | None], Any],
    play: Callable[[float], None],
) -> None:
    for paragraph in paragraphs(_chosen_part(segments)):
        first = paragraph[0][1]
        with st.container(border=False):
            st.badge(
                escape_markdown(speaker_name(first["speaker"])), color=colour(first["speaker"])
            )
            for number, segment in paragraph:
                with st.container(key=f"line-{number}"):
                    time_col, text_col = st.columns([1, 9])
                    if time_col.button(clock(segment["start"]), key=f"seek-{number}"):
                        play(segment["start"])
                    # st.text never interprets markup: the words exactly as heard (or corrected).
                    text_col.text(segment["text"])
                    if segment.get("unsure"):
                        text_col.caption(UNSURE_NOTE)
                    if segment.get("unsure_words"):
                        text_col.caption(unsure_words_note(segment["unsure_words"]))
                    if segment.get("edited_by"):
                        heard = escape_markdown(segment.get("original_text") or "")
                        who = escape_markdown(segment["edited_by"])
                        text_col.caption(f"corrected by {who}; the machine heard: {heard}")
