"""Reading expert-rated speech in the speechocean762 layout (`WAVE/SPEAKER*/ID.WAV` and
`scores.json`), and measuring how far automatic reports agree with the experts."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from worker.pronunciation import agreement
from worker.pronunciation.scoring import EXPERT_NAMES, Report

LOW_WORD_SCORE = 7.0  # the experts' word accuracy below which a word counts as mispronounced


class CorpusLayoutError(ValueError):
    """The folder is not in the speechocean762 layout."""


@dataclass(frozen=True)
class Utterance:
    id: str
    speaker: str
    audio: Path
    text: str
    scores: dict[str, float]
    word_scores: list[float]


def read_corpus(folder: Path) -> list[Utterance]:
    scores_file = folder / "scores.json"
    if not scores_file.is_file():
        raise CorpusLayoutError(f"{folder} has no scores.json (expected the speechocean762 layout)")
    try:
        scores = json.loads(scores_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusLayoutError(f"{scores_file} is not valid JSON: {exc}") from exc
    audio = {p.stem: p for p in (folder / "WAVE").glob("SPEAKER*/*") if p.suffix.lower() == ".wav"}
    if not audio:
        raise CorpusLayoutError(f"{folder} has no WAVE/SPEAKER*/ID.WAV files")
    found = []
    for uid in sorted(scores):
        if uid not in audio:
            continue
        entry = scores[uid]
        found.append(
            Utterance(
                id=uid,
                speaker=audio[uid].parent.name,
                audio=audio[uid],
                text=str(entry["text"]),
                scores={k: float(entry[k]) for k in EXPERT_NAMES.values() if k in entry},
                word_scores=[float(w["accuracy"]) for w in entry.get("words", [])],
            )
        )
    if not found:
        raise CorpusLayoutError(f"no utterance in {scores_file} has its audio under {folder}/WAVE")
    return found


def calibration_speaker(speaker: str) -> bool:
    """A fixed three-fifths of the speakers calibrate; the rest stay unseen."""
    return zlib.crc32(speaker.encode()) % 5 < 3


def agreement_report(
    utterances: list[Utterance],
    reports: list[Report],
    mark_below: float,
    rounds: int,
    compare_words: bool = True,
) -> dict[str, Any]:
    """Unscripted reports mark the words heard, not the reference's: their words are not
    compared with the experts' (``compare_words`` False)."""
    sentence: dict[str, Any] = {}
    for ours, theirs in EXPERT_NAMES.items():
        groups = [
            np.array([[r.scores[ours], u.scores[theirs]]])
            for u, r in zip(utterances, reports, strict=True)
            if r.scores.get(ours) is not None and theirs in u.scores
        ]
        key = "prosodic" if ours == "prosody" else ("total" if ours == "overall" else ours)
        sentence[key] = _with_intervals(
            groups,
            {"pearson": _pearson, "spearman": _spearman},
            rounds,
        )
    word_groups = []
    for u, r in zip(utterances, reports, strict=True) if compare_words else []:
        read = [m for m in r.word_marks if m.mark != "inserted"]
        if len(read) != len(u.word_scores) or not read:
            continue
        word_groups.append(
            np.array(
                [
                    [m.score if m.score is not None else 0.0, s, float(m.mark != "correct")]
                    for m, s in zip(read, u.word_scores, strict=True)
                ]
            )
        )
    word = _with_intervals(
        word_groups,
        {"pearson": _pearson, "auc": _auc, "precision": _precision, "recall": _recall},
        rounds,
    )
    word["low_scored"] = int(sum((g[:, 1] < LOW_WORD_SCORE).sum() for g in word_groups))
    word["marked"] = int(sum(g[:, 2].sum() for g in word_groups))
    return {"sentence": sentence, "word": word}


def _with_intervals(
    groups: list[np.ndarray], statistics: dict[str, Any], rounds: int
) -> dict[str, Any]:
    result: dict[str, Any] = {"n": int(sum(len(g) for g in groups))}
    for name, statistic in statistics.items():
        estimate = agreement.bootstrap(groups, statistic, rounds)
        result[name] = _round(estimate.value)
        result[f"{name}_ci"] = [_round(estimate.low), _round(estimate.high)]
    return result


def _round(value: float) -> float | None:
    return round(value, 4) if np.isfinite(value) else None


def _pearson(rows: np.ndarray) -> float:
    return agreement.pearson(rows[:, 0], rows[:, 1])


def _spearman(rows: np.ndarray) -> float:
    return agreement.spearman(rows[:, 0], rows[:, 1])


def _auc(rows: np.ndarray) -> float:
    # A lower automatic word score should mean a lower expert score.
    return agreement.roc_auc(-rows[:, 0], rows[:, 1] < LOW_WORD_SCORE)


def _precision(rows: np.ndarray) -> float:
    return agreement.precision(rows[:, 2] > 0, rows[:, 1] < LOW_WORD_SCORE)


def _recall(rows: np.ndarray) -> float:
    return agreement.recall(rows[:, 2] > 0, rows[:, 1] < LOW_WORD_SCORE)
