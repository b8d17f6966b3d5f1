"""Checking a parsed analysis record against what was said, before it is shown as fact.

Every engine's answers pass through here between parsing and storing. A record that fails is
kept (with its raw answer on its StageRun) and marked unsupported with the reasons; readers
leave it out unless asked. The checks are deliberately plain: words of the record found in the
transcript near the moment it points to, people who are speakers or are named, quotes found in
the turn they are quoted from, and no content copied from a prompt's example.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from worker.analysis.questions import Line

# What earlier prompt versions showed as examples. A record repeating one of these when the
# transcript never says it was copied from the prompt, not heard in the meeting.
PROMPT_EXAMPLES = (
    "spring fair",
    "agreed on a date",
    "venue",
    "volunteers",
    "hold the fair on may 3",
    "send the revised budget",
    "revised budget",
    "this keeps breaking",
    "alice",
    "12:30",
)
# Words that carry no content when comparing a record with the transcript.
_STOP_WORD_TEXT = """
a an the and or but of to in on at for with by from as is are was were be been being it
its this that these those will would shall should can could may might must do does did
done have has had i you he she we they me him her us them my your his our their to up out
about into over after before then than so not no yes please also just all any some each
get got make made need needs go going
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
SUPPORT_SHARE = 0.5  # of a record's content words found in what was said around it
NEAR_S = 90.0  # how far from its moment a record's words may have been said
QUOTE_SCORE = 90.0  # rapidfuzz partial ratio for a quote to count as found
# rapidfuzz ratio for a flagged word to count as heard: "tree" written for "three" passes
HEARD_SCORE = 80.0
# An item's words heard with low confidence this close to its moment get a note (its own line
# and the next: the answer to a request).
DOUBT_NEAR_S = 10.0
PUNCTUATION = ".,!?;:\"'()，。？！、；：“”"

CJK = re.compile(r"[\u3400-\u9fff]")
SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]*")
WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class Transcript:
    lines: Sequence[Line]
    names: dict[str, str]  # speaker label -> display name
    duration_s: float

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    def lines_near(self, moment: float, window: float) -> list[Line]:
        return [
            line
            for line in self.lines
            if line.end_s >= moment - window and line.start_s <= moment + window
        ]

    def near(self, moment: float | None, window: float = NEAR_S) -> str:
        if moment is None:
            return self.text
        return " ".join(line.text for line in self.lines_near(moment, window))

    def doubtful_near(self, moment: float | None, window: float = DOUBT_NEAR_S) -> list[str]:
        """The words Whisper was unsure of, said near ``moment``, as it wrote them."""
        if moment is None:
            return []
        return [word for line in self.lines_near(moment, window) for word in line.unsure_words]


@dataclass
class Verdict:
    """``problems`` make a record unsupported; ``notes`` say what was taken out of a record
    that stands (a topic nobody discussed, a due date nobody said)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return not self.problems


def sentences_of(text: str) -> list[str]:
    """The sentences of a line, stripped (English and Chinese end marks)."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def _normal(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> set[str]:
    """Content words (stemmed) of English text, and character pairs of Chinese text."""
    terms = {_stem(w) for w in WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1}
    terms = {t for t in terms if not CJK.search(t)}
    hanzi = "".join(CJK.findall(text))
    terms |= {hanzi[i : i + 2] for i in range(len(hanzi) - 1)}
    return terms


def support(claim: str, said: str) -> float:
    """The share of the claim's content terms found in what was said (1.0 for no terms)."""
    wanted = content_terms(claim)
    if not wanted:
        return 1.0
    heard = content_terms(said)
    return len(wanted & heard) / len(wanted)


def echoes(record_text: str, transcript: Transcript) -> list[str]:
    """Prompt-example content in the record that the transcript never says."""
    record, said = f" {_normal(record_text)} ", f" {_normal(transcript.text)} "
    return [
        example
        for example in PROMPT_EXAMPLES
        if f" {_normal(example)} " in record and f" {_normal(example)} " not in said
    ]


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def resolve_person(name: str | None, transcript: Transcript) -> str | None:
    """The speaker label, display name or named person that ``name`` refers to, or None."""
    if not name:
        return None
    wanted = _normal(name)
    for label, display in transcript.names.items():
        if wanted in (_normal(label), _normal(display)):
            return label
    said = f" {_normal(transcript.text)} "
    return name if wanted and f" {wanted} " in said else None


def check_action_item(
    item: dict[str, Any], transcript: Transcript
) -> tuple[dict[str, Any], Verdict]:
    """The item (its time set to where it was said when the model gave none, its due date
    dropped when nothing was said of one) and whether it is supported."""
    verdict = Verdict()
    checked = dict(item)
    task, owner, moment = item.get("task") or "", item.get("owner"), item.get("evidence_time")
    if not task:
        verdict.problems.append("the item has no task")
    if owner and resolve_person(owner, transcript) is None:
        verdict.problems.append(f"the owner {owner!r} is not a speaker or anyone named")
    if moment is not None and not 0 <= moment <= transcript.duration_s + 1:
        verdict.problems.append(
            f"said at {_clock(moment)}, but the recording is {_clock(transcript.duration_s)} long"
        )
        moment = None
    if task and support(task, transcript.near(moment)) < SUPPORT_SHARE:
        where = f"around {_clock(moment)}" if moment is not None else "in the transcript"
        verdict.problems.append(f"the task is not supported by what was said {where}")
    if task and moment is None:
        checked["evidence_time"] = _best_moment(task, transcript)
    due_words = str(item.get("due_words") or item.get("due") or "")
    near = transcript.near(checked.get("evidence_time"))
    if due_words and support(due_words, near) < SUPPORT_SHARE:
        checked["due"] = None
        verdict.notes.append(f"the due date {due_words!r} was not said; left empty")
    for example in echoes(f"{owner or ''} {task} {item.get('due') or ''}", transcript):
        verdict.problems.append(f"repeats the prompt's example ({example!r})")
    claimed = content_terms(f"{owner or ''} {task} {due_words if checked.get('due') else ''}")
    doubtful = transcript.doubtful_near(checked.get("evidence_time"))
    unsure = list(
        dict.fromkeys(w.strip(PUNCTUATION) for w in doubtful if content_terms(w) & claimed)
    )
    if unsure:
        verdict.notes.append(
            f"heard with low confidence where it was said: {', '.join(unsure)}; listen to check"
        )
    return checked, verdict


def _best_moment(claim: str, transcript: Transcript) -> float | None:
    scored = [(support(claim, line.text), -line.start_s) for line in transcript.lines]
    if not scored:
        return None
    best, negative_start = max(scored)
    return -negative_start if best > 0 else None


def check_quote(quote: str | None, turn_text: str) -> Verdict:
    """A sentiment span's quoted evidence must be words of the turn it describes."""
    verdict = Verdict()
    cleaned = _normal(quote or "")
    if not cleaned:
        verdict.problems.append("no quote from the turn was given")
    elif fuzz.partial_ratio(cleaned, _normal(turn_text)) < QUOTE_SCORE:
        verdict.problems.append(f"the quote {quote!r} is not in the turn")
    return verdict


def check_summary(
    summary: dict[str, Any], transcript: Transcript
) -> tuple[dict[str, Any], Verdict]:
    """Topics and decisions without support in the transcript are taken out (noted); the
    summary is unsupported when its text repeats a prompt example or is not about what was
    said."""
    verdict = Verdict()
    checked = dict(summary)
    said = transcript.text
    for key in ("topics", "decisions"):
        kept = []
        for entry in summary.get(key) or []:
            if support(entry, said) >= SUPPORT_SHARE and not echoes(entry, transcript):
                kept.append(entry)
            else:
                verdict.notes.append(f"{key[:-1]} {entry!r} has no support in the transcript")
        checked[key] = kept
    text = summary.get("summary") or ""
    copied = echoes(text, transcript)
    if copied:
        verdict.problems.append(f"the summary repeats the prompt's example ({copied[0]!r})")
    elif text and support(text, said) < SUPPORT_SHARE / 2:
        verdict.problems.append("the summary is not about what was said")
    return checked, verdict


def check_flagged_words(
    words: Sequence[str], heard: str, reference: str | None
) -> tuple[list[str], Verdict]:
    """The words a listening model says were mispronounced in a turn that were heard in that
    turn (close enough: the transcript writes the word the speaker tried to say, or near it)
    or that the reference text asks for (an omitted word is not heard). The others are taken
    out of the report, noted: a teacher reads this list as the words to practise."""
    verdict = Verdict()
    said = set(WORD.findall(heard.lower()))
    asked = set(WORD.findall((reference or "").lower()))
    kept: list[str] = []
    for word in words:
        parts = WORD.findall(word.lower())
        if not parts:
            continue
        if all(part in asked or part in said or _heard_near(part, said) for part in parts):
            kept.append(word)
        else:
            verdict.notes.append(f"the listening model flagged {word!r}, which was not said")
    return kept, verdict


def _heard_near(word: str, said: set[str]) -> bool:
    return process.extractOne(word, said, scorer=fuzz.ratio, score_cutoff=HEARD_SCORE) is not None
