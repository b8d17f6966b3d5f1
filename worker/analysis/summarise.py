"""A meeting summary chosen from the transcript itself: its most informative sentences (by how
much of the meeting's recurring vocabulary they carry), the topics it keeps coming back to, and
the sentences that state a decision. Every word of it was said."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from worker.analysis.grounding import content_terms, sentences_of
from worker.analysis.questions import Line

VERSION = "summarise-v1"  # stored as the model id of its StageRuns
DECISION = re.compile(
    r"\b(?:we(?:'ve| have)? (?:decided|agreed)|decided to|agreed (?:to|that|on)|"
    r"let's go with|we(?:'ll| will) go with|the decision is)\b|决定|一致同意",
    re.I,
)
MIN_WORDS, MIN_HANZI = 5, 6
SECONDS_PER_SENTENCE = 300.0  # one summary sentence for every five minutes, 2 to 8
TOPIC_MIN_COUNT = 2
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
    best = sorted(sentences, key=lambda s: -weight(s[1]))[:wanted]
    summary = " ".join(sentence for _, sentence in sorted(best))
    topics = [
        term
        for term, count in counts.most_common(12)
        if count >= TOPIC_MIN_COUNT and (len(term) >= 4 or re.search(r"[\u4e00-\u9fff]", term))
    ][:5]
    decisions = list(dict.fromkeys(s for _, s in sentences if DECISION.search(s)))[:8]
    return {"summary": summary, "topics": topics, "decisions": decisions}
