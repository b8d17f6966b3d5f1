"""The language is decided once per run, asked about when unsure, and can be corrected by the
recording's owner, who then gets a transcript in the right language."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.actions import correct_and_rerun
from models.access import load_viewer
from models.db import session_scope
from models.intake import RecordingMeta, accept_path
from models.people import create_team, create_user
from models.serialize import full_recording
from models.settings import get_settings
from models.tables import Recording, StageRun
from tests.asr_metrics import normalise_english, wer
from tests.conftest import LIBRISPEECH, LIBRISPEECH_TEXT
from worker.stages import clips, diarize, finalize, ingest, language, speech
from worker.stages import transcribe as transcription
from worker.stages.language import Guess, LanguageUnsure, combine, unsure_reason
from worker.stages.runs import RunScope


@pytest.mark.parametrize(
    ("guess", "known", "expected"),
    [
        (Guess("en", 0.97, []), set(), None),
        (Guess("en", 0.97, []), {"en", "zh"}, None),
        (
            Guess("la", 0.41, []),
            set(),
            "The language is unclear: it sounds most like Latin (41% sure).",
        ),
        (
            Guess("de", 0.80, []),
            {"en"},
            "It sounds like German (80% sure), which this team or class has not used before "
            "(English).",
        ),
        (
            Guess("xx", 0.2, []),
            set(),
            "The language is unclear: it sounds most like xx (20% sure).",
        ),
    ],
)
def test_when_detection_asks_instead_of_guessing(
    guess: Guess, known: set[str], expected: str | None
) -> None:
    assert unsure_reason(guess, known, 0.6) == expected


def test_clip_guesses_are_weighed_by_their_length() -> None:
    guess = combine([[("en", 0.9), ("de", 0.1)], [("de", 0.8), ("en", 0.2)]], [20.0, 5.0])
    assert guess.language == "en"
    assert guess.probability == pytest.approx((0.9 * 20 + 0.2 * 5) / 25)
    assert guess.others[0][0] == "de"


@pytest.fixture
def language_env(embedded_db: Path, whisper_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TINGSHUO_WHISPER_MODEL", str(whisper_dir))
    monkeypatch.setenv("TINGSHUO_ANALYSIS_ENGINE", "none")
    monkeypatch.setenv("TINGSHUO_DIARIZATION_ENGINE", "none")
    get_settings.cache_clear()
    return embedded_db


def _transcribe(scope: RunScope) -> str:
    """The pipeline's stages up to the transcript, as the tasks call them."""
    ingest.run(scope)
    speech.run(scope)
    diarize.run(scope)
    indices = clips.run(scope)
    language.run(scope)
    transcription.run(scope, indices)
    finalize.run(scope)
    with session_scope() as session:
        detail = full_recording(session, scope.recording_id)
    assert detail is not None
    return str(detail["text"])


@pytest.mark.slow
def test_a_language_the_team_never_used_is_asked_about(language_env: Path) -> None:
    with session_scope() as session:
        team = create_team(session, "beijing office")
        # Its history speaks Chinese only.
        session.add(
            Recording(
                content_hash="c" * 64,
                original_name="old.wav",
                status="done",
                language="zh",
                team_id=team.id,
            )
        )
        team_id = team.id
    intake = accept_path(LIBRISPEECH, get_settings(), RecordingMeta(team_id=team_id))
    scope = RunScope(intake.recording_id, 1)
    ingest.run(scope)
    speech.run(scope)
    diarize.run(scope)
    clips.run(scope)
    with pytest.raises(LanguageUnsure) as asked:
        language.run(scope)
    message = str(asked.value)
    assert message.startswith("It sounds like English (")
    assert "which this team or class has not used before (Chinese)" in message
    assert message.endswith("Set the language on the recording's page and run it again.")


@pytest.mark.slow
def test_rerun_with_the_corrected_language_transcribes_in_it(language_env: Path) -> None:
    with session_scope() as session:
        owner = create_user(session, "mei", "long enough pw", "member")
        viewer = load_viewer(session, owner.id)
    assert viewer is not None
    # An English reading uploaded as Mandarin: transcribed as Mandarin (what Whisper writes
    # then varies: nothing, Chinese, or sometimes the English anyway).
    meta = RecordingMeta(language="zh", uploaded_by="mei", uploader_id=viewer.user_id)
    intake = accept_path(LIBRISPEECH, get_settings(), meta)
    _transcribe(RunScope(intake.recording_id, 1))
    assert _languages_heard(intake.recording_id, 1) == {"zh"}

    assert correct_and_rerun(viewer, intake.recording_id, "en", None, None) == "queued again"
    with session_scope() as session:
        recording = session.get(Recording, intake.recording_id)
        assert recording is not None and (recording.language, recording.generation) == ("en", 2)
    right = _transcribe(RunScope(intake.recording_id, 2))
    assert _languages_heard(intake.recording_id, 2) == {"en"}
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in right), right
    assert wer(normalise_english(LIBRISPEECH_TEXT), normalise_english(right)) < 0.2, right


def _languages_heard(recording_id: int, generation: int) -> set[str]:
    """The language each clip was transcribed in, from the stored raw Whisper answers."""
    import json

    with session_scope() as session:
        raws = session.scalars(
            select(StageRun.raw_output).where(
                StageRun.recording_id == recording_id,
                StageRun.generation == generation,
                StageRun.stage == "transcribe",
            )
        ).all()
    return {json.loads(raw)["language"] for raw in raws if raw}


def test_only_who_may_change_it_corrects_the_language(language_env: Path) -> None:
    with session_scope() as session:
        owner = create_user(session, "mei", "long enough pw", "member")
        other = create_user(session, "kai", "long enough pw", "member")
        viewers = load_viewer(session, owner.id), load_viewer(session, other.id)
    mei, kai = viewers
    assert mei is not None and kai is not None
    meta = RecordingMeta(uploaded_by="mei", uploader_id=mei.user_id)
    intake = accept_path(LIBRISPEECH, get_settings(), meta)
    with session_scope() as session:
        session.execute(
            Recording.__table__.update().values(status="done")  # type: ignore[attr-defined]
        )
    assert correct_and_rerun(kai, intake.recording_id, "en", None, None) == "not found"
    assert correct_and_rerun(mei, intake.recording_id, "english!", None, None) == (
        "a language is an ISO 639-1 code such as en or zh"
    )
    with session_scope() as session:
        assert session.scalar(select(Recording.language)) is None
