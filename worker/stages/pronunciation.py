"""The pronunciation stage (lessons): the evidence any machine can gather (Whisper words,
alignment to the reference, delivery), then, with an engine that hears, the pronunciation prompt
per turn; one combined report per speaker. A teacher's overrides survive every re-run and
re-parse, attached to the word they are about, or kept as orphaned when it is gone."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.analysis import PronunciationScore, reattach
from models.db import session_scope
from models.settings import get_settings
from models.tables import Speaker, StageRun
from worker.analysis import grounding, prompts, questions
from worker.analysis.parsers import parse
from worker.engines.requests import AnalysisEngine
from worker.engines.select import analysis_engine
from worker.engines.whisper import ENGINE_NAME, get_whisper
from worker.errors import ModelNotAvailableError
from worker.pronunciation.acoustics import SAMPLE_RATE
from worker.pronunciation.combined import combined
from worker.pronunciation.evidence import evidence_as_json, evidence_from_json, gather
from worker.pronunciation.scoring import load_calibration, score
from worker.stages.batched import ask_per_turn
from worker.stages.runs import (
    RunScope,
    delete_run_rows,
    flag_parse,
    guard,
    set_progress,
    stage_run,
)
from worker.stages.transcript import Context, context

EVIDENCE_STAGE = "pronunciation_evidence"
PROMPT_STAGE = "pronunciation"
# The prompt's scores are not calibrated against experts yet (that needs the GPU model run on
# speechocean762), so they count for less than the calibrated evidence when both exist.
PROMPT_WEIGHT = 0.3
GAP_S = 0.4  # silence put between one speaker's turns when they are scored together
CALIBRATED_LANGUAGES = ("en",)
AudioLoader = Callable[[str, float, float], Any]
log = logging.getLogger(__name__)


def run(scope: RunScope, audio_loader: AudioLoader) -> None:
    """Lessons only: evidence per speaker, the prompt per turn (an engine that hears), then
    one report per speaker."""
    facts = context(scope)
    turns = questions.speaker_turns(facts.lines)
    if facts.kind != "lesson" or not turns:
        return
    try:
        gather_evidence(scope, audio_loader, turns, facts)
    except Exception:
        # Recorded on its StageRun; the prompt below may still give a report.
        log.exception("pronunciation evidence failed for %s", scope)
    engine = analysis_engine(get_settings())
    if engine is not None and engine.supports_audio:
        _ask_prompt(scope, engine, turns, facts, audio_loader)
    store_reports(scope, facts)


def gather_evidence(
    scope: RunScope,
    audio_loader: AudioLoader,
    turns: list[questions.Turn],
    facts: Context,
) -> None:
    """One evidence run per speaker: all that speaker's turns, scored together."""
    language = facts.language or "en"
    if language not in CALIBRATED_LANGUAGES:
        with stage_run(scope, EVIDENCE_STAGE, engine="none") as handle:
            handle.raw_output = (
                f"skipped: pronunciation is calibrated for English only, not {language!r}"
            )
        return
    try:
        engine = get_whisper(get_settings())
    except ModelNotAvailableError as exc:
        with stage_run(scope, EVIDENCE_STAGE, engine="none") as handle:
            handle.raw_output = f"skipped: {exc}"
        return
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    limit_s = get_settings().pronunciation_max_speech_s
    for number, speaker in enumerate(speakers):
        own = [t for t in turns if t.speaker == speaker]
        sample = sampled_speech(own, limit_s)
        pieces: list[np.ndarray] = []
        for start_s, end_s in sample:
            audio = audio_loader(facts.content_hash, start_s, end_s)
            pieces += [
                np.asarray(audio, np.float32),
                np.zeros(int(GAP_S * SAMPLE_RATE), np.float32),
            ]
        student = facts.student_of(speaker)
        subject = {
            "speaker": speaker,
            "student_id": student,
            "language": language,
            "speech_s": round(sum(t.end_s - t.start_s for t in own), 1),
            "scored_s": round(sum(end_s - start_s for start_s, end_s in sample), 1),
        }
        with stage_run(
            scope,
            EVIDENCE_STAGE,
            engine=ENGINE_NAME,
            model_id=engine.model_id,
            subject_kind="speaker",
            subject_index=number,
            subject=subject,
        ) as handle:
            evidence = gather(engine, np.concatenate(pieces), facts.reference_text, language)
            handle.raw_output = json.dumps(evidence_as_json(evidence))
        set_progress(scope, EVIDENCE_STAGE, (number + 1) / len(speakers))


def sampled_speech(turns: list[questions.Turn], limit_s: float) -> list[tuple[float, float]]:
    """The stretches of a speaker's turns scored for pronunciation: whole turns in order until
    ``limit_s`` of speech, the last one cut at the limit."""
    stretches: list[tuple[float, float]] = []
    left = limit_s
    for turn in turns:
        if left <= 0:
            break
        end_s = min(turn.end_s, turn.start_s + left)
        stretches.append((turn.start_s, end_s))
        left -= end_s - turn.start_s
    return stretches


def store_prompt_answer(scope: RunScope, run_id: int, raw: str, subject: dict[str, Any]) -> str:
    """The prompt's answer for one turn is parsed and flagged here; the report that combines it
    with the evidence is built once every turn is answered."""
    result = parse("pronunciation", raw)
    flag_parse(run_id, result.status)
    return result.status


def _ask_prompt(
    scope: RunScope,
    engine: AnalysisEngine,
    turns: list[questions.Turn],
    facts: Context,
    audio_loader: AudioLoader,
) -> None:
    subjects = [
        {
            "speaker": t.speaker,
            "start_s": t.start_s,
            "end_s": t.end_s,
            "student_id": facts.student_of(t.speaker),
            "engine": engine.name,
        }
        for t in turns
    ]

    def ask(indices: list[int]) -> list[questions.Answer]:
        clips = [
            audio_loader(facts.content_hash, turns[i].start_s, turns[i].end_s) for i in indices
        ]
        return questions.pronunciation(engine, clips, facts.reference_text)

    ask_per_turn(
        scope,
        engine,
        PROMPT_STAGE,
        prompts.PRONUNCIATION.version,
        subjects,
        ask,
        store_prompt_answer,
    )


def _kept_overrides(session: Session, scope: RunScope) -> dict[str | None, PronunciationScore]:
    """Reports with a teacher's overrides, by this run's speaker label: this run's own (a
    re-parse), else the newest earlier run's, its speakers matched to this run's by speech."""
    rid = scope.recording_id
    own = session.scalars(
        select(PronunciationScore).where(
            PronunciationScore.recording_id == rid,
            PronunciationScore.generation == scope.generation,
        )
    ).all()
    if own:
        return {s.speaker_label: s for s in own if s.overrides}
    earlier = session.scalar(
        select(func.max(PronunciationScore.generation)).where(
            PronunciationScore.recording_id == rid,
            PronunciationScore.generation < scope.generation,
        )
    )
    if earlier is None:
        return {}
    renamed = {
        s.previous_label: s.label
        for s in session.scalars(
            select(Speaker).where(
                Speaker.recording_id == rid, Speaker.generation == scope.generation
            )
        )
        if s.previous_label
    }
    kept: dict[str | None, PronunciationScore] = {}
    for old in session.scalars(
        select(PronunciationScore).where(
            PronunciationScore.recording_id == rid, PronunciationScore.generation == earlier
        )
    ):
        if old.overrides:
            kept[renamed.get(old.speaker_label or "", old.speaker_label)] = old
    return kept


def store_reports(scope: RunScope, facts: Context | None = None) -> int:
    """Build (or rebuild) one PronunciationScore per speaker of the run from its stored evidence
    and prompt answers (``facts``: the run's transcript, read here when not given); no model is
    called. Returns how many reports were stored."""
    calibration = load_calibration()
    facts = facts if facts is not None else context(scope)
    reference = facts.reference_text

    def heard(subject: dict[str, Any]) -> str:
        """What the transcript says in the turn a prompt answer is about."""
        start_s, end_s = subject.get("start_s", 0.0), subject.get("end_s", 0.0)
        return " ".join(x.text for x in facts.lines if x.end_s > start_s and x.start_s < end_s)

    with session_scope() as session:
        guard(session, scope)
        runs = session.scalars(
            select(StageRun)
            .where(
                StageRun.recording_id == scope.recording_id,
                StageRun.generation == scope.generation,
                StageRun.stage.in_((EVIDENCE_STAGE, PROMPT_STAGE)),
                StageRun.status == "done",
            )
            .order_by(StageRun.id)
        ).all()
        latest = {(r.stage, r.subject_kind, r.subject_index): r for r in runs}
        evidence_runs = [
            (r.id, r.subject or {}, r.raw_output or "")
            for (stage, _, _), r in latest.items()
            if stage == EVIDENCE_STAGE and (r.raw_output or "").startswith("{")
        ]
        prompt_answers: dict[str | None, list[dict[str, Any]]] = {}
        notes: dict[str | None, list[str]] = {}
        for (stage, _, _), r in latest.items():
            if stage != PROMPT_STAGE or not r.raw_output:
                continue
            parsed = parse("pronunciation", r.raw_output)
            if parsed.status == "failed":
                continue
            speaker = (r.subject or {}).get("speaker")
            words, verdict = grounding.check_flagged_words(
                parsed.data.get("mispronounced", []), heard(r.subject or {}), reference
            )
            prompt_answers.setdefault(speaker, []).append({**parsed.data, "mispronounced": words})
            notes.setdefault(speaker, []).extend(verdict.notes)
        kept = {
            label: (s.overrides, s.overridden_by, s.overridden_at)
            for label, s in _kept_overrides(session, scope).items()
        }
        delete_run_rows(session, PronunciationScore, scope)
        speakers = {subject.get("speaker") for _, subject, _ in evidence_runs} | set(prompt_answers)
        for speaker in speakers:
            found = next(
                ((i, s, raw) for i, s, raw in evidence_runs if s.get("speaker") == speaker), None
            )
            report = score(evidence_from_json(json.loads(found[2])), calibration) if found else None
            row = combined(report, prompt_answers.get(speaker, []), PROMPT_WEIGHT)
            if found and "scored_s" in found[1]:
                row["sources"]["sample"] = {k: found[1][k] for k in ("speech_s", "scored_s")}
            overrides, by, at = kept.get(speaker, ({}, None, None))
            session.add(
                PronunciationScore(
                    recording_id=scope.recording_id,
                    generation=scope.generation,
                    stage_run_id=found[0] if found else None,
                    speaker_label=speaker,
                    student_id=(found[1] if found else {}).get("student_id"),
                    overrides=reattach(overrides, row["word_marks"]) if overrides else {},
                    problems=notes.get(speaker, []),
                    overridden_by=by,
                    overridden_at=at,
                    **row,
                )
            )
        return len(speakers)
