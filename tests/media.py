"""Making test media with ffmpeg from the real recordings in tests/data."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


def convert(src: Path, dest: Path, *codec_args: str) -> Path:
    ffmpeg("-i", str(src), *codec_args, str(dest))
    return dest


def truncated_copy(src: Path, dest: Path, keep_fraction: float) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep_fraction)])
    return dest


def repeated_with_pauses(src: Path, dest: Path, times: int, pause_s: float) -> Path:
    """``src`` said ``times`` times with ``pause_s`` of silence between: a long recording."""
    parts = []
    inputs: list[str] = []
    for i in range(times):
        inputs += ["-i", str(src)]
        parts.append(f"[{i}:a]aresample=16000,apad=pad_dur={pause_s}[a{i}]")
    concat = "".join(f"[a{i}]" for i in range(times)) + f"concat=n={times}:v=0:a=1[out]"
    ffmpeg(
        *inputs,
        "-filter_complex",
        ";".join([*parts, concat]),
        "-map",
        "[out]",
        "-ac",
        "1",
        "-ar",
        "16000",
        str(dest),
    )
    return dest


def video_without_audio(dest: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x64:d=2", "-c:v", "mpeg4", str(dest))
    return dest


def silence(dest: Path, seconds: float) -> Path:
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", str(seconds), str(dest))
    return dest
