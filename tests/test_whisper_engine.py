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
    ("text", "prompt", "kept"),
    [
        ("以下是普通话的句子。", "以下是普通话的句子。", ""),
        (" 以下是普通话的句子", "以下是普通话的句子。", " "),
        ("以下是普通話的句子。", "以下是普通话的句子。", ""),  # traditional characters
        # inside other text, as Whisper answered on the CI machine
        ("我以下是普通话的句子。我以下是普通話的句子。武器", "以下是普通话的句子。", "我我武器"),
        ("以下是普通话的句子以下是普通话的句子。", "以下是普通话的句子。", ""),
        ("以下是预算表。", "以下是普通话的句子。", "以下是预算表。"),
        ("以下是普通话的", "以下是普通话的句子。", "以下是普通话的"),  # only part of it
        ("以下是普通话的句子。", None, "以下是普通话的句子。"),
        ("", "以下是普通话的句子。", ""),
    ],
)
def test_whisper_answering_with_its_prompt(text: str, prompt: str | None, kept: str) -> None:
    from worker.engines.whisper import without_prompt

    assert without_prompt(text, prompt) == kept


@pytest.mark.parametrize(
    ("words", "echoed"),
    [
        (["以下", "是", "普通", "话", "的", "句子", "。"], [True] * 6 + [False]),
        (
            ["我", "以下", "是", "普通", "話", "的", "句子", "。", "武器"],
            [False] + [True] * 6 + [False, False],
        ),
        # a word straddling the echo goes with the side holding most of its letters
        (["我以", "下是普通话的句", "子们"], [False, True, False]),
        ([" We", " agreed", "."], [False, False, False]),
    ],
)
def test_words_that_echo_the_prompt(words: list[str], echoed: list[bool]) -> None:
    from worker.engines.whisper import SIMPLIFIED_CHINESE_PROMPT, echoed_pieces

    assert echoed_pieces(words, SIMPLIFIED_CHINESE_PROMPT) == echoed


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
