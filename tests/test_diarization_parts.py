"""A long recording's speaker embedding split into tasks: each part embeds one share of the
speech windows, the diarize task clusters them all. Checked against the one-task diarization on
real speech (same turns), through the stages as the Celery tasks call them, and in the canvas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from models.db import session_scope
from models.intake import RecordingMeta, accept_path
from models.records import TimeSpan
from models.settings import Settings, get_settings
from models.tables import SpeakerTurn, StageRun
from tests.conftest import DATA
from worker.engines import cpu_diarizer
from worker.queue.canvas import pipeline_signature
from worker.stages import diarize, ingest, speech
from worker.stages.runs import RunScope

MEETING = DATA / "meetings" / "launch-review.wav"  # three espeak voices, 71 s


def _windows(count: int) -> list[TimeSpan]:
    return [TimeSpan(i * 0.5, i * 0.5 + 1.5) for i in range(count)]


@pytest.mark.parametrize(
    ("count", "parts", "sizes"),
    [
        (0, 1, [0]),
        (0, 3, [0, 0, 0]),
        (1, 2, [0, 1]),
        (10, 1, [10]),
        (10, 3, [3, 3, 4]),
        (7, 7, [1] * 7),
        (5, 8, [0, 1, 0, 1, 1, 0, 1, 1]),
    ],
)
def test_the_parts_share_the_windows_in_order_with_none_lost_or_twice(
    count: int, parts: int, sizes: list[int]
) -> None:
    windows = _windows(count)
    shares = [cpu_diarizer.part_of(windows, part, parts) for part in range(parts)]
    assert [len(share) for share in shares] == sizes
    assert [w for share in shares for w in share] == windows


@pytest.mark.parametrize(("part", "parts"), [(-1, 2), (2, 2), (0, 0)])
def test_a_part_outside_the_split_is_refused(part: int, parts: int) -> None:
    with pytest.raises(ValueError):
        cpu_diarizer.part_of(_windows(4), part, parts)


@pytest.mark.parametrize(
    ("duration_s", "engine", "parts"),
    [
        (None, "cpu", 1),
        (600.0, "cpu", 1),
        (1800.0, "cpu", 1),
        (1801.0, "cpu", 2),
        (3600.0, "cpu", 2),
        (3 * 3600.0, "cpu", 6),
        (3 * 3600.0, "none", 1),  # nothing to embed
    ],
)
def test_a_recording_is_split_by_its_length(
    duration_s: float | None, engine: str, parts: int
) -> None:
    settings = Settings(diarization_engine=engine)  # type: ignore[arg-type]
    assert diarize.parts_for(settings, duration_s) == parts


def test_a_three_hour_class_embeds_its_speakers_in_parts_each_within_its_own_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TINGSHUO_DIARIZATION_ENGINE", "cpu")
    get_settings.cache_clear()
    try:
        flow = pipeline_signature(RunScope(1, 1), "interactive", 3 * 3600.0)
    finally:
        get_settings.cache_clear()
    ingest_task, speech_task, split = flow.tasks
    assert [ingest_task.name, speech_task.name] == ["tingshuo.ingest", "tingshuo.detect_speech"]
    # Celery makes the group and what follows it one chord: the parts, then diarize and plan.
    parts = list(split.tasks)
    assert [p.name for p in parts] == ["tingshuo.embed_speakers"] * 6
    assert [p.args[2:] for p in parts] == [(part, 6) for part in range(6)]
    assert {(p.options["soft_time_limit"], p.options["time_limit"]) for p in parts} == {
        (900, 1020)  # half an hour of audio each: the limit of a half-hour recording
    }
    then = split.body.tasks
    assert [t.name for t in then] == ["tingshuo.diarize", "tingshuo.plan_clips"]
    assert then[0].args[2:] == (6,), "diarize is told how many parts to read"
    assert {(t.options["soft_time_limit"], t.options["time_limit"]) for t in then} == {(5400, 5520)}


@pytest.fixture
def stage_env(embedded_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TINGSHUO_DIARIZATION_ENGINE", "cpu")
    get_settings.cache_clear()
    return embedded_db


def _detected(meta: RecordingMeta | None = None) -> RunScope:
    """The meeting through ingest and speech detection, as the tasks run them."""
    intake = accept_path(MEETING, get_settings(), meta or RecordingMeta(kind="meeting"))
    scope = RunScope(intake.recording_id, 1)
    ingest.run(scope)
    speech.run(scope)
    return scope


def _turns(scope: RunScope) -> list[tuple[float, float, str]]:
    with session_scope() as session:
        rows = session.scalars(
            select(SpeakerTurn)
            .where(SpeakerTurn.recording_id == scope.recording_id)
            .order_by(SpeakerTurn.start_s)
        ).all()
        return [(t.start_s, t.end_s, t.speaker_label) for t in rows]


def _part_files(scope: RunScope) -> list[Path]:
    return sorted(get_settings().files_dir.rglob(f"{scope.recording_id}-1-part*.npz"))


@pytest.mark.parametrize("missing", [None, 1])
def test_parts_embedded_by_their_own_tasks_give_the_turns_of_one_diarize_task(
    stage_env: Path, missing: int | None
) -> None:
    whole = _detected()
    diarize.run(whole)
    expected = _turns(whole)
    assert len({speaker for _, _, speaker in expected}) >= 2

    split = _detected()
    for part in range(3):
        diarize.run_part(split, part, 3)
    assert len(_part_files(split)) == 3
    if missing is not None:  # a part whose file is gone is embedded by the diarize task
        _part_files(split)[missing].unlink()
    diarize.run(split, parts=3)

    found = _turns(split)
    assert [speaker for *_, speaker in found] == [speaker for *_, speaker in expected]
    assert np.allclose([t[:2] for t in found], [t[:2] for t in expected], atol=0.011)
    assert _part_files(split) == [], "the parts' files are removed once used"
    with session_scope() as session:
        runs = session.scalars(
            select(StageRun).where(
                StageRun.recording_id == split.recording_id,
                StageRun.stage == "speaker_embeddings",
            )
        ).all()
        assert sorted((r.subject_index, r.status) for r in runs) == [
            (0, "done"),
            (1, "done"),
            (2, "done"),
        ]


def test_a_part_embedded_from_other_windows_is_not_used(stage_env: Path) -> None:
    """Settings changed between the parts and the clustering: the stored windows no longer
    match, so the diarize task embeds that part again instead of mixing in wrong vectors."""
    scope = _detected(RecordingMeta(kind="meeting"))
    diarize.run_part(scope, 0, 2)
    [stored] = _part_files(scope)
    with np.load(stored) as data:
        windows, vectors = data["windows"], data["vectors"]
    np.savez(stored, windows=windows + 0.25, vectors=np.zeros_like(vectors))
    # Left by an earlier run of the recording (one killed while writing), and a later run's.
    earlier = [stored.with_name(f"{scope.recording_id}-0-part{n}.npz") for n in range(3)]
    earlier.append(stored.with_name(f"{scope.recording_id}-0-part0.partial.npz"))
    later = stored.with_name(f"{scope.recording_id}-2-part0.npz")
    for path in [*earlier, later]:
        path.write_bytes(b"left over")
    diarize.run(scope, parts=2)
    assert len({speaker for *_, speaker in _turns(scope)}) >= 2
    assert not any(p.exists() for p in [stored, *earlier]), "this run's and earlier runs' removed"
    assert later.exists(), "a later run's parts are its own"
