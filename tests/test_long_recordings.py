"""What lets a recording of hours go through in bounded memory: audio read in windows from disk,
speech found window by window, speakers clustered in chunks and linked, Whisper windows filled
with consecutive clips. Each is checked against the whole-file version on short audio."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from models.records import PlannedClip, TimeSpan
from models.settings import Settings
from tests.conftest import DATA
from worker.engines import cpu_diarizer, silero
from worker.engines.audio_source import InMemoryAudio, WavFile
from worker.engines.linkage import ChunkedTree, WholeTree
from worker.engines.whisper import HeardWord
from worker.stages.clips import merge_spans, plan_clips_on_turns
from worker.stages.diarize import diarize
from worker.stages.filled_windows import (
    fill_windows,
    recording_time,
    segments_of_clips,
    stretches_of,
    task_batches,
    words_in_recording,
)

MEETING = DATA / "meetings" / "launch-review.wav"


def _overlap(a: list[TimeSpan], b: list[TimeSpan]) -> float:
    return sum(max(0.0, min(x.end_s, y.end_s) - max(x.start_s, y.start_s)) for x in a for y in b)


def test_the_wav_reader_reads_the_same_samples_as_reading_the_whole_file() -> None:
    whole, rate = sf.read(str(MEETING), dtype="float32")
    assert rate == 16000
    with WavFile(MEETING) as audio:
        assert audio.duration_s == pytest.approx(len(whole) / 16000)
        for start, end in [(0.0, 1.0), (3.25, 7.5), (audio.duration_s - 0.5, audio.duration_s + 9)]:
            expected = whole[int(start * 16000) : int(end * 16000)]
            assert np.array_equal(audio.read(start, end), expected)
        assert len(audio.read(-2.0, 0.5)) == 8000, "clamped at the start"


def test_speech_found_window_by_window_is_the_one_pass_over_the_whole_file() -> None:
    """The detector reads 25 s at a time with its state carried on: the same probabilities, and
    so the same regions, as silero-vad's own pass over the whole file."""
    import torch
    from silero_vad import get_speech_timestamps

    samples, _ = sf.read(str(MEETING), dtype="float32")
    settings = Settings(vad_threshold=0.35)
    whole = silero.speech_probabilities(InMemoryAudio(samples), window_s=10_000)
    windowed = silero.speech_probabilities(InMemoryAudio(samples), window_s=25.0)
    assert len(windowed) == -(-len(samples) // 512)
    np.testing.assert_allclose(windowed, whole, atol=1e-5)
    spans = silero.speech_spans(samples, settings, window_s=25.0)
    library = get_speech_timestamps(
        torch.from_numpy(samples),
        silero._load(),
        threshold=0.35,
        min_silence_duration_ms=settings.vad_min_silence_ms,
        speech_pad_ms=settings.vad_speech_pad_ms,
    )
    assert [(round(s.start_s * 16000), round(s.end_s * 16000)) for s in spans] == [
        (t["start"], t["end"]) for t in library
    ]


@pytest.mark.slow
def test_the_detector_runs_without_autograd(monkeypatch: pytest.MonkeyPatch) -> None:
    """silero-vad's own loop runs under no_grad; ours carries the model's state across
    windows, and with autograd on every call's graph stayed linked through that state: the
    worker grew to 8 GB on a three-hour class. The real model is called, and watched."""
    import torch

    model = silero._load()
    grad_enabled: list[bool] = []

    class Watched:
        def __call__(self, chunk: Any, rate: int) -> Any:
            grad_enabled.append(torch.is_grad_enabled())
            return model(chunk, rate)

        def reset_states(self) -> None:
            model.reset_states()

    monkeypatch.setattr(silero, "_model", Watched())
    samples, _ = sf.read(str(MEETING), dtype="float32")
    found = silero.speech_probabilities(InMemoryAudio(samples[: 5 * 16000]), window_s=2.0)
    assert len(found) == len(grad_enabled) > 100
    assert not any(grad_enabled)


def test_the_diarizer_reads_the_probabilities_the_speech_stage_stored() -> None:
    """One detector pass per recording: the diarizer given the stored probabilities finds the
    same turns as when it runs the detector itself."""
    samples, _ = sf.read(str(MEETING), dtype="float32")
    settings = Settings()
    speech = silero.speech_spans(samples, settings)
    stored = silero.speech_probabilities(InMemoryAudio(samples))
    again = diarize(samples, speech, settings, "cpu")
    shared = diarize(samples, speech, settings, "cpu", probabilities=stored)
    assert [(t.start_s, t.end_s, t.speaker) for t in shared] == [
        (t.start_s, t.end_s, t.speaker) for t in again
    ]


def _voices(count: int, per_voice: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count, 32))
    vectors = np.concatenate([c + 0.6 * rng.normal(size=(per_voice, 32)) for c in centres])
    rng.shuffle(vectors)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_chunked_linkage_started_from_single_windows_is_the_whole_tree() -> None:
    # With no local merging, linking the chunks' clusters is average linkage itself.
    vectors = _voices(4, 60)
    whole = WholeTree(vectors)
    chunked = ChunkedTree(vectors, chunk=50, local_threshold=0.0, max_local=50)
    for count in (1, 2, 4, 7):
        assert _same_partition(whole.by_count(count), chunked.by_count(count))
    for threshold in (0.3, 0.6, 0.9):
        assert _same_partition(whole.by_distance(threshold), chunked.by_distance(threshold))


def test_chunked_linkage_finds_the_same_voices_with_local_clusters() -> None:
    vectors = _voices(3, 400)
    whole = WholeTree(vectors).by_count(3)
    chunked = ChunkedTree(vectors, chunk=200, local_threshold=0.2, max_local=30).by_count(3)
    assert _same_partition(whole, chunked)


def test_the_diarizer_in_chunks_agrees_with_the_whole_recording() -> None:
    samples, _ = sf.read(str(MEETING), dtype="float32")
    speech = silero.speech_spans(samples, Settings(vad_threshold=0.35))
    whole = cpu_diarizer.diarize(samples, speech)
    chunked = cpu_diarizer.diarize(samples, speech, cpu_diarizer.DiarizerOptions(chunk_windows=20))
    assert {t.speaker for t in chunked} == {t.speaker for t in whole}
    moments = np.arange(0.0, len(samples) / 16000, 0.1)

    def at(turns: list[cpu_diarizer.SpeakerTurn], moment: float) -> str | None:
        return next((t.speaker for t in turns if t.start_s <= moment < t.end_s), None)

    agree = [at(whole, m) == at(chunked, m) for m in moments if at(whole, m)]
    assert np.mean(agree) >= 0.9


def _clip(index: int, start: float, end: float, speaker: str = "A") -> PlannedClip:
    return PlannedClip(index, start, end, speaker)


@pytest.mark.parametrize(
    ("clips", "expected"),
    [
        ([], []),
        ([(0, 4)], [[0]]),
        ([(0, 4), (4, 9), (9, 29)], [[0, 1, 2]]),
        ([(0, 4), (4, 9), (9, 31)], [[0, 1], [2]]),  # the third would pass 30 s
        ([(0, 4), (7, 9)], [[0], [1]]),  # more than 2 s of silence between them
        ([(0, 30), (30, 31)], [[0], [1]]),
    ],
)
def test_windows_are_filled_with_consecutive_clips(
    clips: list[tuple[float, float]], expected: list[list[int]]
) -> None:
    planned = [_clip(i, a, b) for i, (a, b) in enumerate(clips)]
    windows = fill_windows(planned)
    assert [[c.index for c in w.clips] for w in windows] == expected
    assert all(w.end_s - w.start_s <= 30.0 for w in windows)


def test_tasks_take_whole_windows() -> None:
    planned = [_clip(i, 3.0 * i, 3.0 * i + 3.0) for i in range(100)]  # 300 s of talk
    batches = task_batches(planned, audio_per_task_s=120.0)
    assert [i for batch in batches for i in batch] == list(range(100))
    assert len(batches) == 3 and all(len(b) % 10 == 0 for b in batches)


def _word(text: str, start: float, end: float, segment: int = 0) -> HeardWord:
    return HeardWord(text, start, end, 0.9, segment)


def test_each_word_goes_to_the_clip_it_was_said_in() -> None:
    clips = [_clip(0, 10.0, 14.0, "A"), _clip(1, 14.0, 20.0, "B")]
    words = [
        _word(" Ship", 10.2, 10.6),
        _word(" it", 10.6, 10.9),
        _word(" Friday.", 10.9, 13.9),  # its middle is in the first clip
        _word(" No,", 14.2, 14.6),  # Whisper wrote the answer in the same segment
        _word(" Monday.", 14.6, 15.2, segment=1),
        _word(" Later", 16.0, 22.0, segment=2),  # runs past the clips: clamped to its clip
    ]
    segments = segments_of_clips(clips, words, "en")
    assert [s.text for s in segments[0]] == ["Ship it Friday."]
    assert [s.text for s in segments[1]] == ["No,", "Monday.", "Later"]
    assert segments[0][0].start_s == pytest.approx(10.2)
    assert all(14.0 <= s.start_s <= s.end_s <= 20.0 for s in segments[1])


def test_a_clip_nobody_spoke_in_gets_no_segment() -> None:
    clips = [_clip(0, 0.0, 5.0), _clip(1, 5.0, 8.0)]
    segments = segments_of_clips(clips, [_word(" Hello.", 1.0, 1.5)], "en")
    assert segments == {0: [segments[0][0]], 1: []}


@pytest.mark.parametrize(
    ("clips", "stretches"),
    [
        ([], []),
        ([(3, 7)], [(3, 7, 0)]),
        ([(3, 7), (7, 9), (10.5, 12)], [(3, 12, 0)]),  # gaps of 2 s or less are kept
        ([(3, 7), (10, 12), (40, 41)], [(3, 7, 0), (10, 12, 4), (40, 41, 6)]),
    ],
)
def test_a_tasks_clips_are_read_as_stretches_laid_end_to_end(
    clips: list[tuple[float, float]], stretches: list[tuple[float, float, float]]
) -> None:
    planned = [_clip(i, a, b) for i, (a, b) in enumerate(clips)]
    found = stretches_of(planned)
    assert [(s.start_s, s.end_s, s.offset_s) for s in found] == stretches
    for clip in planned:  # every clip's time is read
        assert any(s.start_s <= clip.start_s and clip.end_s <= s.end_s for s in found)


@pytest.mark.parametrize(
    ("joined", "recording"),
    [(0.0, 3.0), (3.9, 6.9), (4.0, 10.0), (5.5, 11.5), (6.0, 40.0), (6.5, 40.5), (99.0, 41.0)],
)
def test_times_in_the_joined_audio_map_back_to_the_recording(
    joined: float, recording: float
) -> None:
    found = stretches_of([_clip(0, 3, 7), _clip(1, 10, 12), _clip(2, 40, 41)])
    assert recording_time(found, joined) == pytest.approx(recording)


def test_words_heard_in_joined_audio_go_to_their_clips() -> None:
    clips = [_clip(0, 3.0, 7.0, "A"), _clip(1, 40.0, 44.0, "B")]
    stretches = stretches_of(clips)
    heard = [_word(" Yes.", 1.0, 1.5), _word(" Friday.", 4.5, 5.0, segment=1)]
    segments = segments_of_clips(clips, words_in_recording(stretches, heard), "en")
    assert [(s.text, s.start_s) for s in segments[0]] == [("Yes.", 4.0)]
    assert [(s.text, s.start_s) for s in segments[1]] == [("Friday.", 40.5)]


def test_the_clip_plan_of_a_three_hour_class_covers_every_speech_region() -> None:
    rng = random.Random(3)
    speech, turns, cursor = [], [], 0.0
    while cursor < 3 * 3600:
        length = rng.choice([0.4, 2.0, 7.0, 25.0, 48.0])
        speech.append(TimeSpan(cursor, cursor + length))
        cursor += length + rng.choice([0.1, 0.3, 0.8, 2.5, 9.0])
    for region in speech:  # the diarizer misses some speech and splits some regions
        if rng.random() < 0.1:
            continue
        middle = (region.start_s + region.end_s) / 2
        turns.append((region.start_s, middle, "A"))
        turns.append((middle, region.end_s, rng.choice("BC")))
    duration = cursor + 5
    clips = plan_clips_on_turns(speech, turns, duration)
    assert all(c.end_s - c.start_s <= 30.0 + 1e-6 for c in clips)
    covered = merge_spans([TimeSpan(c.start_s, c.end_s) for c in clips], duration)
    for region in speech:
        assert _overlap([region], covered) >= region.duration_s - 1e-6, region


@pytest.mark.parametrize(
    ("duration", "limits"),
    [(None, (600, 720)), (60.0, (600, 720)), (3 * 3600.0, (5400, 5520))],
)
def test_whole_recording_stages_get_limits_that_follow_its_length(
    duration: float | None, limits: tuple[int, int]
) -> None:
    from models.queues import time_limits
    from worker.queue.canvas import pipeline_signature, transcription_signature
    from worker.stages.runs import RunScope

    assert time_limits(Settings(), duration) == limits
    chain = pipeline_signature(RunScope(1, 1), "interactive", duration)
    # A long recording's speaker embedding parts come as a chord (tests/test_diarization_parts.py).
    whole = [t for step in chain.tasks for t in (step.body.tasks if step.subtask_type else [step])]
    assert [t.name for t in whole] == [
        "tingshuo.ingest",
        "tingshuo.detect_speech",
        "tingshuo.diarize",
        "tingshuo.plan_clips",
    ]
    assert [(t.options["soft_time_limit"], t.options["time_limit"]) for t in whole] == [limits] * 4
    # The analysis reads the whole transcript (a three-hour class's pronunciation evidence ran
    # past 600 s for 12 speakers); transcription tasks take ~120 s of audio and keep the default.
    after = transcription_signature(RunScope(1, 1), [[0, 1], [2]], "interactive", duration)
    header, body = after.tasks, after.body.tasks
    assert all("soft_time_limit" not in t.options for t in header)
    assert [t.name for t in body] == [
        "tingshuo.analyze_text",
        "tingshuo.analyze_sentiment",
        "tingshuo.analyze_pronunciation",
        "tingshuo.finalize",
    ]
    assert [(t.options.get("soft_time_limit"), t.options.get("time_limit")) for t in body] == [
        limits
    ] * 3 + [(None, None)]


def test_the_broker_waits_longer_than_the_longest_stage_before_handing_a_task_on() -> None:
    from models.queues import celery_config, time_limits

    settings = Settings(broker_url="redis://127.0.0.1:6379/0")
    longest = time_limits(settings, settings.max_duration_s)[1]
    options = celery_config(settings)["broker_transport_options"]
    assert options["visibility_timeout"] > longest


def _twenty_minute_meeting(dest: Path) -> Path:
    """Twenty minutes of the real and spoken meetings in tests/data, in turn, with pauses."""
    sources = [
        DATA / "ami" / "trn06_0-30s.wav",
        DATA / "meetings" / "launch-review.wav",
        DATA / "ami" / "trn09_0-30s.wav",
        DATA / "synthetic_meeting.wav",
        DATA / "librispeech_1995-1837-0001.wav",
    ]
    pieces = [sf.read(str(path), dtype="float32", always_2d=True) for path in sources]
    assert all(rate == 16000 for _, rate in pieces)
    rng = np.random.default_rng(20)
    target, written = 20 * 60 * 16000, 0
    with sf.SoundFile(dest, "w", 16000, 1, format="FLAC") as out:
        while written < target:
            for samples, _ in pieces:
                pause = np.zeros(int(rng.uniform(0.3, 1.2) * 16000), dtype=np.float32)
                piece = np.concatenate([samples.mean(axis=1), pause])[: target - written]
                out.write(piece)
                written += len(piece)
    return dest


@pytest.mark.slow
def test_a_twenty_minute_meeting_goes_through_on_the_embedded_default(
    tmp_path: Path, whisper_dir: Path, record_property: Any
) -> None:
    import json
    import subprocess
    import sys

    from sqlalchemy import select

    from models.db import session_scope
    from models.tables import Clip, SpeechRegion, StageRun
    from tests.conftest import tingshuo_env
    from tests.memory import PeakMemory

    meeting = _twenty_minute_meeting(tmp_path / "meeting.flac")
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"),
        TINGSHUO_WHISPER_MODEL=str(whisper_dir),
        # Its speakers embedded by two tasks, as an hour-long meeting's are by default.
        TINGSHUO_DIARIZATION_PART_S="600",
    )
    tingshuo = str(Path(sys.executable).parent / "tingshuo")
    command = [tingshuo, "process", str(meeting), "--language", "en", "--wait", "--json"]
    cli = subprocess.Popen(
        [*command, "--timeout", "1800"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    watch = PeakMemory(cli.pid)
    watch.start()
    out, err = cli.communicate(timeout=2000)
    peaks = watch.stop()
    record_property("peak_memory_mb", json.dumps(peaks))
    print("peak memory (MB):", json.dumps(peaks, indent=1))
    assert cli.returncode == 0, err.decode(errors="replace")[-3000:]
    [result] = json.loads(out)
    assert result["status"] == "done", result["error"]
    assert result["duration_s"] == pytest.approx(1200, abs=1)
    assert max(peaks.values()) < 2500, "no process above 2.5 GB"
    last_minutes = [s for s in result["segments"] if s["start"] > 1080]
    assert last_minutes and len(result["speakers"]) >= 2
    url = f"sqlite:///{tmp_path / 'data' / 'tingshuo.db'}"
    with session_scope(url) as session:
        regions = session.scalars(
            select(SpeechRegion).where(SpeechRegion.recording_id == result["id"])
        ).all()
        clips = session.scalars(select(Clip).where(Clip.recording_id == result["id"])).all()
        spans = [TimeSpan(c.start_s, c.end_s) for c in clips]
        assert all(c.transcribed for c in clips)
        parts = session.scalars(
            select(StageRun.subject_index).where(
                StageRun.stage == "speaker_embeddings", StageRun.status == "done"
            )
        ).all()
        assert sorted(parts) == [0, 1]
    covered = merge_spans(spans, 1200.0)
    for region in regions:
        span = TimeSpan(region.start_s, region.end_s)
        assert _overlap([span], covered) >= span.duration_s - 0.21, "speech lost between clips"
