"""What ffprobe says about a media file, read the same careful way by intake (the declared
length, to refuse an over-long upload at once) and by the ingest stage (everything)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

# The containers people record in, by ffmpeg demuxer name. Nothing else is opened: playlists
# (hls) and concat scripts would make ffmpeg read other files on this machine (another team's
# recording) or fetch URLs, and raw or exotic demuxers guess at arbitrary bytes.
DEMUXERS = (
    "wav,w64,mp3,flac,ogg,matroska,mov,aac,ac3,eac3,amr,amrnb,amrwb,aiff,caf,asf,avi,"
    "mpeg,mpegts,flv,au,wv"
)
# Only the uploaded file itself is read: no network, no pipes, no other protocol.
INPUT_LIMITS = ("-format_whitelist", DEMUXERS, "-protocol_whitelist", "file")
ENTRIES = (
    "format=format_name,duration:format_tags=creation_time:stream=codec_type,codec_name,duration"
)


def run_ffprobe(path: Path) -> subprocess.CompletedProcess[str]:
    options = ("-v", "error", "-of", "json", "-show_entries", ENTRIES)
    return subprocess.run(
        ["ffprobe", *INPUT_LIMITS, *options, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def declared_duration_s(info: dict[str, Any]) -> float | None:
    """The length the first audio stream (else the container) declares, if any."""
    audio = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    stream = audio[0] if audio else {}
    return positive(stream.get("duration")) or positive(info.get("format", {}).get("duration"))


def declared_length_of(path: Path) -> float | None:
    """The declared length of a file, or None when ffprobe cannot tell (ingest says why)."""
    result = run_ffprobe(path)
    if result.returncode != 0:
        return None
    try:
        return declared_duration_s(json.loads(result.stdout or "{}"))
    except json.JSONDecodeError:
        return None


def too_long(duration_s: float, limit_s: float) -> str:
    return f"the recording is {duration_s / 60:.1f} min long; the limit is {limit_s / 60:.0f} min"
