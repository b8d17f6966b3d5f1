"""The embedded default: SQLite and a broker with no server, no worker started beforehand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.asr_metrics import cer_chinese, wer
from tests.conftest import (
    AISHELL,
    AISHELL_TEXT,
    LIBRISPEECH,
    LIBRISPEECH_TEXT,
    cli_json,
    run_cli,
    tingshuo_env,
)

pytestmark = pytest.mark.slow


def test_process_wait_runs_its_own_worker_on_the_embedded_default(
    tmp_path: Path, whisper_dir: Path
) -> None:
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"), TINGSHUO_WHISPER_MODEL=str(whisper_dir)
    )
    results = cli_json(
        "process",
        str(LIBRISPEECH),
        str(AISHELL),
        "--kind",
        "lesson",
        "--wait",
        "--json",
        env=env,
        timeout=300,
    )
    english, mandarin = results
    assert english["status"] == "done" and english["kind"] == "lesson"
    assert english["original_name"] == LIBRISPEECH.name
    assert wer(LIBRISPEECH_TEXT, english["text"]) < 0.15
    assert mandarin["status"] == "done"
    assert cer_chinese(AISHELL_TEXT, mandarin["text"]) < 0.3
    assert (tmp_path / "data" / "tingshuo.db").exists()
    # The helper worker is gone once the command returns: nothing holds the worker lock.
    from models.settings import Settings
    from worker.cli.processes import worker_running

    assert not worker_running(Settings(data_dir=tmp_path / "data"))

    shown = cli_json("show", str(english["id"]), "--json", env=env)
    assert shown["text"] == english["text"]


def test_show_unknown_recording_is_a_clear_error(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    result = run_cli("show", "999", "--json", env=env)
    assert result.returncode == 1
    assert "no recording 999" in result.stderr


def test_process_without_wait_only_queues(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    result = run_cli("process", str(LIBRISPEECH), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert "queued as recording 1" in result.stderr


def test_first_admin_gets_a_generated_password_and_can_log_in(tmp_path: Path) -> None:
    env = tingshuo_env(TINGSHUO_DATA_DIR=str(tmp_path / "data"))
    created = run_cli("users", "create", "admin", "--admin", "--generate-password", env=env)
    assert created.returncode == 0, created.stderr
    password = created.stdout.split("password for admin: ")[1].split()[0]
    assert len(password) >= 12
    weak = run_cli("users", "create", "eve", "--password-stdin", env=env, stdin=b"short\n")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    listed = run_cli("users", "list", env=env)
    assert listed.stdout.split()[:3] == ["admin", "admin", "active"]
    from sqlalchemy import create_engine, text

    from models.passwords import verify_password

    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'tingshuo.db'}")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and password not in stored
    assert verify_password(stored, password)
