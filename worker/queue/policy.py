"""How a task runs a step: permanent errors fail the recording, transient ones are retried."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import OperationalError as DatabaseError

from worker.errors import PermanentError, RecordingNotFound, StaleRunError, TransientError
from worker.stages.runs import RunScope, mark_failed

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    DatabaseError,
    BrokerError,
    ConnectionError,
    TimeoutError,
)


def run_step(task: Task, scope: RunScope, stage: str, step: Callable[..., T], *args: Any) -> T:
    recording_id = scope.recording_id
    try:
        return step(scope, *args)
    except RecordingNotFound:
        log.warning("recording %s was deleted; dropping %s", recording_id, stage)
        raise Ignore() from None
    except StaleRunError as exc:
        log.warning("%s: dropping %s", exc, stage)
        raise Ignore() from None
    except PermanentError as exc:
        mark_failed(scope, stage, str(exc))
        raise Ignore() from exc
    except SoftTimeLimitExceeded as exc:
        mark_failed(
            scope, stage, f"{stage} took longer than {task.soft_time_limit or 'the'} s limit"
        )
        raise Ignore() from exc
    except TRANSIENT_ERRORS as exc:
        retries = task.request.retries
        if retries < (task.max_retries or 0):
            log.warning(
                "%s of recording %s hit %r; retry %d", stage, recording_id, exc, retries + 1
            )
            raise task.retry(exc=exc, countdown=min(120, 2 ** (retries + 1))) from exc
        mark_failed(scope, stage, f"{stage} gave up after {retries + 1} tries: {exc}")
        raise Ignore() from exc
    except Exception as exc:
        mark_failed(scope, stage, f"{stage} failed unexpectedly: {type(exc).__name__}: {exc}")
        raise


def run_optional_step(
    task: Task, scope: RunScope, stage: str, step: Callable[..., Any], *args: Any
) -> None:
    """Analysis: retried like any step, but a failure is recorded on its StageRun (which keeps
    the raw answer) and the recording goes on to be done with its transcript."""
    recording_id = scope.recording_id
    try:
        step(scope, *args)
    except RecordingNotFound:
        raise Ignore() from None
    except StaleRunError as exc:
        log.warning("%s: dropping %s", exc, stage)
        raise Ignore() from None
    except TRANSIENT_ERRORS as exc:
        retries = task.request.retries
        if retries < (task.max_retries or 0):
            raise task.retry(exc=exc, countdown=min(120, 2 ** (retries + 1))) from exc
        log.warning("%s of recording %s gave up: %r", stage, recording_id, exc)
    except SoftTimeLimitExceeded:
        log.warning("%s of recording %s ran out of time", stage, recording_id)
    except Exception:
        log.exception("%s of recording %s failed; the recording continues", stage, recording_id)
