"""How `tingshuo eval analysis` decides that an action item's owner is right: by name, or by
voice where an RTTM says who spoke when (``worker/evaluation/analysis.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from worker.evaluation.analysis import find_labelled, reference_turns, score, voices

RTTM = """SPEAKER bakery 1 0.000 4.000 <NA> <NA> Helen <NA> <NA>
SPEAKER bakery 1 4.500 3.000 <NA> <NA> Omar <NA> <NA>
SPEAKER bakery 1 8.000 4.000 <NA> <NA> Helen <NA> <NA>
"""
SPEAKERS = [
    {"label": "SPEAKER_00", "name": "Speaker 1", "suggested_name": None},
    {"label": "SPEAKER_01", "name": "Speaker 2", "suggested_name": "Omar"},
]
SEGMENTS = [
    {"start": 0.0, "end": 4.1, "speaker": "SPEAKER_00", "text": "Could you call them?"},
    {"start": 4.4, "end": 7.6, "speaker": "SPEAKER_01", "text": "Yes, I'll call them."},
    # The diarizer gave part of Helen's last line to the second voice: Helen still has the
    # first voice by most of its time.
    {"start": 8.0, "end": 9.0, "speaker": "SPEAKER_01", "text": "And I"},
    {"start": 9.0, "end": 12.0, "speaker": "SPEAKER_00", "text": "will write the list."},
]


def _stored(*items: tuple[str, str]) -> dict[str, Any]:
    return {
        "original_name": "bakery.wav",
        "speakers": SPEAKERS,
        "segments": SEGMENTS,
        "action_items": [{"owner": owner, "task": task, "due": None} for owner, task in items],
    }


def _labels(*items: tuple[str, str]) -> dict[str, Any]:
    wanted = [{"owner": owner, "task": task, "due": None} for owner, task in items]
    return {"action_items": wanted, "spoke": reference_turns(RTTM)}


def test_each_stored_voice_is_the_person_it_overlaps_most() -> None:
    turns = reference_turns(RTTM + "\nnot a speaker line\n")
    assert turns[1] == (4.5, 7.5, "Omar")
    assert voices(_stored(), turns) == {"SPEAKER_00": "Helen", "SPEAKER_01": "Omar"}
    assert voices(_stored(), []) == {}


@pytest.mark.parametrize(
    ("owner", "by_name", "by_voice"),
    [
        ("Helen", 1, 1),  # the name itself
        ("Speaker 1", 0, 1),  # nobody said Helen's name: right by voice only
        ("SPEAKER_00", 0, 1),  # the label, as stored
        ("Speaker 2", 0, 0),  # Omar's voice
        ("Omar", 0, 0),  # another person by name
        ("Alice", 0, 0),  # nobody in the meeting
    ],
)
def test_an_owner_is_right_by_name_or_by_voice(owner: str, by_name: int, by_voice: int) -> None:
    tally = score(
        _stored((owner, "write the list")),
        _labels(("Helen", "write the list")),
        date(2026, 12, 1),
    )
    figures = tally.figures()
    assert figures["action_items"]["matched"] == by_name
    assert figures["action_items_by_voice"]["matched"] == by_voice


def test_a_suggested_name_counts_by_name() -> None:
    tally = score(
        _stored(("Speaker 2", "call them")), _labels(("Omar", "call them")), date(2026, 12, 1)
    )
    assert tally.matched == tally.matched_by_voice == 1


def test_without_an_rttm_only_names_count(tmp_path: Path) -> None:
    (tmp_path / "bakery.wav").write_bytes(b"")
    (tmp_path / "bakery.json").write_text('{"action_items": []}')
    (tmp_path / "other.wav").write_bytes(b"")
    (tmp_path / "other.json").write_text('{"action_items": []}')
    (tmp_path / "other.rttm").write_text(RTTM)
    found = {audio.name: labels for audio, labels in find_labelled(tmp_path)}
    assert "spoke" not in found["bakery.wav"]
    assert found["other.wav"]["spoke"][0] == (0.0, 4.0, "Helen")
    labels = {"action_items": [{"owner": "Helen", "task": "write the list", "due": None}]}
    tally = score(_stored(("Speaker 1", "write the list")), labels, date(2026, 12, 1))
    assert tally.matched == tally.matched_by_voice == 0
