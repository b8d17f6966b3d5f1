"""Which language a recording is in, decided once for the run before transcription.

Whisper guesses per 30 s, and a guess per clip put one English meeting clip in German. So
the language is decided here from the first minute and a half of speech, and a guess that is
unsure (below ``language_min_probability``, or a language the team or class has never used)
stops the run with a question instead: the owner sets the language on the page and runs it
again. A language set by a person or by the team's default is never second-guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import group_of
from models.db import session_scope
from models.errors import PermanentError
from models.languages import language_name
from models.settings import get_settings
from models.tables import Clip, Recording
from worker.engines import select as engine_choice
from worker.engines import whisper as whisper_engine
from worker.stages.audio import read_audio
from worker.stages.runs import RunScope, guard, stage_run

# At most this much speech is listened to, taken from the longest clips.
SAMPLE_S = 90.0


class LanguageUnsure(PermanentError):
    """Detection could not tell the language well enough to transcribe in it."""


@dataclass(frozen=True)
class Guess:
    language: str
    probability: float
    others: list[tuple[str, float]]


def combine(per_clip: list[list[tuple[str, float]]], weights: list[float]) -> Guess:
    """The weighted mean of the clips' probabilities (weights: seconds of audio)."""
    total: dict[str, float] = defaultdict(float)
    for probabilities, weight in zip(per_clip, weights, strict=True):
        for code, probability in probabilities:
            total[code] += probability * weight
    scale = sum(weights) or 1.0
    ranked = sorted(((c, p / scale) for c, p in total.items()), key=lambda cp: -cp[1])
    best, probability = ranked[0]
    return Guess(best, probability, ranked[1:4])


def used_languages(session: Session, recording: Recording) -> set[str]:
    """Languages the recording's team or class has chosen or been transcribed in before."""
    group = group_of(session, recording.team_id, recording.class_id)
    if group is None:
        return set()
    same_group = (
        Recording.team_id == recording.team_id
        if recording.team_id is not None
        else Recording.class_id == recording.class_id
    )
    past = session.scalars(
        select(Recording.language).where(
            same_group,
            Recording.id != recording.id,
            Recording.status == "done",
            Recording.language.is_not(None),
        )
    ).all()
    known = {code for code in past if code}
    if group is not None and group.default_language:
        known.add(group.default_language)
    return known


def unsure_reason(guess: Guess, known: set[str], min_probability: float) -> str | None:
    name = f"{language_name(guess.language)} ({guess.probability:.0%} sure)"
    if guess.probability < min_probability:
        return f"The language is unclear: it sounds most like {name}."
    if known and guess.language not in known:
        used = ", ".join(sorted(language_name(c) for c in known))
        return f"It sounds like {name}, which this team or class has not used before ({used})."
    return None


def run(scope: RunScope) -> None:
    settings = get_settings()
    with session_scope() as session:
        recording = guard(session, scope)
        if recording.language:
            return
        if engine_choice.transcription_engine_name(settings) != "faster-whisper":
            return  # the listening model is told to write whatever language it hears
        content_hash = recording.content_hash
        known = used_languages(session, recording)
        clips = session.scalars(
            select(Clip)
            .where(Clip.recording_id == scope.recording_id, Clip.generation == scope.generation)
            .order_by((Clip.end_s - Clip.start_s).desc())
        ).all()
        spans, total = [], 0.0
        for clip in clips:
            if total >= SAMPLE_S:
                break
            spans.append((clip.start_s, clip.end_s))
            total += clip.end_s - clip.start_s
    if not spans:
        return
    engine = whisper_engine.get_whisper(settings)
    with stage_run(scope, "language", engine=whisper_engine.ENGINE_NAME) as handle:
        per_clip: list[list[tuple[str, float]]] = []
        for start_s, end_s in spans:
            samples = np.asarray(read_audio(settings, content_hash, start_s, end_s), np.float32)
            per_clip.append(engine.language_probabilities(samples))
        guess = combine(per_clip, [end - start for start, end in spans])
        handle.raw_output = " ".join(
            f"{c}={p:.3f}" for c, p in [(guess.language, guess.probability), *guess.others]
        )
    reason = unsure_reason(guess, known, settings.language_min_probability)
    if reason:
        raise LanguageUnsure(f"{reason} Set the language on the recording's page and run it again.")
    with session_scope() as session:
        guard(session, scope).language = guess.language
