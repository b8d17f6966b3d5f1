"""Recording page: player, transcript with speakers and times, talk time, raw answers, exports."""

from __future__ import annotations

from functools import partial
from typing import Literal

import streamlit as st

from dashboard.actions import rename_speaker
from dashboard.analysis_panel import draw_analysis
from dashboard.audit_trail import audited_export, note_viewed, subject_of
from dashboard.auth import require_viewer
from dashboard.corrections import draw_corrections, draw_rerun_settings
from dashboard.player import draw_player
from dashboard.pronunciation_panel import draw_reports
from dashboard.queries import (
    list_recordings,
    playable_audio,
    recording_detail,
    recording_id_from,
    recording_progress,
    talk_time,
)
from dashboard.transcript_view import clock, draw_transcript
from models.exports import EXPORTERS, escape_markdown, to_docx

BadgeColour = Literal["blue", "green", "orange", "violet", "red", "gray"]
SPEAKER_COLOURS: tuple[BadgeColour, ...] = ("blue", "green", "orange", "violet", "red", "gray")
MIME = {
    "txt": "text/plain",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "json": "application/json",
    "md": "text/markdown",
}


viewer = require_viewer()
rows = list_recordings(viewer)
raw_id = st.query_params.get("id", "")
requested = recording_id_from(raw_id)
if raw_id and requested is None:
    st.error("Recording not found.")
    st.stop()
ids = [r.id for r in rows]
if requested is not None and requested not in ids:
    ids.insert(0, requested)  # may still be invisible: recording_detail decides
if not ids:
    st.info("No recordings yet.")
    st.stop()
names = {r.id: r.name for r in rows}
default = ids.index(requested) if requested is not None else 0
chosen = st.selectbox(
    "Recording", ids, index=default, format_func=lambda i: f"{i}: {names.get(i, '?')}"
)
st.query_params["id"] = str(chosen)
# A link may name a moment (?t=13, from a search hit): play from there, once.
moment = st.query_params.get("t")
if moment is not None:
    if moment.replace(".", "", 1).isdigit():
        st.session_state[f"start-{chosen}"] = float(moment)
        st.session_state["autoplay"] = True
    del st.query_params["t"]
detail = recording_detail(viewer, chosen)
if detail is None:
    # The same answer whether it does not exist or belongs to someone else.
    st.error("Recording not found.")
    st.stop()
assert detail is not None
note_viewed(viewer, detail)

st.title(escape_markdown(detail["original_name"]))
st.caption(
    f"{detail['kind']} · {detail['status']} · {(detail['duration_s'] or 0):.1f} s · "
    f"language {detail['language'] or '?'}"
)

# Stages that run once every clip is transcribed: the transcript is shown while they run.
AFTER_TRANSCRIPT = {
    "summary",
    "action_items",
    "sentiment",
    "pronunciation",
    "pronunciation_evidence",
    "analysis",
    "finalize",
}

# One slot for the status in every state, so the elements below keep their places when the
# progress bar goes (otherwise the old tabs linger under the new ones until the run ends).
with st.container():
    if detail["status"] == "failed" and detail["stage"] == "language":
        # Not a failure: detection asks instead of guessing (worker/stages/language.py).
        st.warning(f"Which language is this? {escape_markdown(detail['error'] or '')}")
    elif detail["status"] == "failed":
        st.error(f"Failed at {detail['stage']}: {escape_markdown(detail['error'] or '')}")
    elif detail["status"] != "done":
        transcribed = detail["stage"] in AFTER_TRANSCRIPT
        if transcribed:
            st.info("The transcript is complete; the analysis is still running.")

        @st.fragment(run_every="2s")
        def live_progress() -> None:
            now = recording_progress(viewer, chosen)
            if now is None or now["status"] in ("done", "failed"):
                st.rerun()  # the whole page, now with the analysis or the error
            elif now["stage"] in AFTER_TRANSCRIPT and not transcribed:
                st.rerun()  # the transcript is stored: show it while the analysis runs
            else:
                st.progress(now["progress"] / 100, text=f"{now['stage'] or 'queued'}")

        live_progress()

draw_rerun_settings(viewer, detail)

audio = playable_audio(detail)
start = st.session_state.get(f"start-{chosen}", 0)
if audio is not None:
    lines = [(n, seg["start"], seg["end"]) for n, seg in enumerate(detail["segments"])]
    draw_player(audio, start, st.session_state.pop("autoplay", False), lines)


def play_from(seconds: float) -> None:
    st.session_state[f"start-{chosen}"] = seconds
    st.session_state["autoplay"] = True
    st.rerun()


speaker_names = {s["label"]: s["name"] for s in detail["speakers"]}
colours = {
    s["label"]: SPEAKER_COLOURS[i % len(SPEAKER_COLOURS)] for i, s in enumerate(detail["speakers"])
}
transcript_tab, analysis_tab, speakers_tab, raw_tab, export_tab = st.tabs(
    ["Transcript", "Analysis", "Speakers", "Model answers", "Export"]
)
with transcript_tab:
    draw_transcript(
        detail["segments"],
        lambda label: speaker_names.get(label or "", label or "?"),
        lambda label: colours.get(label or "", "gray"),
        play_from,
    )
    if detail.get("may_change") and detail["segments"]:
        draw_corrections(viewer, detail)
with analysis_tab:
    if st.toggle("Show unsupported", help="records the transcript does not support, marked"):
        detail = recording_detail(viewer, chosen, show_unsupported=True) or detail

    def play(seconds: float, key: str) -> None:
        if st.button(f"▶ {clock(seconds)}", key=key):
            play_from(seconds)

    for skipped in detail.get("skipped", []):
        st.info(f"{skipped['stage'].capitalize()} skipped: {escape_markdown(skipped['why'])}")

    draw_analysis(detail, speaker_names, play)
    draw_reports(viewer, detail, speaker_names)
with speakers_tab:
    totals = talk_time(detail)
    if totals:
        st.bar_chart(
            {"seconds": totals}, horizontal=True, x_label="seconds of speech", y_label="speaker"
        )
    if not detail.get("may_change"):
        st.caption("Only the uploader, the class's teacher or an admin can rename speakers.")
    for speaker in detail["speakers"] if detail.get("may_change") else []:
        suggested = speaker.get("suggested_name")
        if suggested and suggested != speaker["name"]:
            left, right = st.columns([5, 1])
            evidence = speaker.get("suggestion") or ""
            left.text(f"{speaker['name']} may be {suggested}: \u201c{evidence}\u201d")
            if right.button(
                f"Call {speaker['label']} {suggested}"[:40], key=f"accept-{speaker['label']}"
            ):
                st.toast(
                    escape_markdown(rename_speaker(viewer, chosen, speaker["label"], suggested))
                )
                st.rerun()
        with st.form(f"rename-{speaker['label']}"):
            new_name = st.text_input(f"Name for {speaker['label']}", value=speaker["name"])
            if st.form_submit_button("Rename"):
                st.toast(
                    escape_markdown(rename_speaker(viewer, chosen, speaker["label"], new_name))
                )
                st.rerun()
with raw_tab:
    unfinished = [r for r in detail.get("stage_runs", []) if r["status"] != "done"]
    flagged = detail.get("flagged", [])
    if not unfinished and not flagged:
        st.caption("Every stage finished and every model answer was understood.")
    for run in unfinished:
        st.text(f"{run['stage']} ({run['status']}): {run['error'] or ''}")
        st.code(run["raw_output"] or "", language=None)
    for run in flagged:
        how = "partly understood" if run["parse_status"] == "partial" else "not understood"
        st.write(
            f"{run['stage']}: the answer was {how} "
            f"({run['engine']}, prompt {run['prompt_version']})"
        )
        st.code(run["raw_output"] or "", language=None)
with export_tab:
    stem = detail["original_name"].rsplit(".", 1)[0]
    exported = subject_of(detail)
    for fmt, exporter in EXPORTERS.items():
        st.download_button(
            fmt.upper(),
            audited_export(viewer, exported, fmt, partial(exporter, detail)),
            file_name=f"{stem}.{fmt}",
            mime=MIME[fmt],
            key=f"export-{fmt}",
            on_click="ignore",
        )
    st.download_button(
        "DOCX",
        audited_export(viewer, exported, "docx", partial(to_docx, detail)),
        file_name=f"{stem}.docx",
        key="export-docx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
