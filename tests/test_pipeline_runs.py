"""Pipeline runs: one at a time, nothing stale, and what people typed survives a re-run.

The stages run in this process exactly as the Celery tasks call them (real Whisper, the real
CPU diarizer, the real storing code); the race and the worker-level guarantees are in
tests/test_runs_services.py.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from dashboard.actions import rename_speaker
from models.access import load_viewer
from models.analysis import SentimentSpan
from models.db import session_scope
from models.errors import RunRefused
from models.intake import RecordingMeta, accept_path
from models.people import create_user
from models.runs import claim_run
from models.serialize import full_recording
from models.settings import get_settings
from models.tables import Recording, Segment, Speaker, StageRun
from tests.conftest import DATA
from worker.analysis.questions import speaker_turns
from worker.errors import StaleRunError
from worker.stages import clips, diarize, finalize, ingest, pronunciation, sentiment, speech
from worker.stages import transcribe as transcription
from worker.stages.audio import read_audio
from worker.stages.runs import RunScope, record_run
from worker.stages.transcript import context

pytestmark = pytest.mark.slow
MEETING = DATA / "synthetic_meeting.wav"  # 25 s: "host" twice, "guest" once (see its RTTM)


@pytest.fixture
def runs_env(embedded_db: Path, whisper_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TINGSHUO_WHISPER_MODEL", str(whisper_dir))
    monkeypatch.setenv("TINGSHUO_ANALYSIS_ENGINE", "none")
    monkeypatch.setenv("TINGSHUO_DIARIZATION_ENGINE", "cpu")
    get_settings.cache_clear()
    return embedded_db


def _loader(content_hash: str, start_s: float, end_s: float) -> Any:
    return read_audio(get_settings(), content_hash, start_s, end_s)


def _sentiment_answers(scope: RunScope) -> None:
    """A sentiment answer per turn, stored by the real path (the model is what cannot run
    here in reasonable time; what is under test is which run the records belong to)."""
    facts = context(scope)
    for index, turn in enumerate(speaker_turns(facts.lines)):
        subject = {"speaker": turn.speaker, "start_s": turn.start_s, "end_s": turn.end_s}
        raw = f"Sentiment: neutral\nScore: 0.0\nEvidence: {turn.text.split('.')[0]}"
        run_id = record_run(
            scope,
            "sentiment",
            engine="test-answers",
            model_id="none",
            subject_kind="turn",
            subject_index=index,
            prompt_version="test",
            subject=subject,
            raw_output=raw,
            duration_s=0.0,
        )
        sentiment.store_sentiment(scope, run_id, raw, subject)


def _run_pipeline(scope: RunScope) -> None:
    """The stages in the order the canvas runs them."""
    ingest.run(scope)
    speech.run(scope)
    diarize.run(scope)
    clips.run(scope)
    for batch in clips.transcription_batches(scope):  # the tasks a worker would be given
        transcription.run(scope, batch)
    _sentiment_answers(scope)
    pronunciation.run(scope, _loader)
    finalize.run(scope)


def _new_run(recording_id: int, expected_speakers: int | None = None) -> RunScope:
    with session_scope() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == recording_id)
            .values(expected_speakers=expected_speakers)
        )
        return RunScope(recording_id, claim_run(session, recording_id))


@pytest.fixture
def lesson(runs_env: Path) -> RunScope:
    """A class recording with two voices, processed once with two speakers."""
    intake = accept_path(MEETING, get_settings(), RecordingMeta(kind="lesson", expected_speakers=2))
    scope = RunScope(intake.recording_id, 1)
    _run_pipeline(scope)
    return scope


def _detail(recording_id: int) -> dict[str, Any]:
    with session_scope() as session:
        detail = full_recording(session, recording_id)
    assert detail is not None
    return detail


def _admin() -> Any:
    with session_scope() as session:
        user = create_user(session, "runs-admin", "a long enough password", role="admin")
        return load_viewer(session, user.id)


def test_a_rerun_with_fewer_speakers_leaves_nothing_stale(lesson: RunScope) -> None:
    first = _detail(lesson.recording_id)
    assert first["status"] == "done" and first["run"] == 1
    assert len(first["speakers"]) == 2
    assert {s["speaker"] for s in first["sentiment"]} == {"SPEAKER_00", "SPEAKER_01"}
    assert len(first["pronunciation"]) == 2, "one report per speaker"

    second = _new_run(lesson.recording_id, expected_speakers=1)
    assert second.generation == 2
    _run_pipeline(second)

    detail = _detail(lesson.recording_id)
    assert detail["status"] == "done" and detail["run"] == 2
    assert [s["label"] for s in detail["speakers"]] == ["SPEAKER_00"]
    assert {s["speaker"] for s in detail["sentiment"]} == {"SPEAKER_00"}
    assert [p["speaker"] for p in detail["pronunciation"]] == ["SPEAKER_00"]
    assert {s["speaker"] for s in detail["segments"]} == {"SPEAKER_00"}
    with session_scope() as session:
        # Finalize dropped the first run's rows; its StageRuns stay as history.
        assert session.scalars(select(SentimentSpan.generation)).all() == [2] * len(
            detail["sentiment"]
        )
        assert set(session.scalars(select(Speaker.generation))) == {2}
        assert {1, 2} <= set(session.scalars(select(StageRun.generation)))
    # reparse rebuilds from the current run only: no report for the speaker who is gone.
    from worker.stages.reparse import reparse_recording

    reparse_recording(lesson.recording_id)
    again = _detail(lesson.recording_id)
    assert [p["speaker"] for p in again["pronunciation"]] == ["SPEAKER_00"]
    assert {s["speaker"] for s in again["sentiment"]} == {"SPEAKER_00"}


def _talk(detail: dict[str, Any], label: str) -> float:
    return sum(s["end"] - s["start"] for s in detail["segments"] if s["speaker"] == label)


def test_a_renamed_speaker_keeps_the_name_across_a_rerun(lesson: RunScope) -> None:
    first = _detail(lesson.recording_id)
    # Name the one who speaks most ("host" in the RTTM: two of the three turns).
    host = max((s["label"] for s in first["speakers"]), key=lambda label: _talk(first, label))
    assert rename_speaker(_admin(), lesson.recording_id, host, "Wei") == "renamed"
    host_times = [(s["start"], s["end"]) for s in first["segments"] if s["speaker"] == host]

    _run_pipeline(_new_run(lesson.recording_id, expected_speakers=2))

    detail = _detail(lesson.recording_id)
    named = [s for s in detail["speakers"] if s["name"] == "Wei"]
    assert len(named) == 1, detail["speakers"]
    wei = named[0]["label"]
    said = [(s["start"], s["end"]) for s in detail["segments"] if s["speaker"] == wei]
    shared = sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1 in host_times for s2, e2 in said)
    assert shared >= 0.5 * sum(e - s for s, e in host_times), "the name went to the same voice"
    other = next(s for s in detail["speakers"] if s["label"] != wei)
    assert other["name"].startswith("Speaker "), "an unnamed speaker gets no one's name"


def test_a_second_run_is_refused_while_one_is_running(lesson: RunScope) -> None:
    second = _new_run(lesson.recording_id)
    with session_scope() as session:
        old_runs = len(session.scalars(select(StageRun).where(StageRun.generation == 1)).all())
    with session_scope() as session, pytest.raises(RunRefused, match="is queued"):
        claim_run(session, lesson.recording_id)
    assert _detail(lesson.recording_id)["status"] == "queued"
    # A task of the first run that arrives late writes nothing.
    with pytest.raises(StaleRunError):
        speech.run(lesson)
    with pytest.raises(StaleRunError):
        finalize.run(lesson)
    with session_scope() as session:
        after = session.scalars(select(StageRun).where(StageRun.generation == 1)).all()
    assert len(after) == old_runs, "the old run's late tasks recorded nothing"
    _run_pipeline(second)
    assert _detail(lesson.recording_id)["status"] == "done"


def test_two_reruns_raced_exactly_one_is_claimed(lesson: RunScope) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def claim() -> None:
        barrier.wait()
        try:
            with session_scope() as session:
                outcomes.append(claim_run(session, lesson.recording_id))
        except RunRefused as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(map(type, outcomes), key=str) == sorted([int, RunRefused], key=str)
    assert 2 in outcomes


def _rows(recording_id: int) -> dict[str, int]:
    from sqlalchemy import func

    from models.analysis import PronunciationScore
    from models.tables import Clip, Segment

    counts = {}
    with session_scope() as session:
        for table in (Segment, Speaker, Clip, SentimentSpan, PronunciationScore, StageRun):
            counts[table.__tablename__] = session.scalar(
                select(func.count()).select_from(table).where(table.recording_id == recording_id)
            )
    return counts


def _without_ids(detail: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(s["start"], s["end"], s["speaker"], s["text"]) for s in detail["segments"]]


def test_a_task_delivered_twice_leaves_one_set_of_rows(lesson: RunScope) -> None:
    """At-least-once delivery: a task may arrive again (a lost ack, a broker restart)."""
    from worker.queue import tasks

    finished = _detail(lesson.recording_id)
    before = _rows(lesson.recording_id)
    # Again while the run is unfinished: each stage replaces what it wrote, never adds to it.
    with session_scope() as session:
        session.execute(
            update(Recording).where(Recording.id == lesson.recording_id).values(status="running")
        )
    for batch in clips.transcription_batches(lesson):
        transcription.run(lesson, batch)
    sentiment.run(lesson, _loader)  # the real stage (sentence lexicons on this engine)
    spans = _rows(lesson.recording_id)["sentiment_spans"]
    sentiment.run(lesson, _loader)
    pronunciation.run(lesson, _loader)
    finalize.run(lesson)
    again = _detail(lesson.recording_id)
    assert _without_ids(again) == _without_ids(finished)
    assert _rows(lesson.recording_id)["sentiment_spans"] == spans
    assert len(again["pronunciation"]) == len(finished["pronunciation"])
    # Again after the run finished, through the tasks as a worker runs them: nothing changes.
    after_rerun = _rows(lesson.recording_id)
    ids = (lesson.recording_id, lesson.generation)
    for task, args in [
        (tasks.ingest_task, ids),
        (tasks.speech_task, ids),
        (tasks.diarize_task, ids),
        (tasks.plan_task, ids),
        (tasks.transcribe_task, (*ids, [0])),
        (tasks.analyze_text_task, ids),
        (tasks.sentiment_task, ids),
        (tasks.pronunciation_task, ids),
        (tasks.finalize_task, ids),
    ]:
        task.apply(args=args)
    assert _rows(lesson.recording_id) == after_rerun
    kept = ("segments", "speakers", "clips", "pronunciation_scores")
    assert {k: after_rerun[k] for k in kept} == {k: before[k] for k in kept}
    assert _detail(lesson.recording_id)["status"] == "done"


def test_work_that_keeps_killing_its_worker_fails_instead_of_looping(runs_env: Path) -> None:
    """A worker killed mid-stage (out of memory, a crashing library) leaves its StageRun
    running, and the broker delivers the task again: the third death ends it."""
    from worker.queue import tasks

    def died_during_ingest(path: Path, deaths: int) -> int:
        recording_id = accept_path(path, get_settings(), RecordingMeta()).recording_id
        for _ in range(deaths):
            with session_scope() as session:
                session.add(StageRun(recording_id=recording_id, generation=1, stage="ingest"))
        tasks.ingest_task.apply(args=(recording_id, 1))
        return recording_id

    survived = _detail(died_during_ingest(MEETING, 2))  # two deaths: tried again, and it works
    assert survived["status"] != "failed" and survived["duration_s"] == pytest.approx(25, abs=1)
    failed = _detail(died_during_ingest(DATA / "librispeech_1995-1837-0001.wav", 3))
    assert failed["status"] == "failed"
    assert (
        failed["error"] == "ingest stopped its worker 3 times (killed, or out of memory); giving up"
    )


def test_a_stage_that_keeps_failing_ends_failed_after_bounded_tries_with_its_error(
    runs_env: Path,
) -> None:
    """Transient failures are retried with backoff, a bounded number of times, then the
    recording fails with the last error: it never loops."""
    from celery import Task

    from models.queues import celery_app
    from worker.errors import TransientError
    from worker.queue.policy import run_step
    from worker.queue.tasks import TASK_OPTIONS

    tries: list[int] = []

    def busy_file_system(scope: RunScope) -> None:
        tries.append(scope.recording_id)
        raise TransientError("the shared folder is not mounted")

    @celery_app.task(name="tests.always_transient", **TASK_OPTIONS)
    def always_transient(self: Task, recording_id: int, generation: int) -> None:
        run_step(self, RunScope(recording_id, generation), "ingest", busy_file_system)

    recording_id = accept_path(MEETING, get_settings(), RecordingMeta()).recording_id
    always_transient.apply(args=(recording_id, 1))
    failed = _detail(recording_id)
    assert len(tries) == get_settings().task_max_retries + 1
    assert failed["status"] == "failed"
    assert failed["error"] == "ingest gave up after 4 tries: the shared folder is not mounted"


def test_ingest_makes_a_compressed_copy_for_the_player(lesson: RunScope) -> None:
    import soundfile as sf

    from dashboard.queries import playable_audio
    from models.storage import audio_path, player_path

    detail = _detail(lesson.recording_id)
    player = player_path(get_settings(), detail["content_hash"])
    wav = audio_path(get_settings(), detail["content_hash"])
    assert playable_audio(detail) == player
    assert player.stat().st_size < wav.stat().st_size / 4
    assert sf.info(str(player)).duration == pytest.approx(sf.info(str(wav)).duration, abs=0.1)


def word_probabilities_kept(recording_id: int) -> set[tuple[int, bool]]:
    """(run, whether the line keeps its unsure words) over the recording's stored lines."""
    with session_scope() as session:
        return {
            (s.generation, s.unsure_words is not None)
            for s in session.scalars(select(Segment).where(Segment.recording_id == recording_id))
        }


def test_filled_whisper_windows_give_each_clip_its_own_words(
    lesson: RunScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same recording transcribed with a task's clips read together (the default) and clip
    by clip: the same words, each under the speaker who said it, from fewer Whisper calls."""
    from tests.asr_metrics import wer

    filled = _detail(lesson.recording_id)
    assert word_probabilities_kept(lesson.recording_id) == {(1, True)}
    monkeypatch.setenv("TINGSHUO_WHISPER_FILL_WINDOWS", "false")
    get_settings.cache_clear()
    clip_run = _new_run(lesson.recording_id, expected_speakers=2)
    _run_pipeline(clip_run)
    by_clip = _detail(lesson.recording_id)
    assert by_clip["run"] == 2 and by_clip["status"] == "done"
    assert wer(by_clip["text"], filled["text"]) < 0.1
    with session_scope() as session:
        runs = session.scalars(
            select(StageRun).where(
                StageRun.recording_id == lesson.recording_id, StageRun.stage == "transcribe"
            )
        ).all()
    clip_calls = [r for r in runs if r.generation == 2]
    window_calls = [r for r in runs if r.generation == 1]
    assert 0 < len(window_calls) < len(clip_calls)
    # Word probabilities come with the words a task reads together; clip by clip gives none.
    assert word_probabilities_kept(lesson.recording_id) == {(2, False)}

    def speaker_at(detail: dict[str, Any], moment: float) -> str | None:
        return next(
            (s["speaker"] for s in detail["segments"] if s["start"] <= moment <= s["end"]), None
        )

    for moment in (3.0, 12.0, 21.0):  # host, guest, host (the recording's RTTM)
        assert speaker_at(filled, moment) == speaker_at(by_clip, moment) is not None
