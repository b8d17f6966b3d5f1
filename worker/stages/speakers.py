"""The speakers of a pipeline run, and what people told us about them.

A re-run diarizes afresh, so its labels mean nothing across runs: SPEAKER_01 may be someone
else now. Names a user gave are carried to the new speaker whose speech overlaps the old
speaker's most (one to one, and only for a clear overlap), never by label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.tables import Segment, Speaker
from worker.stages.runs import DEFAULT_SPEAKER, RunScope

Spans = Sequence[tuple[float, float]]
# The shared speech must be at least this share of the shorter speaker's talk time.
MIN_OVERLAP_SHARE = 0.5


def run_speakers(session: Session, recording_id: int, generation: int) -> dict[str, Speaker]:
    """The speakers of one run of a recording, by label."""
    return {
        s.label: s
        for s in session.scalars(
            select(Speaker).where(
                Speaker.recording_id == recording_id, Speaker.generation == generation
            )
        )
    }


def _overlap(a: Spans, b: Spans) -> float:
    """Seconds covered by both span lists (each sorted and non-overlapping within itself)."""
    a, b = sorted(a), sorted(b)
    i = j = 0
    total = 0.0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0.0, end - start)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _length(spans: Spans) -> float:
    return sum(max(0.0, end - start) for start, end in spans)


def match_speakers(old: Mapping[str, Spans], new: Mapping[str, Spans]) -> dict[str, str]:
    """new label -> old label, greedily by the most shared speech, each old speaker used once,
    and only where the shared speech is a clear share of both."""
    pairs = sorted(
        (
            (_overlap(old_spans, new_spans), old_label, new_label)
            for old_label, old_spans in old.items()
            for new_label, new_spans in new.items()
        ),
        reverse=True,
    )
    matched: dict[str, str] = {}
    used: set[str] = set()
    for shared, old_label, new_label in pairs:
        if shared <= 0 or old_label in used or new_label in matched:
            continue
        shorter = min(_length(old[old_label]), _length(new[new_label]))
        if shorter > 0 and shared >= MIN_OVERLAP_SHARE * shorter:
            matched[new_label] = old_label
            used.add(old_label)
    return matched


def _previous_run(
    session: Session, scope: RunScope
) -> tuple[dict[str, Speaker], dict[str, list[tuple[float, float]]]]:
    """The speakers of the newest earlier run that has any, with the spans of their segments."""
    generation = session.scalar(
        select(func.max(Speaker.generation)).where(
            Speaker.recording_id == scope.recording_id, Speaker.generation < scope.generation
        )
    )
    if generation is None:
        return {}, {}
    speakers = run_speakers(session, scope.recording_id, generation)
    by_id = {s.id: s.label for s in speakers.values()}
    spans: dict[str, list[tuple[float, float]]] = {label: [] for label in speakers}
    for speaker_id, start, end in session.execute(
        select(Segment.speaker_id, Segment.start_s, Segment.end_s).where(
            Segment.recording_id == scope.recording_id, Segment.generation == generation
        )
    ):
        if speaker_id in by_id:
            spans[by_id[speaker_id]].append((start, end))
    return speakers, spans


def add_speakers(session: Session, scope: RunScope, spans: Mapping[str, Spans]) -> None:
    """Create this run's speakers (``spans``: label -> where they spoke), numbered in label
    order, each with the name a person gave its match in the previous run."""
    old, old_spans = _previous_run(session, scope)
    matched = match_speakers(old_spans, spans)
    for number, label in enumerate(sorted(spans), start=1):
        previous = old.get(matched.get(label, ""))
        named = previous.named_by if previous is not None else None
        session.add(
            Speaker(
                recording_id=scope.recording_id,
                generation=scope.generation,
                label=label,
                display_name=previous.display_name
                if previous is not None and named
                else f"Speaker {number}",
                named_by=named,
                previous_label=previous.label if previous is not None else None,
            )
        )


def ensure_speakers(session: Session, scope: RunScope, labels: Iterable[str | None]) -> None:
    """Speakers for clip labels the diarizer did not create (unattributed speech)."""
    existing = set(run_speakers(session, scope.recording_id, scope.generation))
    wanted = sorted({label or DEFAULT_SPEAKER for label in labels} - existing)
    for offset, label in enumerate(wanted, start=len(existing) + 1):
        session.add(
            Speaker(
                recording_id=scope.recording_id,
                generation=scope.generation,
                label=label,
                display_name=f"Speaker {offset}",
            )
        )
