"""`tingshuo batch` on the embedded default with real recordings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import AISHELL, LIBRISPEECH, run_cli, tingshuo_env

pytestmark = pytest.mark.slow


def test_batch_processes_each_recording_once(tmp_path: Path, whisper_dir: Path) -> None:
    folder = tmp_path / "drive"
    (folder / "week1").mkdir(parents=True)
    shutil.copy(LIBRISPEECH, folder / "standup.wav")
    shutil.copy(AISHELL, folder / "week1" / "review.wav")
    (folder / "minutes.wav").write_text("not audio")
    (folder / ".hidden.wav").write_bytes(LIBRISPEECH.read_bytes())
    (folder / "upload.wav.part").write_bytes(b"partial")
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"), TINGSHUO_WHISPER_MODEL=str(whisper_dir)
    )

    first = run_cli("batch", str(folder), "--recursive", "--wait", "--json", env=env, timeout=400)
    assert first.returncode == 1, "a failed file makes the exit code say so"
    summary = json.loads(first.stdout)
    assert {k: summary[k] for k in ("queued", "skipped", "done", "failed")} == {
        "queued": 3,
        "skipped": 0,
        "done": 2,
        "failed": 1,
    }
    outcomes = {Path(f["path"]).name: f for f in summary["files"]}
    assert set(outcomes) == {"standup.wav", "review.wav", "minutes.wav"}
    assert "not an audio or video file" in outcomes["minutes.wav"]["error"]
    assert "batch" in first.stderr and "standup.wav: done" in first.stderr

    # A renamed copy of a processed file is recognised by its content.
    shutil.copy(LIBRISPEECH, folder / "standup (copy).wav")
    again = run_cli("batch", str(folder), "--recursive", "--json", env=env)
    summary = json.loads(again.stdout)
    assert (summary["queued"], summary["skipped"]) == (0, 4)


def test_batch_pattern_and_missing_folder(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    missing = run_cli("batch", str(tmp_path / "nope"), "--json", env=env)
    assert missing.returncode == 2
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(LIBRISPEECH, folder / "a.wav")
    shutil.copy(AISHELL, folder / "b.flac.wav")
    result = run_cli("batch", str(folder), "--pattern", "a*", "--json", env=env)
    assert json.loads(result.stdout)["queued"] == 1


def test_batch_with_an_unknown_team_is_a_clear_error(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    result = run_cli("batch", str(tmp_path), "--team", "ghosts", env=env)
    assert result.returncode == 1
    assert "no team named 'ghosts'" in result.stderr
