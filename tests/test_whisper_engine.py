"""The Whisper engine through its real loading path (the assembled base model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf

from tests.conftest import DATA


@pytest.fixture(scope="module")
def whisper(whisper_dir: Path):  # type: ignore[no-untyped-def]
    from models.settings import Settings
    from worker.engines.whisper import WhisperEngine

    return WhisperEngine(Settings(whisper_model=str(whisper_dir)))


ESPEAK_MANDARIN = DATA / "meetings" / "budget-zh_0-10s.wav"


@pytest.mark.parametrize(
    ("text", "prompt", "repeats"),
    [
        ("以下是普通话的句子。", "以下是普通话的句子。", True),
        (" 以下是普通话的句子", "以下是普通话的句子。", True),
        ("以下是普通話的句子。", "以下是普通话的句子。", True),  # traditional characters
        ("以下是预算表。", "以下是普通话的句子。", False),
        ("以下是普通话的句子。", None, False),
        ("", "以下是普通话的句子。", False),
    ],
)
def test_whisper_answering_with_its_prompt(text: str, prompt: str | None, repeats: bool) -> None:
    from worker.engines.whisper import repeats_prompt

    assert repeats_prompt(text, prompt) is repeats


def test_a_prompt_whisper_repeats_never_becomes_transcript(whisper) -> None:  # type: ignore[no-untyped-def]
    """Espeak's Mandarin, which Whisper base cannot read: it answers with its initial prompt."""
    from worker.engines.whisper import SIMPLIFIED_CHINESE_PROMPT

    samples, _ = sf.read(str(ESPEAK_MANDARIN), dtype="float32")
    words, raw = whisper.words(samples, "zh")
    heard = "".join(w.text for w in words) + "".join(
        s.text for s in whisper.transcribe(samples, "zh").segments
    )
    assert SIMPLIFIED_CHINESE_PROMPT.rstrip("。") not in heard
    assert json.loads(raw)["segments"] is not None, "the raw answer is kept as it came"
