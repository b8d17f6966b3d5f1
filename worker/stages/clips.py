"""Clip planning: cut a recording into clips of at most ``max_clip_s`` without losing speech;
the stage stores the clips (and resets the run's transcript) for transcription.

Qwen2-Audio silently truncates input past 30 s, so every clip must fit. Cuts go, in order of
preference: into long silences (which are skipped), into pauses between speech regions (the
longest pause in the second half of the window), and only when someone talks for more than
``max_clip_s`` without pausing, into speech at its quietest point. Clips inside a stretch of
speech are contiguous, so no sample of speech falls between two clips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from sqlalchemy import select

from models.db import session_scope
from models.records import PlannedClip, TimeSpan
from models.settings import get_settings
from models.tables import Clip, Segment, SpeakerTurn
from worker.engines import select as engine_choice
from worker.stages.audio import quiet_points_on_disk, speech_regions
from worker.stages.filled_windows import task_batches
from worker.stages.runs import RunScope, delete_run_rows, guard, stage_run
from worker.stages.speakers import ensure_speakers

# Silence longer than this separates two stretches that are planned independently.
SKIP_SILENCE_S = 2.0
# How much audio to keep around a stretch of speech, for soft onsets the detector missed.
EDGE_PAD_S = 0.25
# A forced cut inside speech looks for the quietest moment in this last part of the window.
FORCED_CUT_SEARCH_S = 5.0

QuietPoint = Callable[[float, float], float]


def merge_spans(spans: Sequence[TimeSpan], duration_s: float) -> list[TimeSpan]:
    """Spans sorted, clamped to the recording, overlaps merged, empty ones dropped."""
    merged: list[TimeSpan] = []
    for span in sorted(spans):
        start, end = max(0.0, span.start_s), min(duration_s, span.end_s)
        if end <= start:
            continue
        if merged and start <= merged[-1].end_s:
            merged[-1] = TimeSpan(merged[-1].start_s, max(merged[-1].end_s, end))
        else:
            merged.append(TimeSpan(start, end))
    return merged


def _stretches(speech: list[TimeSpan]) -> list[list[TimeSpan]]:
    groups: list[list[TimeSpan]] = []
    for span in speech:
        if groups and span.start_s - groups[-1][-1].end_s < SKIP_SILENCE_S:
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def _cut_points(
    regions: list[TimeSpan], start: float, end: float, max_clip_s: float, quiet: QuietPoint | None
) -> list[float]:
    """Where to cut the stretch [start, end] so that no piece exceeds max_clip_s."""
    pauses = [(regions[i].end_s, regions[i + 1].start_s) for i in range(len(regions) - 1)]
    cuts: list[float] = []
    cursor = start
    while end - cursor > max_clip_s:
        limit = cursor + max_clip_s
        # Candidate pauses whose midpoint lies in the second half of the window.
        candidates = [
            (gap_end - gap_start, (gap_start + gap_end) / 2)
            for gap_start, gap_end in pauses
            if cursor + max_clip_s / 2 <= (gap_start + gap_end) / 2 <= limit
        ]
        if candidates:
            cut = max(candidates)[1]
        else:
            earlier = [(a + b) / 2 for a, b in pauses if cursor + 1.0 <= (a + b) / 2 <= limit]
            if earlier:
                cut = earlier[-1]
            else:
                window_start = max(cursor + 1.0, limit - FORCED_CUT_SEARCH_S)
                cut = quiet(window_start, limit) if quiet else limit
                cut = min(max(cut, window_start), limit)
        cuts.append(cut)
        cursor = cut
    return cuts


def plan_clips(
    speech: Sequence[TimeSpan],
    duration_s: float,
    *,
    max_clip_s: float = 30.0,
    quiet_point: QuietPoint | None = None,
) -> list[PlannedClip]:
    """Clips covering every span of ``speech``, each at most ``max_clip_s`` long."""
    if max_clip_s <= 2.0:
        raise ValueError("max_clip_s must be more than 2 seconds")
    merged = merge_spans(speech, duration_s)
    clips: list[PlannedClip] = []
    for regions in _stretches(merged):
        start = max(0.0, regions[0].start_s - EDGE_PAD_S)
        if clips:
            start = max(start, clips[-1].end_s)
        end = min(duration_s, regions[-1].end_s + EDGE_PAD_S)
        bounds = [start, *_cut_points(regions, start, end, max_clip_s, quiet_point), end]
        for piece_start, piece_end in pairwise(bounds):
            if piece_end > piece_start:
                clips.append(PlannedClip(len(clips), piece_start, piece_end))
    return clips


def plan_clips_on_turns(
    speech: Sequence[TimeSpan],
    turns: Sequence[tuple[float, float, str]],
    duration_s: float,
    *,
    max_clip_s: float = 30.0,
    quiet_point: QuietPoint | None = None,
) -> list[PlannedClip]:
    """Clips that never cross a speaker turn, each labelled with its speaker.

    Speech the diarizer left out (it may miss quiet words) still gets clips of its own, with no
    speaker, so that nothing said is lost between turns."""
    merged = merge_spans(speech, duration_s)
    clips: list[PlannedClip] = []
    covered: list[TimeSpan] = []
    for start, end, speaker in sorted(turns):
        inside = [
            TimeSpan(max(s.start_s, start), min(s.end_s, end))
            for s in merged
            if s.end_s > start and s.start_s < end
        ]
        inside = inside or [TimeSpan(start, end)]
        for clip in plan_clips(inside, end, max_clip_s=max_clip_s, quiet_point=quiet_point):
            clip_start = max(clip.start_s, start)
            if clips and clip_start < clips[-1].end_s:
                clip_start = clips[-1].end_s
            if clip.end_s > clip_start:
                clips.append(PlannedClip(len(clips), clip_start, clip.end_s, speaker))
                covered.append(TimeSpan(clip_start, clip.end_s))
    leftovers = _uncovered(merged, covered)
    for clip in plan_clips(leftovers, duration_s, max_clip_s=max_clip_s, quiet_point=quiet_point):
        clips.append(PlannedClip(len(clips), clip.start_s, clip.end_s, None))
    clips.sort(key=lambda c: c.start_s)
    tidy: list[PlannedClip] = []
    for clip in clips:  # a leftover's padding must not reach into a speaker's clip
        start, end = clip.start_s, clip.end_s
        if tidy and start < tidy[-1].end_s:
            if clip.speaker_label is None:
                start = tidy[-1].end_s
            else:
                last = tidy.pop()
                if start > last.start_s:
                    tidy.append(PlannedClip(0, last.start_s, start, last.speaker_label))
        if end > start:
            tidy.append(PlannedClip(0, start, end, clip.speaker_label))
    return [PlannedClip(i, c.start_s, c.end_s, c.speaker_label) for i, c in enumerate(tidy)]


def _uncovered(
    speech: list[TimeSpan], covered: list[TimeSpan], min_s: float = 0.2
) -> list[TimeSpan]:
    """The parts of speech no clip covers (pieces shorter than ``min_s`` are noise)."""
    gaps = []
    for span in speech:
        cursor = span.start_s
        for part in sorted(c for c in covered if c.end_s > span.start_s and c.start_s < span.end_s):
            if part.start_s - cursor >= min_s:
                gaps.append(TimeSpan(cursor, part.start_s))
            cursor = max(cursor, part.end_s)
        if span.end_s - cursor >= min_s:
            gaps.append(TimeSpan(cursor, span.end_s))
    return gaps


def run(scope: RunScope) -> list[int]:
    """Plan the run's clips on its speaker turns; returns their indices."""
    settings = get_settings()
    rid, generation = scope.recording_id, scope.generation
    with session_scope() as session:
        recording = guard(session, scope)
        duration, content_hash = recording.duration_s or 0.0, recording.content_hash
        spans = speech_regions(session, scope)
        turns = [
            (t.start_s, t.end_s, t.speaker_label)
            for t in session.scalars(
                select(SpeakerTurn).where(
                    SpeakerTurn.recording_id == rid, SpeakerTurn.generation == generation
                )
            )
        ]
    quiet = quiet_points_on_disk(settings, content_hash)
    with stage_run(scope, "plan", engine="clip-planner") as handle:
        if turns:
            planned = plan_clips_on_turns(
                spans, turns, duration, max_clip_s=settings.clip_max_s, quiet_point=quiet
            )
        else:
            planned = plan_clips(spans, duration, max_clip_s=settings.clip_max_s, quiet_point=quiet)
        handle.raw_output = " ".join(f"{c.start_s:.2f}-{c.end_s:.2f}" for c in planned)
    with session_scope() as session:
        guard(session, scope)
        for table in (Segment, Clip):
            delete_run_rows(session, table, scope)
        ensure_speakers(session, scope, [c.speaker_label for c in planned] or [None])
        session.add_all(
            Clip(
                recording_id=rid,
                generation=generation,
                index=c.index,
                start_s=c.start_s,
                end_s=c.end_s,
                speaker_label=c.speaker_label,
            )
            for c in planned
        )
    return [c.index for c in planned]


def transcription_batches(scope: RunScope) -> list[list[int]]:
    """The run's clips grouped for transcription tasks: Whisper takes whole filled windows (see
    filled_windows.py); a listening model takes ``clips_per_task`` clips in one batched call."""
    settings = get_settings()
    with session_scope() as session:
        guard(session, scope)
        planned = [
            PlannedClip(c.index, c.start_s, c.end_s, c.speaker_label)
            for c in session.scalars(
                select(Clip)
                .where(Clip.recording_id == scope.recording_id, Clip.generation == scope.generation)
                .order_by(Clip.index)
            )
        ]
    if engine_choice.transcription_engine_name(settings) != "qwen2-audio":
        return task_batches(planned, settings.transcribe_task_audio_s, settings.clip_max_s)
    step = max(1, settings.clips_per_task)
    indices = [c.index for c in planned]
    return [indices[i : i + step] for i in range(0, len(indices), step)]
