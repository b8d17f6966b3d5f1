"""The transcript parser keeps every spoken word: only an explicit label before the answer
(with its colon) is removed, never ordinary first words that sound like chatter."""

from __future__ import annotations

import pytest

from worker.analysis.parsers import parse
from worker.analysis.parsers.common import normalise

# Real sentences that begin the way assistant chatter or framing labels do.
SPOKEN = [
    "Text messages are cheap, so send one before you call.",
    "Sure, let's begin with the budget.",
    "I hope everyone had a good weekend.",
    "Here is the budget for the next quarter.",
    "Here are the numbers you asked for.",
    "Transcription services cost us too much last year.",
    "Transcripts of the last meeting are on the drive.",
    "The speech says a lot about how the team feels.",
    "The audio contains some noise at the start, sorry.",
    "Certainly not before Friday, we need the review first.",
    "Let me know when the slides are ready.",
    "Hope this helps you plan the trip.",
    "Feel free to interrupt me at any point.",
    "If you need more time, just tell me.",
    "Is there anything else on the agenda?",
    "Please note the deadline moved to Monday.",
    "Note the new room number on the door.",
    "Okay everyone, please sit down.",
    "Of course the client wants it sooner.",
    "Language is the hardest part of the course.",
    "The original content is in the first chapter.",
    "Speaker says nothing here, it is the chairman's turn.",
    "Original plan was to ship in May.",
    "文本消息很便宜，先发一条再打电话。",
    "好的方案需要时间，我们下周再定。",
    "希望大家周末过得愉快。",
    "如果你需要更多时间，就告诉我。",
    "以上是我们上个季度的数据。",
    "原文在第一章，请大家先读一遍。",
    "转写服务去年花了我们太多钱。",
    "识别结果不太准确，我们要再试一次。",
    "当然可以，我们明天就开始。",
    "音频内容有点杂音，不好意思。",
]


def _expected(sentence: str) -> str:
    return normalise(sentence).strip()


@pytest.mark.parametrize("sentence", SPOKEN)
def test_every_word_of_a_spoken_sentence_is_kept(sentence: str) -> None:
    result = parse("transcript", sentence)
    assert result.status == "ok"
    assert result.data["text"] == _expected(sentence)


@pytest.mark.parametrize("sentence", SPOKEN)
@pytest.mark.parametrize(
    "framing",
    [
        "Transcription: {}",
        "The original content of this audio is: '{}'",
        "Sure! Here is the transcription:\n{}",
        "这段音频的原始内容是：{}",
        "Transcription: The speech says: {}",
        "{}\nLet me know if you need anything else.",
    ],
)
def test_an_explicit_label_is_removed_and_the_sentence_kept(sentence: str, framing: str) -> None:
    result = parse("transcript", framing.format(sentence))
    assert result.status == "ok"
    assert result.data["text"] == _expected(sentence).strip("'")


def test_table_is_large_enough_and_bilingual() -> None:
    chinese = [s for s in SPOKEN if any("\u4e00" <= ch <= "\u9fff" for ch in s)]
    assert len(SPOKEN) >= 30 and len(chinese) >= 8 and len(SPOKEN) - len(chinese) >= 20


@pytest.mark.parametrize(
    "raw", ["", "   ", "Transcription:", "The original content of this audio is:"]
)
def test_an_answer_without_words_fails_and_keeps_its_raw_text(raw: str) -> None:
    result = parse("transcript", raw)
    assert result.status == "failed"
    assert result.raw == raw


def _clip_run(scope, raw: str):  # type: ignore[no-untyped-def]
    from models.db import session_scope
    from models.records import PlannedClip
    from models.tables import Clip, Speaker
    from worker.stages.runs import record_run

    with session_scope() as session:
        session.add(Speaker(recording_id=scope.recording_id, label="SPEAKER_00", display_name="A"))
        session.add(Clip(recording_id=scope.recording_id, index=0, start_s=0.0, end_s=2.0))
    run_id = record_run(
        scope,
        "transcribe",
        engine="qwen2-audio",
        model_id="tiny",
        subject_kind="clip",
        subject_index=0,
        prompt_version="transcript-v1",
        subject={"start_s": 0.0, "end_s": 2.0},
        raw_output=raw,
        duration_s=0.1,
    )
    return PlannedClip(0, 0.0, 2.0, None), run_id


@pytest.fixture
def recording_scope(embedded_db):  # type: ignore[no-untyped-def]
    from models.db import session_scope
    from models.tables import Recording
    from worker.stages.runs import RunScope

    with session_scope() as session:
        recording = Recording(content_hash="e" * 64, original_name="clip.wav", status="running")
        session.add(recording)
        session.flush()
        return RunScope(recording.id, recording.generation)


def test_an_answer_with_no_words_flags_the_clip_with_its_raw_answer(recording_scope) -> None:  # type: ignore[no-untyped-def]
    from models.db import session_scope
    from models.serialize import full_recording
    from models.tables import Clip
    from worker.stages.transcribe import store_parsed_transcript

    clip, run_id = _clip_run(recording_scope, "The original content of this audio is:")
    assert (
        store_parsed_transcript(
            recording_scope, clip, run_id, "The original content of this audio is:", None
        )
        == "failed"
    )
    with session_scope() as session:
        stored = session.query(Clip).one()
        assert stored.transcribed and stored.transcript_status == "empty"
        detail = full_recording(session, recording_scope.recording_id)
    assert detail is not None
    [flag] = detail["flagged"]
    assert flag["stage"] == "transcribe" and flag["about"] == "clip 0"
    assert flag["raw_output"] == "The original content of this audio is:"


def test_reparse_repairs_a_transcript_an_older_parser_cut(recording_scope) -> None:  # type: ignore[no-untyped-def]
    from models.db import session_scope
    from models.tables import Segment
    from worker.stages.reparse import reparse_recording

    raw = "Text messages are cheap, so send one before you call."
    _clip_run(recording_scope, raw)
    with session_scope() as session:  # what the old parser stored: the first word gone
        session.add(
            Segment(
                recording_id=recording_scope.recording_id,
                clip_index=0,
                start_s=0.0,
                end_s=2.0,
                text="messages are cheap, so send one before you call.",
            )
        )
    assert reparse_recording(recording_scope.recording_id) == {"ok": 1}
    with session_scope() as session:
        assert [s.text for s in session.query(Segment)] == [raw]
