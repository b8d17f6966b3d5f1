"""Transcription of one planned clip; segment times come back relative to the recording."""

from __future__ import annotations

import numpy as np

from models.records import ClipTranscript, PlannedClip, TranscribedSegment
from worker.engines.whisper import WhisperEngine


def transcribe_clip(
    samples: np.ndarray, clip: PlannedClip, engine: WhisperEngine, language: str | None
) -> ClipTranscript:
    """``samples`` holds exactly the clip's audio (16 kHz mono float32)."""
    result = engine.transcribe(samples, language or None)
    segments = []
    for seg in result.segments:
        start = min(clip.end_s, clip.start_s + max(0.0, seg.start_s))
        end = min(clip.end_s, clip.start_s + max(seg.end_s, seg.start_s))
        segments.append(TranscribedSegment(start, max(start, end), seg.text, seg.confidence))
    return ClipTranscript(clip.index, result.language, segments, result.raw_output)
