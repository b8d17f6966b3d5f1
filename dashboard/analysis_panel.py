"""Drawing a recording's analysis: summary, action items and sentiment, each with the moment it
was said. Records the transcript does not support are hidden unless the switch shows them,
marked with why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from models.exports import escape_markdown


def _hidden_note(detail: dict[str, Any]) -> None:
    hidden = detail.get("hidden_unsupported") or {}
    total = sum(hidden.values())
    if total:
        st.caption(
            f"{total} record(s) the transcript does not support are hidden "
            "(switch on 'Show unsupported' to see them and why)."
        )


def _reasons(record: dict[str, Any]) -> str:
    """What the check said of a record (why it is unsupported, or its notes), escaped."""
    return escape_markdown("; ".join(record.get("problems", [])))


def _why(record: dict[str, Any]) -> None:
    said = _reasons(record)
    if not record.get("supported", True):
        st.warning("Not supported by the transcript: " + said)
    elif said:
        st.caption("note: " + said)


def _why_below(column: Any, record: dict[str, Any]) -> None:
    """The reasons under one line of a list (an action item, a sentiment quote): why it is
    unsupported, or what the check noted of a record that stands (a due date nobody said, a
    word heard with low confidence)."""
    said = _reasons(record)
    if not record.get("supported", True):
        column.caption("unsupported: " + said)
    elif said:
        column.caption("note: " + said)


def draw_analysis(
    detail: dict[str, Any], speaker_names: dict[str, str], play: Callable[[float, str], None]
) -> None:
    """``play(seconds, key)`` draws a button that moves the player to that moment."""
    _hidden_note(detail)
    summary = detail.get("summary")
    if summary and summary["summary"]:
        st.subheader("Summary")
        _why(summary)
        st.text(summary["summary"])
        topics_col, decisions_col = st.columns(2)
        topics_col.write("**Topics**")
        for topic in summary["topics"]:
            topics_col.text(f"• {topic}")
        decisions_col.write("**Decisions**")
        for decision in summary["decisions"] or ["none"]:
            decisions_col.text(f"• {decision}")
    else:
        st.caption("No summary yet.")
    st.subheader("Action items")
    items = detail.get("action_items", [])
    if not items:
        st.caption("No action items.")
    for n, item in enumerate(items):
        owner = speaker_names.get(item["owner"] or "", item["owner"] or "no owner")
        due = f" (due {item['due']})" if item["due"] else ""
        left, right = st.columns([6, 1])
        left.text(f"{owner}: {item['task'] or ''}{due}")
        _why_below(left, item)
        if item["evidence_time"] is not None:
            with right:
                play(item["evidence_time"], f"item-{n}")
    spans = [s for s in detail.get("sentiment", []) if s["score"] is not None]
    if spans:
        st.subheader("Sentiment over time")
        st.line_chart(
            [
                {
                    "time (s)": s["start"],
                    "score (-1 to 1)": s["score"],
                    "speaker": speaker_names.get(s["speaker"] or "", s["speaker"] or "?"),
                }
                for s in spans
            ],
            x="time (s)",
            y="score (-1 to 1)",
            color="speaker",
        )
        for n, span in enumerate(s for s in spans if s["evidence"]):
            left, right = st.columns([6, 1])
            who = speaker_names.get(span["speaker"] or "", span["speaker"] or "?")
            left.text(f"{who}, {span['label'] or ''}: \u201c{span['evidence']}\u201d")
            _why_below(left, span)
            with right:
                play(span["start"], f"span-{n}")
