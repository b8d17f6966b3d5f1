"""Every dashboard page through Streamlit's AppTest, as different users."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import LIBRISPEECH
from tests.dashboard_fixtures import HOSTILE, PASSWORD, Org, org, page

__all__ = ["org"]  # the fixture, imported for pytest

ALL_PAGES = [
    "library.py",
    "upload.py",
    "recording.py",
    "search.py",
    "students.py",
    "folders.py",
    "admin.py",
]


@pytest.mark.parametrize("name", ALL_PAGES)
def test_no_page_shows_anything_without_login(org: Org, name: str) -> None:
    app = page(name, org, None)
    assert not app.exception
    assert [w.value for w in app.warning] == ["Please log in."]
    assert not app.dataframe and not app.text


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("alice", ["notes.wav", "red-standup.wav"]),
        ("bob", ["blue-planning.wav"]),
        ("tina", ["notes.wav", "lin-reading.wav", "red-standup.wav"]),
        ("tom", []),
        ("root", ["notes.wav", "lin-reading.wav", "blue-planning.wav", "red-standup.wav"]),
    ],
)
def test_library_shows_only_what_each_user_may_see(
    org: Org, user: str, expected: list[str]
) -> None:
    app = page("library.py", org, user)
    assert not app.exception
    names = list(app.dataframe[0].value["name"]) if app.dataframe else []
    assert names == expected


def test_library_shows_status_progress_and_errors(org: Org) -> None:
    table = page("library.py", org, "alice").dataframe[0].value
    assert list(table["status"]) == ["failed", "done"]
    assert list(table["progress"]) == [0, 100]
    assert list(table["group"]) == ["red", "red"]
    assert "not an audio or video file" in table["error"][0]


def test_library_filters_by_status(org: Org) -> None:
    app = page("library.py", org, "root")
    app.selectbox[1].select("failed").run()
    assert list(app.dataframe[0].value["name"]) == ["notes.wav"]


@pytest.mark.parametrize(
    ("user", "recording", "visible"),
    [
        ("alice", "red", True),
        ("alice", "blue", False),
        ("bob", "red", False),
        ("alice", "lesson", False),
        ("tina", "lesson", True),
        ("tom", "lesson", False),
        ("root", "lesson", True),
    ],
)
def test_recording_page_by_url_respects_rights(
    org: Org, user: str, recording: str, visible: bool
) -> None:
    app = page("recording.py", org, user, id=str(org.recordings[recording]))
    assert not app.exception
    if visible:
        assert app.title[0].value.endswith(".wav")
    else:
        assert [e.value for e in app.error] == ["Recording not found."]
        assert not app.title and not app.text


def test_transcript_is_plain_text_with_speakers_and_seek_buttons(org: Org) -> None:
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    texts = [t.value for t in app.text]
    assert texts[:2] == ["We ship the release on Friday.", HOSTILE]  # the transcript tab first
    assert "The red team planned the spring release." in texts  # then the analysis tab
    assert not any(HOSTILE in m.value for m in app.markdown), "never rendered as markup"
    seek = [b.label for b in app.button if str(b.key).startswith("seek-")]
    assert seek == ["0:00:00", "0:00:04"]
    # Both lines are one speaker's: one paragraph, one name badge over both times.
    badges = [m.value for m in app.markdown if m.value.startswith(":blue-badge")]
    assert len(badges) == 1, badges


@pytest.mark.parametrize(
    ("stage", "transcript_shown"),
    [("transcribe", False), ("sentiment", True), ("finalize", True)],
)
def test_the_transcript_shows_while_the_analysis_still_runs(
    org: Org, stage: str, transcript_shown: bool
) -> None:
    from sqlalchemy import update

    from models.db import session_scope
    from models.tables import Recording

    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == org.recordings["red"])
            .values(status="running", current_stage=stage, progress=90)
        )
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    assert not app.exception
    notes = [i.value for i in app.info]
    said = "We ship the release on Friday." in [t.value for t in app.text]
    assert said  # what is stored is drawn; the note says whether it is complete
    assert ("The transcript is complete; the analysis is still running." in notes) == (
        transcript_shown
    )


def test_a_long_transcript_is_drawn_one_part_at_a_time(org: Org) -> None:
    from models.db import session_scope
    from models.tables import Segment, Speaker

    with session_scope() as session:
        speaker = session.query(Speaker).filter_by(recording_id=org.recordings["red"]).one()
        session.add_all(
            Segment(
                recording_id=org.recordings["red"],
                speaker_id=speaker.id,
                start_s=10.0 + 5 * i,
                end_s=14.0 + 5 * i,
                text=f"line {i}",
            )
            for i in range(448)
        )
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    assert not app.exception
    [part] = [s for s in app.selectbox if s.key == "transcript-part"]
    assert part.options == ["0:00:00 to 0:16:39", "0:16:40 to 0:33:19", "0:33:20 to 0:37:29"]
    texts = [t.value for t in app.text]
    assert "line 197" in texts and "line 198" not in texts
    app = part.select_index(2).run()
    texts = [t.value for t in app.text]
    assert "line 447" in texts and "line 0" not in texts


def test_failed_recording_explains_itself(org: Org) -> None:
    app = page("recording.py", org, "alice", id=str(org.recordings["failed"]))
    assert "Failed at ingest" in app.error[0].value


def test_speaker_rename_changes_the_display_name_everywhere(org: Org) -> None:
    from dashboard.actions import rename_speaker
    from dashboard.auth import current_viewer  # noqa: F401 - the page path is exercised below
    from dashboard.queries import recording_detail
    from models.access import load_viewer
    from models.db import session_scope

    with session_scope() as session:
        alice, bob = (load_viewer(session, org.users[u]) for u in ("alice", "bob"))
    assert alice is not None and bob is not None
    assert rename_speaker(bob, org.recordings["red"], "SPEAKER_00", "Mallory") == "not found"
    assert rename_speaker(alice, org.recordings["red"], "SPEAKER_00", "Alice Chen") == "renamed"
    detail = recording_detail(alice, org.recordings["red"])
    assert detail is not None and detail["speakers"][0]["name"] == "Alice Chen"


@pytest.mark.parametrize(
    ("user", "query", "found"),
    [
        # the transcript line and the summary both mention the release
        ("alice", "release", ["red-standup.wav", "red-standup.wav"]),
        ("bob", "release", []),
        ("bob", "budget", ["blue-planning.wav"]),
        ("alice", "budget", []),
        ("tina", "dragons", ["lin-reading.wav"]),
        ("tom", "dragons", []),
        ("alice", "spring release", ["red-standup.wav"]),
        ("bob", "spring release", []),
        ("alice", "invoices", ["red-standup.wav"]),
        ("bob", "invoices", []),
    ],
)
def test_search_finds_only_visible_transcripts(
    org: Org, user: str, query: str, found: list[str]
) -> None:
    app = page("search.py", org, user, via_app=True)
    app.text_input[0].input(query).run()
    assert not app.exception
    links = [link for link in app.main.page_link if "recording" in link.proto.page]
    labels = [link.label.split(" at ")[0].replace("\\", "") for link in links]
    assert labels == found


def test_students_page_is_for_teachers_only(org: Org) -> None:
    assert "not available" in page("students.py", org, "alice").error[0].value
    app = page("students.py", org, "tina")
    assert list(app.dataframe[0].value["student"]) == ["Lin"]
    assert page("students.py", org, "tom").info[0].value.startswith("No lessons")


@pytest.mark.parametrize("name", ["folders.py", "admin.py"])
def test_admin_pages_refuse_everyone_else(org: Org, name: str) -> None:
    for user in ("alice", "tina"):
        assert "not available" in page(name, org, user).error[0].value
    assert not page(name, org, "root").exception


def test_upload_checks_rights_server_side(org: Org) -> None:
    from dashboard.actions import upload
    from models.access import load_viewer
    from models.db import session_scope
    from models.intake import RecordingMeta

    with session_scope() as session:
        alice, tina, tom = (load_viewer(session, org.users[u]) for u in ("alice", "tina", "tom"))
    assert alice and tina and tom
    audio = LIBRISPEECH.read_bytes()
    cases = [
        (alice, RecordingMeta(kind="meeting", team_id=org.team_ids["blue"]), "not a member"),
        (alice, RecordingMeta(kind="lesson", class_id=org.class_id), "only teachers"),
        (tom, RecordingMeta(kind="lesson", class_id=org.class_id), "do not teach"),
        (
            tina,
            RecordingMeta(kind="lesson", class_id=org.class_id, student_id=999),
            "not in the chosen",
        ),
    ]
    for viewer, form, message in cases:
        outcome = upload(viewer, io.BytesIO(audio), "x.wav", form)
        assert not outcome.ok and message in outcome.message
    ok = upload(
        tina,
        io.BytesIO(audio),
        "lin.wav",
        RecordingMeta(
            kind="lesson",
            class_id=org.class_id,
            student_id=org.student_id,
            reference_text="It was the first great sorrow",
        ),
    )
    assert ok.ok and ok.message == "queued"
    # The same content in alice's own space is her own recording: she learns nothing of the
    # lesson, and her copy is processed for her.
    again = upload(alice, io.BytesIO(audio), "copy.wav", RecordingMeta(kind="meeting"))
    assert again.ok and again.message == "queued" and again.recording_id != ok.recording_id


def test_delete_removes_rows_and_files(org: Org, embedded_db: Path) -> None:
    from dashboard.actions import delete, upload
    from dashboard.queries import list_recordings
    from models.access import load_viewer
    from models.db import session_scope
    from models.intake import RecordingMeta

    with session_scope() as session:
        alice, bob = (load_viewer(session, org.users[u]) for u in ("alice", "bob"))
    assert alice and bob
    outcome = upload(alice, io.BytesIO(LIBRISPEECH.read_bytes()), "talk.wav", RecordingMeta())
    assert outcome.recording_id is not None
    assert delete(bob, outcome.recording_id) == "not found"
    files = list((embedded_db / "files").rglob("original"))
    assert len(files) == 1
    assert delete(alice, outcome.recording_id) == "deleted"
    assert not files[0].exists()
    assert outcome.recording_id not in [r.id for r in list_recordings(alice)]


def test_upload_page_offers_only_the_users_own_groups(org: Org) -> None:
    member = page("upload.py", org, "alice")
    assert [r.options for r in member.radio] == [["meeting"]]
    assert member.selectbox[0].options == ["only me", "red"]
    teacher = page("upload.py", org, "tina")
    teacher.radio[0].set_value("lesson").run()
    assert teacher.selectbox[0].options == ["Year 7"]
    assert teacher.selectbox[1].options == ["whole class", "Lin"]


def test_folders_page_shows_watched_folders_and_scans(org: Org) -> None:
    from models.db import session_scope
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
    app = page("folders.py", org, "root")
    folders, scans = (frame.value for frame in app.dataframe)
    assert list(folders["export"]) == ["beside each file"]
    assert (scans["found"][0], scans["queued"][0], scans["failed"][0]) == (3, 1, 1)
    assert "the file is empty" in scans["problems"][0]


def test_admin_page_creates_accounts(org: Org) -> None:
    app = page("admin.py", org, "root")
    assert "alice" in list(app.dataframe[0].value["username"])
    app.text_input[0].input("carol")
    app.text_input[1].input("short")
    app.button[0].click().run()
    assert "at least 10 characters" in app.error[0].value
    app.text_input[0].input("carol")
    app.text_input[1].input(PASSWORD)
    app.selectbox[0].select("teacher")
    app.text_input[2].input("green")
    app.button[0].click().run()
    assert [s.value for s in app.success] == ["created carol in team green"]
    users = page("admin.py", org, "root").dataframe[0].value
    carol = users[users["username"] == "carol"].iloc[0]
    assert (carol["role"], carol["teams"]) == ("teacher", "green")


def test_recording_page_offers_every_export_and_builds_none_until_asked(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models import exports

    built: list[str] = []

    def counted(name: str, exporter):  # type: ignore[no-untyped-def]
        def build(recording):  # type: ignore[no-untyped-def]
            built.append(name)
            return exporter(recording)

        return build

    for name, exporter in list(exports.EXPORTERS.items()):
        monkeypatch.setitem(exports.EXPORTERS, name, counted(name, exporter))
    monkeypatch.setattr(exports, "to_docx", counted("docx", exports.to_docx))
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    labels = [button.label for button in app.get("download_button")]
    assert labels == ["TXT", "SRT", "VTT", "JSON", "MD", "DOCX"]
    assert built == [], "an export is built when it is downloaded, not on every rerun"


def test_a_teacher_follows_one_students_scores_across_two_lessons(org: Org) -> None:
    from models.analysis import PronunciationScore
    from models.db import session_scope
    from models.tables import Recording

    with session_scope() as session:
        second = Recording(
            content_hash="e" * 64,
            original_name="lin-week2.wav",
            kind="lesson",
            status="done",
            class_id=org.class_id,
            student_id=org.student_id,
            uploader_id=org.users["tina"],
        )
        session.add(second)
        session.flush()
        for recording_id, overall, words in (
            (org.recordings["lesson"], 62.0, ["dragons"]),
            (second.id, 78.0, ["stories"]),
        ):
            session.add(
                PronunciationScore(
                    recording_id=recording_id,
                    student_id=org.student_id,
                    status="ok",
                    overall=overall,
                    accuracy=overall,
                    fluency=70.0,
                    completeness=100.0,
                    prosody=60.0,
                    mispronounced=words,
                    feedback="Keep practising the r sound.",
                )
            )
    app = page("students.py", org, "tina")
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["overall"]) == [62.0, 78.0]
    assert "Mispronounced: stories" in [t.value for t in app.text]
    assert "not available" in page("students.py", org, "bob").error[0].value


def test_a_report_scored_on_part_of_a_long_speaker_says_so(org: Org) -> None:
    from models.analysis import PronunciationScore
    from models.db import session_scope

    with session_scope() as session:
        session.add(
            PronunciationScore(
                recording_id=org.recordings["lesson"],
                student_id=org.student_id,
                status="ok",
                overall=70.0,
                mispronounced=[],
                sources={"sample": {"speech_s": 7200.0, "scored_s": 600.0}},
            )
        )
    app = page("recording.py", org, "tina", id=str(org.recordings["lesson"]))
    assert not app.exception
    assert "Scored on the first 10 min of this speaker's 120 min of speech." in [
        c.value for c in app.caption
    ]


def test_a_form_cannot_claim_another_uploader_or_lane(org: Org) -> None:
    from dashboard.actions import upload
    from models.access import load_viewer
    from models.db import session_scope
    from models.intake import RecordingMeta
    from models.tables import Recording

    with session_scope() as session:
        alice = load_viewer(session, org.users["alice"])
    assert alice is not None
    forged = RecordingMeta(
        kind="meeting",
        uploaded_by="mallory",
        uploader_id=org.users["bob"],
        lane="batch",
        source_path="/etc/passwd",
    )
    outcome = upload(alice, io.BytesIO(LIBRISPEECH.read_bytes()), "talk.wav", forged)
    assert outcome.ok
    with session_scope() as session:
        stored = session.get(Recording, outcome.recording_id)
        assert stored is not None
        assert (stored.uploaded_by, stored.uploader_id) == ("alice", org.users["alice"])
        assert (stored.lane, stored.source_path) == ("interactive", None)
