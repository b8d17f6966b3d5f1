"""What the dashboard changes: uploads and retries. Tasks are sent by name; no model is imported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from models.settings import get_settings
from worker.errors import RejectedUpload
from worker.intake import RecordingMeta, accept_stream, reset_for_rerun
from worker.pipeline import enqueue


@dataclass(frozen=True)
class UploadOutcome:
    name: str
    recording_id: int | None
    message: str
    ok: bool


def upload(stream: BinaryIO, name: str, meta: RecordingMeta) -> UploadOutcome:
    try:
        intake = accept_stream(stream, name, get_settings(), meta)
    except RejectedUpload as exc:
        return UploadOutcome(name, None, str(exc), False)
    if intake.created and intake.status == "queued":
        enqueue(intake.recording_id)
        return UploadOutcome(name, intake.recording_id, "queued", True)
    if intake.created:
        return UploadOutcome(name, intake.recording_id, f"rejected: {intake.error}", False)
    return UploadOutcome(
        name,
        intake.recording_id,
        f"already uploaded as recording {intake.recording_id} ({intake.status})",
        True,
    )


def retry(recording_id: int) -> str:
    try:
        reset_for_rerun(recording_id, get_settings())
    except RejectedUpload as exc:
        return str(exc)
    enqueue(recording_id)
    return "queued again"
