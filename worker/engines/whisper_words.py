"""Word-level evidence from faster-whisper for pronunciation scoring: the words it hears with
their timings and probabilities, and how probable the reference words are when Whisper is made
to read them (forced decoding, a goodness-of-pronunciation measure)."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from typing import Any

import numpy as np

from worker.engines.whisper import WhisperEngine

SAMPLE_RATE = 16000
_SILENCE_S = 1.0


@dataclass(frozen=True)
class TimedWord:
    text: str
    start_s: float
    end_s: float
    probability: float


def heard_words(engine: WhisperEngine, samples: np.ndarray, language: str) -> list[TimedWord]:
    """What Whisper hears, word by word (beam search, word timestamps on)."""
    segments, _ = engine.model.transcribe(
        np.ascontiguousarray(samples, dtype=np.float32),
        language=language,
        beam_size=engine.beam_size,
        vad_filter=False,
        word_timestamps=True,
        condition_on_previous_text=False,
    )
    return [
        TimedWord(w.word.strip(), float(w.start), float(w.end), float(w.probability))
        for seg in segments
        for w in (seg.words or [])
        if w.word.strip()
    ]


def forced_words(
    engine: WhisperEngine, samples: np.ndarray, text: str, language: str
) -> tuple[list[TimedWord], list[float]]:
    """Whisper made to read ``text`` over ``samples`` (at most 30 s): each word's timing and
    probability, and the same word's probability over silence (what the language model alone
    expects), so that predictable words are not mistaken for well pronounced ones."""
    tokenizer = _tokenizer(engine.model, language)
    tokens = tokenizer.encode(" " + text.strip())
    if not tokens:
        return [], []
    encoded, frames = _encode(engine, samples)
    heard = _align(engine, tokenizer, tokens, encoded, frames)
    silence, silent_frames = _silence(engine)
    prior = [w.probability for w in _align(engine, tokenizer, tokens, silence, silent_frames)]
    if len(prior) != len(heard):
        prior = [float("nan")] * len(heard)
    return heard, prior


def voice_profile(
    engine: WhisperEngine, samples: np.ndarray, language: str
) -> tuple[float, list[float]]:
    """How sure Whisper is that the first 30 s are in ``language`` (accented speech sounds less
    like it), and the mean of its encoder's states over the speech (a summary of how it sounds)."""
    encoded, frames = _encode(engine, samples)
    found = engine.model.model.detect_language(encoded)[0]
    probability = dict(found).get(f"<|{language}|>", 0.0)
    states = np.asarray(encoded)[0, : max(1, frames // 2)]
    return float(probability), [round(float(v), 4) for v in states.mean(axis=0)]


def _encode(engine: WhisperEngine, samples: np.ndarray) -> tuple[Any, int]:
    from faster_whisper.audio import pad_or_trim

    audio = np.ascontiguousarray(samples, dtype=np.float32)
    # The forced reading and the voice profile encode the same audio: encode it once.
    key = (id(engine), hashlib.blake2b(audio.tobytes(), digest_size=16).hexdigest())
    if _last_encoding and _last_encoding[0] == key:
        cached: tuple[Any, int] = _last_encoding[1]
        return cached
    extractor = engine.model.feature_extractor
    features = extractor(audio)
    frames = min(features.shape[-1] - 1, extractor.nb_max_frames)
    result = engine.model.encode(pad_or_trim(features[:, : extractor.nb_max_frames])), frames
    _last_encoding[:] = [key, result]
    return result


_last_encoding: list[Any] = []


_silences: dict[int, tuple[Any, int]] = {}


def _silence(engine: WhisperEngine) -> tuple[Any, int]:
    key = id(engine)
    if key not in _silences:
        _silences[key] = _encode(engine, np.zeros(int(_SILENCE_S * SAMPLE_RATE), np.float32))
    return _silences[key]


def _align(
    engine: WhisperEngine, tokenizer: Any, tokens: list[int], encoded: Any, frames: int
) -> list[TimedWord]:
    found: list[list[dict[str, Any]]] = engine.model.find_alignment(
        tokenizer, [tokens], encoded, frames
    )
    return [
        TimedWord(w["word"].strip(), float(w["start"]), float(w["end"]), float(w["probability"]))
        for w in (found[0] if found else [])
        if w["word"].strip() and w["word"].strip() not in string.punctuation
    ]


def _tokenizer(model: Any, language: str) -> Any:
    from faster_whisper.tokenizer import Tokenizer

    return Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
