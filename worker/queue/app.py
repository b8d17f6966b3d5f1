"""The worker's side of the Celery app (configured in models/queues.py from settings): the
queues a worker reads, and what a worker process does when it starts and stops.
Importing it loads no model."""

from __future__ import annotations

import fcntl
import logging
from typing import IO, Any

from celery.signals import worker_init, worker_ready, worker_shutdown

from models.queues import (
    ALL_QUEUES,
    BATCH_CPU_QUEUE,
    BATCH_GPU_QUEUE,
    CPU_QUEUE,
    GPU_QUEUE,
    celery_app,
    celery_config,
)
from models.settings import Settings, get_settings

__all__ = ["ALL_QUEUES", "celery_app", "celery_config", "worker_queues"]
log = logging.getLogger(__name__)

# A worker asked for a kind of work reads both lanes of it, interactive first: a GPU worker
# that read only "gpu" would leave every folder batch waiting forever in "batch-gpu".
LANES_OF = {
    CPU_QUEUE: (CPU_QUEUE, BATCH_CPU_QUEUE),
    GPU_QUEUE: (GPU_QUEUE, BATCH_GPU_QUEUE),
}


def worker_queues(requested: str) -> str:
    """The queues for ``--queues``: each kind (cpu, gpu) with its batch lane; an explicit
    lane queue (batch-cpu) is taken as given. Order is kept: Redis reads them in this order."""
    names: list[str] = []
    for name in (part.strip() for part in requested.split(",")):
        if not name:
            continue
        if name not in ALL_QUEUES:
            raise ValueError(f"unknown queue {name!r}; one of {', '.join(ALL_QUEUES)}")
        names += LANES_OF.get(name, (name,))
    interactive = [n for n in names if not n.startswith("batch-")]
    return ",".join(dict.fromkeys(interactive + names))


# On the embedded default, every worker holds a shared lock on this file while it runs, so the
# CLI can tell whether one is running without a broker that supports broadcast messages.
_lock_file: IO[str] | None = None


def worker_lock_path(settings: Settings) -> str:
    return str(settings.data_path / "worker.lock")


@worker_init.connect
def _hold_worker_lock(**_: Any) -> None:
    global _lock_file
    settings = get_settings()
    if settings.embedded_broker:
        _lock_file = open(worker_lock_path(settings), "a")  # noqa: SIM115 - held for life
        fcntl.flock(_lock_file, fcntl.LOCK_SH)


@worker_ready.connect
def _sweep_at_start(**_: Any) -> None:
    # Runs left "running" by a worker that died with the machine are found at once, not only at
    # beat's next tick.
    from worker.queue.sweeper import sweep_stuck_runs

    try:
        sweep_stuck_runs(get_settings())
    except Exception:
        log.exception("the sweep at worker start failed; beat's tick will try again")


@worker_shutdown.connect
def _release_worker_lock(**_: Any) -> None:
    global _lock_file
    if _lock_file is not None:
        _lock_file.close()
        _lock_file = None
