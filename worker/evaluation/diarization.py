"""Scoring the configured diarizer against RTTM references with pyannote.metrics."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import soundfile as sf

from models.settings import Settings
from worker.engines import silero
from worker.evaluation.rttm import speaker_turns
from worker.folders.media_files import MEDIA_SUFFIXES
from worker.stages import diarize as diarize_stage
from worker.stages.ingest import decode


def read_rttm(paths: list[Path]) -> dict[str, Any]:
    from pyannote.core import Annotation, Segment

    references: dict[str, Any] = {}
    for path in paths:
        for uri, start, end, speaker in speaker_turns(path.read_text(encoding="utf-8")):
            references.setdefault(uri, Annotation(uri=uri))[Segment(start, end)] = speaker
    return references


def read_uem(paths: list[Path]) -> dict[str, Any]:
    from pyannote.core import Segment, Timeline

    regions: dict[str, list[Any]] = defaultdict(list)
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 4:
                regions[fields[0]].append(Segment(float(fields[2]), float(fields[3])))
    return {uri: Timeline(segments, uri=uri) for uri, segments in regions.items()}


def _load_audio(path: Path) -> tuple[Any, float]:
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "audio.wav"
        info = decode(path, wav, max_duration_s=6 * 3600, min_duration_s=0.1)
        samples, _ = sf.read(str(wav), dtype="float32")
    return samples, info.duration_s


def evaluate(folder: Path, settings: Settings, collar: float = 0.0) -> dict[str, Any]:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    references = read_rttm(sorted(folder.rglob("*.rttm")))
    uems = read_uem(sorted(folder.rglob("*.uem")))
    audio = sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in MEDIA_SUFFIXES and p.stem in references
    )
    engine = diarize_stage.choose_engine(settings)
    overall = DiarizationErrorRate(collar=collar)
    overall_no_overlap = DiarizationErrorRate(collar=collar, skip_overlap=True)
    files, audio_s, compute_s = [], 0.0, 0.0
    for path in audio:
        samples, duration = _load_audio(path)
        started = time.perf_counter()
        speech = silero.speech_spans(samples, settings)
        turns = diarize_stage.diarize(samples, speech, settings, engine)
        compute_s += time.perf_counter() - started
        audio_s += duration
        hypothesis = Annotation(uri=path.stem)
        for turn in turns:
            hypothesis[Segment(turn.start_s, turn.end_s)] = turn.speaker
        reference, uem = references[path.stem], uems.get(path.stem)
        parts: dict[str, float] = DiarizationErrorRate(collar=collar)(
            reference, hypothesis, uem=uem, detailed=True
        )
        no_overlap = DiarizationErrorRate(collar=collar, skip_overlap=True)(
            reference, hypothesis, uem=uem
        )
        overall(reference, hypothesis, uem=uem)
        overall_no_overlap(reference, hypothesis, uem=uem)
        total = parts["total"] or 1.0
        files.append(
            {
                "file": path.name,
                "der": parts["diarization error rate"],
                "der_no_overlap": float(no_overlap),
                "missed": parts["missed detection"] / total,
                "false_alarm": parts["false alarm"] / total,
                "confusion": parts["confusion"] / total,
                "speakers": len({t.speaker for t in turns}),
                "reference_speakers": len(reference.labels()),
            }
        )
    # Indexing the metric with a full slice gives the components accumulated over every file.
    totals: dict[str, float] = overall[:]  # type: ignore[index, assignment]
    total = totals["total"] or 1.0
    return {
        "engine": engine,
        "collar": collar,
        "der": abs(overall),
        "der_no_overlap": abs(overall_no_overlap),
        "missed": totals["missed detection"] / total,
        "false_alarm": totals["false alarm"] / total,
        "confusion": totals["confusion"] / total,
        "real_time_factor": compute_s / audio_s if audio_s else None,
        "files": files,
    }
