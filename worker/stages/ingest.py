"""Ingest: validate any audio/video container with ffprobe and decode it to 16 kHz mono WAV;
the stage stores the duration and format on the recording."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import soundfile as sf

from models.base import as_utc
from models.db import session_scope
from models.media import INPUT_LIMITS, declared_duration_s, run_ffprobe, too_long
from models.records import AudioInfo
from models.settings import get_settings
from models.storage import audio_path, original_path, player_path
from worker.errors import (
    AudioTooLongError,
    AudioTooShortError,
    CorruptAudioError,
    EmptyFileError,
    NotAudioError,
)
from worker.stages.audio import SAMPLE_RATE
from worker.stages.runs import RunScope, guard, stage_run

log = logging.getLogger(__name__)

# A decode this much shorter than the container declares means the file was cut off.
TRUNCATION_TOLERANCE_S = 1.0
TRUNCATION_TOLERANCE_FRACTION = 0.05


def _last_line(text: str, *paths: Path) -> str:
    """ffmpeg's last complaint, without our storage paths (they mean nothing to the uploader)."""
    for path in paths:
        text = text.replace(str(path), "input")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no details"


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's view of the file; NotAudioError when it is not media at all."""
    result = run_ffprobe(path)
    if result.returncode != 0:
        raise NotAudioError(
            f"not an audio or video file that can be read ({_last_line(result.stderr, path)})"
        )
    info: dict[str, Any] = json.loads(result.stdout or "{}")
    return info


def decode(src: Path, dest: Path, *, max_duration_s: float, min_duration_s: float) -> AudioInfo:
    """Decode ``src`` to 16 kHz mono PCM WAV at ``dest`` (written atomically)."""
    if src.stat().st_size == 0:
        raise EmptyFileError("the file is empty (0 bytes)")
    info = probe(src)
    audio_streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio_streams:
        kinds = sorted({s.get("codec_type", "?") for s in info.get("streams", [])})
        what = f"only {', '.join(kinds)} streams" if kinds else "no streams"
        raise NotAudioError(f"the file has no audio track ({what})")
    stream = audio_streams[0]
    fmt = info.get("format", {})
    declared = declared_duration_s(info)
    if declared is not None and declared > max_duration_s:
        raise AudioTooLongError(too_long(declared, max_duration_s))

    tmp = dest.with_suffix(".partial.wav")
    dest.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            *INPUT_LIMITS,
            "-i",
            str(src),
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-c:a",
            "pcm_s16le",
            "-t",
            str(max_duration_s + 1),
            "-f",
            "wav",
            str(tmp),
        ],
        capture_output=True,
        text=True,
        timeout=max(600, int(max_duration_s / 4)),
        check=False,
    )
    if result.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        raise CorruptAudioError(
            f"the audio could not be decoded ({_last_line(result.stderr, src, tmp)})"
        )
    try:
        decoded = sf.info(str(tmp)).duration
    except RuntimeError as exc:
        tmp.unlink(missing_ok=True)
        raise CorruptAudioError(f"the decoded audio is unreadable ({exc})") from exc

    problem: Exception | None = None
    if decoded < min_duration_s:
        problem = AudioTooShortError(f"the file holds no audio to process ({decoded:.2f} s)")
    elif decoded > max_duration_s:
        problem = AudioTooLongError(too_long(decoded, max_duration_s))
    elif declared is not None and declared - decoded > max(
        TRUNCATION_TOLERANCE_S, TRUNCATION_TOLERANCE_FRACTION * declared
    ):
        problem = CorruptAudioError(
            f"the file is truncated or damaged: it declares {declared:.1f} s "
            f"but only {decoded:.1f} s could be decoded"
        )
    if problem is not None:
        tmp.unlink(missing_ok=True)
        raise problem
    os.replace(tmp, dest)
    return AudioInfo(
        duration_s=decoded,
        sample_rate=SAMPLE_RATE,
        source_format=str(fmt.get("format_name", "unknown")),
        source_codec=str(stream.get("codec_name", "unknown")),
        declared_duration_s=declared,
        created_at=_created_at((fmt.get("tags") or {}).get("creation_time")),
    )


def _created_at(value: Any) -> datetime | None:
    """The container's own creation time (phones and recorders write it), if it is sane."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = as_utc(moment)
    # Zeroed clocks (1904, 1970) and dates in the future are not when anyone recorded this.
    return moment if datetime(1990, 1, 1, tzinfo=UTC) < moment <= datetime.now(UTC) else None


def player_copy(audio: Path, player: Path) -> None:
    """A compressed copy for the dashboard's player (MP3, 48 kbit/s mono: about 21 MB an
    hour where the decoded WAV is 115 MB). Without it the player falls back to the WAV."""
    partial = player.with_name(f".{player.name}.partial")
    mp3 = ("-ac", "1", "-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3")
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(audio), *mp3, str(partial)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode == 0 and partial.exists():
        os.replace(partial, player)
    else:
        partial.unlink(missing_ok=True)
        log.warning("no player copy: %s", _last_line(result.stderr, audio, partial))


def run(scope: RunScope) -> None:
    settings = get_settings()
    with session_scope() as session:
        content_hash = guard(session, scope).content_hash
    with stage_run(scope, "ingest", engine="ffmpeg") as handle:
        info = decode(
            original_path(settings, content_hash),
            audio_path(settings, content_hash),
            max_duration_s=settings.max_duration_s,
            min_duration_s=settings.min_duration_s,
        )
        handle.raw_output = (
            f"format={info.source_format} codec={info.source_codec} "
            f"declared={info.declared_duration_s} decoded={info.duration_s:.3f}"
        )
        player_copy(audio_path(settings, content_hash), player_path(settings, content_hash))
    with session_scope() as session:
        recording = guard(session, scope)
        recording.duration_s = info.duration_s
        recording.source_format = f"{info.source_format}/{info.source_codec}"[:64]
        recording.recorded_at = info.created_at
        recording.error = None
