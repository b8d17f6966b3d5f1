"""Admitting batch recordings into the pipeline a few at a time, fairly across groups.

A thousand-file batch is registered at once but only ``batch_max_in_flight`` of its recordings
are in the queues at any moment. Each free slot goes to the group (team, class, or uploader)
with the fewest recordings in flight, oldest waiting first, so one team's batch cannot starve
another's.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque

from sqlalchemy import select, update

from models.base import utcnow
from models.db import session_scope
from models.runs import start_current_run
from models.tables import Recording

IN_FLIGHT_STATUSES = ("queued", "running")


def group_key(team_id: int | None, class_id: int | None, uploaded_by: str | None) -> str:
    if team_id is not None:
        return f"team:{team_id}"
    if class_id is not None:
        return f"class:{class_id}"
    return f"user:{uploaded_by or '?'}"


def choose_fairly(waiting: list[tuple[int, str]], in_flight: Counter[str], slots: int) -> list[int]:
    """From (recording id, group) pairs in arrival order, pick ``slots`` ids fairly."""
    queues: dict[str, deque[int]] = defaultdict(deque)
    for recording_id, key in waiting:
        queues[key].append(recording_id)
    load = Counter({key: in_flight.get(key, 0) for key in queues})
    chosen: list[int] = []
    while len(chosen) < slots and queues:
        # The least-loaded group goes next; among equals, the one whose head waited longest.
        key = min(queues, key=lambda k: (load[k], queues[k][0]))
        chosen.append(queues[key].popleft())
        load[key] += 1
        if not queues[key]:
            del queues[key]
    return chosen


def dispatch_batch(max_in_flight: int) -> list[int]:
    columns = (Recording.id, Recording.team_id, Recording.class_id, Recording.uploaded_by)
    with session_scope() as session:
        running = session.execute(
            select(*columns).where(
                Recording.lane == "batch",
                Recording.dispatched_at.is_not(None),
                Recording.status.in_(IN_FLIGHT_STATUSES),
            )
        ).all()
        slots = max_in_flight - len(running)
        if slots <= 0:
            return []
        waiting = session.execute(
            select(*columns)
            .where(
                Recording.lane == "batch",
                Recording.dispatched_at.is_(None),
                Recording.status == "queued",
            )
            .order_by(Recording.id)
            .limit(max(100, slots * 50))
        ).all()
    in_flight = Counter(group_key(r[1], r[2], r[3]) for r in running)
    chosen = choose_fairly([(r[0], group_key(r[1], r[2], r[3])) for r in waiting], in_flight, slots)
    admitted = []
    for recording_id in chosen:
        with session_scope() as session:
            claimed = session.execute(
                update(Recording)
                .where(Recording.id == recording_id, Recording.dispatched_at.is_(None))
                .values(dispatched_at=utcnow())
            )
        # Another dispatcher may have claimed it between our read and this update.
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            start_current_run(recording_id, "batch")
            admitted.append(recording_id)
    return admitted
