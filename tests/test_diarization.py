"""Diarization: the CPU diarizer, clips cut on speaker turns, the pipeline, and the evaluation."""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from models.records import TimeSpan
from models.settings import Settings
from tests.conftest import DATA, cli_json, run_cli, tingshuo_env
from worker.engines import cpu_diarizer, silero
from worker.stages.clips import merge_spans, plan_clips_on_turns

MEETING = DATA / "synthetic_meeting.wav"  # host 0-8.1 s, guest 8.8-16.9 s, host 17.6-25 s


def _meeting_turns(**options: int) -> list[cpu_diarizer.SpeakerTurn]:
    samples, _ = sf.read(str(MEETING), dtype="float32")
    speech = silero.speech_spans(samples, Settings(vad_threshold=0.35))
    return cpu_diarizer.diarize(samples, speech, **options)  # type: ignore[arg-type]


def _speaker_at(turns: list[cpu_diarizer.SpeakerTurn], moment: float) -> str | None:
    return next((t.speaker for t in turns if t.start_s <= moment <= t.end_s), None)


@pytest.mark.parametrize("known", [None, 2])
def test_two_voices_are_two_speakers(known: int | None) -> None:
    turns = _meeting_turns(num_speakers=known) if known else _meeting_turns()
    assert {t.speaker for t in turns} == {"SPEAKER_00", "SPEAKER_01"}
    host, guest = _speaker_at(turns, 4.0), _speaker_at(turns, 12.0)
    assert host == "SPEAKER_00" and guest == "SPEAKER_01"
    assert _speaker_at(turns, 21.0) == host, "the host's second turn is the host again"
    for left, right in pairwise(turns):
        assert left.end_s <= right.start_s, "exclusive: one speaker at a time"


def test_no_speech_means_no_turns() -> None:
    assert cpu_diarizer.diarize(sf.read(str(MEETING), dtype="float32")[0], []) == []


def test_short_flickers_are_absorbed_by_their_neighbours() -> None:
    options = cpu_diarizer.DiarizerOptions(min_turn_s=0.6)
    speech = [TimeSpan(0.0, 10.0)]
    windows = cpu_diarizer.windows_in(speech, 1.5, 0.5)
    labels = [0] * len(windows)
    labels[8] = 1  # one stray window in the middle of one person's talk
    import numpy as np

    turns = cpu_diarizer.turns_from_windows(speech, windows, np.array(labels), options)
    assert [t.speaker for t in turns] == ["SPEAKER_00"]


turn_layouts = st.lists(st.floats(min_value=0.3, max_value=70.0), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    lengths=turn_layouts,
    gaps=st.lists(st.floats(0.0, 5.0), min_size=12, max_size=12),
    dropped=st.floats(0.0, 1.0),
)
def test_clips_never_cross_a_turn_and_lose_no_speech(
    lengths: list[float], gaps: list[float], dropped: float
) -> None:
    turns, speech, cursor = [], [], 0.0
    for i, length in enumerate(lengths):
        turns.append((cursor, cursor + length, f"SPEAKER_{i % 3:02d}"))
        speech.append(TimeSpan(cursor, cursor + length))
        cursor += length + gaps[i]
    # Speech the diarizer did not attribute to anyone (it happens): a piece between turns.
    speech.append(TimeSpan(cursor + 1.0, cursor + 1.0 + 3 * dropped + 0.3))
    duration = cursor + 6.0
    clips = plan_clips_on_turns(speech, turns, duration, max_clip_s=30.0)
    for clip in clips:
        assert clip.duration_s <= 30.0 + 1e-9
        inside = [t for t in turns if t[0] - 1e-9 <= clip.start_s and clip.end_s <= t[1] + 1e-9]
        if clip.speaker_label is not None:
            assert inside and inside[0][2] == clip.speaker_label, "a clip stays in its turn"
    for left, right in pairwise(clips):
        assert left.end_s <= right.start_s + 1e-9
    for span in merge_spans(speech, duration):
        covered = sum(
            max(0.0, min(c.end_s, span.end_s) - max(c.start_s, span.start_s)) for c in clips
        )
        assert covered >= span.duration_s - 1e-6, f"speech {span} lost"


@pytest.mark.slow
def test_a_two_speaker_recording_comes_back_with_two_speakers(
    tmp_path: Path, whisper_dir: Path
) -> None:
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"),
        TINGSHUO_ANALYSIS_ENGINE="none",
        TINGSHUO_WHISPER_MODEL=str(whisper_dir),
    )
    [meeting] = cli_json("process", str(MEETING), "--wait", "--json", env=env, timeout=300)
    assert meeting["status"] == "done", meeting["error"]
    assert [s["label"] for s in meeting["speakers"]] == ["SPEAKER_00", "SPEAKER_01"]
    by_speaker: dict[str, str] = {}
    for segment in meeting["segments"]:
        by_speaker[segment["speaker"]] = by_speaker.get(segment["speaker"], "") + segment["text"]
    assert "budget" in by_speaker["SPEAKER_01"].lower()
    assert "launch" in by_speaker["SPEAKER_00"].lower()


@pytest.mark.slow
def test_eval_diarization_prints_der_per_file_and_overall(tmp_path: Path) -> None:
    folder = tmp_path / "eval"
    folder.mkdir()
    shutil.copy(MEETING, folder)
    shutil.copy(DATA / "synthetic_meeting.rttm", folder)
    (folder / "synthetic_meeting.uem").write_text("synthetic_meeting NA 0.000 25.000\n")
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    result = run_cli("eval", "diarization", str(folder), "--json", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("der", "der_no_overlap", "missed", "false_alarm", "confusion"):
        assert 0.0 <= report[key] <= 1.0
    assert report["engine"] == "cpu"
    [row] = report["files"]
    assert row["file"] == "synthetic_meeting.wav" and row["speakers"] == 2
    assert report["der"] < 0.25 and report["confusion"] < 0.05
    table = run_cli("eval", "diarization", str(folder), env=env, timeout=300)
    assert "OVERALL" in table.stdout and "real-time factor" in table.stdout
