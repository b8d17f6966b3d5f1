"""Pronunciation reports for lesson recordings: the evidence any machine can gather (Whisper
words, alignment to the reference, delivery), combined with the Qwen2-Audio prompt's parsed
answers when a GPU engine gave them. One report per speaker; a teacher's overrides survive
every re-run and re-parse."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
from sqlalchemy import delete, select

from models.analysis import PronunciationScore
from models.db import session_scope
from models.settings import get_settings
from models.tables import Recording, StageRun
from worker.engines.whisper import ENGINE_NAME, get_whisper
from worker.errors import ModelNotAvailableError
from worker.parsers import parse
from worker.pronunciation.acoustics import SAMPLE_RATE
from worker.pronunciation.evidence import evidence_as_json, evidence_from_json, gather
from worker.pronunciation.scoring import SCORES, Report, load_calibration, score
from worker.stages import analyze
from worker.store import stage_run

EVIDENCE_STAGE = "pronunciation_evidence"
PROMPT_STAGE = "pronunciation"
# The prompt's scores are not calibrated against experts yet (that needs the GPU model run on
# speechocean762), so they count for less than the calibrated evidence when both exist.
PROMPT_WEIGHT = 0.3
GAP_S = 0.4  # silence put between one speaker's turns when they are scored together
CALIBRATED_LANGUAGES = ("en",)


def gather_evidence_step(
    recording_id: int, audio_loader: Callable[[str, float, float], Any], turns: list[analyze.Turn]
) -> None:
    """One evidence run per speaker: all that speaker's turns, scored together."""
    with session_scope() as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            return
        content_hash, reference = recording.content_hash, recording.reference_text
        language, student_id = recording.language or "en", recording.student_id
    if language not in CALIBRATED_LANGUAGES:
        with stage_run(recording_id, EVIDENCE_STAGE, engine="none") as run:
            run.raw_output = (
                f"skipped: pronunciation is calibrated for English only, not {language!r}"
            )
        return
    try:
        engine = get_whisper(get_settings())
    except ModelNotAvailableError as exc:
        with stage_run(recording_id, EVIDENCE_STAGE, engine="none") as run:
            run.raw_output = f"skipped: {exc}"
        return
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    for number, speaker in enumerate(speakers):
        own = [t for t in turns if t.speaker == speaker]
        pieces: list[np.ndarray] = []
        for turn in own:
            pieces += [np.asarray(audio_loader(content_hash, turn.start_s, turn.end_s), np.float32)]
            pieces += [np.zeros(int(GAP_S * SAMPLE_RATE), np.float32)]
        subject = {"speaker": speaker, "student_id": student_id, "language": language}
        with stage_run(
            recording_id,
            EVIDENCE_STAGE,
            engine=ENGINE_NAME,
            model_id=engine.model_id,
            clip_index=number,
            subject=subject,
        ) as run:
            evidence = gather(engine, np.concatenate(pieces), reference, language)
            run.raw_output = json.dumps(evidence_as_json(evidence))


def store_reports(recording_id: int) -> int:
    """Build (or rebuild) one PronunciationScore per speaker from the stored evidence and the
    stored prompt answers; no model is called. Returns how many reports were stored."""
    calibration = load_calibration()
    with session_scope() as session:
        runs = session.scalars(
            select(StageRun)
            .where(
                StageRun.recording_id == recording_id,
                StageRun.stage.in_((EVIDENCE_STAGE, PROMPT_STAGE)),
                StageRun.status == "done",
            )
            .order_by(StageRun.id)
        ).all()
        latest = {(r.stage, r.clip_index): r for r in runs}
        evidence_runs = [
            (r.id, r.subject or {}, r.raw_output or "")
            for (stage, _), r in latest.items()
            if stage == EVIDENCE_STAGE and (r.raw_output or "").startswith("{")
        ]
        prompt_answers: dict[str | None, list[dict[str, Any]]] = {}
        for (stage, _), r in latest.items():
            if stage == PROMPT_STAGE and r.raw_output:
                parsed = parse("pronunciation", r.raw_output)
                if parsed.status != "failed":
                    prompt_answers.setdefault((r.subject or {}).get("speaker"), []).append(
                        parsed.data
                    )
        kept = {
            s.speaker_label: (s.overrides, s.overridden_by, s.overridden_at)
            for s in session.scalars(
                select(PronunciationScore).where(PronunciationScore.recording_id == recording_id)
            )
            if s.overrides
        }
        session.execute(
            delete(PronunciationScore).where(PronunciationScore.recording_id == recording_id)
        )
        speakers = {subject.get("speaker") for _, subject, _ in evidence_runs} | set(prompt_answers)
        for speaker in speakers:
            found = next(
                ((i, s, raw) for i, s, raw in evidence_runs if s.get("speaker") == speaker), None
            )
            report = score(evidence_from_json(json.loads(found[2])), calibration) if found else None
            row = _combined(report, prompt_answers.get(speaker, []))
            overrides, by, at = kept.get(speaker, ({}, None, None))
            session.add(
                PronunciationScore(
                    recording_id=recording_id,
                    stage_run_id=found[0] if found else None,
                    speaker_label=speaker,
                    student_id=(found[1] if found else {}).get("student_id"),
                    overrides=overrides,
                    overridden_by=by,
                    overridden_at=at,
                    **row,
                )
            )
        return len(speakers)


def _combined(report: Report | None, answers: list[dict[str, Any]]) -> dict[str, Any]:
    scores: dict[str, float | None] = {}
    sources: dict[str, Any] = {"calibration": report.sources.get("calibration") if report else None}
    for name in SCORES:
        ours = report.scores.get(name) if report else None
        theirs = [float(a[name]) for a in answers if a.get(name) is not None]
        prompt = sum(theirs) / len(theirs) if theirs else None
        if ours is not None and prompt is not None:
            scores[name] = round((1 - PROMPT_WEIGHT) * ours + PROMPT_WEIGHT * prompt, 1)
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
