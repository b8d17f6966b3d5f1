"""A recording with its speakers and segments as plain JSON-ready data (CLI, exports, API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.tables import Recording


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _joiner(language: str | None) -> str:
    # Chinese and Japanese are written without spaces between words.
    return "" if language in {"zh", "ja", "yue"} else " "


def recording_as_dict(recording: Recording) -> dict[str, Any]:
    speakers = {s.id: s for s in recording.speakers}
    return {
        "id": recording.id,
        "original_name": recording.original_name,
        "kind": recording.kind,
        "status": recording.status,
        "stage": recording.current_stage,
        "progress": recording.progress,
        "error": recording.error,
        "content_hash": recording.content_hash,
        "duration_s": recording.duration_s,
        "language": recording.language,
        "reference_text": recording.reference_text,
        "expected_speakers": recording.expected_speakers,
        "people": list(recording.people or []),
        "uploaded_by": recording.uploaded_by,
        "created_at": _time(recording.created_at),
        "finished_at": _time(recording.finished_at),
        "run": recording.generation,
        "speakers": [
            {
                "label": s.label,
                "name": s.display_name,
                "suggested_name": s.suggested_name,
                "suggestion": s.suggestion,
            }
            for s in recording.speakers
        ],
        "segments": [
            {
                "start": round(seg.start_s, 3),
                "end": round(seg.end_s, 3),
                "speaker": speakers[seg.speaker_id].label if seg.speaker_id in speakers else None,
                "text": seg.text,
                "confidence": None if seg.confidence is None else round(seg.confidence, 3),
                "unsure": seg.unsure,
                "unsure_words": [
                    {"word": word, "probability": p} for word, p in seg.words_to_check
                ],
                "id": seg.id,
                "original_text": seg.original_text,
                "edited_by": seg.edited_by,
                "edited_at": _time(seg.edited_at),
            }
            for seg in recording.segments
        ],
        "text": _joiner(recording.language).join(seg.text for seg in recording.segments).strip(),
    }


def load_recording(session: Session, recording_id: int) -> Recording | None:
    return session.scalars(
        select(Recording)
        .where(Recording.id == recording_id)
        .options(selectinload(Recording.speakers), selectinload(Recording.segments))
    ).one_or_none()


def analysis_as_dict(
    session: Session, recording_id: int, show_unsupported: bool = False
) -> dict[str, Any]:
    """The parsed analysis records, and the model answers that were not fully understood.

    Records the transcript does not support (worker/analysis/grounding.py) are left out and
    counted under ``hidden_unsupported``; ``show_unsupported`` includes them, each marked with
    ``supported`` false and its ``problems``."""
    from models.analysis import ActionItem, PronunciationScore, SentimentSpan, Summary
    from models.runs import current_run
    from models.tables import StageRun

    summary = session.scalars(
        select(Summary).where(Summary.recording_id == recording_id, current_run(Summary))
    ).first()
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.recording_id == recording_id, current_run(ActionItem))
        .order_by(ActionItem.position)
    ).all()
    spans = session.scalars(
        select(SentimentSpan)
        .where(SentimentSpan.recording_id == recording_id, current_run(SentimentSpan))
        .order_by(SentimentSpan.start_s)
    ).all()
    scores = session.scalars(
        select(PronunciationScore)
        .where(PronunciationScore.recording_id == recording_id, current_run(PronunciationScore))
        .order_by(PronunciationScore.id)
    ).all()
    flagged = session.scalars(
        select(StageRun)
        .where(
            StageRun.recording_id == recording_id,
            current_run(StageRun),
            StageRun.parse_status.is_not(None),
            StageRun.parse_status != "ok",
        )
        .order_by(StageRun.id)
    ).all()
    # A stage that had nothing to do says why in its raw output ("skipped: ...").
    skipped = session.scalars(
        select(StageRun)
        .where(
            StageRun.recording_id == recording_id,
            current_run(StageRun),
            StageRun.raw_output.like("skipped:%"),
        )
        .order_by(StageRun.id)
    ).all()
    shown = (lambda row: True) if show_unsupported else (lambda row: row.supported)
    hidden = {
        "summary": int(summary is not None and not summary.supported),
        "action_items": sum(not i.supported for i in items),
        "sentiment": sum(not s.supported for s in spans),
    }
    if summary is not None and not shown(summary):
        summary = None
    items = [i for i in items if shown(i)]
    spans = [s for s in spans if shown(s)]
    return {
        "summary": None
        if summary is None
        else {
            "status": summary.status,
            "summary": summary.summary,
            "topics": summary.topics,
            "decisions": summary.decisions,
            "supported": summary.supported,
            "problems": summary.problems or [],
        },
        "action_items": [
            {
                "owner": i.owner,
                "task": i.task,
                "due": i.due,
                "evidence_time": i.evidence_time_s,
                "supported": i.supported,
                "problems": i.problems or [],
            }
            for i in items
        ],
        "sentiment": [
            {
                "speaker": s.speaker_label,
                "start": round(s.start_s, 3),
                "end": round(s.end_s, 3),
                "status": s.status,
                "label": s.label,
                "score": s.score,
                "emotion": s.emotion,
                "evidence": s.evidence,
                "supported": s.supported,
                "problems": s.problems or [],
            }
            for s in spans
        ],
        "pronunciation": [
            {
                "speaker": p.speaker_label,
                "student_id": p.student_id,
                "status": p.status,
                "accuracy": p.accuracy,
                "fluency": p.fluency,
                "completeness": p.completeness,
                "prosody": p.prosody,
                "overall": p.overall,
                "mispronounced": p.mispronounced,
                "word_marks": p.word_marks,
                "feedback": p.feedback,
                "sources": p.sources,
                "problems": p.problems or [],
                "overrides": p.overrides,
                "overridden_by": p.overridden_by,
                "overridden_at": p.overridden_at.isoformat() if p.overridden_at else None,
            }
            for p in scores
        ],
        "hidden_unsupported": {} if show_unsupported else hidden,
        "skipped": [
            {"stage": r.stage, "why": (r.raw_output or "").removeprefix("skipped:").strip()}
            for r in skipped
        ],
        "flagged": [
            {
                "stage": r.stage,
                "about": None if r.subject_kind is None else f"{r.subject_kind} {r.subject_index}",
                "parse_status": r.parse_status,
                "engine": r.engine,
                "prompt_version": r.prompt_version,
                "raw_output": r.raw_output,
            }
            for r in flagged
        ],
    }


def full_recording(
    session: Session, recording_id: int, show_unsupported: bool = False
) -> dict[str, Any] | None:
    recording = load_recording(session, recording_id)
    if recording is None:
        return None
    return {
        **recording_as_dict(recording),
        **analysis_as_dict(session, recording_id, show_unsupported),
    }
