"""faster-whisper transcription engine: loaded lazily, once per worker process."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.records import TranscribedSegment
from models.settings import Settings
from worker.errors import ModelNotAvailableError

ENGINE_NAME = "faster-whisper"
# Whisper writes Mandarin in traditional characters about as often as simplified; this prompt
# nudges it towards simplified, and zhconv converts whatever is left.
SIMPLIFIED_CHINESE_PROMPT = "以下是普通话的句子。"
NAMES_ECHO_FROM = 3  # names given: from this many, their whole list said back is an echo


@dataclass(frozen=True)
class WhisperResult:
    language: str
    language_probability: float
    segments: list[TranscribedSegment]
    raw_output: str


@dataclass(frozen=True)
class HeardWord:
    text: str  # as Whisper wrote it, with its leading space where the language has spaces
    start_s: float
    end_s: float
    confidence: float  # of the segment the word belongs to
    segment: int  # which of Whisper's segments it came in
    probability: float = 1.0  # of this word, as Whisper gives it with its timestamps


class WhisperEngine:
    def __init__(self, settings: Settings) -> None:
        self.model_id = settings.whisper_model_path
        self.beam_size = settings.whisper_beam_size
        folder = Path(self.model_id)
        looks_like_folder = folder.is_absolute() or self.model_id.startswith(".")
        if looks_like_folder and not (folder / "model.bin").is_file():
            raise ModelNotAvailableError(
                f"no Whisper model in {folder}: run `tingshuo models prepare` "
                "or set TINGSHUO_WHISPER_MODEL to a faster-whisper model folder"
            )
        from faster_whisper import WhisperModel

        device = settings.whisper_device
        if device == "auto":
            device = "cuda" if _cuda_available() else "cpu"
        compute_type = settings.whisper_compute_type if device == "cpu" else "float16"
        self.device = device
        self.model = WhisperModel(
            self.model_id,
            device=device,
            compute_type=compute_type,
            cpu_threads=settings.cpu_threads,
            local_files_only=True,
        )

    def language_probabilities(self, samples: np.ndarray) -> list[tuple[str, float]]:
        """Whisper's language probabilities for (the first 30 s of) the audio, likeliest first."""
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        _, _, probabilities = self.model.detect_language(audio)
        return [(str(code), float(p)) for code, p in probabilities]

    def words(
        self, samples: np.ndarray, language: str, names: Sequence[str] = ()
    ) -> tuple[list[HeardWord], str]:
        """Every word Whisper hears in the audio with its times, and the raw answer; longer
        audio is read in faster-whisper's own 30 s windows. ``names``: people to be heard, given
        to Whisper as hot words so that it spells them (an echo of their list is not speech).

        For a task's clips read together: each word is then given to the clip (and so the
        speaker) its time falls in, as WhisperX does with diarization."""
        prompt = SIMPLIFIED_CHINESE_PROMPT if language == "zh" else None
        hotwords = ", ".join(names) or None
        # Whisper may say the whole list back where it hears nothing it can read; one or two
        # names said in order are too likely to be real speech to be taken out.
        names_echo = hotwords if len(names) >= NAMES_ECHO_FROM else None
        segments, info = self.model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32),
            language=language,
            beam_size=self.beam_size,
            vad_filter=False,
            initial_prompt=prompt,
            condition_on_previous_text=False,
            word_timestamps=True,
            hotwords=hotwords,
        )
        words: list[HeardWord] = []
        raw: list[dict[str, Any]] = []
        for number, seg in enumerate(segments):
            confidence = float(np.exp(seg.avg_logprob))
            seg_words = list(seg.words or [])
            pieces = [w.word for w in seg_words]
            echoed = [
                of_prompt or of_names
                for of_prompt, of_names in zip(
                    echoed_pieces(pieces, prompt), echoed_pieces(pieces, names_echo), strict=True
                )
            ]
            said = [
                HeardWord(w.word, w.start, w.end, confidence, number, float(w.probability))
                for w, echo in zip(seg_words, echoed, strict=True)
                if not echo
            ]
            words.extend(said)
            raw.append(
                {
                    **_raw_segment(seg),
                    "words": [[w.text, round(w.start_s, 3), round(w.end_s, 3)] for w in said],
                }
            )
        payload: dict[str, Any] = {"language": info.language, "segments": raw}
        if hotwords:
            payload["names"] = hotwords
        return words, json.dumps(payload, ensure_ascii=False)

    def transcribe(self, samples: np.ndarray, language: str | None = None) -> WhisperResult:
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        if not language:
            language, _, _ = self.model.detect_language(audio)
        prompt = SIMPLIFIED_CHINESE_PROMPT if language == "zh" else None
        segments, info = self.model.transcribe(
            audio,
            language=language,
            beam_size=self.beam_size,
            vad_filter=False,
            initial_prompt=prompt,
            condition_on_previous_text=False,
        )
        raw: list[dict[str, Any]] = []
        records: list[TranscribedSegment] = []
        for seg in segments:
            raw.append(_raw_segment(seg))
            text = without_prompt(seg.text, prompt).strip()
            if language == "zh":
                text = to_simplified(text)
            if _letters(text):
                confidence = float(np.exp(seg.avg_logprob))
                records.append(TranscribedSegment(seg.start, seg.end, text, confidence))
        payload = {
            "language": info.language,
            "probability": info.language_probability,
            "segments": raw,
        }
        return WhisperResult(
            info.language,
            info.language_probability,
            records,
            json.dumps(payload, ensure_ascii=False),
        )


def echoed_pieces(pieces: list[str], prompt: str | None) -> list[bool]:
    """Which pieces (words, or characters) of one segment echo Whisper's initial prompt.

    Whisper, hearing nothing it can read, may answer with its prompt, whole or inside other
    text ("我以下是普通话的句子。"), in either script: that text is the prompt, not speech (kept in
    the raw answer, never in the transcript). A piece is an echo when most of its letters fall
    in an occurrence of the prompt's letters."""
    target = _letters(prompt or "")
    if not target:
        return [False] * len(pieces)
    letters: list[str] = []
    owner: list[int] = []
    for index, piece in enumerate(pieces):
        for ch in _letters(to_simplified(piece)):
            letters.append(ch)
            owner.append(index)
    joined = "".join(letters)
    in_echo = [False] * len(joined)
    start = joined.find(target)
    while start != -1:
        in_echo[start : start + len(target)] = [True] * len(target)
        start = joined.find(target, start + len(target))
    echoed_letters = [0] * len(pieces)
    all_letters = [0] * len(pieces)
    for position, index in enumerate(owner):
        all_letters[index] += 1
        echoed_letters[index] += in_echo[position]
    return [n > 0 and 2 * e > n for e, n in zip(echoed_letters, all_letters, strict=True)]


def without_prompt(text: str, prompt: str | None) -> str:
    """The segment's text with every echo of the prompt taken out (see echoed_pieces)."""
    characters = list(text)
    kept: list[str] = []
    after_echo = False
    for ch, echo in zip(characters, echoed_pieces(characters, prompt), strict=True):
        if echo or (after_echo and ch in _ECHO_STOPS):  # the echo's own full stop goes with it
            after_echo = True
            continue
        after_echo = False
        kept.append(ch)
    return "".join(kept)


_ECHO_STOPS = "。，,. "


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _raw_segment(seg: Any) -> dict[str, Any]:
    """What a StageRun keeps of one of faster-whisper's segments."""
    return {
        "start": seg.start,
        "end": seg.end,
        "text": seg.text,
        "avg_logprob": seg.avg_logprob,
        "no_speech_prob": seg.no_speech_prob,
    }


def to_simplified(text: str) -> str:
    import zhconv

    return str(zhconv.convert(text, "zh-cn"))


def _cuda_available() -> bool:
    try:
        import ctranslate2

        return bool(ctranslate2.get_cuda_device_count() > 0)
    except Exception:
        return False


_lock = threading.Lock()
_engines: dict[str, WhisperEngine] = {}


def get_whisper(settings: Settings) -> WhisperEngine:
    key = settings.whisper_model_path
    with _lock:
        if key not in _engines:
            _engines[key] = WhisperEngine(settings)
        return _engines[key]
