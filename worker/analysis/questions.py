"""Analysis prompts over a finished transcript: summary, action items, sentiment per speaker
turn, pronunciation. These functions only ask the engine; parsing and storing happen after."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from worker.analysis import prompts
from worker.engines.requests import MAX_CLIP_S, AnalysisEngine, Request

# Room kept for the prompt's own words and the answer when fitting a transcript in context.
PROMPT_OVERHEAD_TOKENS = 400


@dataclass(frozen=True)
class Line:
    start_s: float
    end_s: float
    speaker: str | None
    text: str
    unsure: bool = False  # heard too poorly to rest a claim on (models.records.is_unsure)
    # Words of the line Whisper gave a low probability (models.records.UNSURE_WORD_BELOW).
    unsure_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str | None
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Answer:
    raw: str
    prompt_version: str


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def transcript_text(lines: Sequence[Line], names: dict[str, str]) -> list[str]:
    return [
        f"[{_clock(line.start_s)}] {names.get(line.speaker or '', line.speaker or 'Speaker')}: "
        f"{line.text}"
        for line in lines
    ]


def chunk(lines: list[str], budget_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Consecutive lines grouped so that each group fits the token budget."""
    groups: list[list[str]] = [[]]
    used = 0
    for line in lines:
        size = count(line) + 1
        if groups[-1] and used + size > budget_tokens:
            groups.append([])
            used = 0
        groups[-1].append(line)
        used += size
    return ["\n".join(group) for group in groups if group]


def approximate_tokens(text: str) -> int:
    # About four characters a token in English; every CJK character is about one token.
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    return cjk + (len(text) - cjk) // 4 + 1


def _budget(engine: AnalysisEngine, prompt: prompts.Prompt) -> int:
    return max(200, engine.context_tokens - PROMPT_OVERHEAD_TOKENS - prompt.max_new_tokens)


def _counter(engine: AnalysisEngine) -> Callable[[str], int]:
    counter = getattr(engine, "count_tokens", None)
    return counter if callable(counter) else approximate_tokens


def _constrained(
    engine: AnalysisEngine, plain: prompts.Prompt, json: prompts.Prompt
) -> prompts.Prompt:
    """The JSON prompt, with its schema, for an engine that can constrain its output."""
    return json if getattr(engine, "supports_schema", False) else plain


def _ask(prompt: prompts.Prompt, **values: str) -> Request:
    return Request(prompt.render(**values), schema=prompt.schema)


def summarize(engine: AnalysisEngine, lines: list[str]) -> Answer:
    """One prompt when the transcript fits; otherwise each part, then a merge of the parts."""
    prompt = _constrained(engine, prompts.SUMMARY, prompts.SUMMARY_JSON)
    parts = chunk(lines, _budget(engine, prompt), _counter(engine))
    asked = [_ask(prompt, transcript=part) for part in parts]
    answers = engine.generate(asked, prompt.max_new_tokens)
    if len(answers) == 1:
        return Answer(answers[0], prompt.version)
    merged = "\n\n".join(f"Part {n}:\n{a}" for n, a in enumerate(answers, 1))
    final = engine.generate(
        [Request(prompts.MERGE_SUMMARIES.render(transcript=merged))],
        prompts.MERGE_SUMMARIES.max_new_tokens,
    )[0]
    return Answer(final, f"{prompt.version}+{prompts.MERGE_SUMMARIES.version}")


def action_items(engine: AnalysisEngine, lines: list[str]) -> Answer:
    """Action items part by part; the answers are joined (the parser reads every ITEM line)."""
    prompt = _constrained(engine, prompts.ACTION_ITEMS, prompts.ACTION_ITEMS_JSON)
    parts = chunk(lines, _budget(engine, prompt), _counter(engine))
    asked = [_ask(prompt, transcript=part) for part in parts]
    answers = engine.generate(asked, prompt.max_new_tokens)
    if prompt.schema is not None and len(answers) > 1:
        # Each part answered {"items": [...]}: one answer holding every part's items.
        items = [i for a in answers for i in _json_items(a)]
        return Answer(json.dumps({"items": items}, ensure_ascii=False), prompt.version)
    joined = "\n".join(a for a in answers if not a.strip().upper().startswith("NONE"))
    return Answer(joined or answers[0], prompt.version)


def _json_items(answer: str) -> list[Any]:
    try:
        value = json.loads(answer)
    except ValueError:
        return []
    items = value.get("items") if isinstance(value, dict) else None
    return items if isinstance(items, list) else []


def speaker_turns(lines: Sequence[Line], max_s: float = MAX_CLIP_S) -> list[Turn]:
    """Consecutive lines of one speaker, split so that no turn's audio exceeds ``max_s``."""
    turns: list[Turn] = []
    for line in lines:
        last = turns[-1] if turns else None
        if last and last.speaker == line.speaker and line.end_s - last.start_s <= max_s:
            turns[-1] = Turn(
                last.index,
                last.speaker,
                last.start_s,
                line.end_s,
                f"{last.text} {line.text}".strip(),
            )
        else:
            turns.append(
                Turn(
                    len(turns),
                    line.speaker,
                    line.start_s,
                    min(line.end_s, line.start_s + max_s),
                    line.text,
                )
            )
    return turns


def sentiment(
    engine: AnalysisEngine,
    turns: Sequence[Turn],
    names: dict[str, str],
    audio_of: Callable[[Turn], np.ndarray] | None,
) -> list[Answer]:
    """One answer per turn; with an engine that hears, the turn's audio goes with its text."""
    asked = [
        Request(
            prompts.SENTIMENT.render(speaker=names.get(t.speaker or "", "Speaker"), text=t.text),
            audio_of(t) if audio_of is not None and engine.supports_audio else None,
        )
        for t in turns
    ]
    answers = engine.generate(asked, prompts.SENTIMENT.max_new_tokens)
    return [Answer(a, prompts.SENTIMENT.version) for a in answers]


def pronunciation(
    engine: AnalysisEngine, clips: Sequence[np.ndarray], reference_text: str | None
) -> list[Answer]:
    """One assessment per clip of the student's speech (each ≤ 30 s)."""
    reference = (
        f' The student was asked to read aloud: "{reference_text.strip()}".'
        if reference_text
        else " The speech is unscripted."
    )
    asked = [Request(prompts.PRONUNCIATION.render(reference=reference), clip) for clip in clips]
    answers = engine.generate(asked, prompts.PRONUNCIATION.max_new_tokens)
    return [Answer(a, prompts.PRONUNCIATION.version) for a in answers]
