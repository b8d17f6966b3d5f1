"""docker-compose.yml cannot run here (no Docker engine), so it is read and checked instead."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from worker.cli.main import app

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_every_production_part_is_there() -> None:
    assert {"postgres", "redis", "worker-gpu", "worker-cpu", "beat", "dashboard"} <= set(SERVICES)


def test_gpu_worker_reserves_an_nvidia_device_and_consumes_the_gpu_queue() -> None:
    gpu = SERVICES["worker-gpu"]
    [device] = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    command = _command(gpu)
    assert command[command.index("--queues") + 1] == "gpu"
    cpu = _command(SERVICES["worker-cpu"])
    assert cpu[cpu.index("--queues") + 1] == "cpu"


def test_production_workers_read_both_lanes_so_folder_batches_are_processed() -> None:
    """A folder batch goes to batch-gpu/batch-cpu: the workers as compose starts them read
    those too, uploads first (tests/test_layout_and_runs.py runs such workers on a batch)."""
    from worker.queue.app import worker_queues

    read = set()
    for name in ("worker-gpu", "worker-cpu"):
        command = _command(SERVICES[name])
        read |= set(worker_queues(command[command.index("--queues") + 1]).split(","))
    assert read == {"gpu", "batch-gpu", "cpu", "batch-cpu"}
    assert worker_queues("gpu") == "gpu,batch-gpu", "interactive before batch"
    assert worker_queues("cpu,gpu") == "cpu,gpu,batch-cpu,batch-gpu"
    with pytest.raises(ValueError, match="unknown queue"):
        worker_queues("gpus")


@pytest.mark.parametrize("name", ["postgres", "redis", "worker-gpu", "worker-cpu", "dashboard"])
def test_long_running_services_have_health_checks(name: str) -> None:
    assert SERVICES[name]["healthcheck"]["test"]


def test_data_lives_in_volumes() -> None:
    for name in ("worker-gpu", "worker-cpu", "dashboard"):
        assert any(v.endswith(":/data") for v in SERVICES[name]["volumes"])
    assert any("postgresql/data" in v for v in SERVICES["postgres"]["volumes"])


def test_production_settings_and_no_default_secrets() -> None:
    env = SERVICES["dashboard"]["environment"]
    assert env["TINGSHUO_ENVIRONMENT"] == "production"
    assert env["TINGSHUO_SECRET_KEY"].startswith("${TINGSHUO_SECRET_KEY:?")
    assert ":?" in SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"]


def _tingshuo_commands() -> set[str]:
    import typer.main

    click_app = typer.main.get_command(app)
    return set(click_app.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(n for n, s in SERVICES.items() if "command" in s))
def test_every_command_exists_in_the_project(name: str) -> None:
    command = _command(SERVICES[name])
    if command[0] == "tingshuo":
        assert command[1] in _tingshuo_commands(), f"{name}: tingshuo has no {command[1]!r} command"
    elif command[0] == "celery":
        app_module = command[command.index("-A") + 1]
        assert (ROOT / (app_module.replace(".", "/") + ".py")).exists()
    else:
        assert command[0] == "redis-server"


def test_the_image_build_file_exists() -> None:
    assert (ROOT / "Dockerfile").exists()
    assert Path(ROOT / "docker-compose.yml").read_text().count("build: .") == 1
