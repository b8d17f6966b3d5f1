"""Asking a model about many speaker turns a chunk at a time (one batched generate per chunk),
with one StageRun per turn holding its raw answer. Shared by the sentiment and pronunciation
stages; it imports neither."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from worker.analysis.questions import Answer
from worker.engines.requests import AnalysisEngine
from worker.stages.runs import RunScope, record_run, set_progress

TURNS_PER_GENERATE = 16
Store = Callable[[RunScope, int, str, dict[str, Any]], str]


def ask_per_turn(
    scope: RunScope,
    engine: AnalysisEngine,
    stage: str,
    prompt_version: str,
    subjects: list[dict[str, Any]],
    ask: Callable[[list[int]], list[Answer]],
    store: Store,
) -> None:
    """Every turn gets its StageRun (subject kind "turn") with its raw answer, then its record."""

    def record(index: int, raw: str | None, seconds: float, error: str | None = None) -> int:
        return record_run(
            scope,
            stage,
            engine=engine.name,
            model_id=engine.model_id,
            subject_kind="turn",
            subject_index=index,
            prompt_version=prompt_version,
            subject=subjects[index],
            raw_output=raw,
            duration_s=seconds,
            error=error,
        )

    for start in range(0, len(subjects), TURNS_PER_GENERATE):
        chunk = list(range(start, min(start + TURNS_PER_GENERATE, len(subjects))))
        started = time.perf_counter()
        try:
            answers = ask(chunk)
        except Exception as exc:
            for index in chunk:
                record(index, None, 0.0, f"{type(exc).__name__}: {exc}")
            raise
        share = (time.perf_counter() - started) / len(chunk)
        for index, answer in zip(chunk, answers, strict=True):
            store(scope, record(index, answer.raw, share), answer.raw, subjects[index])
        set_progress(scope, stage, chunk[-1] / max(1, len(subjects) - 1))
