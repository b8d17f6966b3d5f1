"""Recording page: audio player and transcript with speakers and timestamps."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from dashboard.queries import list_recordings, playable_audio, recording_detail

BadgeColour = Literal["blue", "green", "orange", "violet", "red", "gray"]
SPEAKER_COLOURS: tuple[BadgeColour, ...] = ("blue", "green", "orange", "violet", "red", "gray")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60:d}:{minutes % 60:02d}:{secs:02d}"


rows = list_recordings()
if not rows:
    st.info("No recordings yet.")
    st.stop()
ids = [r.id for r in rows]
requested = st.query_params.get("id")
default = (
    ids.index(int(requested)) if requested and requested.isdigit() and int(requested) in ids else 0
)
chosen = st.selectbox(
    "Recording",
    ids,
    index=default,
    format_func=lambda i: f"{i}: {next(r.name for r in rows if r.id == i)}",
)
st.query_params["id"] = str(chosen)
detail = recording_detail(chosen)
if detail is None:
    st.error("This recording no longer exists.")
    st.stop()

st.title(detail["original_name"])
st.caption(
    f"{detail['kind']} · {detail['status']} · {(detail['duration_s'] or 0):.1f} s · "
    f"language {detail['language'] or '?'}"
)
if detail["status"] == "failed":
    st.error(f"Failed at {detail['stage']}: {detail['error']}")
elif detail["status"] != "done":
    st.progress(detail["progress"] / 100, text=f"{detail['stage'] or 'queued'}")

audio = playable_audio(detail["content_hash"])
start = st.session_state.get(f"start-{chosen}", 0)
if audio is not None:
    st.audio(str(audio), start_time=int(start))

colours = {
    s["label"]: SPEAKER_COLOURS[i % len(SPEAKER_COLOURS)] for i, s in enumerate(detail["speakers"])
}
names = {s["label"]: s["name"] for s in detail["speakers"]}
st.subheader("Transcript")
for index, segment in enumerate(detail["segments"]):
    time_col, text_col = st.columns([1, 8])
    if time_col.button(_clock(segment["start"]), key=f"seek-{index}"):
        st.session_state[f"start-{chosen}"] = segment["start"]
        st.rerun()
    speaker = segment["speaker"]
    if speaker:
        text_col.badge(names.get(speaker, speaker), color=colours.get(speaker, "gray"))
    # st.text never interprets markup: transcript text is shown exactly as spoken words.
    text_col.text(segment["text"])
