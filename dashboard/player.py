"""The recording's player: speed, and the transcript line being played highlighted.

``st.audio`` has neither, so a zero-height script (same origin as the page) finds the page's
audio element, sets its playback rate and, as it plays, marks the line container whose times
hold the current moment (containers are keyed ``line-N``, which Streamlit renders as the CSS
class ``st-key-line-N``). Nothing the user typed reaches the script: only numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

SPEEDS = (0.75, 1.0, 1.25, 1.5, 2.0)
HIGHLIGHT = "rgba(255, 200, 0, 0.25)"


def draw_player(
    audio: Path, start_s: float, autoplay: bool, lines: list[tuple[int, float, float]]
) -> float:
    """Draw the player at ``start_s``; ``lines``: (line number, start, end). Returns the speed."""
    kind = "audio/mpeg" if audio.suffix == ".mp3" else "audio/wav"
    st.audio(str(audio), format=kind, start_time=int(start_s), autoplay=autoplay)
    speed = st.segmented_control(
        "Playback speed", SPEEDS, default=1.0, format_func=lambda s: f"{s:g}×", key="speed"
    )
    rate = float(speed or 1.0)
    spans = [[number, round(start, 2), round(end, 2)] for number, start, end in lines]
    script = f"""<script>
const doc = window.parent.document;
const spans = {json.dumps(spans)};
const rate = {json.dumps(rate)};
function mark(audio) {{
  const now = audio.currentTime;
  for (const [n, start, end] of spans) {{
    const box = doc.querySelector('.st-key-line-' + n);
    if (box) box.style.background = (now >= start && now < end) ? '{HIGHLIGHT}' : '';
  }}
}}
function attach() {{
  const audio = doc.querySelector('audio');
  if (!audio) {{ setTimeout(attach, 300); return; }}
  audio.playbackRate = rate;
  audio.defaultPlaybackRate = rate;
  if (!audio.dataset.tingshuoMarks) {{
    audio.dataset.tingshuoMarks = '1';
    audio.addEventListener('timeupdate', () => mark(audio));
    audio.addEventListener('ratechange', () => {{}});
  }}
  mark(audio);
}}
attach();
</script>"""
    components.html(script, height=0)
    return rate
