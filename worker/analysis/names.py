"""Who is who, from what people say: self-introductions ("Wei speaking", "this is Sam", "我是
小李"), thanks to the previous speaker ("thanks, Ana"), a greeting answered by the next speaker
("Hi Tony, thanks for coming") and a name at the start of a question answered by the next
speaker ("Sam, can you …?"). The results are suggestions, shown to a user
who accepts them in one click; nothing is renamed silently."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from worker.analysis.extract import NAME, NOT_NAMES
from worker.analysis.grounding import sentences_of
from worker.analysis.questions import Line

SELF = (
    re.compile(r"\b(?:[Tt]his is|[Mm]y name is|I am|I'm|[Ii]t's)\s+" + NAME + r"\b"),
    re.compile(r"\b" + NAME + r"\s+(?:speaking|here)\b"),
    re.compile(r"我是(?P<name>[\u4e00-\u9fff]{2,3}?)(?:[，,。]|$)"),
)
THANKS = re.compile(
    r"^(?:[Tt]hanks|[Tt]hank you|[Oo]kay|OK|[Rr]ight|[Gg]reat|[Yy]es|[Ss]ure)[,!.]?\s+"
    + NAME
    + r"\b"
)
ADDRESS = re.compile(r"^" + NAME + r",\s")
GREETING = re.compile(
    r"^(?:[Hh]i|[Hh]ello|[Hh]ey|[Gg]ood (?:morning|afternoon|evening)|[Ww]elcome)[,!]?\s+"
    + NAME
    + r"\b(?![,\s]+(?:and|&)\s)"
)
# How much each cue counts; a suggestion needs at least SUGGEST_AT. A greeting by name that
# the next voice answers names that voice as plainly as a self-introduction: it is said to the
# one person who is about to speak ("Hi Tony, and Sam" greets two and is not counted).
SELF_VOTE, OTHER_VOTE, GREETING_VOTE, SUGGEST_AT = 3, 1, 2, 2


@dataclass(frozen=True)
class Suggestion:
    name: str
    said: str  # the words that gave it away
    at_s: float


def _cues(lines: Sequence[Line]) -> list[tuple[str, str, int, Line]]:
    """(speaker label, name, votes, the line that said it)."""
    cues = []
    for n, line in enumerate(lines):
        if line.speaker is None:
            continue
        for pattern in SELF:
            for match in pattern.finditer(line.text):
                cues.append((line.speaker, match.group("name"), SELF_VOTE, line))
        before = lines[n - 1] if n else None
        after = lines[n + 1] if n + 1 < len(lines) else None
        greeted = GREETING.match(line.text)
        if greeted and after is not None and after.speaker not in (None, line.speaker):
            cues.append((after.speaker or "", greeted.group("name"), GREETING_VOTE, line))
        thanks = THANKS.match(line.text)
        if thanks and before is not None and before.speaker not in (None, line.speaker):
            cues.append((before.speaker or "", thanks.group("name"), OTHER_VOTE, line))
        # A question that ends the line and starts with a name is answered by that person.
        sentences = sentences_of(line.text)
        addressed = ADDRESS.match(sentences[-1]) if sentences else None
        if addressed and after is not None and after.speaker not in (None, line.speaker):
            cues.append((after.speaker or "", addressed.group("name"), OTHER_VOTE, line))
    return [c for c in cues if c[1] not in NOT_NAMES]


def suggest_names(lines: Sequence[Line]) -> dict[str, Suggestion]:
    """Speaker label -> the name the conversation gives them; one name per speaker and one
    speaker per name, strongest evidence first."""
    votes: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[tuple[str, str], Line] = {}
    for speaker, name, weight, line in _cues(lines):
        votes[(speaker, name)] += weight
        first.setdefault((speaker, name), line)
    chosen: dict[str, Suggestion] = {}
    taken: set[str] = set()
    for (speaker, name), count in sorted(votes.items(), key=lambda kv: -kv[1]):
        if count < SUGGEST_AT or speaker in chosen or name in taken:
            continue
        line = first[(speaker, name)]
        chosen[speaker] = Suggestion(name, line.text, line.start_s)
        taken.add(name)
    return chosen
