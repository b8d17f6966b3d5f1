"""Parsers from a model's raw answer to a typed record. Pure functions that never raise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from worker.analysis.parsers import action_items, pronunciation, sentiment, summary, transcript
from worker.analysis.parsers.common import ParseResult

PARSERS: dict[str, Callable[[str, date | None], ParseResult]] = {
    "summary": summary.parse,
    "action_items": action_items.parse,
    "sentiment": sentiment.parse,
    "pronunciation": pronunciation.parse,
    "transcript": transcript.parse,
}


def parse(kind: str, raw: str, reference: date | None = None) -> ParseResult:
    """Parse ``raw`` as ``kind``; any unexpected error becomes a failed result, never a crash."""
    try:
        return PARSERS[kind](raw, reference)
    except Exception as exc:
        return ParseResult(kind, "failed", {}, raw, [f"parser error: {type(exc).__name__}: {exc}"])
