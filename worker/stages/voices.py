"""Each speaker's voice, and who it is when the team or class knows it (models/voices.py).

Run by the diarize stage once its speakers are stored: a GE2E embedding per speaker, averaged
over windows of up to ``VOICE_SAMPLE_S`` of their speech, then matched against the group's
profiles. A matched enrolled student names the speaker (their reports land on them); any
other match is a suggestion for a person to accept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from models.db import session_scope
from models.records import TimeSpan
from models.settings import get_settings
from models.voices import best_matches, group_profiles, unit
from worker.engines.audio_source import AudioSource
from worker.engines.ge2e import embed
from worker.stages.runs import RunScope, guard
from worker.stages.speakers import run_speakers

VOICE_SAMPLE_S = 120.0
WINDOW_S = 1.5


def voice_of(
    audio: AudioSource | np.ndarray, spans: Sequence[tuple[float, float]]
) -> tuple[np.ndarray, float]:
    """A unit embedding of the speech in ``spans`` and the seconds it was taken from."""
    windows: list[TimeSpan] = []
    total = 0.0
    for start, end in sorted(spans, key=lambda s: s[0] - s[1]):  # longest turns first
        cursor = start
        while cursor + 0.5 <= end and total < VOICE_SAMPLE_S:
            length = min(WINDOW_S, end - cursor)
            windows.append(TimeSpan(cursor, cursor + length))
            total += length
            cursor += WINDOW_S
    if not windows:
        return np.zeros(256), 0.0
    vectors = embed(audio, windows, WINDOW_S)
    return unit(vectors.mean(axis=0)), total


def store_voices(
    scope: RunScope,
    audio: AudioSource | np.ndarray,
    talk: Mapping[str, Sequence[tuple[float, float]]],
) -> None:
    voices = {label: voice_of(audio, spans) for label, spans in talk.items()}
    settings = get_settings()
    with session_scope() as session:
        recording = guard(session, scope)
        speakers = run_speakers(session, scope.recording_id, scope.generation)
        heard = {}
        for label, (voice, seconds) in voices.items():
            if label in speakers and seconds > 0:
                speakers[label].voice = [float(x) for x in voice]
                speakers[label].voice_s = round(seconds, 2)
                heard[label] = voice
        unnamed = {
            label: voice
            for label, voice in heard.items()
            if not speakers[label].named_by
            and (speakers[label].voice_s or 0) >= settings.voice_min_speech_s
        }
        profiles = group_profiles(session, recording)
        matches = best_matches(unnamed, profiles, settings.voice_match_threshold)
        for label, match in matches.items():
            speaker = speakers[label]
            if match.student_id is not None:
                speaker.display_name, speaker.named_by = match.name, "voice profile"
                speaker.student_id = match.student_id
            else:
                speaker.suggested_name = match.name
                speaker.suggestion = (
                    f"sounds like {match.name} (voice match {match.similarity:.2f})"
                )
