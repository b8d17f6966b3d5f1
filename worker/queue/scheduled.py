"""Scheduled work (run by beat): scanning watched folders, admitting batch recordings, and
sweeping runs whose tasks are gone, and deleting what retention says has expired."""

from __future__ import annotations

from celery import Task

from models.lifecycle import apply_retention
from models.queues import celery_app
from models.settings import get_settings
from worker.folders.admission import dispatch_batch
from worker.folders.scan import folders_due, scan_watched_folder
from worker.queue.sweeper import sweep_stuck_runs

OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True}


@celery_app.task(name="tingshuo.scan_due_folders", **OPTIONS)
def scan_due_folders(self: Task) -> list[int]:
    due = folders_due()
    for folder_id in due:
        celery_app.send_task("tingshuo.scan_folder", args=(folder_id,))
    return due


@celery_app.task(name="tingshuo.scan_folder", **OPTIONS)
def scan_folder(self: Task, folder_id: int) -> dict[str, object]:
    report = scan_watched_folder(folder_id, get_settings())
    return {k: v for k, v in report.as_dict().items() if k != "files"}


@celery_app.task(name="tingshuo.dispatch_batch", **OPTIONS)
def dispatch(self: Task) -> list[int]:
    return dispatch_batch(get_settings().batch_max_in_flight)


@celery_app.task(name="tingshuo.sweep_stuck_runs", **OPTIONS)
def sweep(self: Task) -> list[int]:
    return [s.recording_id for s in sweep_stuck_runs(get_settings())]


@celery_app.task(name="tingshuo.apply_retention", **OPTIONS)
def retention(self: Task) -> list[str]:
    return apply_retention(get_settings(), dry_run=False)
