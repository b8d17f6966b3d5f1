"""Voice profiles: a speaker named in one recording is recognised in the next recording of the
same team (two AMI excerpts with the same person), an enrolled student names their speaker in a
class recording, and a team that turns profiles off keeps none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from dashboard.actions import rename_speaker
from models.access import load_viewer
from models.accounts import Student, Team
from models.db import session_scope
from models.intake import RecordingMeta, accept_path
from models.people import add_student, create_class, create_team, create_user, remove_student
from models.runs import current_run
from models.settings import get_settings
from models.tables import Speaker
from models.voices import Match, VoiceProfile, best_matches, unit
from tests.conftest import DATA, run_cli, tingshuo_env
from tests.dashboard_fixtures import Org, as_shown, org, page
from worker.stages import diarize, ingest, speech
from worker.stages.runs import RunScope
from worker.stages.transcript import context

__all__ = ["org"]
FIRST, SECOND = DATA / "ami" / "trn06_0-30s.wav", DATA / "ami" / "trn09_0-30s.wav"


class _Profile:
    def __init__(self, profile_id: int, name: str, vector: list[float]) -> None:
        self.id, self.name, self.embedding, self.student_id = profile_id, name, vector, None


@pytest.mark.parametrize(
    ("voices", "expected"),
    [
        ({"A": [1, 0, 0]}, {"A": ("Sam", 1.0)}),
        ({"A": [0, 0, 1]}, {}),  # nobody close enough
        # Two speakers close to one profile: the closer one gets it, the other nothing.
        ({"A": [1, 0.1, 0], "B": [1, 0.3, 0]}, {"A": ("Sam", 0.995)}),
        ({"A": [1, 0.3, 0], "B": [0, 1, 0]}, {"A": ("Sam", 0.958), "B": ("Kim", 1.0)}),
    ],
)
def test_best_matches_gives_each_profile_once(
    voices: dict[str, list[float]], expected: dict[str, tuple[str, float]]
) -> None:
    profiles = [_Profile(1, "Sam", [1, 0, 0]), _Profile(2, "Kim", [0, 1, 0])]
    found = best_matches(voices, profiles, 0.9)  # type: ignore[arg-type]
    assert {k: (m.name, round(m.similarity, 3)) for k, m in found.items()} == expected
    assert all(isinstance(m, Match) for m in found.values())


@pytest.fixture
def voice_env(embedded_db: Path, whisper_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TINGSHUO_DIARIZATION_ENGINE", "cpu")
    get_settings.cache_clear()
    return embedded_db


def _diarized(path: Path, **meta: object) -> RunScope:
    intake = accept_path(path, get_settings(), RecordingMeta(**meta))  # type: ignore[arg-type]
    scope = RunScope(intake.recording_id, 1)
    ingest.run(scope)
    speech.run(scope)
    diarize.run(scope)
    return scope


def _speakers(scope: RunScope) -> list[Speaker]:
    with session_scope() as session:
        rows = list(
            session.scalars(
                select(Speaker)
                .where(Speaker.recording_id == scope.recording_id, current_run(Speaker))
                .order_by(Speaker.voice_s.desc())
            )
        )
        session.expunge_all()
    return rows


@pytest.mark.slow
def test_a_name_given_in_one_meeting_is_suggested_in_the_next(voice_env: Path) -> None:
    with session_scope() as session:
        team = create_team(session, "ami")
        owner = create_user(session, "lead", "long enough pw", "member")
        viewer = load_viewer(session, owner.id)
        team_id = team.id
    assert viewer is not None
    first = _diarized(FIRST, team_id=team_id, uploader_id=viewer.user_id, uploaded_by="lead")
    talker = _speakers(first)[0]  # FEE083 talks most in both excerpts
    assert talker.voice is not None and len(talker.voice) == 256
    assert (talker.voice_s or 0) >= 5
    assert np.isclose(np.linalg.norm(talker.voice), 1.0)
    said = rename_speaker(viewer, first.recording_id, talker.label, "Fiona")
    assert said == "renamed; voice remembered"

    second = _diarized(SECOND, team_id=team_id, uploader_id=viewer.user_id, uploaded_by="lead")
    suggested = {s.label: (s.suggested_name, s.suggestion) for s in _speakers(second)}
    fiona = [label for label, (name, _) in suggested.items() if name == "Fiona"]
    assert len(fiona) == 1, suggested
    assert suggested[fiona[0]][1].startswith("sounds like Fiona (voice match 0.9")
    # A suggestion only: nobody is renamed until a person accepts it.
    assert all(s.named_by is None for s in _speakers(second))


@pytest.mark.slow
def test_an_enrolled_student_names_their_speaker(voice_env: Path, tmp_path: Path) -> None:
    with session_scope() as session:
        create_user(session, "tina", "long enough pw", "teacher")
        school_class = create_class(session, "Y9", "tina")
        add_student(session, "Y9", "Fiona")
        class_id = school_class.id
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(voice_env))
    enrolled = run_cli("voices", "enroll", "Y9", "Fiona", str(FIRST), env=env)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "enrolled the voice of Fiona in class Y9" in " ".join(enrolled.stderr.split())
    missing = run_cli("voices", "enroll", "Y9", "Nobody", str(FIRST), env=env)
    assert missing.returncode == 1 and "no student 'Nobody' in class 'Y9'" in missing.stderr

    lesson = _diarized(SECOND, kind="lesson", class_id=class_id)
    named = [s for s in _speakers(lesson) if s.display_name == "Fiona"]
    assert len(named) == 1 and named[0].named_by == "voice profile"
    with session_scope() as session:
        fiona = session.scalar(select(Student.id).where(Student.name == "Fiona"))
    # Her pronunciation report is filed under her: the stage reads this mapping.
    assert context(lesson).students == {named[0].label: fiona}

    # Profiles go with the person.
    with session_scope() as session:
        remove_student(session, "Y9", "Fiona")
    with session_scope() as session:
        assert session.scalars(select(VoiceProfile)).all() == []


def test_teams_can_turn_profiles_off(embedded_db: Path) -> None:
    with session_scope() as session:
        team = create_team(session, "quiet")
        session.add(VoiceProfile(team_id=team.id, name="Sam", embedding=[1.0, 0.0], speech_s=9))
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(embedded_db))
    result = run_cli("voices", "off", "team", "quiet", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        " ".join(result.stderr.split())
        == "voice profiles for team quiet: off (1 profile(s) deleted)"
    )
    with session_scope() as session:
        assert session.scalar(select(Team.voice_profiles).where(Team.name == "quiet")) is False
        assert session.scalars(select(VoiceProfile)).all() == []
    assert run_cli("voices", "on", "class", "nope", env=env).returncode == 1


def test_unit_keeps_a_zero_vector_zero() -> None:
    assert list(unit([0.0, 0.0])) == [0.0, 0.0]
    assert np.isclose(np.linalg.norm(unit([3.0, 4.0])), 1.0)


def test_admin_forgets_a_voice_and_turns_a_class_off(org: Org) -> None:
    with session_scope() as session:
        red = session.scalar(select(Team.id).where(Team.name == "red"))
        session.add(VoiceProfile(team_id=red, name="Sam", embedding=[1.0, 0.0], speech_s=9))
        session.add(VoiceProfile(team_id=red, name="Kim", embedding=[0.0, 1.0], speech_s=9))
    app = page("admin.py", org, "root")
    next(b for b in app.button if b.label == "Forget this voice").click().run()
    assert [as_shown(s.value) for s in app.success] == ["forgot the voice of Sam (profile 1)"]
    app.selectbox(key="voices-group").select("team red").run()
    next(b for b in app.button if b.label == "Profiles off (deletes them)").click().run()
    assert [as_shown(s.value) for s in app.success] == [
        "voice profiles for team red: off (1 profile(s) deleted)"
    ]
    with session_scope() as session:
        assert session.scalars(select(VoiceProfile)).all() == []
        assert session.scalar(select(Team.voice_profiles).where(Team.name == "red")) is False


def test_a_teacher_enrols_a_student_from_their_lesson(org: Org) -> None:
    with session_scope() as session:
        speaker = session.scalars(
            select(Speaker).where(Speaker.recording_id == org.recordings["lesson"])
        ).one()
        speaker.voice, speaker.voice_s = [0.6, 0.8], 3.0
    app = page("students.py", org, "tina")
    next(b for b in app.button if b.label == "Enrol voice from this lesson").click().run()
    assert [t.value for t in app.toast] == ["only 3 s of speech: choose a longer lesson"]
    with session_scope() as session:
        session.execute(
            Speaker.__table__.update().values(voice_s=12.0)  # type: ignore[attr-defined]
        )
    next(b for b in app.button if b.label == "Enrol voice from this lesson").click().run()
    assert [as_shown(t.value) for t in app.toast] == ["enrolled the voice of Lin (12 s of speech)"]
    with session_scope() as session:
        profile = session.scalars(select(VoiceProfile)).one()
        assert (profile.name, profile.student_id, profile.class_id) == (
            "Lin",
            org.student_id,
            org.class_id,
        )
    from dashboard.student_notes import enrol_from_lesson
    from models.access import load_viewer

    with session_scope() as session:
        tom = load_viewer(session, org.users["tom"])
    assert tom is not None
    assert enrol_from_lesson(tom, "Lin", "Year 7", org.recordings["lesson"]) == "not found"
