"""The Qwen2-Audio engine through the real loading path, on a tiny random model (CPU)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from models.settings import Settings
from tests.conftest import LIBRISPEECH
from worker.engines.qwen2_audio import Qwen2AudioEngine
from worker.engines.requests import Request
from worker.engines.select import analysis_engine, choose_engine_name, qwen2_audio_weights_present


@pytest.fixture(scope="module")
def engine(tiny_qwen2_audio: Path) -> Qwen2AudioEngine:
    return Qwen2AudioEngine(str(tiny_qwen2_audio), device="cpu", batch_size=3)


def test_loads_with_from_pretrained_and_generates_a_mixed_batch(engine: Qwen2AudioEngine) -> None:
    audio, rate = sf.read(str(LIBRISPEECH), dtype="float32")
    assert rate == 16000
    requests = [
        Request("Transcribe the speech.", audio),
        Request("Transcribe the speech.", audio[: rate * 2]),
        Request("SUMMARY: please summarise"),
        Request("Transcribe the speech.", audio[rate:]),
        Request("hello"),
    ]
    answers = engine.generate(requests, max_new_tokens=8)
    assert len(answers) == 5 and all(isinstance(a, str) for a in answers)
    assert engine.device == "cpu"
    assert str(engine.model.dtype) == "torch.float32"


def test_greedy_generation_is_repeatable_and_batch_independent(engine: Qwen2AudioEngine) -> None:
    audio, _ = sf.read(str(LIBRISPEECH), dtype="float32")
    alone = engine.generate([Request("Transcribe.", audio)], max_new_tokens=6)
    batched = engine.generate(
        [Request("Transcribe.", audio), Request("Transcribe.", audio[:16000])], max_new_tokens=6
    )
    assert alone[0] == batched[0]


def test_a_clip_longer_than_30_seconds_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 30 s"):
        Request("Transcribe.", np.zeros(31 * 16000, dtype=np.float32))


def test_settings_choose_the_engine(tiny_qwen2_audio: Path, tmp_path: Path) -> None:
    assert qwen2_audio_weights_present(str(tiny_qwen2_audio))
    assert not qwen2_audio_weights_present(str(tmp_path))
    assert not qwen2_audio_weights_present("Qwen/Qwen2-Audio-7B-Instruct")  # no hub, no cache
    chosen = Settings(
        data_dir=tmp_path,
        analysis_engine="qwen2-audio",
        qwen2_audio_model=str(tiny_qwen2_audio),
        qwen2_audio_device="cpu",
    )
    loaded = analysis_engine(chosen)
    assert loaded is not None and loaded.name == "qwen2-audio" and loaded.supports_audio
    assert analysis_engine(chosen) is loaded, "loaded once per process"
    # auto: no CUDA here, so never the GPU engine; nothing else configured means none.
    assert (
        choose_engine_name(
            Settings(
                data_dir=tmp_path,
                qwen2_audio_model=str(tiny_qwen2_audio),
                llm_gguf=str(tmp_path / "missing.gguf"),
            )
        )
        == "none"
    )
