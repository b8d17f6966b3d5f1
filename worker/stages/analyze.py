"""The analysis stage over a run's transcript: a summary from the analysis model, and action
items from it or found in the transcript itself. Every record is checked against what was said
(worker/analysis/grounding.py) before it is stored; a parse that fails keeps the raw answer on
its StageRun (parse_status 'failed') and the recording still ends done."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from models.analysis import ActionItem, Summary
from models.db import session_scope
from models.settings import get_settings
from models.tables import Speaker
from worker.analysis import extract, grounding, names, questions, summarise
from worker.analysis.parsers import parse
from worker.engines import llamacpp
from worker.engines.requests import AnalysisEngine
from worker.engines.select import analysis_engine
from worker.stages.runs import RunScope, delete_run_rows, flag_parse, guard, stage_run
from worker.stages.transcript import Context, context, transcript_of


# --- storing parsed answers -------------------------------------------------------------------
def store_summary(scope: RunScope, run_id: int, raw: str, facts: Context) -> str:
    result = parse("summary", raw, facts.recorded_on)
    _store_summary_record(scope, run_id, result.data, result.status, facts)
    flag_parse(run_id, result.status)
    return result.status


def _store_summary_record(
    scope: RunScope, run_id: int, data: dict[str, Any], status: str, facts: Context
) -> None:
    checked, verdict = grounding.check_summary(data, transcript_of(facts))
    with session_scope() as session:
        guard(session, scope)
        delete_run_rows(session, Summary, scope)
        session.add(
            Summary(
                recording_id=scope.recording_id,
                generation=scope.generation,
                stage_run_id=run_id,
                status=status,
                summary=checked.get("summary"),
                topics=checked.get("topics", []),
                decisions=checked.get("decisions", []),
                supported=verdict.supported,
                problems=verdict.problems + verdict.notes,
            )
        )


def store_action_items(scope: RunScope, run_id: int, raw: str, facts: Context) -> str:
    result = parse("action_items", raw, facts.recorded_on)
    _store_items(scope, run_id, result.data.get("items", []), transcript_of(facts))
    flag_parse(run_id, result.status)
    return result.status


def _store_items(
    scope: RunScope, run_id: int, items: list[dict[str, Any]], transcript: grounding.Transcript
) -> None:
    checked = [grounding.check_action_item(i, transcript) for i in items]
    with session_scope() as session:
        guard(session, scope)
        delete_run_rows(session, ActionItem, scope)
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
                supported=verdict.supported,
                problems=verdict.problems + verdict.notes,
            )
            for n, (item, verdict) in enumerate(checked)
        )


# --- the stages ---------------------------------------------------------------------------------
def _extractive(choice: str, engine: AnalysisEngine | None) -> bool:
    if choice != "auto":
        return choice == "extractive" or engine is None
    # The small CPU text model copies and invents; the extractive paths cannot.
    return engine is None or engine.name == llamacpp.ENGINE_NAME


def run_text(scope: RunScope) -> None:
    """Summary (a model) and action items (a model, or found in the transcript)."""
    engine = analysis_engine(get_settings())
    facts = context(scope)
    if not facts.heard_lines:
        with stage_run(scope, "analysis", engine="none") as handle:
            handle.raw_output = (
                "skipped: the transcript is empty"
                if not facts.lines
                else "skipped: every line was heard too poorly to rest a claim on"
            )
        return
    text = questions.transcript_text(facts.heard_lines, facts.names)
    settings = get_settings()
    if _extractive(settings.summary_engine, engine):
        with stage_run(scope, "summary", engine="extractive", model_id=summarise.VERSION) as handle:
            chosen = summarise.summarise(transcript_of(facts).lines, facts.duration_s)
            handle.raw_output = json.dumps(chosen, ensure_ascii=False)
        _store_summary_record(scope, handle.run_id, chosen, "ok", facts)
    else:
        assert engine is not None
        with stage_run(scope, "summary", engine=engine.name, model_id=engine.model_id) as handle:
            answer = questions.summarize(engine, text)
            handle.raw_output, handle.prompt_version = answer.raw, answer.prompt_version
        store_summary(scope, handle.run_id, answer.raw, facts)
    if _extractive(settings.action_items_engine, engine):
        _extract_action_items(scope, facts)
        return
    suggest_speaker_names(scope, facts)
    assert engine is not None
    with stage_run(scope, "action_items", engine=engine.name, model_id=engine.model_id) as handle:
        answer = questions.action_items(engine, text)
        handle.raw_output, handle.prompt_version = answer.raw, answer.prompt_version
    store_action_items(scope, handle.run_id, answer.raw, facts)


def suggest_speaker_names(scope: RunScope, facts: Context) -> dict[str, str]:
    """Store the names the conversation gives the run's speakers (as suggestions, for speakers
    nobody named yet); returns the name to call each speaker by: the one a person gave, else
    the suggested one, else the automatic one."""
    found = names.suggest_names(transcript_of(facts).lines)
    calling = dict(facts.names)
    with session_scope() as session:
        guard(session, scope)
        for speaker in session.scalars(
            select(Speaker).where(
                Speaker.recording_id == scope.recording_id,
                Speaker.generation == scope.generation,
            )
        ):
            suggestion = found.get(speaker.label)
            if speaker.named_by is None and suggestion is not None:
                speaker.suggested_name = suggestion.name[:128]
                speaker.suggestion = f"[{suggestion.at_s:.0f} s] {suggestion.said}"
                calling[speaker.label] = suggestion.name
            else:
                speaker.suggested_name = speaker.suggestion = None
    return calling


def _extract_action_items(scope: RunScope, facts: Context) -> None:
    transcript = transcript_of(facts)
    calling = suggest_speaker_names(scope, facts)
    with stage_run(scope, "action_items", engine="extractive", model_id=extract.VERSION) as handle:
        found = extract.action_items(transcript.lines, calling, facts.recorded_on)
        handle.raw_output = json.dumps(found, ensure_ascii=False)
    _store_items(scope, handle.run_id, found, transcript)
