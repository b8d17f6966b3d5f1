"""Admins change accounts and groups in the dashboard and the CLI, and each change says what
it changed: disable, reset a password (one-time, shown once), remove from a team or class, a
group's default language; watched folders can be stopped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from models.accounts import SchoolClass, Student, Team, TeamMember, User
from models.db import session_scope
from models.folders import WatchedFolder
from models.intake import RecordingMeta, accept_stream
from models.settings import get_settings
from tests.conftest import LIBRISPEECH, run_cli, tingshuo_env
from tests.dashboard_fixtures import Org, as_shown, login_cookie, org, page
from tests.test_sessions import logged_out, tab

__all__ = ["org"]


def said(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [as_shown(s.value) for s in app.success]


def test_admin_disables_an_account_and_its_logins_end(org: Org) -> None:
    bob = tab(login_cookie(org.users["bob"]))
    app = page("admin.py", org, "root")
    app.selectbox(key="account").select("bob").run()
    next(b for b in app.button if b.label == "Disable").click().run()
    assert said(app) == ["disabled bob and ended 1 open login(s)"]
    assert logged_out(bob.run())
    next(b for b in app.button if b.label == "Enable").click().run()
    assert said(app) == ["enabled bob"]


def test_admin_cannot_disable_themselves(org: Org) -> None:
    app = page("admin.py", org, "root")
    app.selectbox(key="account").select("root").run()
    assert next(b for b in app.button if b.label == "Disable").disabled


def test_admin_reset_shows_a_one_time_password_once(org: Org) -> None:
    app = page("admin.py", org, "root")
    app.selectbox(key="account").select("alice").run()
    next(b for b in app.button if b.label == "Reset password").click().run()
    shown = [c.value for c in app.code]
    assert len(shown) == 1 and shown[0].startswith("alice: ")
    app.run()
    assert not app.code  # shown once
    with session_scope() as session:
        assert session.scalar(select(User.must_change_password).where(User.username == "alice"))


def test_admin_removes_a_member_and_a_student(org: Org) -> None:
    app = page("admin.py", org, "root")
    app.selectbox(key="group").select("team red").run()
    remove = next(s for s in app.selectbox if s.label == "Member")
    remove.select("alice").run()
    next(b for b in app.button if b.label == "Remove").click().run()
    assert said(app) == ["removed alice from team red"]
    with session_scope() as session:
        red = session.scalar(select(Team.id).where(Team.name == "red"))
        members = session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == red))
        assert org.users["alice"] not in set(members)
    app.selectbox(key="group").select("class Year 7").run()
    next(s for s in app.selectbox if s.label == "Student").select("Lin").run()
    next(b for b in app.button if b.label == "Remove").click().run()
    assert said(app) == ["removed Lin from class Year 7"]
    with session_scope() as session:
        assert session.scalars(select(Student)).all() == []


def test_a_team_default_language_applies_to_its_uploads(org: Org) -> None:
    app = page("admin.py", org, "root")
    app.selectbox(key="language-group").select("team red").run()
    next(t for t in app.text_input if t.label.startswith("Language")).input("zh")
    next(b for b in app.button if b.label == "Set language").click().run()
    assert said(app) == ["team red: default language zh"]
    with LIBRISPEECH.open("rb") as stream:
        intake = accept_stream(
            stream, "x.flac", get_settings(), RecordingMeta(team_id=org.team_ids["red"])
        )
    from models.tables import Recording

    with session_scope() as session:
        recording = session.get(Recording, intake.recording_id)
        assert recording is not None and recording.language == "zh"
    next(t for t in app.text_input if t.label.startswith("Language")).input("klingon!")
    next(b for b in app.button if b.label == "Set language").click().run()
    assert [e.value for e in app.error] == ["a language is an ISO 639-1 code such as en or zh"]


def test_people_page_is_for_admins_only(org: Org) -> None:
    for user in ("alice", "tina"):
        assert "not available" in page("admin.py", org, user).error[0].value


def test_cli_changes_say_what_they_changed(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))

    def cli(*args: str, stdin: str | None = None) -> tuple[str, str]:
        result = run_cli(*args, env=env, stdin=None if stdin is None else stdin.encode())
        assert result.returncode == 0, result.stderr
        return result.stdout, " ".join(result.stderr.split())

    cli("users", "create", "tina", "--teacher", "--password-stdin", stdin="long enough pw\n")
    cli("users", "create", "sam", "--password-stdin", stdin="long enough pw\n")
    assert cli("teams", "create", "red")[1] == "created team red"
    assert cli("teams", "add", "red", "sam")[1] == "added sam to team red"
    assert (
        cli("classes", "create", "Y7", "--teacher", "tina")[1] == "created class Y7, taught by tina"
    )
    assert cli("classes", "add-student", "Y7", "Lin")[1] == "added Lin to class Y7"
    assert cli("teams", "language", "red", "en")[1] == "team red: default language en"
    assert cli("classes", "language", "Y7", "auto")[1] == "class Y7: default language detect"
    out, err = cli("users", "reset-password", "sam")
    assert err == "reset the password of sam and ended their logins"
    assert re.fullmatch(r"one-time password for sam: \S{16}  \(shown once\)\n", out)
    assert cli("users", "disable", "sam")[1] == "disabled sam and ended 0 open login(s)"
    assert cli("users", "disable", "sam")[1] == "sam is already disabled"
    assert cli("users", "enable", "sam")[1] == "enabled sam"
    assert cli("teams", "remove", "red", "sam")[1] == "removed sam from team red"
    assert cli("classes", "remove-student", "Y7", "Lin")[1] == "removed Lin from class Y7"
    failed = run_cli("teams", "remove", "red", "sam", env=env)
    assert failed.returncode == 1 and "'sam' is not in team 'red'" in failed.stderr

    folder = tmp_path / "inbox"
    folder.mkdir()
    cli("watch", "add", str(folder), "--every", "60")
    assert cli("watch", "stop", "1")[1] == f"folder 1 ({folder}) is now not watched"
    assert "stopped" in cli("watch", "list")[0]
    assert cli("watch", "resume", "1")[1] == f"folder 1 ({folder}) is now watched"
    missing = run_cli("watch", "stop", "9", env=env)
    assert missing.returncode == 1 and "no watched folder 9" in missing.stderr


@pytest.mark.parametrize("button", ["Stop watching", "Watch again"])
def test_admin_stops_and_resumes_watching_a_folder(org: Org, tmp_path: Path, button: str) -> None:
    with session_scope() as session:
        session.add(
            WatchedFolder(path=str(tmp_path), every_s=60, enabled=button != "Stop watching")
        )
    app = page("folders.py", org, "root")
    next(b for b in app.button if b.label == button).click().run()
    with session_scope() as session:
        enabled = session.scalar(select(WatchedFolder.enabled))
    assert enabled is (button == "Watch again")
    assert list(app.dataframe[0].value["watching"]) == ["yes" if enabled else "stopped"]


def test_removing_a_student_keeps_their_lessons_with_the_class(org: Org) -> None:
    from models.people import remove_student
    from models.tables import Recording

    with session_scope() as session:
        remove_student(session, "Year 7", "Lin")
    with session_scope() as session:
        lesson = session.get(Recording, org.recordings["lesson"])
        assert lesson is not None and lesson.student_id is None
        assert lesson.class_id == session.scalar(
            select(SchoolClass.id).where(SchoolClass.name == "Year 7")
        )
