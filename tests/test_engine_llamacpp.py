"""Real text models on the CPU: llama.cpp with the small Qwen2.5 GGUF, directly and behind
llama-cpp-python's OpenAI-compatible server (the same client production points at vLLM)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import free_port
from worker.analysis import questions as analyze
from worker.analysis.parsers import parse
from worker.engines.llamacpp import LlamaCppEngine
from worker.engines.openai_compat import OpenAICompatEngine
from worker.engines.requests import Request
from worker.errors import TransientError

pytestmark = pytest.mark.slow
MEETING = [
    "[00:00] Speaker 1: Good morning everyone. Let's review the launch plan.",
    "[00:05] Speaker 1: The release is ready and I am really happy with the testing.",
    "[00:10] Speaker 2: I still worry about the budget. Alice, please send the revised budget "
    "to the finance team by Friday.",
    "[00:18] Speaker 1: Agreed. Bob will book the conference room for the demo next Monday.",
    "[00:23] Speaker 1: We decided to launch on December first.",
]


@pytest.fixture(scope="module")
def engine(small_gguf: Path) -> LlamaCppEngine:
    return LlamaCppEngine(str(small_gguf), threads=2, context_tokens=2048)


def test_summary_from_a_real_model_parses(engine: LlamaCppEngine) -> None:
    answer = analyze.summarize(engine, MEETING)
    result = parse("summary", answer.raw)
    assert result.status in ("ok", "partial"), answer.raw
    assert result.data["summary"]


def _grounding_transcript() -> Any:
    from worker.analysis.grounding import Transcript
    from worker.analysis.questions import Line

    lines = []
    for line in MEETING:
        clock, rest = line[1:6], line[8:]
        speaker, text = rest.split(": ", 1)
        start = int(clock[:2]) * 60 + int(clock[3:])
        lines.append(Line(start, start + 5, speaker.replace(" ", "_"), text))
    return Transcript(lines, {"Speaker_1": "Speaker 1", "Speaker_2": "Speaker 2"}, 30.0)


def test_action_items_from_a_real_model_parse_and_are_checked(engine: LlamaCppEngine) -> None:
    """The 0.5B model's answer parses; whatever it says is checked before it is shown. (With
    the v1 prompt it "found" Alice by copying the prompt's example, which named Alice.)"""
    from worker.analysis.grounding import check_action_item, resolve_person

    answer = analyze.action_items(engine, MEETING)
    result = parse("action_items", answer.raw)
    assert result.status in ("ok", "partial", "failed"), answer.raw
    transcript = _grounding_transcript()
    for item in result.data.get("items", []):
        _, verdict = check_action_item(item, transcript)
        if item["owner"] and resolve_person(item["owner"], transcript) is None:
            assert not verdict.supported, (item, answer.raw)


def test_the_cpu_default_finds_the_owners_in_the_conversation() -> None:
    """What the CPU default stores for this meeting: the extractive finder's items."""
    from worker.analysis.extract import action_items

    transcript = _grounding_transcript()
    found = action_items(transcript.lines, transcript.names, date(2026, 11, 25))
    assert [(i["owner"], i["due"]) for i in found] == [
        ("Alice", "2026-11-27"),
        ("Bob", "2026-11-30"),
    ]


def test_a_long_transcript_is_summarised_in_parts_then_merged(engine: LlamaCppEngine) -> None:
    class SmallContext:
        """The same engine, told its context is tiny, so the transcript must be split."""

        name, model_id, supports_audio, context_tokens = "llama.cpp", "small", False, 800
        calls = 0

        def generate(self, requests: list[Request], max_new_tokens: int) -> list[str]:
            SmallContext.calls += len(requests)
            return engine.generate(requests, max_new_tokens)

    answer = analyze.summarize(SmallContext(), MEETING * 6)
    assert SmallContext.calls >= 3, "parts plus one merge"
    assert answer.prompt_version == "summary-v2+summary-merge-v2"
    assert parse("summary", answer.raw).data["summary"]


def test_llama_cpp_refuses_audio(engine: LlamaCppEngine) -> None:
    with pytest.raises(ValueError, match="cannot hear"):
        engine.generate([Request("Transcribe.", np.zeros(16000, dtype=np.float32))], 4)


@pytest.fixture(scope="module")
def server(small_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(small_gguf),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/v1/models", timeout=2)
            break
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(30)


def test_openai_compatible_engine_against_a_real_server(server: str) -> None:
    client = OpenAICompatEngine(server, "qwen2.5-0.5b", context_tokens=2048)
    answer = analyze.sentiment(
        client,
        [analyze.Turn(0, "S1", 0.0, 5.0, "I am really happy with how the testing went.")],
        {"S1": "Speaker 1"},
        None,
    )[0]
    result = parse("sentiment", answer.raw)
    assert result.status != "failed", answer.raw
    assert result.data["label"] in ("positive", "neutral", "negative")
    with pytest.raises(ValueError, match="not configured to accept audio"):
        client.generate([Request("x", np.zeros(16000, dtype=np.float32))], 4)


def test_an_unreachable_server_is_a_transient_error() -> None:
    client = OpenAICompatEngine(f"http://127.0.0.1:{free_port()}", "m", timeout_s=2)
    with pytest.raises(TransientError, match="unreachable"):
        client.generate([Request("hello")], 4)
