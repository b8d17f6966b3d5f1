"""The Celery app; its configuration is derived from settings. Importing it loads no model."""

from __future__ import annotations

import fcntl
from typing import IO, Any

from celery import Celery
from celery.signals import worker_init, worker_shutdown
from kombu.entity import Queue

from models.settings import Settings, get_settings

CPU_QUEUE = "cpu"
GPU_QUEUE = "gpu"
BATCH_CPU_QUEUE = "batch-cpu"
BATCH_GPU_QUEUE = "batch-gpu"
ALL_QUEUES = (CPU_QUEUE, GPU_QUEUE, BATCH_CPU_QUEUE, BATCH_GPU_QUEUE)
# Tasks that hold a model run on a GPU queue; everything else is light CPU work.
GPU_TASKS = (
    "tingshuo.diarize",
    "tingshuo.transcribe",
    "tingshuo.analyze_text",
    "tingshuo.analyze_sentiment",
    "tingshuo.analyze_pronunciation",
)


def queue_name(kind: str, lane: str) -> str:
    """The queue for CPU or GPU work of a recording in the interactive or batch lane."""
    return f"batch-{kind}" if lane == "batch" else kind


def celery_config(settings: Settings) -> dict[str, Any]:
    # The broker must not hand a task to a second worker while the first may still run it.
    visibility_timeout = settings.task_time_limit_s * 2 + 60
    # kombu's SQLAlchemy transport hands its options to create_engine, so it gets none.
    result_options = {} if settings.embedded_broker else {"visibility_timeout": visibility_timeout}
    # On Redis a worker polls its queues in the order given (interactive before batch) instead
    # of in turn, so an upload waits for at most the batch task already running.
    broker_options = (
        {} if settings.embedded_broker else {**result_options, "queue_order_strategy": "priority"}
    )
    return {
        "broker_url": settings.celery_broker_url,
        "result_backend": settings.celery_result_backend,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_queues": tuple(Queue(name) for name in ALL_QUEUES),
        "task_default_queue": CPU_QUEUE,
        "task_routes": {name: {"queue": GPU_QUEUE} for name in GPU_TASKS},
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.task_soft_time_limit_s,
        "task_time_limit": settings.task_time_limit_s,
        "task_track_started": True,
        "result_expires": 24 * 3600,
        # The database result backend joins a chord by polling; poll often, it is a local file.
        "result_chord_retry_interval": 0.2,
        "broker_transport_options": broker_options,
        "result_backend_transport_options": result_options,
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "database_engine_options": {"pool_pre_ping": True},
        "beat_schedule": {
            "scan-due-folders": {
                "task": "tingshuo.scan_due_folders",
                "schedule": float(settings.watch_tick_s),
            },
            "admit-batch-work": {
                "task": "tingshuo.dispatch_batch",
                "schedule": float(settings.dispatch_tick_s),
            },
        },
    }


def _tune_embedded_broker() -> None:
    # kombu's SQLAlchemy transport polls every second and passes any transport option on to
    # create_engine, so its interval can only be set on the class. Every pipeline step is one
    # hop through the broker; a second per hop dominated short recordings (see bench/).
    from kombu.transport import sqlalchemy as sqla_transport

    sqla_transport.Transport.polling_interval = 0.1


def create_celery(settings: Settings) -> Celery:
    if settings.embedded_broker:
        settings.ensure_dirs()
        _tune_embedded_broker()
    app = Celery("tingshuo", include=["worker.tasks", "worker.folder_tasks"])
    app.conf.update(celery_config(settings))
    return app


celery_app = create_celery(get_settings())


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


@worker_shutdown.connect
def _release_worker_lock(**_: Any) -> None:
    global _lock_file
    if _lock_file is not None:
        _lock_file.close()
        _lock_file = None
