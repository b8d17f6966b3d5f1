"""Drawing a lesson's pronunciation reports, and the teacher's override form."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.overrides import (
    SCORE_NAMES,
    WORD_MARKS,
    Correction,
    OverrideRejected,
    effective_marks,
    effective_score,
    orphaned_overrides,
    override_pronunciation,
)
from models.access import Viewer
from models.exports import escape_markdown

MARK_COLOURS = {
    "correct": "green",
    "mispronounced": "orange",
    "omitted": "red",
    "inserted": "violet",
}


def draw_reports(viewer: Viewer, detail: dict[str, Any], speaker_names: dict[str, str]) -> None:
    reports = detail.get("pronunciation") or []
    if not reports:
        if detail["kind"] == "lesson":
            st.caption("No pronunciation report yet.")
        return
    st.subheader("Pronunciation")
    for number, report in enumerate(reports):
        label = report["speaker"] or ""
        if len(reports) > 1:
            st.markdown(f"**{escape_markdown(speaker_names.get(label, label or 'Speaker'))}**")
        columns = st.columns(len(SCORE_NAMES))
        for column, name in zip(columns, SCORE_NAMES, strict=True):
            value = effective_score(report, name)
            changed = name in (report.get("overrides") or {})
            column.metric(
                name + (" (teacher)" if changed else ""),
                "-" if value is None else f"{value:.0f}",
            )
        marks = effective_marks(report)
        if marks:
            st.markdown(
                " ".join(
                    f":{MARK_COLOURS[m['mark']]}[{_plain(m['word'])}]"
                    + ("\\*" if m["by_teacher"] else "")
                    for m in marks
                )
            )
            st.caption(
                "green: correct · orange: mispronounced · red: left out · violet: added"
                " · \\*: changed by the teacher"
            )
        orphaned = orphaned_overrides(report)
        if orphaned:
            st.caption(
                "Corrections whose word is no longer in this report (the recording was run "
                "again); kept, not moved to another word:"
            )
            st.dataframe(
                [
                    {
                        "word": o.get("word"),
                        "teacher's mark": o.get("value"),
                        "was": o.get("automatic"),
                    }
                    for o in orphaned
                ],
                hide_index=True,
            )
        if report.get("feedback"):
            st.text(report["feedback"])
        if report.get("problems"):
            st.caption("Left out of the words to practise (not said in the turn it was about):")
            st.text("; ".join(report["problems"]))
        sample = (report.get("sources") or {}).get("sample") or {}
        if sample and sample.get("scored_s", 0) < sample.get("speech_s", 0):
            st.caption(
                f"Scored on the first {sample['scored_s'] / 60:.0f} min of this speaker's "
                f"{sample['speech_s'] / 60:.0f} min of speech."
            )
        if report.get("overridden_by"):
            who = escape_markdown(report["overridden_by"])
            st.caption(f"Changed by {who} on {report['overridden_at'][:16]}")
        with st.expander("Where the scores come from"):
            st.json(report.get("sources") or {})
        if detail.get("may_override_scores"):
            _override_form(viewer, detail["id"], number, report, marks)


def _override_form(
    viewer: Viewer,
    recording_id: int,
    number: int,
    report: dict[str, Any],
    marks: list[dict[str, Any]],
) -> None:
    with st.form(f"override-{number}"):
        st.write("Correct the scores or word marks")
        columns = st.columns(len(SCORE_NAMES))
        scores = {}
        for column, name in zip(columns, SCORE_NAMES, strict=True):
            current = effective_score(report, name)
            scores[name] = column.number_input(
                name,
                min_value=0.0,
                max_value=100.0,
                value=float(current) if current is not None else 0.0,
                step=1.0,
                key=f"override-{number}-{name}",
            )
        edited = st.data_editor(
            [{"word": m["word"], "mark": m["mark"]} for m in marks],
            column_config={
                "word": st.column_config.TextColumn(disabled=True),
                "mark": st.column_config.SelectboxColumn(options=list(WORD_MARKS), required=True),
            },
            hide_index=True,
            key=f"override-{number}-marks",
        )
        if st.form_submit_button("Save corrections"):
            changed_scores = {
                name: value for name, value in scores.items() if _changed(report, name, value)
            }
            changed_marks = {
                i: row["mark"] for i, row in enumerate(edited) if row["mark"] != marks[i]["mark"]
            }
            try:
                message = override_pronunciation(
                    viewer,
                    recording_id,
                    report["speaker"],
                    Correction(changed_scores, changed_marks),
                )
            except OverrideRejected as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.toast(message)
                st.rerun()


def _changed(report: dict[str, Any], name: str, value: float) -> bool:
    current = effective_score(report, name)
    return value > 0 if current is None else abs(value - current) >= 0.05


def _plain(word: str) -> str:
    # Words go into Markdown: keep only what cannot be read as markup.
    return "".join(ch for ch in word if ch.isalnum() or ch in "'-")
