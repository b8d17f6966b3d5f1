"""The sentiment stage: sentence-level lexicons on the CPU default (the sentence is its own
evidence), or the listening model's prompt per speaker turn, each quote checked against the
turn it is quoted from."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete

from models.analysis import SentimentSpan
from models.db import session_scope
from models.settings import get_settings
from worker.analysis import grounding, prompts, questions
from worker.analysis.parsers import parse
from worker.engines import lexicon_sentiment
from worker.engines.select import analysis_engine
from worker.stages.batched import ask_per_turn
from worker.stages.runs import RunScope, delete_run_rows, flag_parse, guard, stage_run
from worker.stages.transcript import Context, context

AudioLoader = Callable[[str, float, float], Any]


def _turn_text(scope: RunScope, subject: dict[str, Any]) -> str:
    """What the speaker said in the turn a sentiment answer is about."""
    if subject.get("text"):
        return str(subject["text"])
    return " ".join(
        line.text
        for line in context(scope).heard_lines
        if line.speaker == subject.get("speaker")
        and line.end_s > subject["start_s"]
        and line.start_s < subject["end_s"]
    )


def store_sentiment(scope: RunScope, run_id: int, raw: str, subject: dict[str, Any]) -> str:
    result = parse("sentiment", raw)
    verdict = grounding.check_quote(result.data.get("evidence"), _turn_text(scope, subject))
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
                supported=verdict.supported,
                problems=verdict.problems,
            )
        )
    flag_parse(run_id, result.status)
    return result.status


def run(scope: RunScope, audio_loader: AudioLoader) -> None:
    settings = get_settings()
    engine = analysis_engine(settings)
    facts = context(scope)
    if not facts.heard_lines:
        return
    listening = engine is not None and engine.supports_audio
    if settings.sentiment_engine == "lexicon" or (
        settings.sentiment_engine == "auto" and not listening
    ):
        _sentiment_by_sentence(scope, facts)
        return
    if engine is None:
        return
    turns = questions.speaker_turns(facts.heard_lines)[: settings.sentiment_max_turns]
    with session_scope() as session:
        guard(session, scope)
        delete_run_rows(session, SentimentSpan, scope)
    subjects = [
        {"speaker": t.speaker, "start_s": t.start_s, "end_s": t.end_s, "text": t.text}
        for t in turns
    ]

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


def _sentiment_by_sentence(scope: RunScope, facts: Context) -> None:
    """One span per sentence, scored by the lexicons; the sentence is its own evidence."""
    scored = [
        (line, lexicon_sentiment.score_sentence(sentence))
        for line in facts.heard_lines
        for sentence in lexicon_sentiment.sentences(line.text)
    ]
    with stage_run(
        scope,
        "sentiment",
        engine=lexicon_sentiment.ENGINE_NAME,
        model_id=lexicon_sentiment.MODEL_ID,
    ) as handle:
        handle.raw_output = json.dumps(
            [{"start_s": ln.start_s, "score": s.score, "text": s.text} for ln, s in scored],
            ensure_ascii=False,
        )
    checked = [(ln, s, grounding.check_quote(s.text, ln.text)) for ln, s in scored]
    with session_scope() as session:
        guard(session, scope)
        delete_run_rows(session, SentimentSpan, scope)
        session.add_all(
            SentimentSpan(
                recording_id=scope.recording_id,
                generation=scope.generation,
                stage_run_id=handle.run_id,
                speaker_label=line.speaker,
                start_s=line.start_s,
                end_s=line.end_s,
                status="ok",
                label=result.label,
                score=result.score,
                evidence=result.text,
                supported=verdict.supported,
                problems=verdict.problems,
            )
            for line, result, verdict in checked
        )
