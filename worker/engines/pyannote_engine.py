"""pyannote.audio, the production diarizer: a Hugging Face id (token from settings) or a local
folder, loaded once per worker process, on CUDA when present, fed in-memory waveforms (so it
needs no audio decoding library), telemetry off. Its exclusive output (one speaker at a time)
is what clips are cut on."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from worker.engines.cpu_diarizer import SpeakerTurn

ENGINE_NAME = "pyannote.audio"
SAMPLE_RATE = 16000

_lock = threading.Lock()
_pipelines: dict[str, Any] = {}


def load_pipeline(source: str, token: str = "") -> Any:
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    with _lock:
        if source not in _pipelines:
            import torch
            from pyannote.audio import Pipeline

            pipeline = Pipeline.from_pretrained(source, token=token or None)
            if pipeline is None:
                raise RuntimeError(f"pyannote could not load {source!r}")
            if torch.cuda.is_available():
                pipeline.to(torch.device("cuda"))
            _pipelines[source] = pipeline
        return _pipelines[source]


def diarize(
    pipeline: Any,
    samples: np.ndarray,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> list[SpeakerTurn]:
    import torch

    def hook(
        step_name: str,
        step_artifact: Any,
        file: Any = None,
        total: int | None = None,
        completed: int | None = None,
    ) -> None:
        if on_progress is not None and total:
            on_progress(min(1.0, (completed or 0) / total))

    waveform = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32)).unsqueeze(0)
    options = {
        k: v
        for k, v in (
            ("num_speakers", num_speakers),
            ("min_speakers", min_speakers),
            ("max_speakers", max_speakers),
        )
        if v
    }
    output = pipeline({"waveform": waveform, "sample_rate": SAMPLE_RATE}, hook=hook, **options)
    annotation = getattr(output, "exclusive_speaker_diarization", None)
    if annotation is None:  # pyannote 3.x pipelines return an Annotation directly
        annotation = getattr(output, "speaker_diarization", output)
    # pyannote pads the last window with silence, and a turn can run on into that padding:
    # no turn may claim time after the recording's end.
    duration_s = len(samples) / SAMPLE_RATE
    names: dict[str, str] = {}
    turns = []
    for segment, _, label in annotation.itertracks(yield_label=True):
        start, end = round(segment.start, 3), round(min(segment.end, duration_s), 3)
        if start >= end:
            continue
        names.setdefault(label, f"SPEAKER_{len(names):02d}")
        turns.append(SpeakerTurn(start, end, names[label]))
    return sorted(turns, key=lambda t: t.start_s)
