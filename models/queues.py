"""Where work goes: queue names, the Celery configuration derived from settings, and sending a
recording's run to the workers by task name.

Shared by the dashboard and the worker. Importing it loads no task code and no model: the task
modules are named as strings and imported by worker processes only.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu.entity import Queue

from models.settings import Settings, get_settings

CPU_QUEUE = "cpu"
GPU_QUEUE = "gpu"
BATCH_CPU_QUEUE = "batch-cpu"
BATCH_GPU_QUEUE = "batch-gpu"
ALL_QUEUES = (CPU_QUEUE, GPU_QUEUE, BATCH_CPU_QUEUE, BATCH_GPU_QUEUE)
TASK_MODULES = ["worker.queue.tasks", "worker.queue.scheduled"]
START_TASK = "tingshuo.start_run"
# Tasks that hold a model run on a GPU queue; everything else is light CPU work.
GPU_TASKS = (
    # The parts of a long recording's diarization go to the workers that diarize it.
    "tingshuo.embed_speakers",
    "tingshuo.diarize",
    "tingshuo.transcribe",
    "tingshuo.analyze_text",
    "tingshuo.analyze_sentiment",
    "tingshuo.analyze_pronunciation",
)


def queue_name(kind: str, lane: str) -> str:
    """The queue for CPU or GPU work of a recording in the interactive or batch lane."""
    return f"batch-{kind}" if lane == "batch" else kind


def time_limits(settings: Settings, duration_s: float | None) -> tuple[int, int]:
    """Soft and hard limits, in seconds, of a stage that walks a recording of this length."""
    extra = settings.task_time_limit_s - settings.task_soft_time_limit_s
    soft = max(
        settings.task_soft_time_limit_s,
        int((duration_s or 0.0) * settings.whole_recording_limit_rtf),
    )
    return soft, soft + extra


def celery_config(settings: Settings) -> dict[str, Any]:
    # The broker must not hand a task to a second worker while the first may still run it
    # (the longest limit is that of the longest recording accepted).
    visibility_timeout = time_limits(settings, settings.max_duration_s)[1] * 2 + 60
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
            "sweep-stuck-runs": {
                "task": "tingshuo.sweep_stuck_runs",
                "schedule": float(settings.sweep_tick_s),
            },
            "admit-batch-work": {
                "task": "tingshuo.dispatch_batch",
                "schedule": float(settings.dispatch_tick_s),
            },
            "apply-retention": {
                "task": "tingshuo.apply_retention",
                "schedule": float(settings.retention_tick_s),
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
    app = Celery("tingshuo", include=TASK_MODULES)
    app.conf.update(celery_config(settings))
    return app


celery_app = create_celery(get_settings())


def send_run(
    recording_id: int, generation: int, lane: str = "interactive", start_at: str = "ingest"
) -> str:
    """Queue run ``generation`` of a recording; the worker expands it into the pipeline (from
    ``start_at``: "ingest", or "analysis" when the run carries a transcript over)."""
    result = celery_app.send_task(
        START_TASK, args=[recording_id, generation, lane, start_at], queue=queue_name("cpu", lane)
    )
    return str(result.id)
