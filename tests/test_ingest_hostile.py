"""Hostile and damaged uploads: each ends with a clear error, nothing is written outside the
data folder, and nothing else on the machine is read.

Cases are derived from real speech with a fixed seed, so a failure names a reproducible case.
"""

from __future__ import annotations

import io
import random
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import session_scope
from models.errors import TingshuoError
from models.intake import RecordingMeta, accept_stream
from models.settings import get_settings
from models.tables import Recording
from tests.conftest import LIBRISPEECH
from tests.media import convert
from worker.errors import AudioTooLongError, NotAudioError
from worker.stages.ingest import decode

LIMITS = {"max_duration_s": 600.0, "min_duration_s": 0.1}
SEED = 20261130
FUZZ_CASES = 36


def _mutations(original: bytes, other: bytes) -> list[tuple[str, bytes]]:
    """Truncated, bit-flipped, header-swapped and concatenated copies of real audio."""
    rng = random.Random(SEED)
    cases: list[tuple[str, bytes]] = []
    for n in range(FUZZ_CASES):
        data = bytearray(original)
        how = ("truncate", "flip", "swap-header", "concatenate")[n % 4]
        if how == "truncate":
            data = data[: rng.randint(0, len(data) - 1)]
        elif how == "flip":
            for _ in range(rng.randint(1, 64)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif how == "swap-header":
            cut = rng.randint(4, 512)
            data = bytearray(other[:cut]) + data[cut:]
        else:
            data = data + bytearray(other) + data[: rng.randint(0, 4096)]
        cases.append((f"{n}-{how}", bytes(data)))
    return cases


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("sources")
    return {
        suffix: convert(LIBRISPEECH, folder / f"speech{suffix}", *args).read_bytes()
        for suffix, args in [(".mp3", ["-b:a", "32k"]), (".m4a", ["-c:a", "aac"]), (".flac", [])]
    }


@pytest.mark.parametrize("suffix", [".mp3", ".m4a", ".flac"])
def test_mutated_real_audio_decodes_or_fails_with_a_clear_error(
    sources: dict[str, bytes], suffix: str, tmp_path: Path
) -> None:
    other = sources[".mp3" if suffix != ".mp3" else ".flac"]
    outcomes: dict[str, str] = {}
    for name, data in _mutations(sources[suffix], other):
        case = tmp_path / name
        case.mkdir()
        src = case / f"upload{suffix}"
        src.write_bytes(data)
        dest = case / "out" / "audio.wav"
        try:
            info = decode(src, dest, **LIMITS)
        except TingshuoError as exc:  # a clear, named error; anything else fails the test
            message = str(exc)
            assert message and str(case) not in message, f"{name}: {message}"
            assert not dest.exists(), f"{name}: a failed decode left its output"
            outcomes[name] = type(exc).__name__
        else:
            assert 0 < info.duration_s <= LIMITS["max_duration_s"] + 1, name
            outcomes[name] = "decoded"
        written = {p.relative_to(case) for p in case.rglob("*") if p.is_file()}
        assert written <= {Path(f"upload{suffix}"), Path("out/audio.wav")}, f"{name}: {written}"
    assert len(outcomes) == FUZZ_CASES


def _silence(path: Path, seconds: int, *codec: str) -> Path:
    source = ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", str(seconds)]
    subprocess.run(["ffmpeg", "-v", "error", *source, *codec, str(path)], check=True)
    return path


@pytest.mark.parametrize(
    ("suffix", "minutes", "codec"),
    # FLAC: three hours of silence in a few hundred kilobytes. Opus is slow to encode here, so
    # its bomb is half an hour against the same ten-minute limit.
    [(".flac", 180, []), (".ogg", 30, ["-c:a", "libopus", "-b:a", "6k"])],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    tmp_path: Path, suffix: str, minutes: int, codec: list[str]
) -> None:
    bomb = _silence(tmp_path / f"bomb{suffix}", minutes * 60, *codec)
    assert bomb.stat().st_size < 2 * 1024 * 1024, "a small file"
    dest = tmp_path / "out.wav"
    with pytest.raises(AudioTooLongError, match=f"{minutes}.0 min long; the limit is 10 min"):
        decode(bomb, dest, **LIMITS)
    assert not dest.exists() and not list(tmp_path.glob("*.partial.wav"))


def _playlist(tmp_path: Path, target: str) -> Path:
    path = tmp_path / "meeting.mp3"  # the name says audio; the content is a playlist
    path.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{target}\n#EXT-X-ENDLIST\n")
    return path


def _concat_script(tmp_path: Path, target: str) -> Path:
    path = tmp_path / "meeting.wav"
    path.write_text(f"ffconcat version 1.0\nfile '{target}'\n")
    return path


@pytest.mark.parametrize("make", [_playlist, _concat_script], ids=["hls", "ffconcat"])
@pytest.mark.parametrize("where", ["local", "url"])
def test_a_playlist_or_concat_file_never_reads_another_file_or_url(
    tmp_path: Path, make: Callable[[Path, str], Path], where: str
) -> None:
    # Another team's recording on the same machine: its words must never reach this upload.
    secret = convert(LIBRISPEECH, tmp_path / "another-teams-recording.wav")
    target = str(secret) if where == "local" else "http://127.0.0.1:9/segment.ts"
    dest = tmp_path / "out" / "audio.wav"
    with pytest.raises(NotAudioError, match="not an audio or video file"):
        decode(make(tmp_path, target), dest, **LIMITS)
    assert not dest.exists()


NAMES = [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("bell\x07and\x1b[31mred.wav", "belland[31mred.wav"),
    ("\u202eevil\u202d.wav", "evil.wav"),
    ("a" * 1000 + ".wav", "a" * 255),
    ("", "unnamed"),
]


@pytest.mark.parametrize(("typed", "shown"), NAMES)
def test_an_uploaded_name_is_made_safe_and_never_used_as_a_path(
    embedded_db: Path, typed: str, shown: str
) -> None:
    before = {p for p in Path("/").glob("*")}
    data = LIBRISPEECH.read_bytes() + typed.encode("utf-8", "surrogatepass")
    intake = accept_stream(io.BytesIO(data), typed, get_settings(), RecordingMeta())
    with session_scope() as session:
        recording = session.get(Recording, intake.recording_id)
        assert recording is not None
        assert recording.original_name == shown
    files = [p for p in embedded_db.rglob("*") if p.is_file() and p.name == "original"]
    assert len(files) == 1 and files[0].parent.name == recording.content_hash
    assert {p for p in Path("/").glob("*")} == before


class CutOff(io.RawIOBase):
    """An upload whose connection drops after ``limit`` bytes."""

    def __init__(self, data: bytes, limit: int) -> None:
        self.data, self.limit, self.sent = data, limit, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.limit:
            raise ConnectionResetError("the browser went away")
        chunk = self.data[self.sent : self.sent + min(size if size > 0 else 65536, 65536)]
        self.sent += len(chunk)
        return chunk


def test_an_upload_cut_off_half_way_leaves_no_recording_and_no_partial_file(
    embedded_db: Path,
) -> None:
    data = LIBRISPEECH.read_bytes()
    with pytest.raises(ConnectionResetError):
        accept_stream(CutOff(data, len(data) // 2), "talk.wav", get_settings(), RecordingMeta())
    with session_scope() as session:
        assert session.scalars(select(Recording)).all() == []
    assert [p for p in embedded_db.rglob("*") if p.is_file() and "files" in p.parts] == []
    # The whole file, sent again, is accepted as new.
    again = accept_stream(io.BytesIO(data), "talk.wav", get_settings(), RecordingMeta())
    assert again.created


@pytest.mark.slow
def test_the_worker_keeps_working_after_a_hostile_file(tmp_path: Path, whisper_dir: Path) -> None:
    from tests.conftest import cli_json, tingshuo_env

    playlist = _playlist(tmp_path, str(LIBRISPEECH))
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"), TINGSHUO_WHISPER_MODEL=str(whisper_dir)
    )
    shown = cli_json("process", str(playlist), str(LIBRISPEECH), "--wait", "--json", env=env)
    assert [r["status"] for r in shown] == ["failed", "done"]
    assert "not an audio or video file" in shown[0]["error"]
    assert shown[1]["segments"], "the good file after it was transcribed"
