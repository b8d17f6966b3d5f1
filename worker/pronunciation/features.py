"""Numbers a calibrated model reads from the evidence: one row per utterance, one per word."""

from __future__ import annotations

import math

from worker.pronunciation.acoustics import syllables
from worker.pronunciation.evidence import Evidence

FLOOR = 1e-4


def _log(p: float | None) -> float:
    return math.log(max(p or 0.0, FLOOR))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def sentence_features(evidence: Evidence) -> dict[str, float]:
    words = evidence.words
    count = max(1, len(words))
    forced = [w.forced_probability for w in words]
    heard = [w.heard_probability for w in words if w.heard_probability is not None]
    d = evidence.delivery
    first = next((w.start_s for w in words if w.start_s is not None), 0.0)
    return {
        "forced_mean": _mean(forced),
        "forced_log": _mean([_log(p) for p in forced]),
        "forced_low": sum(p < 0.3 for p in forced) / count,
        "forced_min_log": min((_log(p) for p in forced), default=_log(0.0)),
        "goodness": _mean([_log(w.forced_probability) - _log(w.prior_probability) for w in words]),
        "heard_mean": _mean(heard),
        "matched": sum(w.op == "match" for w in words) / count,
        "substituted": sum(w.op == "substitute" for w in words) / count,
        "omitted": sum(w.op == "omit" for w in words) / count,
        "inserted": len(evidence.inserted) / count,
        "fillers": evidence.fillers / count,
        "syllables_per_s": d.syllables_per_s,
        "seconds_per_word": d.speech_s / count,
        "pauses_per_word": d.pauses / count,
        "pause_share": d.pause_share,
        "longest_pause_s": min(d.longest_pause_s, 5.0),
        "start_delay_s": min(first, 5.0),
        "pitch_spread_st": min(d.pitch_spread_st, 12.0),
        "pitch_range_st": min(d.pitch_range_st, 30.0),
        "voiced_share": d.voiced_share,
        "loudness_spread_db": d.loudness_spread_db,
        "log_words": math.log(count),
        "language_logit": _logit(evidence.language_probability),
    }


def _logit(p: float) -> float:
    p = min(max(p, FLOOR), 1 - FLOOR)
    return math.log(p / (1 - p))


def voice_features(evidence: Evidence) -> dict[str, float]:
    return {f"v{i}": v for i, v in enumerate(evidence.voice)}


def word_features(evidence: Evidence, index: int, sentence: dict[str, float]) -> dict[str, float]:
    words = evidence.words
    word = words[index]
    before = words[index - 1] if index > 0 else None
    after = words[index + 1] if index + 1 < len(words) else None
    length = (
        (word.end_s - word.start_s) if word.start_s is not None and word.end_s is not None else 0.0
    )
    return {
        "forced_log": _log(word.forced_probability),
        "forced": word.forced_probability,
        "goodness": _log(word.forced_probability) - _log(word.prior_probability),
        "heard": word.heard_probability or 0.0,
        "matched": float(word.op == "match"),
        "substituted": float(word.op == "substitute"),
        "omitted": float(word.op == "omit"),
        "seconds_per_syllable": min(length / syllables(word.text), 2.0),
        "syllables": float(syllables(word.text)),
        "first": float(before is None),
        "last": float(after is None),
        "neighbours_log": _mean([_log(w.forced_probability) for w in (before, after) if w]),
        "sentence_log": sentence["forced_log"],
        "sentence_matched": sentence["matched"],
        "sentence_voice": sentence.get("voice_score", 0.0),
    }
