"""`tingshuo eval pronunciation`: score every utterance of an expert-rated corpus and report
the agreement with the experts, overall and on the utterances the calibration never saw."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import soundfile as sf

from models.settings import Settings
from worker.pronunciation.calibrate import fit_calibration
from worker.pronunciation.evidence import Evidence, evidence_as_json, evidence_from_json, gather
from worker.pronunciation.experts import (
    Utterance,
    agreement_report,
    calibration_speaker,
    read_corpus,
)
from worker.pronunciation.scoring import (
    CALIBRATION_PATH,
    EXPERT_NAMES,
    Calibration,
    load_calibration,
    score,
)


def collect_evidence(
    utterances: list[Utterance],
    settings: Settings,
    cache: Path | None,
    progress: Callable[[int, int], None] = lambda done, total: None,
    unscripted: bool = False,
) -> tuple[list[Evidence], float | None]:
    """Evidence for every utterance; a cache file (JSON lines) keeps it between runs. With
    ``unscripted`` the reference text is withheld, as for free speech."""
    from worker.engines.whisper import get_whisper

    known: dict[str, dict[str, Any]] = {}
    if cache and cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if (entry["evidence"]["reference"] is None) == unscripted:
                known[entry["id"]] = entry["evidence"]
    found: list[Evidence] = []
    audio_s = compute_s = 0.0
    engine = None
    for done, utterance in enumerate(utterances, 1):
        if utterance.id in known:
            found.append(evidence_from_json(known[utterance.id]))
            continue
        engine = engine or get_whisper(settings)
        samples, rate = sf.read(str(utterance.audio), dtype="float32", always_2d=False)
        if rate != 16000:
            raise ValueError(f"{utterance.audio} is {rate} Hz; the corpus is 16 kHz")
        started = time.perf_counter()
        evidence = gather(engine, samples, None if unscripted else utterance.text, "en")
        compute_s += time.perf_counter() - started
        audio_s += len(samples) / rate
        found.append(evidence)
        if cache:
            with cache.open("a", encoding="utf-8") as out:
                out.write(
                    json.dumps({"id": utterance.id, "evidence": evidence_as_json(evidence)}) + "\n"
                )
        progress(done, len(utterances))
    return found, (compute_s / audio_s if audio_s else None)


def evaluate(
    folder: Path,
    settings: Settings,
    *,
    calibrate_to: Path | None = None,
    cache: Path | None = None,
    limit: int | None = None,
    rounds: int = 1000,
    unscripted: bool = False,
) -> dict[str, Any]:
    utterances = read_corpus(folder)[:limit]
    evidence, rtf = collect_evidence(utterances, settings, cache, _print_progress, unscripted)
    if calibrate_to is not None and unscripted:
        raise ValueError("calibrate on read speech: --calibrate and --unscripted do not mix")
    if calibrate_to is not None:
        chosen = [
            (u, e)
            for u, e in zip(utterances, evidence, strict=True)
            if calibration_speaker(u.speaker)
        ]
        calibrate_to.write_text(json.dumps(fit_calibration(chosen), indent=1) + "\n")
        load_calibration.cache_clear()
    calibration = load_calibration(calibrate_to or CALIBRATION_PATH)
    reports = [score(e, calibration) for e in evidence]
    unseen = [i for i, u in enumerate(utterances) if u.id not in calibration.calibrated_on]
    words = not unscripted
    result: dict[str, Any] = agreement_report(
        utterances, reports, calibration.mark_below, rounds, words
    )
    result["uncalibrated"] = agreement_report(
        [utterances[i] for i in unseen],
        [reports[i] for i in unseen],
        calibration.mark_below,
        rounds,
        words,
    )
    result["uncalibrated"]["utterances"] = len(unseen)
    result["calibration"] = _about(calibration, calibrate_to or CALIBRATION_PATH)
    result["unscripted"] = unscripted
    # None when every utterance's evidence came from the cache.
    result["real_time_factor"] = round(rtf, 3) if rtf is not None else None
    result["utterances"] = [
        _utterance(u, r, u.id in calibration.calibrated_on)
        for u, r in zip(utterances, reports, strict=True)
    ]
    return result


def _about(calibration: Calibration, path: Path) -> dict[str, Any]:
    return {
        "version": calibration.version,
        "path": str(path),
        "utterances": len(calibration.calibrated_on),
    }


def _utterance(utterance: Utterance, report: Any, calibrated: bool) -> dict[str, Any]:
    return {
        "id": utterance.id,
        "speaker": utterance.speaker,
        "calibrated_on": calibrated,
        "expert": {
            k: v * (100 if k == "completeness" else 10) for k, v in utterance.scores.items()
        },
        "automatic": {theirs: report.scores.get(ours) for ours, theirs in EXPERT_NAMES.items()},
        "words": [asdict(m) for m in report.word_marks],
        "expert_words": utterance.word_scores,
    }


def _print_progress(done: int, total: int) -> None:
    if done % 25 == 0 or done == total:
        print(f"scored {done}/{total}", file=sys.stderr, flush=True)
