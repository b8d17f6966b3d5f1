"""Words Whisper was unsure of: kept with each line from Whisper's own word probabilities and
shown as words to check, until a person corrects the line."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf

from dashboard.actions import correct_line
from dashboard.transcript_view import UNSURE_WORDS_NOTE, unsure_words_note
from models.access import load_viewer
from models.db import session_scope
from models.records import UNSURE_WORD_BELOW, PlannedClip
from models.serialize import full_recording
from models.tables import Segment
from tests.conftest import DATA
from tests.dashboard_fixtures import Org, analyse_red_again, first_line, org, page
from worker.engines.whisper import HeardWord
from worker.stages.filled_windows import segments_of_clips

__all__ = ["org"]


def _heard(text: str, probability: float, at: float) -> HeardWord:
    return HeardWord(text, at, at + 0.4, 0.9, 0, probability)


@pytest.mark.parametrize(
    ("words", "language", "unsure"),
    [
        (
            [(" Nina,", 0.63), (" write", 0.99), (" the", 0.92), (" longer", 0.13)],
            "en",
            [("longer", 0.13)],
        ),
        ([(" Oh", 0.58), (" my,", 0.39)], "en", [("my,", 0.39)]),
        ([(" exactly", UNSURE_WORD_BELOW)], "en", []),  # at the threshold: not flagged
        ([(" nearly", 0.39996)], "en", [("nearly", 0.4)]),  # under it, shown rounded
        ([(" all", 0.99), (" sure", 0.98)], "en", []),
        ([("預", 0.2), ("算", 0.95)], "zh", [("预", 0.2)]),  # shown in simplified characters
        ([(" ", 0.01), (" fine.", 0.9)], "en", []),  # a blank piece is no word
    ],
)
def test_the_words_under_the_threshold_are_kept_with_their_line(
    words: list[tuple[str, float]], language: str, unsure: list[tuple[str, float]]
) -> None:
    heard = [_heard(text, p, 1.0 + 0.5 * n) for n, (text, p) in enumerate(words)]
    (segment,) = segments_of_clips([PlannedClip(0, 0.0, 10.0, "A")], heard, language)[0]
    assert list(segment.unsure_words or ()) == unsure


def test_whisper_gives_each_word_its_own_probability(whisper_dir: Path) -> None:
    from models.settings import Settings
    from worker.engines.whisper import WhisperEngine

    engine = WhisperEngine(Settings(whisper_model=str(whisper_dir)))
    samples, _ = sf.read(str(DATA / "meetings" / "launch-review.wav"), dtype="float32")
    words, _ = engine.words(samples, "en")
    probabilities = [w.probability for w in words]
    assert words and all(0.0 < p <= 1.0 for p in probabilities)
    assert len(set(probabilities)) > len(words) // 2, "per word, not one per segment"


def test_words_to_check_are_shown_escaped_and_go_once_the_line_is_corrected(org: Org) -> None:
    line = first_line(org)
    with session_scope() as session:
        stored = session.get(Segment, line.id)
        assert stored is not None
        stored.unsure_words = [["**Omar**", 0.31], ["<b>rota</b>", 0.05]]
    with session_scope() as session:
        detail = full_recording(session, org.recordings["red"])
    assert detail is not None
    assert detail["segments"][0]["unsure_words"] == [
        {"word": "**Omar**", "probability": 0.31},
        {"word": "<b>rota</b>", "probability": 0.05},
    ]
    note = unsure_words_note(detail["segments"][0]["unsure_words"])
    assert note == UNSURE_WORDS_NOTE + r"\*\*Omar\*\* (31%), \<b\>rota\</b\> (5%)"
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    assert note in [c.value for c in app.caption]

    with session_scope() as session:
        alice = load_viewer(session, org.users["alice"])
    assert alice is not None
    assert correct_line(alice, org.recordings["red"], line.id, "Omar will update the rota.") == (
        "corrected"
    )
    with session_scope() as session:
        detail = full_recording(session, org.recordings["red"])
    assert detail is not None and detail["segments"][0]["unsure_words"] == []
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    assert not any(UNSURE_WORDS_NOTE in c.value for c in app.caption)


def test_an_action_item_resting_on_a_doubtful_word_stands_with_a_note(org: Org) -> None:
    from sqlalchemy import select

    from models.analysis import ActionItem

    with session_scope() as session:
        stored = session.get(Segment, first_line(org).id)
        assert stored is not None
        stored.text, stored.confidence = "Alice, please send the invoices by Friday.", 0.9
        stored.unsure_words = [["invoices", 0.21]]
    recording_id, generation = analyse_red_again(org)
    with session_scope() as session:
        (item,) = session.scalars(
            select(ActionItem).where(
                ActionItem.recording_id == recording_id,
                ActionItem.generation == generation,
            )
        ).all()
        assert item.supported and item.owner == "Alice" and "invoices" in (item.task or "")
        assert any("low confidence" in p and "invoice" in p for p in item.problems), item.problems
    app = page("recording.py", org, "alice", id=str(org.recordings["red"]))
    assert any(c.value.startswith("note: heard with low confidence") for c in app.caption)
