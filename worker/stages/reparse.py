"""Parsing a recording's stored model answers again (after a parser fix) without calling any
model: transcripts given by a prompted model, summaries, action items, sentiment and
pronunciation reports, all of the current run only. Not a stage itself: it calls the stages'
own storing functions."""

from __future__ import annotations

from sqlalchemy import select

from models.db import session_scope
from models.records import PlannedClip
from models.tables import Clip, Recording, StageRun
from worker.errors import RecordingNotFound
from worker.stages import analyze, pronunciation, sentiment, transcribe
from worker.stages.runs import RunScope
from worker.stages.transcript import context

REPARSED_STAGES = (
    "transcribe",
    "summary",
    "action_items",
    "sentiment",
    pronunciation.PROMPT_STAGE,
    pronunciation.EVIDENCE_STAGE,
)


def current_scope(recording_id: int) -> RunScope:
    with session_scope() as session:
        generation = session.scalar(
            select(Recording.generation).where(Recording.id == recording_id)
        )
    if generation is None:
        raise RecordingNotFound(f"recording {recording_id} does not exist")
    return RunScope(recording_id, generation)


def reparse_recording(recording_id: int) -> dict[str, int]:
    """Returns how many answers ended in each parse status."""
    scope = current_scope(recording_id)
    facts = context(scope)
    with session_scope() as session:
        runs = session.scalars(
            select(StageRun)
            .where(
                StageRun.recording_id == recording_id,
                StageRun.generation == scope.generation,
                StageRun.stage.in_(REPARSED_STAGES),
                StageRun.status == "done",
            )
            .order_by(StageRun.id)
        ).all()
        latest = {
            (r.stage, r.subject_kind, r.subject_index): (
                r.id,
                r.raw_output or "",
                r.subject or {},
                r.prompt_version,
            )
            for r in runs
        }
        clips = {
            c.index: PlannedClip(c.index, c.start_s, c.end_s, c.speaker_label)
            for c in session.scalars(
                select(Clip).where(
                    Clip.recording_id == recording_id, Clip.generation == scope.generation
                )
            )
        }
        language = session.scalar(select(Recording.language).where(Recording.id == recording_id))
    counts: dict[str, int] = {}
    for (stage, _, index), (run_id, raw, subject, prompt_version) in latest.items():
        if prompt_version is None:
            # Not a model's answer to a prompt (Whisper's transcript, lexicon sentiment, the
            # pronunciation evidence): nothing to parse.
            continue
        if stage == "transcribe":
            if index not in clips:
                continue
            status = transcribe.store_parsed_transcript(scope, clips[index], run_id, raw, language)
        elif stage == "summary":
            status = analyze.store_summary(scope, run_id, raw, facts)
        elif stage == "action_items":
            status = analyze.store_action_items(scope, run_id, raw, facts)
        elif stage == "sentiment":
            status = sentiment.store_sentiment(scope, run_id, raw, subject)
        else:
            status = pronunciation.store_prompt_answer(scope, run_id, raw, subject)
        counts[status] = counts.get(status, 0) + 1
    if any(
        stage in (pronunciation.PROMPT_STAGE, pronunciation.EVIDENCE_STAGE)
        for stage, _, _ in latest
    ):
        pronunciation.store_reports(scope)
    return counts
