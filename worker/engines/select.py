"""Choosing the analysis engine from settings; each engine loads lazily, once per process."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from models.settings import Settings
from worker.engines.requests import AnalysisEngine


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def qwen2_audio_weights_present(model_id: str) -> bool:
    """A local folder with a config, or a Hugging Face id already in the local cache."""
    if Path(model_id).is_dir():
        return (Path(model_id) / "config.json").exists()
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except ImportError:
        return False


def choose_engine_name(settings: Settings) -> str:
    choice = settings.analysis_engine
    if choice != "auto":
        return choice
    if cuda_available() and qwen2_audio_weights_present(settings.qwen2_audio_model):
        return "qwen2-audio"
    if settings.openai_base_url:
        return "openai"
    if Path(settings.llm_gguf_path).exists() and importlib.util.find_spec("llama_cpp"):
        return "llamacpp"
    return "none"


def transcription_engine_name(settings: Settings) -> str:
    if settings.transcription_engine != "auto":
        return settings.transcription_engine
    automatic = settings.analysis_engine == "auto" and choose_engine_name(settings) == "qwen2-audio"
    return "qwen2-audio" if automatic else "faster-whisper"


def analysis_engine(settings: Settings) -> AnalysisEngine | None:
    name = choose_engine_name(settings)
    if name == "qwen2-audio":
        from worker.engines.qwen2_audio import get_qwen2_audio

        return get_qwen2_audio(settings.qwen2_audio_model, settings.qwen2_audio_device)
    if name == "llamacpp":
        from worker.engines.llamacpp import get_llamacpp

        return get_llamacpp(
            settings.llm_gguf_path, settings.cpu_threads, settings.llm_context_tokens
        )
    if name == "openai":
        from worker.engines.openai_compat import OpenAICompatEngine

        return OpenAICompatEngine(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key.get_secret_value(),
            settings.openai_audio,
            settings.llm_context_tokens,
            supports_schema=settings.openai_json_schema,
        )
    return None
