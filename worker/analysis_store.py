"""Running the analysis prompts for a recording, parsing the answers and storing the records.

A parse that fails keeps the raw answer on its StageRun (parse_status 'failed') and the
recording stays done; `tingshuo reparse` rebuilds every record from the stored answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from models.analysis import ActionItem, SentimentSpan, Summary
from models.db import session_scope
from models.settings import get_settings
from models.tables import Segment, Speaker, StageRun
from worker import prompts, pronunciation_store
from worker.engines.requests import AnalysisEngine
from worker.engines.select import analysis_engine
from worker.parsers import parse
from worker.stages import analyze
from worker.store import get_recording, record_run, set_progress, stage_run

ANALYSIS_STAGES = (
    "summary",
    "action_items",
    "sentiment",
    "pronunciation",
    pronunciation_store.EVIDENCE_STAGE,
)
log = logging.getLogger(__name__)


def _context(recording_id: int) -> tuple[list[analyze.Line], dict[str, str], date, dict[str, Any]]:
    with session_scope() as session:
        recording = get_recording(session, recording_id)
        speakers = {
            s.id: s
            for s in session.scalars(select(Speaker).where(Speaker.recording_id == recording_id))
        }
        lines = [
            analyze.Line(
                s.start_s,
                s.end_s,
                speakers[s.speaker_id].label if s.speaker_id in speakers else None,
                s.text,
            )
            for s in session.scalars(
                select(Segment)
                .where(Segment.recording_id == recording_id)
                .order_by(Segment.start_s)
            )
        ]
        names = {s.label: s.display_name for s in speakers.values()}
        facts = {
            "kind": recording.kind,
            "reference_text": recording.reference_text,
            "content_hash": recording.content_hash,
            "student_id": recording.student_id,
        }
        return lines, names, recording.created_at.date(), facts


def _flag(run_id: int, status: str) -> None:
    with session_scope() as session:
        session.execute(update(StageRun).where(StageRun.id == run_id).values(parse_status=status))


# --- storing parsed answers -------------------------------------------------------------------
def store_summary(recording_id: int, run_id: int, raw: str, reference: date) -> str:
    result = parse("summary", raw, reference)
    with session_scope() as session:
        session.execute(delete(Summary).where(Summary.recording_id == recording_id))
        session.add(
            Summary(
                recording_id=recording_id,
                stage_run_id=run_id,
                status=result.status,
                summary=result.data.get("summary"),
                topics=result.data.get("topics", []),
                decisions=result.data.get("decisions", []),
            )
        )
    _flag(run_id, result.status)
    return result.status


def store_action_items(recording_id: int, run_id: int, raw: str, reference: date) -> str:
    result = parse("action_items", raw, reference)
    with session_scope() as session:
        session.execute(delete(ActionItem).where(ActionItem.recording_id == recording_id))
        session.add_all(
            ActionItem(
                recording_id=recording_id,
                stage_run_id=run_id,
                position=n,
                owner=item["owner"],
                task=item["task"],
                due=item["due"],
                evidence_time_s=item["evidence_time"],
            )
            for n, item in enumerate(result.data.get("items", []))
        )
    _flag(run_id, result.status)
    return result.status


def store_sentiment(recording_id: int, run_id: int, raw: str, subject: dict[str, Any]) -> str:
    result = parse("sentiment", raw)
    with session_scope() as session:
        session.execute(delete(SentimentSpan).where(SentimentSpan.stage_run_id == run_id))
        session.add(
            SentimentSpan(
                recording_id=recording_id,
                stage_run_id=run_id,
                speaker_label=subject.get("speaker"),
                start_s=subject["start_s"],
                end_s=subject["end_s"],
                status=result.status,
                label=result.data.get("label"),
                score=result.data.get("score"),
                emotion=result.data.get("emotion"),
                evidence=result.data.get("evidence"),
            )
        )
    _flag(run_id, result.status)
    return result.status


def store_pronunciation(recording_id: int, run_id: int, raw: str, subject: dict[str, Any]) -> str:
    """The prompt's answer for one turn is parsed and flagged here; the report that combines it
    with the evidence is built once every turn is answered (pronunciation_store)."""
    result = parse("pronunciation", raw)
    _flag(run_id, result.status)
    return result.status


# --- the analysis steps -----------------------------------------------------------------------
def analyze_text_step(recording_id: int) -> None:
    """Summary and action items from the transcript (any engine, text only)."""
    engine = analysis_engine(get_settings())
    lines, names, reference, _ = _context(recording_id)
    if engine is None or not lines:
        _note_skipped(
            recording_id,
            "no analysis engine is configured" if engine is None else "the transcript is empty",
        )
        return
    text = analyze.transcript_text(lines, names)
    for stage, ask, store in (
        ("summary", analyze.summarize, store_summary),
        ("action_items", analyze.action_items, store_action_items),
    ):
        with stage_run(recording_id, stage, engine=engine.name, model_id=engine.model_id) as run:
            answer = ask(engine, text)
            run.raw_output, run.prompt_version = answer.raw, answer.prompt_version
        store(recording_id, run.run_id, answer.raw, reference)


TURNS_PER_GENERATE = 16


def _ask_per_turn(
    recording_id: int,
    engine: AnalysisEngine,
    stage: str,
    prompt_version: str,
    subjects: list[dict[str, Any]],
    ask: Callable[[list[int]], list[analyze.Answer]],
    store: Callable[[int, int, str, dict[str, Any]], str],
) -> None:
    """Ask about the turns a chunk at a time (one batched generate each); every turn gets its
    StageRun with its raw answer, then its parsed record."""
    for start in range(0, len(subjects), TURNS_PER_GENERATE):
        chunk = list(range(start, min(start + TURNS_PER_GENERATE, len(subjects))))
        started = time.perf_counter()
        try:
            answers = ask(chunk)
        except Exception as exc:
            for index in chunk:
                record_run(
                    recording_id,
                    stage,
                    engine=engine.name,
                    model_id=engine.model_id,
                    clip_index=index,
                    prompt_version=prompt_version,
                    subject=subjects[index],
                    raw_output=None,
                    duration_s=0.0,
                    error=f"{type(exc).__name__}: {exc}",
                )
            raise
        share = (time.perf_counter() - started) / len(chunk)
        for index, answer in zip(chunk, answers, strict=True):
            run_id = record_run(
                recording_id,
                stage,
                engine=engine.name,
                model_id=engine.model_id,
                clip_index=index,
                prompt_version=prompt_version,
                subject=subjects[index],
                raw_output=answer.raw,
                duration_s=share,
            )
            store(recording_id, run_id, answer.raw, subjects[index])
        set_progress(recording_id, stage, chunk[-1] / max(1, len(subjects) - 1))


def analyze_sentiment_step(
    recording_id: int, audio_loader: Callable[[str, float, float], Any]
) -> None:
    settings = get_settings()
    engine = analysis_engine(settings)
    lines, names, _, facts = _context(recording_id)
    if engine is None or not lines:
        return
    turns = analyze.speaker_turns(lines)[: settings.sentiment_max_turns]
    with session_scope() as session:
        session.execute(delete(SentimentSpan).where(SentimentSpan.recording_id == recording_id))
    subjects = [{"speaker": t.speaker, "start_s": t.start_s, "end_s": t.end_s} for t in turns]

    def ask(indices: list[int]) -> list[analyze.Answer]:
        return analyze.sentiment(
            engine,
            [turns[i] for i in indices],
            names,
            lambda t: audio_loader(facts["content_hash"], t.start_s, t.end_s),
        )

    _ask_per_turn(
        recording_id, engine, "sentiment", prompts.SENTIMENT.version, subjects, ask, store_sentiment
    )


def analyze_pronunciation_step(
    recording_id: int, audio_loader: Callable[[str, float, float], Any]
) -> None:
    """Lessons only: the evidence any machine can gather, then (with an engine that hears) the
    pronunciation prompt per turn, then one combined report per speaker."""
    engine = analysis_engine(get_settings())
    lines, _, _, facts = _context(recording_id)
    if facts["kind"] != "lesson" or not lines:
        return
    turns = analyze.speaker_turns(lines)
    try:
        pronunciation_store.gather_evidence_step(recording_id, audio_loader, turns)
    except Exception:
        # Recorded on its StageRun; the prompt below may still give a report.
        log.exception("pronunciation evidence for recording %s failed", recording_id)
    if engine is not None and engine.supports_audio:
        _ask_pronunciation_prompt(recording_id, engine, turns, facts, audio_loader)
    pronunciation_store.store_reports(recording_id)


def _ask_pronunciation_prompt(
    recording_id: int,
    engine: AnalysisEngine,
    turns: list[analyze.Turn],
    facts: dict[str, Any],
    audio_loader: Callable[[str, float, float], Any],
) -> None:
    subjects = [
        {
            "speaker": t.speaker,
            "start_s": t.start_s,
            "end_s": t.end_s,
            "student_id": facts["student_id"],
            "engine": engine.name,
        }
        for t in turns
    ]

    def ask(indices: list[int]) -> list[analyze.Answer]:
        clips = [
            audio_loader(facts["content_hash"], turns[i].start_s, turns[i].end_s) for i in indices
        ]
        return analyze.pronunciation(engine, clips, facts["reference_text"])

    _ask_per_turn(
        recording_id,
        engine,
        "pronunciation",
        prompts.PRONUNCIATION.version,
        subjects,
        ask,
        store_pronunciation,
    )


def _note_skipped(recording_id: int, why: str) -> None:
    with stage_run(recording_id, "analysis", engine="none") as run:
        run.raw_output = f"skipped: {why}"


def reparse_recording(recording_id: int) -> dict[str, int]:
    """Parse every stored analysis answer again (after a parser fix); no model is called."""
    _, _, reference, _ = _context(recording_id)
    with session_scope() as session:
        runs = session.scalars(
            select(StageRun)
            .where(
                StageRun.recording_id == recording_id,
                StageRun.stage.in_(ANALYSIS_STAGES),
                StageRun.status == "done",
            )
            .order_by(StageRun.id)
        ).all()
        latest = {
            (r.stage, r.clip_index): (r.id, r.raw_output or "", r.subject or {}) for r in runs
        }
    counts: dict[str, int] = {}
    for (stage, _), (run_id, raw, subject) in latest.items():
        if stage == "summary":
            status = store_summary(recording_id, run_id, raw, reference)
        elif stage == "action_items":
            status = store_action_items(recording_id, run_id, raw, reference)
        elif stage == "sentiment":
            status = store_sentiment(recording_id, run_id, raw, subject)
        elif stage == pronunciation_store.EVIDENCE_STAGE:
            continue  # measurements, not a model's answer: nothing to parse
        else:
            status = store_pronunciation(recording_id, run_id, raw, subject)
        counts[status] = counts.get(status, 0) + 1
    if any(stage in ("pronunciation", pronunciation_store.EVIDENCE_STAGE) for stage, _ in latest):
        pronunciation_store.store_reports(recording_id)
    return counts
