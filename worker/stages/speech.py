"""Voice activity: where in the recording someone speaks (silero-vad), stored as speech regions."""

from __future__ import annotations

from models.db import session_scope
from models.settings import get_settings
from models.tables import SpeechRegion
from worker.engines import silero
from worker.stages.audio import open_audio, save_probabilities
from worker.stages.runs import RunScope, delete_run_rows, guard, progress_reporter, stage_run

# Progress is reported only for recordings long enough for a person to watch it move.
REPORT_PROGRESS_AFTER_S = 600


def run(scope: RunScope) -> None:
    settings = get_settings()
    with session_scope() as session:
        content_hash = guard(session, scope).content_hash
    progress = progress_reporter(scope, "speech")

    def report(percent: float) -> None:
        progress(percent / 100.0)

    with (
        open_audio(settings, content_hash) as audio,
        stage_run(scope, "speech", engine=silero.ENGINE_NAME, model_id=silero.MODEL_ID) as handle,
    ):
        long_enough = audio.duration_s > REPORT_PROGRESS_AFTER_S
        probabilities = silero.speech_probabilities(audio, report if long_enough else None)
        save_probabilities(settings, content_hash, probabilities)
        spans = silero.spans_from_probabilities(probabilities, silero.sample_count(audio), settings)
        handle.raw_output = " ".join(f"{s.start_s:.2f}-{s.end_s:.2f}" for s in spans)
    with session_scope() as session:
        guard(session, scope)
        delete_run_rows(session, SpeechRegion, scope)
        session.add_all(
            SpeechRegion(
                recording_id=scope.recording_id,
                generation=scope.generation,
                start_s=s.start_s,
                end_s=s.end_s,
            )
            for s in spans
        )
