"""End to end on real PostgreSQL, Redis and a Celery worker process (the production shape)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import session_scope
from models.tables import Clip, Segment, StageRun
from tests.asr_metrics import cer_chinese, wer
from tests.conftest import (
    AISHELL,
    AISHELL_TEXT,
    LIBRISPEECH,
    LIBRISPEECH_TEXT,
    WorkerProcess,
    cli_json,
    run_cli,
)
from tests.media import convert, repeated_with_pauses, truncated_copy

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_english_and_mandarin_transcripts(
    service_env: dict[str, str], service_worker: WorkerProcess
) -> None:
    results = cli_json(
        "process", str(LIBRISPEECH), str(AISHELL), "--wait", "--json", env=service_env, timeout=300
    )
    by_name = {r["file"]: r for r in results}
    english, mandarin = by_name[LIBRISPEECH.name], by_name[AISHELL.name]
    assert english["status"] == "done", english["error"]
    assert english["language"] == "en"
    assert wer(LIBRISPEECH_TEXT, english["text"]) < 0.15
    assert english["speakers"] == [
        {"label": "SPEAKER_00", "name": "Speaker 1", "suggested_name": None, "suggestion": None}
    ]
    assert all(s["speaker"] == "SPEAKER_00" for s in english["segments"])
    assert mandarin["status"] == "done", mandarin["error"]
    assert mandarin["language"] == "zh"
    assert cer_chinese(AISHELL_TEXT, mandarin["text"]) < 0.3

    shown = cli_json("show", str(english["id"]), "--json", env=service_env)
    assert shown["segments"] == english["segments"]
    url = service_env["TINGSHUO_DATABASE_URL"]
    with session_scope(url) as session:
        runs = session.scalars(select(StageRun).where(StageRun.recording_id == english["id"])).all()
        pipeline = ("ingest", "speech", "diarize", "plan", "finalize")
        assert [r.stage for r in runs if r.stage in pipeline] == list(pipeline)
        assert all(r.status == "done" and r.duration_s is not None for r in runs)
        transcribe_runs = [r for r in runs if r.stage == "transcribe"]
        assert transcribe_runs and all(r.raw_output and r.model_id for r in transcribe_runs)


def test_a_long_recording_is_cut_into_clips_without_losing_speech(
    service_env: dict[str, str], service_worker: WorkerProcess, tmp_path: Path
) -> None:
    long_file = repeated_with_pauses(LIBRISPEECH, tmp_path / "long.flac", times=5, pause_s=0.6)
    [result] = cli_json("process", str(long_file), "--wait", "--json", env=service_env, timeout=400)
    assert result["status"] == "done", result["error"]
    assert result["duration_s"] > 45
    with session_scope(service_env["TINGSHUO_DATABASE_URL"]) as session:
        clips = session.scalars(select(Clip).where(Clip.recording_id == result["id"])).all()
    assert len(clips) >= 2
    assert all(c.end_s - c.start_s <= 30.0 + 1e-6 for c in clips)
    assert wer(" ".join([LIBRISPEECH_TEXT] * 5), result["text"]) < 0.15


def test_bad_inputs_fail_with_messages_and_the_worker_keeps_working(
    service_env: dict[str, str], service_worker: WorkerProcess, tmp_path: Path
) -> None:
    text = tmp_path / "minutes.wav"
    text.write_text("not audio at all\n" * 50)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    truncated = truncated_copy(
        convert(LIBRISPEECH, tmp_path / "full.mp3", "-b:a", "64k"), tmp_path / "cut.mp3", 0.4
    )
    huge = tmp_path / "huge.wav"  # the service environment limits uploads to 2 MB
    huge.write_bytes(b"RIFF" + bytes(3 * 1024 * 1024))
    result = run_cli(
        "process",
        str(text),
        str(empty),
        str(truncated),
        str(huge),
        "--wait",
        "--json",
        env=service_env,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    import json

    outcomes = {r["file"]: r for r in json.loads(result.stdout)}
    expected = {
        "minutes.wav": "not an audio or video file",
        "empty.wav": "empty",
        "cut.mp3": "truncated",
        "huge.wav": "over the upload limit",
    }
    for name, words in expected.items():
        assert outcomes[name]["status"] == "failed", outcomes[name]
        assert words in outcomes[name]["error"], outcomes[name]["error"]
    # The same worker still processes good work afterwards.
    [good] = cli_json("process", str(LIBRISPEECH), "--wait", "--json", env=service_env, timeout=300)
    assert good["status"] == "done"


def test_running_the_pipeline_again_replaces_rows_instead_of_duplicating(
    service_env: dict[str, str], service_worker: WorkerProcess
) -> None:
    [first] = cli_json(
        "process", str(LIBRISPEECH), "--wait", "--json", env=service_env, timeout=300
    )
    url = service_env["TINGSHUO_DATABASE_URL"]

    def counts() -> tuple[int, int]:
        with session_scope(url) as session:
            segments = session.scalar(
                select(func.count(Segment.id)).where(Segment.recording_id == first["id"])
            )
            clips = session.scalar(
                select(func.count(Clip.id)).where(Clip.recording_id == first["id"])
            )
        return int(segments or 0), int(clips or 0)

    before = counts()
    rerun = run_cli("reprocess", str(first["id"]), "--wait", env=service_env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert counts() == before
    [again] = cli_json(
        "process", str(LIBRISPEECH), "--wait", "--json", env=service_env, timeout=300
    )
    assert again["id"] == first["id"]

    def content(segments: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in seg.items() if k != "id"} for seg in segments]

    # The same words, times and speakers, in new rows (a segment's id names its row).
    assert content(again["segments"]) == content(first["segments"])
    assert {s["id"] for s in again["segments"]}.isdisjoint(s["id"] for s in first["segments"])
