"""Names of the people heard, given at upload: kept clean, told to Whisper so that it spells
them, and never at the cost of speech (table-driven where it can be)."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
import soundfile as sf
from sqlalchemy import select

from models.db import session_scope
from models.intake import RecordingMeta, accept_path, accept_stream, people_named
from models.records import PlannedClip, TimeSpan
from models.settings import get_settings
from models.tables import Clip, Recording
from tests.conftest import DATA, LIBRISPEECH, cli_json, tingshuo_env
from tests.dashboard_fixtures import Org, org, page
from worker.engines.whisper import HeardWord
from worker.errors import RejectedUpload
from worker.stages.filled_windows import clips_holding, unheard_speech, with_clips_read_again

__all__ = ["org"]  # the dashboard fixture, used by the page tests below

SKIPPED_WITH_NAMES = DATA / "people" / "release-checklist.wav"
LAUNCH_REVIEW = DATA / "meetings" / "launch-review.wav"
HOSTILE_NAME = "<script>alert(1)</script> **Kate**"


@pytest.mark.parametrize(
    ("given", "names"),
    [
        ("Kate, Omar", ["Kate", "Omar"]),
        ("Kate;Omar\nNina", ["Kate", "Omar", "Nina"]),
        ("王老师、小李，小王", ["王老师", "小李", "小王"]),
        ("  Kate  ,, Kate , ", ["Kate"]),
        ("Mary  Ann\x07", ["Mary Ann"]),
        ("", []),
        (("Kate, Omar", "Nina"), ["Kate", "Omar", "Nina"]),
    ],
)
def test_the_names_given_are_cleaned(given: str | tuple[str, ...], names: list[str]) -> None:
    assert people_named(given) == names


@pytest.mark.parametrize(
    ("given", "reason"),
    [(", ".join(f"Person{n}" for n in range(31)), "at most 30 people"), ("x" * 61, "60")],
)
def test_too_many_or_too_long_names_are_refused(given: str, reason: str) -> None:
    with pytest.raises(RejectedUpload, match=reason):
        people_named(given)


def test_an_upload_keeps_its_people_and_a_refused_one_stores_nothing(embedded_db: Path) -> None:
    intake = accept_path(LIBRISPEECH, get_settings(), RecordingMeta(people=("Kate, Omar",)))
    with pytest.raises(RejectedUpload):
        accept_stream(
            io.BytesIO(b"other bytes"), "b.wav", get_settings(), RecordingMeta(people=("x" * 61,))
        )
    with session_scope() as session:
        recording = session.get(Recording, intake.recording_id)
        assert recording is not None and recording.people == ["Kate", "Omar"]
        assert session.query(Recording).count() == 1
    assert not list(get_settings().files_dir.rglob("*.part"))


def _word(text: str, start: float, end: float) -> HeardWord:
    return HeardWord(text, start, end, 0.9, 0)


CLIPS = [
    PlannedClip(0, 0.0, 3.0, "A"),
    PlannedClip(1, 3.5, 5.5, "B"),
    PlannedClip(2, 6.0, 12.0, "A"),
]
SPEECH = [TimeSpan(0.2, 2.8), TimeSpan(3.6, 5.4), TimeSpan(6.1, 11.8)]


@pytest.mark.parametrize(
    ("words", "unheard", "clips"),
    [
        (  # every stretch of speech heard
            [
                _word(" Yes", 0.3, 1.5),
                _word(" sure", 1.5, 2.6),
                _word(" fine", 3.7, 5.2),
                *[_word(" go", t, t + 1.0) for t in (6.2, 7.2, 8.2, 9.2, 10.2)],
                _word(" on", 11.0, 11.7),
            ],
            [],
            [],
        ),
        (  # the middle clip skipped
            [_word(" Yes", 0.3, 2.6), _word(" go", 6.2, 11.7)],
            [(3.6, 5.4)],
            [1],
        ),
        (  # a long clip heard only at its start: the rest was skipped (measured on a meeting)
            [_word(" Yes", 0.3, 2.6), _word(" fine", 3.7, 5.2), _word(" go", 6.2, 7.0)],
            [(7.3, 11.8)],
            [2],
        ),
        (  # a pause shorter than 1.5 s inside heard speech is not speech lost
            [
                _word(" Yes", 0.3, 1.0),
                _word(" sure", 2.2, 2.6),
                _word(" fine", 3.7, 5.2),
                _word(" go", 6.2, 11.7),
            ],
            [],
            [],
        ),
        (
            [_word(" Yes", 0.3, 2.6), _word(" ", 3.7, 5.2), _word(" go", 6.2, 11.7)],
            [(3.6, 5.4)],
            [1],
        ),
    ],
)
def test_speech_left_unheard(
    words: list[HeardWord], unheard: list[tuple[float, float]], clips: list[int]
) -> None:
    gaps = unheard_speech(CLIPS, SPEECH, words)
    assert [(round(g.start_s, 2), round(g.end_s, 2)) for g in gaps] == unheard
    assert [c.index for c in clips_holding(CLIPS, gaps)] == clips


def test_clips_read_again_take_their_words_from_the_second_reading() -> None:
    first = [_word(" Yes", 0.5, 0.9), _word(" I did", 6.5, 7.0)]  # clip 1 skipped
    second = [HeardWord(" sure", 3.8, 4.2, 0.8, 0), HeardWord(" thing", 4.3, 4.6, 0.8, 0)]
    words = with_clips_read_again(CLIPS, first, [CLIPS[1]], second)
    assert [w.text for w in words] == [" Yes", " sure", " thing", " I did"]
    assert {w.segment for w in words[1:3]} == {1}, "the second reading's segments stay its own"
    replaced = with_clips_read_again(CLIPS, first, [CLIPS[2]], [_word(" go", 6.4, 6.9)])
    assert [w.text for w in replaced] == [" Yes", " go"]


def test_speech_outside_the_tasks_clips_is_not_looked_at() -> None:
    assert (
        unheard_speech(
            CLIPS[:1], [TimeSpan(0.2, 2.8), TimeSpan(20.0, 30.0)], [_word(" Yes", 0.3, 2.6)]
        )
        == []
    )


def test_whisper_told_one_name_keeps_it_where_it_is_said(whisper_dir: Path) -> None:
    """One or two names said in order are speech: only a list of three or more said back whole
    is taken for an echo of the names."""
    from models.settings import Settings
    from worker.engines.whisper import WhisperEngine

    whisper = WhisperEngine(Settings(whisper_model=str(whisper_dir)))
    samples, _ = sf.read(str(LAUNCH_REVIEW), dtype="float32")
    words, raw = whisper.words(samples[: 16000 * 6], "en", ["Wei"])
    assert "Wei" in "".join(w.text for w in words)
    assert json.loads(raw)["names"] == "Wei"


@pytest.mark.slow
def test_names_given_at_upload_are_spelled_and_no_speech_is_lost(
    tmp_path: Path, whisper_dir: Path, small_gguf: Path
) -> None:
    """On this meeting Whisper base, told the four names, skipped from the fifth line to the
    last: those clips are read again without the names, and both answers are kept raw."""
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"),
        TINGSHUO_WHISPER_MODEL=str(whisper_dir),
        TINGSHUO_LLM_GGUF=str(small_gguf),
    )
    [meeting] = cli_json(
        "process",
        str(SKIPPED_WITH_NAMES),
        "--people",
        "Tom, Yuki, Ben, Clara",
        "--wait",
        "--json",
        env=env,
        timeout=600,
    )
    assert meeting["status"] == "done", meeting["error"]
    assert meeting["people"] == ["Tom", "Yuki", "Ben", "Clara"]
    text = meeting["text"].lower()
    for said in ("german translations", "screenshots", "privacy policy", "release on monday"):
        assert said in text, text
    with sqlite3.connect(tmp_path / "data" / "tingshuo.db") as db:
        answers = [
            json.loads(raw)
            for (raw,) in db.execute("SELECT raw_output FROM stage_runs WHERE stage='transcribe'")
        ]
    assert answers and all(a["names"] == "Tom, Yuki, Ben, Clara" for a in answers)
    # Whether this reading skips depends on the packages' numerics (on the morning of
    # 2026-12-01 it skipped from the fifth line; with the packages of that evening it read the
    # meeting whole): where it did, the clips were read again and that answer is kept. The
    # test below makes it skip.
    read_again = [a["read_again_without_names"] for a in answers if "read_again_without_names" in a]
    assert all(r["clips"] and r["segments"] for r in read_again), read_again


@pytest.mark.slow
def test_speech_a_reading_with_names_skipped_is_read_again_without_them(
    embedded_db: Path, whisper_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading with names is made to skip (its words from the fifth line on left out, as
    Whisper base once left them out of this meeting): the transcription stage reads the clips
    holding that speech again without the names, takes their words from the second reading
    and keeps both answers."""
    import numpy as np

    from worker.engines import whisper
    from worker.stages import clips, diarize, ingest, speech, transcribe
    from worker.stages.audio import read_audio
    from worker.stages.filled_windows import stretches_of, words_in_recording
    from worker.stages.runs import RunScope

    monkeypatch.setenv("TINGSHUO_WHISPER_MODEL", str(whisper_dir))
    monkeypatch.setenv("TINGSHUO_DIARIZATION_ENGINE", "cpu")
    get_settings.cache_clear()
    settings = get_settings()
    people = ("Tom", "Yuki", "Ben", "Clara")
    intake = accept_path(SKIPPED_WITH_NAMES, settings, RecordingMeta(kind="meeting"))
    scope = RunScope(intake.recording_id, 1)
    ingest.run(scope)
    speech.run(scope)
    diarize.run(scope)
    clips.run(scope)
    with session_scope() as session:
        recording = session.get(Recording, scope.recording_id)
        assert recording is not None
        content_hash = recording.content_hash
        planned = [
            PlannedClip(c.index, c.start_s, c.end_s, c.speaker_label)
            for c in session.scalars(
                select(Clip).where(Clip.recording_id == scope.recording_id).order_by(Clip.index)
            )
        ]
    engine = whisper.get_whisper(settings)
    stretches = stretches_of(planned)
    samples = np.concatenate(
        [read_audio(settings, content_hash, s.start_s, s.end_s) for s in stretches]
    )
    heard, raw = engine.words(samples, "en", people)
    words = words_in_recording(stretches, heard)
    fifth_line = next(w.start_s for w in words if "screenshots" in w.text.lower()) - 1.0
    skipping = [w for w in words if w.end_s <= fifth_line]

    kept, answer = transcribe.skipped_read_again(
        scope, planned, content_hash, engine, "en", skipping, raw
    )
    text = " ".join("".join(w.text for w in kept).split()).lower()
    for said in ("german translations", "screenshots", "privacy policy", "release on monday"):
        assert said in text, text
    again = json.loads(answer)["read_again_without_names"]
    assert again["clips"] and again["segments"], again
    assert json.loads(answer)["segments"] == json.loads(raw)["segments"], "the first answer kept"


def test_the_upload_page_asks_for_the_people_heard(org: Org) -> None:
    labels = [box.label for box in page("upload.py", org, "alice").text_input]
    assert "People heard (names, comma-separated)" in labels


def test_people_are_stored_as_typed_and_corrected_only_by_who_may(org: Org) -> None:
    """A hostile name is kept as text (the page gives it back in a text box, never as
    Markdown); the names are changed with the other settings, by the owner only."""
    from dashboard.actions import correct_and_rerun, upload
    from models.access import load_viewer

    with session_scope() as session:
        alice, bob = (load_viewer(session, org.users[u]) for u in ("alice", "bob"))
    assert alice and bob
    meta = RecordingMeta(kind="meeting", people=(HOSTILE_NAME,))
    outcome = upload(alice, io.BytesIO(LIBRISPEECH.read_bytes()), "talk.wav", meta)
    assert outcome.recording_id is not None, outcome.message
    with session_scope() as session:
        stored = session.get(Recording, outcome.recording_id)
        assert stored is not None and stored.people == [HOSTILE_NAME]
        stored.status = "done"
    shown = page("recording.py", org, "alice", id=str(outcome.recording_id))
    [box] = [b for b in shown.text_input if b.label.startswith("People heard")]
    assert box.value == HOSTILE_NAME
    assert correct_and_rerun(bob, outcome.recording_id, None, None, None, "Eve") == "not found"
    too_long = correct_and_rerun(alice, outcome.recording_id, None, None, None, "x" * 61)
    assert "60 characters" in too_long
    said = correct_and_rerun(alice, outcome.recording_id, None, None, None, "Kate, Omar")
    assert said == "queued again"
    with session_scope() as session:
        stored = session.get(Recording, outcome.recording_id)
        assert stored is not None and stored.people == ["Kate", "Omar"]
