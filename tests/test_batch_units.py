"""Finding recordings in folders, and admitting batch work fairly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from models.accounts import Team
from models.db import session_scope
from models.settings import get_settings
from models.tables import Recording
from worker.folders.admission import choose_fairly, dispatch_batch
from worker.folders.media_files import find_media, is_candidate, split_settled


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("meeting.wav", True),
        ("Lesson 3.M4A", True),
        ("class.mp4", True),
        ("notes.txt", False),
        (".hidden.wav", False),
        ("~$lock.wav", False),
        ("draft.wav~", False),
        ("upload.wav.part", False),
        ("upload.part.wav", False),
        ("file.mp3.crdownload", False),
        ("song.tmp", False),
    ],
)
def test_candidates(name: str, expected: bool) -> None:
    assert is_candidate(Path("/x") / name) is expected


def test_find_media_recursion_pattern_and_hidden_folders(tmp_path: Path) -> None:
    for rel in ["a.wav", "b.mp3", "sub/c.wav", ".git/d.wav", "sub/.e.wav", "notes.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    names = lambda paths: [str(p.relative_to(tmp_path)) for p in paths]  # noqa: E731
    assert names(find_media(tmp_path, recursive=False)) == ["a.wav", "b.mp3"]
    assert names(find_media(tmp_path, recursive=True)) == ["a.wav", "b.mp3", "sub/c.wav"]
    assert names(find_media(tmp_path, recursive=True, pattern="*.wav")) == ["a.wav", "sub/c.wav"]


def test_a_file_still_growing_is_not_settled(tmp_path: Path) -> None:
    import threading
    import time

    steady, growing = tmp_path / "steady.wav", tmp_path / "growing.wav"
    steady.write_bytes(b"x" * 100)
    growing.write_bytes(b"x")
    import os

    os.utime(steady, (time.time() - 60, time.time() - 60))

    def grow() -> None:
        for _ in range(10):
            with growing.open("ab") as out:
                out.write(b"y" * 100)
            time.sleep(0.1)

    writer = threading.Thread(target=grow)
    writer.start()
    settled, changing = split_settled([steady, growing], settle_s=0.5)
    writer.join()
    assert (settled, changing) == ([steady], [growing])


@pytest.mark.parametrize(
    ("waiting", "in_flight", "slots", "expected"),
    [
        ([(1, "a"), (2, "a"), (3, "a"), (4, "b")], {}, 2, [1, 4]),
        ([(1, "a"), (2, "a"), (3, "b"), (4, "b")], {"a": 2}, 2, [3, 4]),
        ([(1, "a"), (2, "a"), (3, "b")], {"b": 1}, 3, [1, 2, 3]),
        ([(5, "a"), (6, "b"), (7, "c"), (8, "a")], {}, 4, [5, 6, 7, 8]),
        ([], {}, 3, []),
        ([(1, "a")], {}, 0, []),
    ],
)
def test_choose_fairly(
    waiting: list[tuple[int, str]], in_flight: dict[str, int], slots: int, expected: list[int]
) -> None:
    assert choose_fairly(waiting, Counter(in_flight), slots) == expected


def test_one_teams_batch_cannot_starve_another(embedded_db: Path) -> None:
    with session_scope() as session:
        big, small = Team(name="big"), Team(name="small")
        session.add_all([big, small])
        session.flush()
        for i in range(30):
            session.add(
                Recording(
                    content_hash=f"{i:064x}",
                    original_name=f"big{i}.wav",
                    lane="batch",
                    team_id=big.id,
                )
            )
        for i in range(2):
            session.add(
                Recording(
                    content_hash=f"{100 + i:064x}",
                    original_name=f"small{i}.wav",
                    lane="batch",
                    team_id=small.id,
                )
            )
        small_id = small.id
    admitted = dispatch_batch(max_in_flight=4)
    assert len(admitted) == 4
    with session_scope() as session:
        teams = session.scalars(select(Recording.team_id).where(Recording.id.in_(admitted))).all()
    assert teams.count(small_id) == 2, "the small team's recordings go in with the first slots"
    assert dispatch_batch(max_in_flight=4) == [], "no free slot until one finishes"
    assert get_settings().batch_max_in_flight == 4
