"""What an analysis engine is asked: a prompt, with a clip of audio (≤ 30 s) or without."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

SAMPLE_RATE = 16000
MAX_CLIP_S = 30.0


@dataclass(frozen=True)
class Request:
    prompt: str
    audio: np.ndarray | None = None
    # A JSON schema the answer must follow, for engines that can constrain their output
    # (``supports_schema``); the others are asked for the line format instead.
    schema: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.audio is not None and len(self.audio) > MAX_CLIP_S * SAMPLE_RATE + 1:
            # Qwen2-Audio would silently drop the rest; the clip planner must cut first.
            raise ValueError(f"audio clips may be at most {MAX_CLIP_S:.0f} s long")


class AnalysisEngine(Protocol):
    name: str
    model_id: str
    supports_audio: bool
    context_tokens: int

    def generate(self, requests: list[Request], max_new_tokens: int) -> list[str]: ...
