"""The one settings class, read from ``TINGSHUO_*`` environment variables (and ``.env``).

The embedded default (development) needs nothing but a data folder: SQLite for the database,
kombu's SQLAlchemy transport on SQLite for the broker. Production must name its database,
broker and secret explicitly: nothing secret has a working default there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that look like secrets but were obviously copied from an example file.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "password", "tingshuo"})


class SettingsError(ValueError):
    """The configuration cannot be used as it stands."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHUO_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("tingshuo-data")

    # Empty means "derive the embedded default from data_dir" (development only).
    database_url: str = ""
    broker_url: str = ""
    result_backend: str = ""
    secret_key: SecretStr = SecretStr("")

    # Upload and decoding limits, checked at the edge and again in the worker.
    max_upload_bytes: int = 2 * 1024**3
    max_duration_s: float = 6 * 3600.0
    min_duration_s: float = 0.1

    # Retention: recordings older than this many days are deleted with their files by beat's
    # daily task (a team's or class's own setting wins). None keeps everything.
    retention_days: int | None = None
    retention_tick_s: float = 3600.0

    # Clip planning: Qwen2-Audio reads at most 30 s per clip.
    clip_max_s: float = 30.0
    clip_min_pause_s: float = 0.3

    # Speech detection (silero-vad).
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 300
    vad_speech_pad_ms: int = 200

    # Diarization. "auto": pyannote when its pipeline loads (a Hugging Face id with a token, or a
    # local folder), else the CPU diarizer, else one speaker for everything.
    diarization_engine: Literal["auto", "pyannote", "cpu", "none"] = "auto"
    pyannote_pipeline: str = "pyannote/speaker-diarization-community-1"
    hf_token: SecretStr = SecretStr("")
    diarization_vad_threshold: float = 0.35
    diarization_threshold: float = 0.4
    # The CPU diarizer's embedding of a longer recording is split into tasks of this much
    # audio each (run in parallel where workers are free; each within its own time limit).
    diarization_part_s: float = Field(default=1800.0, gt=0)
    # Cosine similarity at which a speaker's voice is taken for a voice profile's (measured on
    # the AMI excerpts: bench/voice_profiles.py, README).
    voice_match_threshold: float = 0.9
    # A voice heard for less than this is too thin to match or to learn a profile from.
    voice_min_speech_s: float = 5.0

    # Transcription engine. "auto": Qwen2-Audio when the analysis chose it for a GPU (CUDA and
    # weights present), else faster-whisper.
    transcription_engine: Literal["auto", "faster-whisper", "qwen2-audio"] = "auto"
    # faster-whisper: a model folder, or a model name faster-whisper knows.
    whisper_model: str = ""
    whisper_device: Literal["auto", "cpu", "cuda"] = "auto"
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = 5
    cpu_threads: int = 2
    default_language: str = ""
    # Below this, Whisper's language guess for a recording is a question to its owner, not a
    # decision (worker/stages/language.py).
    language_min_probability: float = 0.6

    # Analysis (summary, action items, sentiment, pronunciation). "auto": Qwen2-Audio when CUDA
    # and its weights are present, else an OpenAI-compatible server when configured, else the
    # llama.cpp GGUF, else none (transcripts only).
    analysis_engine: Literal["auto", "qwen2-audio", "llamacpp", "openai", "none"] = "auto"
    qwen2_audio_model: str = "Qwen/Qwen2-Audio-7B-Instruct"
    qwen2_audio_device: str = "auto"
    llm_gguf: str = ""
    llm_context_tokens: int = 4096
    openai_base_url: str = ""
    openai_model: str = ""
    openai_api_key: SecretStr = SecretStr("")
    openai_json_schema: bool = False
    openai_audio: bool = False
    sentiment_max_turns: int = 300
    # auto: the listening model's prompt per turn where the analysis engine hears audio (the
    # GPU path); otherwise sentence-level lexicons (VADER, SnowNLP), which cost no model call
    # and quote only what was said. "model" asks the text model per turn anyway.
    sentiment_engine: Literal["auto", "lexicon", "model"] = "auto"
    # auto: the model where the analysis engine hears audio or is a hosted model; otherwise
    # the extractive finder (worker/analysis/extract.py), which cannot invent an item.
    action_items_engine: Literal["auto", "extractive", "model"] = "auto"
    # auto: the model unless it is the small CPU text model (measured: its summaries were
    # unsupported on 2 of 11 AMI excerpts and echoed the first line elsewhere); then sentences
    # chosen from the transcript (worker/analysis/summarise.py).
    summary_engine: Literal["auto", "extractive", "model"] = "auto"
    # Pronunciation evidence is gathered from at most this much of each speaker's speech (whole
    # turns, in order): a teacher's two hours in a three-hour class would cost a second full
    # Whisper pass and hold the speech in memory, for a score ten minutes measure as well.
    pronunciation_max_speech_s: float = 600.0

    # Celery limits; the broker's visibility timeout must exceed the hard limit so a slow task
    # is never handed to a second worker while the first still runs it.
    task_soft_time_limit_s: int = 600
    task_time_limit_s: int = 720
    # A stage that walks the whole recording (ingest, speech, diarize, plan) may take this
    # share of the recording's length before it is stopped, and never less than the limits
    # above: a three-hour class is not held to a ten-minute clip's limit.
    whole_recording_limit_rtf: float = 0.5
    task_max_retries: int = 3
    # A stage run still marked running this long after the hard time limit was killed (the
    # limit, or a lost worker): the sweeper re-queues its recording once, then fails it.
    sweep_grace_s: int = 120
    sweep_tick_s: float = 60.0
    clips_per_task: int = 4
    # Whisper reads 30 s whatever it is given. With fill_windows a transcription task's clips
    # are read together, the way plain faster-whisper reads a recording, and each word goes to
    # the clip it was said in. Measured on a 10-minute class of 150 read sentences (120 s
    # tasks): 1.25x the plain library's time and WER 0.279 (plain 0.266), where clip by clip
    # took 4.18x with WER 0.352 (README). Clip by clip (false) is kept for comparison.
    whisper_fill_windows: bool = True
    # A Whisper transcription task takes about this much audio (whole windows). Each task's
    # audio ends in a short last window that Whisper often decodes badly and decodes again at
    # every fallback temperature (measured: 18 fallbacks in five 120 s tasks of a 10-minute
    # class, none in plain faster-whisper's one call), so fewer, longer tasks: at 300 s the
    # class took 1.03x plain (1.37x at 120 s, same day), and a task still takes about a minute.
    transcribe_task_audio_s: float = 300.0

    # Folder batches: how many batch recordings may be in the pipeline at once (the rest wait
    # and are admitted fairly across teams and classes), and how often beat looks.
    batch_max_in_flight: int = 4
    dispatch_tick_s: float = 5.0
    watch_tick_s: float = 10.0
    # A file whose size or mtime changes within this many seconds is still being written.
    watch_settle_s: float = 2.0

    # Dashboard sessions end this long after logging in; OpenID Connect through st.login is
    # offered when .streamlit/secrets.toml has an [auth] section and this is on.
    session_max_age_s: int = 8 * 3600
    oidc_enabled: bool = False

    dashboard_port: int = 8501
    dashboard_address: str = "127.0.0.1"

    @model_validator(mode="after")
    def _production_needs_explicit_services(self) -> Settings:
        if self.environment != "production":
            return self
        missing = [
            name
            for name in ("database_url", "broker_url", "result_backend")
            if not getattr(self, name)
        ]
        if missing:
            names = ", ".join(f"TINGSHUO_{n.upper()}" for n in missing)
            raise SettingsError(f"production needs {names} set explicitly")
        if self.secret_key.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise SettingsError("production needs TINGSHUO_SECRET_KEY set to a real secret")
        if len(self.secret_key.get_secret_value()) < 16:
            raise SettingsError("TINGSHUO_SECRET_KEY must be at least 16 characters")
        return self

    # Derived locations -------------------------------------------------------------------
    @property
    def data_path(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def files_dir(self) -> Path:
        return self.data_path / "files"

    @property
    def models_dir(self) -> Path:
        return self.data_path / "models"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'tingshuo.db'}"

    @property
    def celery_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.data_path / 'broker.db'}"

    @property
    def celery_result_backend(self) -> str:
        return self.result_backend or f"db+sqlite:///{self.data_path / 'results.db'}"

    @property
    def embedded_broker(self) -> bool:
        return self.celery_broker_url.startswith("sqla+")

    @property
    def llm_gguf_path(self) -> str:
        return self.llm_gguf or str(self.models_dir / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")

    @property
    def whisper_model_path(self) -> str:
        return self.whisper_model or str(self.models_dir / "whisper-base")

    def ensure_dirs(self) -> None:
        for folder in (self.data_path, self.files_dir, self.models_dir):
            folder.mkdir(parents=True, exist_ok=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
