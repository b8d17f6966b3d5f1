"""Clip planning: every clip fits Qwen2-Audio's 30 s, and no second of speech is lost."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.records import PlannedClip, TimeSpan
from worker.stages.clips import EDGE_PAD_S, merge_spans, plan_clips


def spans(*pairs: tuple[float, float]) -> list[TimeSpan]:
    return [TimeSpan(a, b) for a, b in pairs]


def covered(clips: list[PlannedClip], span: TimeSpan) -> bool:
    """True when the union of clips covers the whole span."""
    cursor = span.start_s
    for clip in sorted(clips, key=lambda c: c.start_s):
        if clip.start_s <= cursor + 1e-9 < clip.end_s:
            cursor = clip.end_s
        if cursor >= span.end_s - 1e-9:
            return True
    return cursor >= span.end_s - 1e-9


@pytest.mark.parametrize(
    ("name", "speech", "duration", "expected"),
    [
        ("no speech", [], 60.0, []),
        ("one short region", [(1.0, 5.0)], 10.0, [(0.75, 5.25)]),
        ("region at the very start and end", [(0.0, 10.0)], 10.0, [(0.0, 10.0)]),
        (
            "long silence splits clips",
            [(1.0, 5.0), (20.0, 25.0)],
            30.0,
            [(0.75, 5.25), (19.75, 25.25)],
        ),
        ("short pauses stay in one clip", [(1.0, 5.0), (5.5, 9.0)], 10.0, [(0.75, 9.25)]),
        (
            "cut in the longest pause of the second half",
            [(0.0, 10.0), (10.3, 20.0), (21.0, 29.0), (29.2, 40.0)],
            40.0,
            [(0.0, 20.5), (20.5, 40.0)],
        ),
    ],
)
def test_table(
    name: str,
    speech: list[tuple[float, float]],
    duration: float,
    expected: list[tuple[float, float]],
) -> None:
    clips = plan_clips(spans(*speech), duration)
    assert [(pytest.approx(c.start_s), pytest.approx(c.end_s)) for c in clips] == expected, name


def test_continuous_speech_is_cut_into_contiguous_clips() -> None:
    clips = plan_clips(spans((0.0, 95.0)), 95.0, max_clip_s=30.0)
    assert [c.duration_s for c in clips] == [30.0, 30.0, 30.0, pytest.approx(5.0)]
    for left, right in pairwise(clips):
        assert left.end_s == right.start_s


def test_forced_cut_goes_to_the_quietest_point() -> None:
    clips = plan_clips(spans((0.0, 50.0)), 50.0, quiet_point=lambda start, end: 27.5)
    assert clips[0].end_s == 27.5
    assert clips[1].start_s == 27.5


def test_overlapping_and_out_of_range_spans_are_merged_and_clamped() -> None:
    merged = merge_spans(spans((5.0, 8.0), (-1.0, 2.0), (7.0, 9.0), (12.0, 30.0), (3.0, 3.0)), 20.0)
    assert merged == spans((0.0, 2.0), (5.0, 9.0), (12.0, 20.0))


def test_indices_are_sequential() -> None:
    clips = plan_clips(spans((0, 40), (50, 100), (130, 131)), 140.0)
    assert [c.index for c in clips] == list(range(len(clips)))


def test_too_small_a_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_clip_s"):
        plan_clips([], 10.0, max_clip_s=1.0)


@st.composite
def speech_layouts(draw: st.DrawFn) -> tuple[list[TimeSpan], float]:
    duration = draw(st.floats(min_value=1.0, max_value=600.0))
    count = draw(st.integers(min_value=0, max_value=40))
    result = []
    for _ in range(count):
        start = draw(st.floats(min_value=0.0, max_value=duration))
        length = draw(st.floats(min_value=0.01, max_value=90.0))
        result.append(TimeSpan(start, min(duration, start + length)))
    return result, duration


@settings(max_examples=300, deadline=None)
@given(
    layout=speech_layouts(),
    max_clip=st.floats(min_value=5.0, max_value=30.0),
    quiet_offset=st.floats(min_value=-3.0, max_value=3.0),
)
def test_properties(
    layout: tuple[list[TimeSpan], float], max_clip: float, quiet_offset: float
) -> None:
    speech, duration = layout
    clips = plan_clips(
        speech,
        duration,
        max_clip_s=max_clip,
        quiet_point=lambda start, end: (start + end) / 2 + quiet_offset,
    )
    for clip in clips:
        assert clip.duration_s <= max_clip + 1e-9
        assert 0.0 <= clip.start_s < clip.end_s <= duration
    for left, right in pairwise(clips):
        assert left.end_s <= right.start_s + 1e-9, "clips must not overlap"
    for span in merge_spans(speech, duration):
        assert covered(clips, span), f"speech {span} lost"
    assert all(c.start_s >= 0 for c in clips) and EDGE_PAD_S >= 0
