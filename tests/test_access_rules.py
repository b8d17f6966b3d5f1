"""Who may change what, and what a bad link shows (issue: access, found by reading the code)."""

from __future__ import annotations

import pytest

from dashboard.actions import delete, rename_speaker, retry
from models.access import load_viewer, may_change
from models.db import session_scope
from models.tables import Recording
from tests.dashboard_fixtures import Org, org, page

__all__ = ["org"]


@pytest.mark.parametrize(
    ("user", "recording", "allowed"),
    [
        ("alice", "red", True),  # her own upload
        ("tina", "red", False),  # same team, someone else's upload
        ("bob", "red", False),  # another team
        ("root", "red", True),  # admin
        ("tina", "lesson", True),  # the class's teacher
        ("tom", "lesson", False),  # another class's teacher
        ("alice", "lesson", False),
        ("root", "lesson", True),
    ],
)
def test_only_the_uploader_the_classs_teacher_or_an_admin_may_change(
    org: Org, user: str, recording: str, allowed: bool
) -> None:
    with session_scope() as session:
        viewer = load_viewer(session, org.users[user])
        row = session.get(Recording, org.recordings[recording])
        assert row is not None
        assert may_change(viewer, row) is allowed


def test_a_team_member_cannot_delete_retry_or_rename_a_colleagues_upload(org: Org) -> None:
    with session_scope() as session:
        tina = load_viewer(session, org.users["tina"])
    red = org.recordings["red"]
    assert delete(tina, red) == "not found"
    assert retry(tina, red) == "not found"
    assert rename_speaker(tina, red, "SPEAKER_00", "Boss") == "not found"
    with session_scope() as session:
        assert session.get(Recording, red) is not None


def test_the_library_offers_retry_and_delete_only_for_what_may_be_changed(org: Org) -> None:
    library = page("library.py", org, "tina")
    assert not library.exception
    offered = [box for box in library.selectbox if box.label == "Recording"]
    options = [str(o) for box in offered for o in box.options]
    assert any("lin-reading" in o for o in options), options
    assert not any("red-standup" in o for o in options), options


@pytest.mark.parametrize(
    "bad_id",
    ["9999999999999999999999", "2147483648", "-1", "0", "abc", "1e3", "١٢", "1 OR 1=1", " 1"],
)
def test_a_bad_recording_id_reads_recording_not_found(org: Org, bad_id: str) -> None:
    shown = page("recording.py", org, "root", id=bad_id)
    assert not shown.exception, shown.exception
    assert [e.value for e in shown.error] == ["Recording not found."]


@pytest.mark.parametrize(
    ("claims", "email"),
    [
        ({"email": "tina@school.test", "email_verified": True}, "tina@school.test"),
        ({"email": "tina@school.test", "email_verified": "true"}, "tina@school.test"),
        ({"email": "tina@school.test", "email_verified": False}, None),
        ({"email": "tina@school.test", "email_verified": "false"}, None),
        ({"email": "tina@school.test"}, None),  # the provider did not say
        ({"email": "", "email_verified": True}, None),
        ({}, None),
    ],
)
def test_single_sign_on_needs_an_email_the_provider_verified(
    claims: dict[str, object], email: str | None
) -> None:
    from dashboard.auth import verified_email

    assert verified_email(claims) == email


def test_an_unverified_email_does_not_log_in_even_when_the_account_exists(org: Org) -> None:
    from dashboard.auth import login_external
    from models.people import create_user

    with session_scope() as session:
        create_user(session, "tina@school.test", "a long enough password", role="teacher")
    assert login_external({"email": "tina@school.test", "email_verified": False}) is None
