"""Data protection: ids never reused, deduplication within a scope, deletion of every file,
retention, consent and the audit log."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from dashboard import actions
from models.access import Viewer, load_viewer
from models.audit import AuditEvent, recent_events
from models.base import utcnow
from models.db import session_scope
from models.errors import RejectedUpload
from models.folders import WatchedFolder
from models.intake import RecordingMeta, accept_stream
from models.lifecycle import apply_retention, delete_recording
from models.people import set_requires_consent, set_retention
from models.settings import get_settings
from models.storage import original_path, recording_dir
from models.tables import Recording
from tests.conftest import run_cli, tingshuo_env
from tests.dashboard_fixtures import Org, org, page

__all__ = ["org"]

WAV_BYTES = b"RIFF" + os.urandom(2000)


def _viewer(org: Org, username: str) -> Viewer:
    with session_scope() as session:
        viewer = load_viewer(session, org.users[username])
    assert viewer is not None
    return viewer


def _accept(data: bytes, **meta: object) -> int:
    form = RecordingMeta(**meta)  # type: ignore[arg-type]
    return accept_stream(io.BytesIO(data), "take.wav", get_settings(), form).recording_id


def _remove(recording_id: int) -> None:
    delete_recording(recording_id, get_settings(), actor="test", user_id=None, reason="delete")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_deleted_recordings_id_is_never_given_to_another(
    backend: str, embedded_db: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend == "postgres":
        from migrations import upgrade_head
        from models.db import dispose_engines

        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("TINGSHUO_DATABASE_URL", url)
        get_settings.cache_clear()
        dispose_engines()
        upgrade_head()
    first = _accept(b"one" * 100)
    last = _accept(b"two" * 100)
    _remove(last)
    # SQLite without AUTOINCREMENT hands out max(id) + 1 again: the deleted one's id.
    assert _accept(b"three" * 100) > last > first


def test_the_same_file_in_two_teams_is_two_recordings_with_one_stored_copy(org: Org) -> None:
    red = RecordingMeta(kind="meeting", team_id=org.team_ids["red"])
    blue = RecordingMeta(kind="meeting", team_id=org.team_ids["blue"])
    alice = actions.upload(_viewer(org, "alice"), io.BytesIO(WAV_BYTES), "a.wav", red)
    bob = actions.upload(_viewer(org, "bob"), io.BytesIO(WAV_BYTES), "b.wav", blue)
    assert alice.ok and bob.ok and alice.message == bob.message == "queued"
    assert alice.recording_id != bob.recording_id  # bob learns nothing about alice's copy
    again = actions.upload(_viewer(org, "tina"), io.BytesIO(WAV_BYTES), "c.wav", red)
    assert again.message == f"this file was already uploaded as recording {alice.recording_id}"

    with session_scope() as session:
        content_hash = session.get(Recording, alice.recording_id).content_hash  # type: ignore[union-attr]
    stored = original_path(get_settings(), content_hash)
    assert stored.read_bytes() == WAV_BYTES
    assert actions.delete(_viewer(org, "alice"), alice.recording_id) == "deleted"  # type: ignore[arg-type]
    assert stored.exists(), "bob's recording still uses the stored audio"
    assert actions.delete(_viewer(org, "bob"), bob.recording_id) == "deleted"  # type: ignore[arg-type]
    assert not recording_dir(get_settings(), content_hash).exists()


def test_deleting_a_watched_folder_recording_removes_its_exports(org: Org, tmp_path: Path) -> None:
    source = tmp_path / "inbox" / "standup.wav"
    source.parent.mkdir()
    source.write_bytes(WAV_BYTES)
    exports = tmp_path / "exports"
    with session_scope() as session:
        folder = WatchedFolder(
            path=str(source.parent),
            export_enabled=True,
            export_dir=str(exports),
            export_formats="txt,srt",
        )
        session.add(folder)
        session.flush()
        folder_id = folder.id
    recording_id = _accept(WAV_BYTES, watch_folder_id=folder_id, source_path=str(source))
    exports.mkdir()
    written = [exports / "standup.txt", exports / "standup.srt"]
    for path in written:
        path.write_text("exported")
    (exports / "other.txt").write_text("not ours")
    _remove(recording_id)
    assert not any(path.exists() for path in written)
    assert (exports / "other.txt").exists() and source.exists(), "only what it produced goes"


def _age(recording_id: int, days: int) -> None:
    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == recording_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )


def test_retention_deletes_what_is_older_than_its_groups_setting_after_a_dry_run(
    org: Org,
) -> None:
    with session_scope() as session:
        set_retention(session, "team", "red", 30)
        set_retention(session, "class", "Year 7", 365)
    for recording_id in org.recordings.values():
        _age(recording_id, 40)
    settings = get_settings()
    red = {org.recordings["red"], org.recordings["failed"]}

    planned = apply_retention(settings, dry_run=True)
    assert sorted(planned) == sorted(
        f"would delete recording {i} ({n}): older than 30 days"
        for i, n in [
            (org.recordings["red"], "red-standup.wav"),
            (org.recordings["failed"], "notes.wav"),
        ]
    )
    with session_scope() as session:
        assert len(session.scalars(select(Recording)).all()) == 4, "a dry run deletes nothing"

    done = apply_retention(settings, dry_run=False)
    assert len(done) == 2 and all(line.startswith("deleted recording") for line in done)
    with session_scope() as session:
        left = set(session.scalars(select(Recording.id)))
    # Blue has no retention and there is no default: kept. The lesson's class keeps a year.
    assert left == set(org.recordings.values()) - red


def test_the_default_retention_applies_where_a_group_says_nothing_and_is_audited_for_lessons(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINGSHUO_RETENTION_DAYS", "7")
    get_settings.cache_clear()
    _age(org.recordings["lesson"], 8)
    assert apply_retention(get_settings(), dry_run=False) == [
        f"deleted recording {org.recordings['lesson']} (lin-reading.wav): older than 7 days"
    ]
    events = recent_events(recording_id=org.recordings["lesson"])
    assert [(e["who"], e["action"]) for e in events] == [("retention", "retention")]


def test_the_retention_command_lists_before_it_deletes(org: Org) -> None:
    _age(org.recordings["blue"], 3)
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(get_settings().data_dir), TINGSHUO_RETENTION_DAYS="2")
    dry = run_cli("retention", "run", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert f"would delete recording {org.recordings['blue']}" in dry.stdout
    real = run_cli("retention", "run", env=env)
    assert f"deleted recording {org.recordings['blue']}" in real.stdout
    with session_scope() as session:
        assert session.get(Recording, org.recordings["blue"]) is None


def test_a_class_that_requires_consent_refuses_a_lesson_without_it(org: Org) -> None:
    with session_scope() as session:
        set_requires_consent(session, "Year 7", True)
    lesson = RecordingMeta(kind="lesson", class_id=org.class_id, student_id=org.student_id)
    with pytest.raises(RejectedUpload, match="requires a note of consent"):
        _accept(WAV_BYTES, **lesson.__dict__)
    refused = actions.upload(_viewer(org, "tina"), io.BytesIO(WAV_BYTES), "l.wav", lesson)
    assert not refused.ok and "consent" in refused.message
    moment = actions.consent_moment(utcnow().date())
    told = RecordingMeta(
        **{
            **lesson.__dict__,
            "consent_who": "Lin and her parents",
            "consent_how": "letter home",
            "consent_at": moment,
        }
    )
    accepted = actions.upload(_viewer(org, "tina"), io.BytesIO(WAV_BYTES), "l.wav", told)
    assert accepted.ok
    with session_scope() as session:
        stored = session.get(Recording, accepted.recording_id)
        assert stored is not None
        assert (stored.consent_who, stored.consent_how) == ("Lin and her parents", "letter home")
        assert stored.consent_at is not None
    # A class that does not require it takes lessons without one.
    with session_scope() as session:
        set_requires_consent(session, "Year 7", False)
    assert actions.upload(_viewer(org, "tina"), io.BytesIO(WAV_BYTES + b"x"), "m.wav", lesson).ok


def test_views_exports_changes_and_deletions_of_lessons_are_audited_and_only_admins_read_it(
    org: Org,
) -> None:
    lesson = org.recordings["lesson"]
    page("recording.py", org, "tina", id=str(lesson))
    page("recording.py", org, "alice", id=str(org.recordings["red"]))  # a meeting: not logged
    page("students.py", org, "tina")
    assert actions.rename_speaker(_viewer(org, "tina"), lesson, "SPEAKER_00", "Lin") == "renamed"
    from dashboard.audit_trail import audited_export, subject_of

    # What a download button holds: built, and logged, only when the file is asked for.
    download = audited_export(
        _viewer(org, "tina"), subject_of({"id": lesson, "kind": "lesson"}), "srt", lambda: "1"
    )
    assert recent_events(recording_id=lesson)[0]["action"] == "change", "not logged yet"
    assert download() == "1"
    assert actions.delete(_viewer(org, "root"), lesson) == "deleted"

    with session_scope() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        seen = [(e.actor, e.action, e.recording_id, e.student_id) for e in events]
    assert seen == [
        ("tina", "view", lesson, org.student_id),
        ("tina", "view", None, org.student_id),
        ("tina", "change", lesson, org.student_id),
        ("tina", "export", lesson, None),
        ("root", "delete", lesson, org.student_id),
    ]
    admin_page = page("admin.py", org, "root")
    logged = [frame for frame in admin_page.dataframe if "action" in frame.value.columns]
    assert list(logged[0].value["action"]) == ["delete", "export", "change", "view", "view"]
    assert "not available" in page("admin.py", org, "tina").error[0].value


def test_the_audit_command_prints_the_log_for_a_recording(org: Org) -> None:
    lesson = org.recordings["lesson"]
    page("recording.py", org, "tina", id=str(lesson))
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(get_settings().data_dir))
    shown = run_cli("audit", "--recording", str(lesson), env=env)
    assert shown.returncode == 0, shown.stderr
    assert '"who": "tina", "action": "view"' in shown.stdout


@pytest.mark.slow
def test_deleting_a_recording_leaves_the_data_folder_as_it_was(
    tmp_path: Path, whisper_dir: Path
) -> None:
    """The real pipeline on the embedded default, then ``tingshuo delete``."""
    import json

    from tests.conftest import LIBRISPEECH

    data = tmp_path / "data"
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(data), TINGSHUO_WHISPER_MODEL=str(whisper_dir))
    assert run_cli("migrate", env=env).returncode == 0

    def recording_files() -> set[str]:
        # The database, the local broker's queue and the worker lock are the installation's.
        return {str(p.relative_to(data)) for p in (data / "files").rglob("*") if p.is_file()}

    before = recording_files()
    shown = json.loads(run_cli("process", str(LIBRISPEECH), "--wait", "--json", env=env).stdout)
    assert shown[0]["status"] == "done"
    produced = recording_files() - before
    assert {Path(p).name for p in produced} >= {"original", "audio.wav"}
    deleted = run_cli("delete", str(shown[0]["id"]), "--yes", env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert recording_files() == before
    assert run_cli("show", str(shown[0]["id"]), env=env).returncode != 0
    assert run_cli("delete", str(shown[0]["id"]), "--yes", env=env).returncode == 1
