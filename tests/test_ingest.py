"""Ingest decodes every common container and rejects bad input with a clear, named error."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf

from tests.conftest import LIBRISPEECH
from tests.media import convert, silence, truncated_copy, video_without_audio
from worker.errors import (
    AudioTooLongError,
    AudioTooShortError,
    CorruptAudioError,
    EmptyFileError,
    NotAudioError,
)
from worker.stages.ingest import decode

LIMITS = {"max_duration_s": 3600.0, "min_duration_s": 0.1}


@pytest.mark.parametrize(
    ("suffix", "codec_args"),
    [
        (".mp3", ["-b:a", "64k"]),
        (".flac", []),
        (".ogg", ["-c:a", "libvorbis"]),
        (".m4a", ["-c:a", "aac"]),
        (".webm", ["-c:a", "libopus"]),
        (".wav", ["-ac", "2", "-ar", "44100"]),
        (".mp4", ["-f", "lavfi", "-i", "color=c=black:s=64x64:d=9", "-shortest", "-c:a", "aac"]),
    ],
)
def test_common_containers_decode_to_16k_mono(
    tmp_path: Path, suffix: str, codec_args: list[str]
) -> None:
    src = convert(LIBRISPEECH, tmp_path / f"in{suffix}", *codec_args)
    info = decode(src, tmp_path / "out.wav", **LIMITS)
    out = sf.info(str(tmp_path / "out.wav"))
    assert (out.samplerate, out.channels) == (16000, 1)
    assert info.duration_s == pytest.approx(8.73, abs=0.15)


def _text_as_wav(tmp: Path) -> Path:
    path = tmp / "notes.wav"
    path.write_text("these are meeting notes, not audio\n" * 20)
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "empty.wav"
    path.write_bytes(b"")
    return path


def _truncated_mp3(tmp: Path) -> Path:
    return truncated_copy(
        convert(LIBRISPEECH, tmp / "full.mp3", "-b:a", "64k"), tmp / "cut.mp3", 0.4
    )


def _header_only_mp3(tmp: Path) -> Path:
    return truncated_copy(
        convert(LIBRISPEECH, tmp / "full.mp3", "-b:a", "64k"), tmp / "cut.mp3", 0.005
    )


def _random_bytes(tmp: Path) -> Path:
    path = tmp / "noise.m4a"
    path.write_bytes(bytes(range(256)) * 64)
    return path


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (_text_as_wav, NotAudioError, "not an audio or video file"),
        (_empty, EmptyFileError, "empty"),
        (_truncated_mp3, CorruptAudioError, "truncated"),
        (_header_only_mp3, NotAudioError, "not an audio or video file"),
        (_random_bytes, NotAudioError, "not an audio or video file"),
        (lambda tmp: video_without_audio(tmp / "silent.mp4"), NotAudioError, "no audio track"),
        (lambda tmp: silence(tmp / "blip.wav", 0.02), AudioTooShortError, "no audio"),
    ],
    ids=[
        "text-renamed-wav",
        "zero-bytes",
        "truncated-mp3",
        "header-only-mp3",
        "random-bytes",
        "video-without-audio",
        "too-short",
    ],
)
def test_bad_input_is_rejected_with_a_clear_error(tmp_path: Path, make, error, message) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out.wav"
    with pytest.raises(error, match=message) as caught:
        decode(make(tmp_path), dest, **LIMITS)
    assert str(tmp_path) not in str(caught.value), "storage paths must not leak into messages"
    assert not dest.exists()
    assert not list(tmp_path.glob("*.partial.wav"))


def test_too_long_is_rejected_before_decoding(tmp_path: Path) -> None:
    with pytest.raises(AudioTooLongError, match="limit"):
        decode(LIBRISPEECH, tmp_path / "out.wav", max_duration_s=5.0, min_duration_s=0.1)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("2026-03-02T10:15:00.000000Z", "2026-03-02T10:15:00+00:00"),
        ("1970-01-01T00:00:00Z", None),  # a zeroed clock is not when anyone recorded it
        ("2999-01-01T00:00:00Z", None),
        (None, None),
    ],
)
def test_the_container_says_when_it_was_recorded(
    tmp_path: Path, tag: str | None, expected: str | None
) -> None:
    import subprocess

    src = tmp_path / "phone.m4a"
    metadata = ["-metadata", f"creation_time={tag}"] if tag else []
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(LIBRISPEECH), *metadata, "-c:a", "aac", str(src)],
        check=True,
    )
    info = decode(src, tmp_path / "out.wav", max_duration_s=600, min_duration_s=0.1)
    assert (info.created_at.isoformat() if info.created_at else None) == expected
