"""Sentence-level sentiment on the CPU default: lexicons, the sentence as its own evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from worker.engines.lexicon_sentiment import score_sentence, sentences


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("I love this design, it looks great.", "positive"),
        ("Thanks, that was really helpful.", "positive"),
        ("This remote keeps losing its battery cover and I hate it.", "negative"),
        ("The deadline is terrible and the budget is a disaster.", "negative"),
        ("The meeting is at three in room four.", "neutral"),
        ("我很喜欢这个设计，看起来很漂亮。", "positive"),
        ("这个遥控器太难用了，我很生气。", "negative"),
    ],
)
def test_sentences_get_the_expected_label(sentence: str, label: str) -> None:
    result = score_sentence(sentence)
    assert result.label == label, result
    assert -1.0 <= result.score <= 1.0 and result.text == sentence


def test_lines_are_split_into_sentences_worth_scoring() -> None:
    assert sentences("Okay. I love this design! Is it ready? Yes.") == [
        "I love this design!",
        "Is it ready?",
    ]
    assert sentences("好的。我很喜欢这个设计！") == ["我很喜欢这个设计！"]


def test_the_cpu_default_stores_one_grounded_span_per_sentence(
    embedded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.analysis import SentimentSpan
    from models.db import session_scope
    from models.settings import get_settings
    from models.tables import Recording, Segment, Speaker, StageRun
    from worker.stages.runs import RunScope
    from worker.stages.sentiment import run as run_sentiment

    monkeypatch.setenv("TINGSHUO_ANALYSIS_ENGINE", "none")
    get_settings.cache_clear()
    with session_scope() as session:
        recording = Recording(content_hash="f" * 64, original_name="m.wav", status="running")
        session.add(recording)
        session.flush()
        speaker = Speaker(recording_id=recording.id, label="SPEAKER_00", display_name="Wei")
        session.add(speaker)
        session.flush()
        for start, text in (
            (0.0, "I love this design. It looks great."),
            (5.0, "The room is small."),
        ):
            session.add(
                Segment(
                    recording_id=recording.id,
                    speaker_id=speaker.id,
                    start_s=start,
                    end_s=start + 4,
                    text=text,
                )
            )
        scope = RunScope(recording.id, recording.generation)
    run_sentiment(scope, lambda *_: None)
    with session_scope() as session:
        spans = session.scalars(select(SentimentSpan).order_by(SentimentSpan.id)).all()
        run = session.scalars(select(StageRun).where(StageRun.stage == "sentiment")).one()
    assert [s.evidence for s in spans] == [
        "I love this design.",
        "It looks great.",
        "The room is small.",
    ]
    assert [s.label for s in spans][:2] == ["positive", "positive"]
    assert all(s.supported and s.speaker_label == "SPEAKER_00" for s in spans)
    assert run.engine == "lexicon" and run.raw_output and "It looks great." in run.raw_output
