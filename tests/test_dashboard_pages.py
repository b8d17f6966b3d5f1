"""Dashboard pages through Streamlit's AppTest, on a seeded embedded database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from models.db import session_scope
from models.tables import Recording, Segment, Speaker
from tests.conftest import LIBRISPEECH, ROOT

PAGES = ROOT / "dashboard" / "app_pages"
HOSTILE = '<script>alert("owned")</script> **bold** [link](http://example.invalid)'


@pytest.fixture
def seeded(embedded_db: Path) -> dict[str, int]:
    with session_scope() as session:
        done = Recording(
            content_hash="a" * 64,
            original_name="standup.wav",
            kind="meeting",
            status="done",
            progress=100,
            duration_s=12.0,
            language="en",
        )
        failed = Recording(
            content_hash="b" * 64,
            original_name="notes.wav",
            kind="lesson",
            status="failed",
            current_stage="ingest",
            error="not an audio or video file that can be read",
        )
        session.add_all([done, failed])
        session.flush()
        speaker = Speaker(recording_id=done.id, label="SPEAKER_00", display_name="Alice")
        session.add(speaker)
        session.flush()
        session.add_all(
            [
                Segment(
                    recording_id=done.id,
                    speaker_id=speaker.id,
                    start_s=0.0,
                    end_s=4.0,
                    text="We ship the release on Friday.",
                ),
                Segment(
                    recording_id=done.id,
                    speaker_id=speaker.id,
                    start_s=4.0,
                    end_s=8.0,
                    text=HOSTILE,
                ),
            ]
        )
        return {"done": done.id, "failed": failed.id}


def test_library_lists_recordings_with_status_and_progress(seeded: dict[str, int]) -> None:
    app = AppTest.from_file(str(PAGES / "library.py"), default_timeout=30).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["name"]) == ["notes.wav", "standup.wav"]
    assert list(table["status"]) == ["failed", "done"]
    assert list(table["progress"]) == [0, 100]
    assert "not an audio or video file" in table["error"][0]


def test_library_filters_by_kind(seeded: dict[str, int]) -> None:
    app = AppTest.from_file(str(PAGES / "library.py"), default_timeout=30).run()
    app.selectbox[0].select("meeting").run()
    assert list(app.dataframe[0].value["name"]) == ["standup.wav"]


def test_empty_library_says_how_to_start(embedded_db: Path) -> None:
    app = AppTest.from_file(str(PAGES / "library.py"), default_timeout=30).run()
    assert "No recordings yet" in app.info[0].value


def test_recording_page_shows_transcript_with_speakers_as_plain_text(
    seeded: dict[str, int],
) -> None:
    app = AppTest.from_file(str(PAGES / "recording.py"), default_timeout=30)
    app.query_params["id"] = str(seeded["done"])
    app.run()
    assert not app.exception
    assert app.title[0].value == "standup.wav"
    texts = [t.value for t in app.text]
    assert texts == ["We ship the release on Friday.", HOSTILE]
    assert not any(HOSTILE in m.value for m in app.markdown), (
        "transcript must never be rendered as markup"
    )
    assert [b.label for b in app.button] == ["0:00:00", "0:00:04"]


def test_recording_page_explains_a_failure(seeded: dict[str, int]) -> None:
    app = AppTest.from_file(str(PAGES / "recording.py"), default_timeout=30)
    app.query_params["id"] = str(seeded["failed"])
    app.run()
    assert "Failed at ingest" in app.error[0].value


def test_upload_action_queues_and_deduplicates(embedded_db: Path) -> None:
    from dashboard.actions import upload
    from worker.intake import RecordingMeta

    META = RecordingMeta(kind="meeting", uploaded_by="alice")

    first = upload(io.BytesIO(LIBRISPEECH.read_bytes()), "talk.wav", META)
    second = upload(io.BytesIO(LIBRISPEECH.read_bytes()), "again.wav", META)
    empty = upload(io.BytesIO(b""), "empty.wav", META)
    assert first.ok and first.message == "queued"
    assert second.ok and "already uploaded" in second.message
    assert not empty.ok and "empty" in empty.message


def test_upload_page_draws_its_form(embedded_db: Path) -> None:
    app = AppTest.from_file(str(PAGES / "upload.py"), default_timeout=30).run()
    assert not app.exception
    assert [r.options for r in app.radio] == [["meeting", "lesson"]]


def test_folders_page_shows_watched_folders_and_their_scans(embedded_db: Path) -> None:
    from models.folders import FolderScan, WatchedFolder

    with session_scope() as session:
        folder = WatchedFolder(
            path="/srv/recordings", every_s=60, kind="lesson", export_enabled=True
        )
        session.add(folder)
        session.flush()
        session.add(
            FolderScan(
                folder_id=folder.id,
                found=3,
                queued=1,
                skipped=1,
                waiting=0,
                failed=1,
                errors='["/srv/recordings/x.wav: the file is empty"]',
            )
        )
    app = AppTest.from_file(str(PAGES / "folders.py"), default_timeout=30).run()
    assert not app.exception
    folders, scans = (frame.value for frame in app.dataframe)
    assert list(folders["path"]) == ["/srv/recordings"]
    assert list(folders["export"]) == ["beside each file"]
    assert (scans["found"][0], scans["queued"][0], scans["failed"][0]) == (3, 1, 1)
    assert "the file is empty" in scans["problems"][0]
