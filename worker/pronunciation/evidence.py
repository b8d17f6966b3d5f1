"""Gathering the evidence for a pronunciation report from one stretch of a student's speech:
what Whisper hears, how probable each reference word is when Whisper reads it over the audio,
the alignment of the two, and the delivery (rate, pauses, pitch, loudness)."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from worker.engines.whisper import WhisperEngine
from worker.engines.whisper_words import TimedWord, forced_words, heard_words, voice_profile
from worker.pronunciation.acoustics import SAMPLE_RATE, Delivery, Timing, delivery
from worker.pronunciation.align import FILLERS, Op, align_words, words_of

# Whisper reads at most 30 s at once; longer speech is read in windows cut between words.
WINDOW_S = 28.0


@dataclass(frozen=True)
class WordEvidence:
    text: str
    op: Op
    heard_as: str | None
    heard_probability: float | None
    forced_probability: float
    prior_probability: float
    start_s: float | None
    end_s: float | None


@dataclass(frozen=True)
class InsertedWord:
    text: str
    before: int  # index of the reference word it came before (len(words) at the end)


@dataclass(frozen=True)
class Evidence:
    reference: str | None
    words: list[WordEvidence]
    inserted: list[InsertedWord]
    fillers: int
    heard_text: str
    delivery: Delivery
    duration_s: float
    engine: dict[str, Any] = field(default_factory=dict)
    # How sure Whisper is that this is the expected language, and a summary of its encoder states.
    language_probability: float = 0.0
    voice: list[float] = field(default_factory=list)


def gather(
    engine: WhisperEngine,
    samples: np.ndarray,
    reference: str | None,
    language: str = "en",
) -> Evidence:
    heard_all = heard_words(engine, samples, language)
    heard: list[TimedWord] = []
    heard_norm: list[str] = []
    for word in heard_all:
        parts = words_of(word.text)
        if not (parts and parts[0] in FILLERS):
            heard.append(word)
            heard_norm.append(" ".join(parts))
    fillers = len(heard_all) - len(heard)
    wanted = words_of(reference) if reference and reference.strip() else list(heard_norm)
    aligned = align_words(wanted, heard_norm)
    by_reference = {a.reference_index: a for a in aligned if a.reference_index is not None}
    inserted = _inserted(aligned, heard)
    forced = _forced_by_window(engine, samples, wanted, aligned, heard, language)
    words = []
    for index, text in enumerate(wanted):
        link = by_reference[index]
        said = heard[link.heard_index] if link.heard_index is not None else None
        read, prior = forced[index]
        words.append(
            WordEvidence(
                text=text,
                op=link.op,
                heard_as=said.text if said else None,
                heard_probability=said.probability if said else None,
                forced_probability=read.probability if read else 0.0,
                prior_probability=prior,
                start_s=read.start_s if read else None,
                end_s=read.end_s if read else None,
            )
        )
    language_probability, voice = voice_profile(engine, samples, language)
    timings = [
        Timing(w.start_s, w.end_s) for w in words if w.start_s is not None and w.end_s is not None
    ]
    return Evidence(
        reference=reference,
        words=words,
        inserted=inserted,
        fillers=fillers,
        heard_text=" ".join(w.text for w in heard_all),
        delivery=delivery(samples, timings, [w.text for w in words if w.start_s is not None]),
        duration_s=len(samples) / SAMPLE_RATE,
        engine={"name": "faster-whisper", "model": engine.model_id},
        language_probability=language_probability,
        voice=voice,
    )


def _inserted(aligned: list[Any], heard: list[TimedWord]) -> list[InsertedWord]:
    found, next_reference = [], 0
    for link in aligned:
        if link.reference_index is not None:
            next_reference = link.reference_index + 1
        elif link.heard_index is not None:
            found.append(InsertedWord(heard[link.heard_index].text, next_reference))
    return found


def _forced_by_window(
    engine: WhisperEngine,
    samples: np.ndarray,
    wanted: list[str],
    aligned: list[Any],
    heard: list[TimedWord],
    language: str,
) -> list[tuple[TimedWord | None, float]]:
    """Forced reading of the wanted words, window by window (each at most 30 s of audio)."""
    windows = _windows(len(samples) / SAMPLE_RATE, heard)
    window_of = _window_of_each_word(wanted, aligned, heard, windows)
    result: list[tuple[TimedWord | None, float]] = [(None, 0.0)] * len(wanted)
    for number, (start, end) in enumerate(windows):
        indices = [i for i, w in enumerate(window_of) if w == number]
        if not indices:
            continue
        clip = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        read, prior = forced_words(engine, clip, " ".join(wanted[i] for i in indices), language)
        spread = _spread(read, prior)
        matched = align_words([wanted[i] for i in indices], [t for t, _, _ in spread])
        for link in matched:
            if link.reference_index is None or link.heard_index is None:
                continue
            _, word, p = spread[link.heard_index]
            shifted = TimedWord(
                word.text, word.start_s + start, word.end_s + start, word.probability
            )
            result[indices[link.reference_index]] = (shifted, p if math.isfinite(p) else 0.0)
    return result


def _spread(read: list[TimedWord], prior: list[float]) -> list[tuple[str, TimedWord, float]]:
    """One entry per normalised word (Whisper may keep "well-known" as one word)."""
    return [
        (part, word, p)
        for word, p in zip(read, prior, strict=False)
        for part in words_of(word.text)
    ]


def _windows(duration_s: float, heard: list[TimedWord]) -> list[tuple[float, float]]:
    if duration_s <= 30.0 or not heard:
        return [(0.0, min(duration_s, 30.0))] if duration_s <= 30.0 else _even(duration_s)
    windows, start = [], 0.0
    for before, after in itertools.pairwise(heard):
        cut = (before.end_s + after.start_s) / 2
        if after.end_s - start > WINDOW_S and cut > start:
            windows.append((start, cut))
            start = cut
    windows.append((start, duration_s))
    return [(a, min(b, a + 30.0)) for a, b in windows]


def _even(duration_s: float) -> list[tuple[float, float]]:
    count = math.ceil(duration_s / WINDOW_S)
    return [(i * WINDOW_S, min(duration_s, (i + 1) * WINDOW_S)) for i in range(count)]


def _window_of_each_word(
    wanted: list[str],
    aligned: list[Any],
    heard: list[TimedWord],
    windows: list[tuple[float, float]],
) -> list[int]:
    """Each wanted word goes to the window of the heard word it was aligned with; a word nobody
    heard goes with the word before it."""

    def window_at(t: float) -> int:
        return next((n for n, (_, end) in enumerate(windows) if t < end), len(windows) - 1)

    assigned = [0] * len(wanted)
    current = 0
    for link in aligned:
        if link.heard_index is not None:
            word = heard[link.heard_index]
            current = window_at((word.start_s + word.end_s) / 2)
        if link.reference_index is not None:
            assigned[link.reference_index] = current
    return assigned


def evidence_as_json(evidence: Evidence) -> dict[str, Any]:
    return asdict(evidence)


def evidence_from_json(data: dict[str, Any]) -> Evidence:
    return Evidence(
        reference=data["reference"],
        words=[WordEvidence(**w) for w in data["words"]],
        inserted=[InsertedWord(**w) for w in data["inserted"]],
        fillers=int(data["fillers"]),
        heard_text=data["heard_text"],
        delivery=Delivery(**data["delivery"]),
        duration_s=float(data["duration_s"]),
        engine=data.get("engine", {}),
        language_probability=float(data.get("language_probability", 0.0)),
        voice=list(data.get("voice", [])),
    )
