"""The analysis stages over a run's transcript: summary and action items (text), and sentiment
per speaker turn. Answers are parsed and stored; a parse that fails keeps the raw answer on its
StageRun (parse_status 'failed') and the recording still ends done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from models.analysis import ActionItem, SentimentSpan, Summary
from models.db import session_scope
from models.settings import get_settings
from models.tables import Segment, Speaker, StageRun
from worker.analysis import prompts, questions
from worker.analysis.parsers import parse
from worker.engines.select import analysis_engine
from worker.stages.batched import ask_per_turn
from worker.stages.runs import RunScope, guard, stage_run

AudioLoader = Callable[[str, float, float], Any]


@dataclass(frozen=True)
class Context:
    """What the prompts see of a run: its transcript lines and the facts around them."""

    lines: list[questions.Line]
    names: dict[str, str]
    recorded_on: date
    kind: str
    reference_text: str | None
    content_hash: str
    student_id: int | None


def context(scope: RunScope) -> Context:
    with session_scope() as session:
        recording = guard(session, scope)
        speakers = {
            s.id: s
            for s in session.scalars(
                select(Speaker).where(
                    Speaker.recording_id == scope.recording_id,
                    Speaker.generation == scope.generation,
                )
            )
        }
        lines = [
            questions.Line(
                s.start_s,
                s.end_s,
                speakers[s.speaker_id].label if s.speaker_id in speakers else None,
                s.text,
            )
            for s in session.scalars(
                select(Segment)
                .where(
                    Segment.recording_id == scope.recording_id,
                    Segment.generation == scope.generation,
                )
                .order_by(Segment.start_s)
            )
        ]
        return Context(
            lines,
            {s.label: s.display_name for s in speakers.values()},
            recording.created_at.date(),
            recording.kind,
            recording.reference_text,
            recording.content_hash,
            recording.student_id,
        )


def flag(run_id: int, status: str) -> None:
    with session_scope() as session:
        session.execute(update(StageRun).where(StageRun.id == run_id).values(parse_status=status))


def _replace(session: Any, table: Any, scope: RunScope) -> None:
    session.execute(
        delete(table).where(
            table.recording_id == scope.recording_id, table.generation == scope.generation
        )
    )


# --- storing parsed answers -------------------------------------------------------------------
def store_summary(scope: RunScope, run_id: int, raw: str, reference: date) -> str:
    result = parse("summary", raw, reference)
    with session_scope() as session:
        guard(session, scope)
        _replace(session, Summary, scope)
        session.add(
            Summary(
                recording_id=scope.recording_id,
                generation=scope.generation,
                stage_run_id=run_id,
                status=result.status,
                summary=result.data.get("summary"),
                topics=result.data.get("topics", []),
                decisions=result.data.get("decisions", []),
            )
        )
    flag(run_id, result.status)
    return result.status


def store_action_items(scope: RunScope, run_id: int, raw: str, reference: date) -> str:
    result = parse("action_items", raw, reference)
    with session_scope() as session:
        guard(session, scope)
        _replace(session, ActionItem, scope)
        session.add_all(
            ActionItem(
                recording_id=scope.recording_id,
                generation=scope.generation,
                stage_run_id=run_id,
                position=n,
                owner=item["owner"],
                task=item["task"],
                due=item["due"],
                evidence_time_s=item["evidence_time"],
            )
            for n, item in enumerate(result.data.get("items", []))
        )
    flag(run_id, result.status)
    return result.status


def store_sentiment(scope: RunScope, run_id: int, raw: str, subject: dict[str, Any]) -> str:
    result = parse("sentiment", raw)
    with session_scope() as session:
        guard(session, scope)
        session.execute(delete(SentimentSpan).where(SentimentSpan.stage_run_id == run_id))
        session.add(
            SentimentSpan(
                recording_id=scope.recording_id,
                generation=scope.generation,
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
    flag(run_id, result.status)
    return result.status


# --- the stages ---------------------------------------------------------------------------------
def run_text(scope: RunScope) -> None:
    """Summary and action items from the transcript (any engine, text only)."""
    engine = analysis_engine(get_settings())
    facts = context(scope)
    if engine is None or not facts.lines:
        why = "no analysis engine is configured" if engine is None else "the transcript is empty"
        with stage_run(scope, "analysis", engine="none") as handle:
            handle.raw_output = f"skipped: {why}"
        return
    text = questions.transcript_text(facts.lines, facts.names)
    for stage, ask, store in (
        ("summary", questions.summarize, store_summary),
        ("action_items", questions.action_items, store_action_items),
    ):
        with stage_run(scope, stage, engine=engine.name, model_id=engine.model_id) as handle:
            answer = ask(engine, text)
            handle.raw_output, handle.prompt_version = answer.raw, answer.prompt_version
        store(scope, handle.run_id, answer.raw, facts.recorded_on)


def run_sentiment(scope: RunScope, audio_loader: AudioLoader) -> None:
    settings = get_settings()
    engine = analysis_engine(settings)
    facts = context(scope)
    if engine is None or not facts.lines:
        return
    turns = questions.speaker_turns(facts.lines)[: settings.sentiment_max_turns]
    with session_scope() as session:
        guard(session, scope)
        _replace(session, SentimentSpan, scope)
    subjects = [{"speaker": t.speaker, "start_s": t.start_s, "end_s": t.end_s} for t in turns]

    def ask(indices: list[int]) -> list[questions.Answer]:
        return questions.sentiment(
            engine,
            [turns[i] for i in indices],
            facts.names,
            lambda t: audio_loader(facts.content_hash, t.start_s, t.end_s),
        )

    ask_per_turn(
        scope, engine, "sentiment", prompts.SENTIMENT.version, subjects, ask, store_sentiment
    )
