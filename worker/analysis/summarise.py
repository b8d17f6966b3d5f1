"""A meeting summary chosen from the transcript itself. It opens with the sentence that states
what the meeting is for, when one is said near the start ("let's review the launch plan",
"今天我们讨论预算"), then takes, from each part of the meeting in turn, its most informative
sentence (by how much of the meeting's recurring vocabulary it carries), so a long meeting's
later subjects are not crowded out by its most talked-about one. It adds the topics the meeting
keeps coming back to and the sentences that state a decision. Every word of it was said."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import stopwordsiso
from rapidfuzz import fuzz

from worker.analysis.grounding import content_terms, sentences_of
from worker.analysis.questions import Line

VERSION = "summarise-v2"  # stored as the model id of its StageRuns
DECISION = re.compile(
    r"\b(?:we(?:'ve| have)? (?:decided|agreed)|decided to|agreed (?:to|that|on)|"
    r"let's go with|we(?:'ll| will) go with|the decision is)\b|决定|一致同意",
    re.I,
)
# A sentence that says what the meeting is for: an invitation to work through something, or
# the meeting's purpose named. Only looked for in the opening (see OPENING_*).
PURPOSE = re.compile(
    r"\b(?:let's|let us|today we(?:'ll| will| are going to)?|"
    r"we(?:'re| are) (?:here|going|meeting) to|we need to|"
    r"(?:i|we) want to|this meeting is)\s+(?:\w+\s+)?"
    r"(?:review|discuss|plan|choose|decide|agree|talk about|go (?:over|through)|look at|"
    r"sort out|prepare|about)\b|\b(?:purpose|goal|aim|topic) of (?:this|the|today's) meeting\b|"
    r"\bagenda\b|今天(?:我们)?(?:要|来)?(?:讨论|商量|研究|决定|看看|聊聊)|本次会议|这次会议|议程",
    re.I,
)
OPENING_SHARE, OPENING_MIN_S = 0.1, 120.0  # the opening: its first tenth, at least two minutes
MIN_WORDS, MIN_HANZI = 5, 6
SECONDS_PER_SENTENCE = 300.0  # one summary sentence for every five minutes, 2 to 8
TOPIC_MIN_COUNT = 2
# Words too common to be a topic however often they are said ("think", "like", "okay", "我们"):
# the stopwords-iso lists, as the terms the grounding compares (stemmed words, hanzi pairs).
NOT_TOPICS = frozenset(t for w in stopwordsiso.stopwords(["en", "zh"]) for t in content_terms(w))
LETTERS = re.compile(r"[A-Za-z]")


def _sentences(lines: Sequence[Line]) -> list[tuple[float, str]]:
    found = []
    for line in lines:
        for sentence in sentences_of(line.text):
            hanzi = len(re.findall(r"[\u4e00-\u9fff]", sentence))
            words = len(sentence.split()) if LETTERS.search(sentence) else 0
            if hanzi >= MIN_HANZI or words >= MIN_WORDS:
                found.append((line.start_s, sentence))
    return found


def purpose_of(
    sentences: Sequence[tuple[float, str]], duration_s: float
) -> tuple[float, str] | None:
    """The first sentence of the opening that says what the meeting is for, if any."""
    opening_end = max(OPENING_MIN_S, duration_s * OPENING_SHARE)
    return next(((t, s) for t, s in sentences if t <= opening_end and PURPOSE.search(s)), None)


# Whisper writes the same words said again with other commas ("I'm just thinking, you know, …"
# and "I'm just thinking you know …" in an hour that repeats an excerpt): a sentence this similar
# (rapidfuzz ratio of the words alone) to one already taken was said before.
SAME_SENTENCE = 85.0


def _words_of(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


def _said_before(words: str, taken: set[str]) -> bool:
    return any(fuzz.ratio(words, before) >= SAME_SENTENCE for before in taken)


def _by_parts(
    sentences: Sequence[tuple[float, str]],
    parts: int,
    duration_s: float,
    weight: Callable[[str], float],
    taken: set[str],
) -> list[tuple[float, str]]:
    """The heaviest sentence of each of ``parts`` equal stretches of the meeting that was not
    already ``taken`` (the words of those taken; a sentence said again, however punctuated, is
    not summarised twice); the place of a stretch with none goes to the heaviest sentence left
    anywhere. Ties go to the earlier sentence."""
    end = max(duration_s, max(t for t, _ in sentences) + 1e-3)
    words = {sentence: _words_of(sentence) for _, sentence in sentences}
    chosen: list[tuple[float, str]] = []

    def take(candidates: list[tuple[float, str]]) -> None:
        if candidates:
            best = max(candidates, key=lambda s: (weight(s[1]), -s[0]))
            chosen.append(best)
            taken.add(words[best[1]])

    for part in range(parts):
        low, high = end * part / parts, end * (part + 1) / parts
        take([s for s in sentences if low <= s[0] < high and not _said_before(words[s[1]], taken)])
    for _ in range(parts - len(chosen)):
        take([s for s in sentences if not _said_before(words[s[1]], taken)])
    return chosen


def summarise(lines: Sequence[Line], duration_s: float) -> dict[str, Any]:
    sentences = _sentences(lines)
    if not sentences:
        return {"summary": None, "topics": [], "decisions": []}
    counts: Counter[str] = Counter()
    for _, sentence in sentences:
        counts.update(content_terms(sentence))

    def weight(sentence: str) -> float:
        terms = content_terms(sentence)
        return float(sum(counts[t] - 1 for t in terms)) / (math.sqrt(len(terms)) + 1)

    wanted = int(min(8, max(2, duration_s // SECONDS_PER_SENTENCE)))
    purpose = purpose_of(sentences, duration_s)
    taken = {_words_of(purpose[1])} if purpose else set()
    parts = _by_parts(sentences, wanted - len(taken), duration_s, weight, taken)
    summary = " ".join(sentence for _, sentence in ([purpose] if purpose else []) + sorted(parts))
    topics = [
        term
        for term, count in counts.most_common()
        if count >= TOPIC_MIN_COUNT
        and term not in NOT_TOPICS
        and "'" not in term  # a contraction's stem ("there'") is no topic
        and (len(term) >= 4 or re.search(r"[\u4e00-\u9fff]", term))
    ][:5]
    decisions = list(dict.fromkeys(s for _, s in sentences if DECISION.search(s)))[:8]
    return {"summary": summary, "topics": topics, "decisions": decisions}
