"""Where a recording's files live: under its content hash, never under an uploaded name."""

from __future__ import annotations

from pathlib import Path

from models.settings import Settings


def recording_dir(settings: Settings, content_hash: str) -> Path:
    if len(content_hash) != 64 or not all(c in "0123456789abcdef" for c in content_hash):
        raise ValueError("content hash must be 64 lower-case hex digits")
    return settings.files_dir / content_hash[:2] / content_hash


def original_path(settings: Settings, content_hash: str) -> Path:
    return recording_dir(settings, content_hash) / "original"


def audio_path(settings: Settings, content_hash: str) -> Path:
    """The decoded 16 kHz mono WAV every stage reads."""
    return recording_dir(settings, content_hash) / "audio.wav"


def incoming_dir(settings: Settings) -> Path:
    return settings.files_dir / "incoming"


def player_path(settings: Settings, content_hash: str) -> Path:
    """The compressed copy the dashboard's player streams (made by ingest)."""
    return recording_dir(settings, content_hash) / "player.mp3"


def speech_probabilities_path(settings: Settings, content_hash: str) -> Path:
    """The voice detector's probability per 32 ms frame (written by the speech stage, read again
    by the diarizer with its own threshold, so the detector runs once per recording)."""
    return recording_dir(settings, content_hash) / "speech_probabilities.npy"


def speaker_embeddings_path(settings: Settings, content_hash: str, run: str, part: int) -> Path:
    """One part's speaker embeddings, for a long recording whose windows are embedded by several
    tasks (``run`` names the pipeline run; the diarize stage deletes them once it has used them)."""
    return recording_dir(settings, content_hash) / "speaker_embeddings" / f"{run}-part{part}.npz"
