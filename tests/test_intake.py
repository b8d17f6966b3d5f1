"""Server-side validation at the edge: dedupe by content, safe names, size limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import session_scope
from models.intake import RecordingMeta, accept_path, accept_stream, safe_display_name
from models.settings import get_settings
from models.storage import original_path
from models.tables import Recording
from tests.conftest import LIBRISPEECH
from worker.errors import RejectedUpload


def test_same_content_under_two_names_is_one_recording(embedded_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "renamed copy.wav"
    copy.write_bytes(LIBRISPEECH.read_bytes())
    first = accept_path(LIBRISPEECH, get_settings(), RecordingMeta(kind="meeting"))
    second = accept_path(copy, get_settings(), RecordingMeta(kind="lesson"))
    assert first.created and not second.created
    assert first.recording_id == second.recording_id
    with session_scope() as session:
        assert session.scalar(select(func.count(Recording.id))) == 1
        recording = session.get(Recording, first.recording_id)
        assert recording is not None
        assert (
            original_path(get_settings(), recording.content_hash).read_bytes()
            == LIBRISPEECH.read_bytes()
        )


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\talk.mp3", "talk.mp3"),
        ("evil\x00name\n.wav", "evilname.wav"),
        ("", "unnamed"),
        ("会议记录.m4a", "会议记录.m4a"),
        ("x" * 400 + ".wav", "x" * 255),
    ],
)
def test_uploaded_names_are_made_safe_to_show(given: str, shown: str) -> None:
    assert safe_display_name(given) == shown


def test_oversized_upload_fails_with_a_message_and_stores_nothing(
    embedded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINGSHUO_MAX_UPLOAD_BYTES", "1000")
    get_settings.cache_clear()
    intake = accept_stream(io.BytesIO(b"\x01" * 5000), "big.wav", get_settings())
    assert intake.status == "failed"
    assert intake.error is not None and "over the upload limit" in intake.error
    assert not list(get_settings().files_dir.rglob("original"))
    assert not list(get_settings().files_dir.rglob("*.part"))


def test_empty_upload_fails_at_once(embedded_db: Path) -> None:
    intake = accept_stream(io.BytesIO(b""), "empty.wav", get_settings())
    assert (intake.status, intake.error) == ("failed", "the file is empty (0 bytes)")


def test_unknown_kind_is_refused(embedded_db: Path) -> None:
    with pytest.raises(RejectedUpload, match="kind"):
        accept_stream(io.BytesIO(b"abc"), "a.wav", get_settings(), RecordingMeta(kind="podcast"))


def test_a_folder_is_not_a_file(embedded_db: Path, tmp_path: Path) -> None:
    with pytest.raises(RejectedUpload, match="not a file"):
        accept_path(tmp_path, get_settings())


def test_an_upload_longer_than_the_duration_limit_is_refused_at_once(
    embedded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    monkeypatch.setenv("TINGSHUO_MAX_DURATION_S", "600")
    get_settings.cache_clear()
    long_file = tmp_path / "all-day.flac"
    silence = ("-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "1800")
    subprocess.run(["ffmpeg", "-v", "error", *silence, str(long_file)], check=True)
    intake = accept_path(long_file, get_settings(), RecordingMeta())
    assert (intake.created, intake.status) == (True, "failed")
    assert intake.error == "the recording is 30.0 min long; the limit is 10 min"
    with session_scope() as session:
        recording = session.get(Recording, intake.recording_id)
        assert recording is not None and recording.current_stage == "upload"
        assert not original_path(get_settings(), recording.content_hash).exists()
    # Within the limit, or of no length ffprobe can read, it is accepted (ingest decides).
    assert accept_path(LIBRISPEECH, get_settings(), RecordingMeta()).status == "queued"
