"""The pyannote engine through its real loading path, on a random local pipeline (CPU)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import soundfile as sf

from models.settings import Settings
from tests.conftest import DATA, cli_json, tingshuo_env
from worker.engines import pyannote_engine
from worker.stages import diarize as diarize_stage

pytestmark = pytest.mark.slow


def test_from_pretrained_folder_and_in_memory_waveform(random_pyannote: Path) -> None:
    pipeline = pyannote_engine.load_pipeline(str(random_pyannote))
    assert pyannote_engine.load_pipeline(str(random_pyannote)) is pipeline, "loaded once"
    samples, _ = sf.read(str(DATA / "synthetic_meeting.wav"), dtype="float32")
    progress: list[float] = []
    turns = pyannote_engine.diarize(pipeline, samples, on_progress=progress.append)
    assert progress and progress[-1] == 1.0, "the step hook drives progress"
    for turn in turns:
        assert 0.0 <= turn.start_s < turn.end_s <= 26.0
        assert turn.speaker.startswith("SPEAKER_")
    for left, right in pairwise(turns):
        assert left.start_s <= right.start_s
    known = pyannote_engine.diarize(pipeline, samples, num_speakers=2)
    assert len({t.speaker for t in known}) <= 2


def test_settings_pick_pyannote_for_a_local_pipeline(random_pyannote: Path, tmp_path: Path) -> None:
    local = Settings(data_dir=tmp_path, pyannote_pipeline=str(random_pyannote))
    assert diarize_stage.choose_engine(local) == "pyannote"
    hub_without_token = Settings(data_dir=tmp_path)
    assert diarize_stage.choose_engine(hub_without_token) == "cpu"
    assert diarize_stage.model_id(local, "pyannote") == str(random_pyannote)


def test_the_pipeline_runs_with_pyannote(
    random_pyannote: Path, tmp_path: Path, whisper_dir: Path
) -> None:
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"),
        TINGSHUO_ANALYSIS_ENGINE="none",
        TINGSHUO_WHISPER_MODEL=str(whisper_dir),
        TINGSHUO_PYANNOTE_PIPELINE=str(random_pyannote),
        PYANNOTE_METRICS_ENABLED="0",
    )
    [meeting] = cli_json(
        "process", str(DATA / "synthetic_meeting.wav"), "--wait", "--json", env=env, timeout=400
    )
    assert meeting["status"] == "done", meeting["error"]
    assert "budget" in meeting["text"].lower(), "random turns lose no speech"
    assert meeting["speakers"]
