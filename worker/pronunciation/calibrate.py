"""Fitting the scoring models to expert ratings; the result is written as calibration.json."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from worker.pronunciation.evidence import Evidence
from worker.pronunciation.experts import LOW_WORD_SCORE, Utterance
from worker.pronunciation.features import sentence_features, voice_features, word_features
from worker.pronunciation.linear import LinearModel, fit_ridge

# Chosen by cross-validation over speakers of the calibration part (see README).
SENTENCE_PENALTY = 10.0
WORD_PENALTY = 10.0
VOICE_PENALTY = 1000.0
FOLDS = 5
# Features that need no reference text: what an unscripted talk can be scored on.
UNSCRIPTED_SENTENCE = [
    "heard_mean",
    "fillers",
    "syllables_per_s",
    "seconds_per_word",
    "pauses_per_word",
    "pause_share",
    "longest_pause_s",
    "start_delay_s",
    "pitch_spread_st",
    "pitch_range_st",
    "voiced_share",
    "loudness_spread_db",
    "log_words",
    "language_logit",
    "voice_score",
]
UNSCRIPTED_WORD = [
    "heard",
    "seconds_per_syllable",
    "syllables",
    "first",
    "last",
    "sentence_voice",
]


def fit_calibration(
    pairs: Sequence[tuple[Utterance, Evidence]], version: str | None = None
) -> dict[str, Any]:
    rows = [sentence_features(e) for _, e in pairs]
    voice = _fit_voice(pairs, rows)
    scripted: dict[str, Any] = {}
    unscripted: dict[str, Any] = {}
    for name in ("accuracy", "fluency", "prosodic", "completeness", "total"):
        have = [i for i, (u, _) in enumerate(pairs) if name in u.scores]
        if len(have) < 10:
            continue
        targets = [pairs[i][0].scores[name] for i in have]
        high = 1.0 if max(targets) <= 1.0 else 10.0
        chosen = [rows[i] for i in have]
        scripted[name] = fit_ridge(chosen, targets, SENTENCE_PENALTY, 0.0, high).as_json()
        if name != "completeness":
            unscripted[name] = fit_ridge(
                chosen, targets, SENTENCE_PENALTY, 0.0, high, UNSCRIPTED_SENTENCE
            ).as_json()
    word_rows, word_targets = _word_rows(pairs, rows)
    word_scripted = fit_ridge(word_rows, word_targets, WORD_PENALTY, 0.0, 10.0)
    word_unscripted = fit_ridge(word_rows, word_targets, WORD_PENALTY, 0.0, 10.0, UNSCRIPTED_WORD)
    return {
        "voice": voice.as_json(),
        "version": version or datetime.now(UTC).strftime("speechocean762-%Y%m%d"),
        "scripted": scripted,
        "unscripted": unscripted,
        "word_scripted": word_scripted.as_json(),
        "word_unscripted": word_unscripted.as_json(),
        "mark_below": best_mark_threshold(word_scripted, word_rows, word_targets),
        "calibrated_on": sorted(u.id for u, _ in pairs),
    }


def _fit_voice(
    pairs: Sequence[tuple[Utterance, Evidence]], rows: list[dict[str, float]]
) -> LinearModel:
    """The encoder summary predicts sentence accuracy; each row gets the prediction of a model
    that did not see its speaker (folds over speakers), so the models stacked on it are not
    fitted to a feature that already knows the answer."""
    voices = [voice_features(e) for _, e in pairs]
    targets = [u.scores.get("accuracy", 0.0) for u, _ in pairs]
    fold = [zlib.crc32(u.speaker.encode()) % FOLDS for u, _ in pairs]
    for k in range(FOLDS):
        train = [i for i in range(len(pairs)) if fold[i] != k]
        held = [i for i in range(len(pairs)) if fold[i] == k]
        if not train or not held:
            continue
        model = fit_ridge(
            [voices[i] for i in train], [targets[i] for i in train], VOICE_PENALTY, 0.0, 10.0
        )
        for i, value in zip(held, model.predict([voices[i] for i in held]), strict=True):
            rows[i]["voice_score"] = float(value)
    for row in rows:
        row.setdefault("voice_score", sum(targets) / len(targets))
    return fit_ridge(voices, targets, VOICE_PENALTY, 0.0, 10.0)


def _word_rows(
    pairs: Sequence[tuple[Utterance, Evidence]], rows: list[dict[str, float]]
) -> tuple[list[dict[str, float]], list[float]]:
    features, targets = [], []
    for (utterance, evidence), row in zip(pairs, rows, strict=True):
        if len(evidence.words) != len(utterance.word_scores):
            continue  # the reference and the expert's words disagree: leave it out
        for index, expert in enumerate(utterance.word_scores):
            features.append(word_features(evidence, index, row))
            targets.append(expert)
    return features, targets


def best_mark_threshold(
    model: LinearModel, rows: list[dict[str, float]], targets: list[float]
) -> float:
    """The predicted word score below which a word is marked: the best F1 on calibration."""
    predicted = model.predict(rows)
    low = [t < LOW_WORD_SCORE for t in targets]
    best, best_f1 = LOW_WORD_SCORE, -1.0
    for step in range(30, 100):
        threshold = step / 10
        flagged = [p < threshold for p in predicted]
        hits = sum(f and w for f, w in zip(flagged, low, strict=True))
        if not hits:
            continue
        precision, recall = hits / sum(flagged), hits / sum(low)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best
