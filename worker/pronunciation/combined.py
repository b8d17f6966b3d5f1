"""Combining the calibrated evidence report with a listening model's parsed answers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from worker.pronunciation.scoring import SCORES, Report


def combined(
    report: Report | None, answers: list[dict[str, Any]], prompt_weight: float
) -> dict[str, Any]:
    """One report row from the calibrated evidence and the listening prompt's parsed answers
    (averaged, counted at ``prompt_weight`` where both gave a score)."""
    scores: dict[str, float | None] = {}
    sources: dict[str, Any] = {"calibration": report.sources.get("calibration") if report else None}
    for name in SCORES:
        ours = report.scores.get(name) if report else None
        theirs = [float(a[name]) for a in answers if a.get(name) is not None]
        prompt = sum(theirs) / len(theirs) if theirs else None
        if ours is not None and prompt is not None:
            scores[name] = round((1 - prompt_weight) * ours + prompt_weight * prompt, 1)
        else:
            scores[name] = ours if ours is not None else prompt
        sources[name] = {
            k: v for k, v in (("whisper-evidence", ours), ("qwen2-audio", prompt)) if v is not None
        } or (report.sources.get(name) if report else "no evidence")
    flagged_by_prompt = [w for a in answers for w in a.get("mispronounced", [])]
    feedback = report.feedback if report else ""
    spoken = [a["feedback"] for a in answers if a.get("feedback")]
    if spoken:
        feedback = f"{feedback} Listening model: {spoken[0]}".strip()
    return {
        "status": "ok",
        **scores,
        "mispronounced": list(
            dict.fromkeys((report.mispronounced if report else []) + flagged_by_prompt)
        ),
        "word_marks": [asdict(m) for m in report.word_marks] if report else [],
        "feedback": feedback or None,
        "sources": sources,
    }
