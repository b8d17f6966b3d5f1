"""Action items found in the diarized transcript itself, with no model: requests addressed to
someone by name ("Alice, please send …", "Sam, can you … by Friday?"), people said to take a
task ("Bob will book …") and commitments in the speaker's own words ("I will …", "我来…").

It cannot invent: every item is words that were said, at the moment they were said, its owner
a person addressed or named, or the speaker who committed; its due date is resolved from the
words said, against the day the recording was made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from worker.analysis.grounding import CJK
from worker.analysis.parsers.dates import resolve_date, split_due
from worker.analysis.questions import Line

VERSION = "extract-v7"  # stored as the model id of its StageRuns
NAME = r"(?P<name>[A-Z][a-z]{1,20})"
END = r"(?P<task>[^.?!;]{3,160})"
ADDRESSED = re.compile(
    NAME + r",\s+(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)" + END
)
# The name closing the sentence before the request: "That would be great, Marco. Please collect
# the shirts tomorrow."
ADDRESSED_BEFORE = re.compile(
    r",\s+"
    + NAME
    + r"[.!]\s+(?:[Pp]lease\s+|(?:[Cc]an|[Cc]ould|[Ww]ould|[Ww]ill)\s+you\s+(?:please\s+)?)"
    + END
)
# A bare order after the name, with a deadline: "Great, Yusuf. Send me the draft by next
# Friday." Without a deadline a sentence after a name is as often a remark ("Thanks, Rose. Music
# in the garden would be nice"), so only one that says when counts, and only when it does not
# open with a word that cannot start an order.
TOLD_BEFORE = re.compile(r",\s+" + NAME + r"[.!]\s+(?P<task>[A-Z][a-z]+\s[^.?!;]{3,160})(?=$|[.!])")
_NOT_ORDER_TEXT = """all any are both can could did do does each every everything had has have is
its just let maybe might must nothing should some something was were will would went"""
NOT_ORDERS = frozenset(_NOT_ORDER_TEXT.split())
# A request to nobody by name ("Can you ask the members for photos?"): whoever answers it with a
# commitment ("Yes, I'll email them on Monday") owns it; unanswered, it is nobody's and no item.
ASKED_ANYONE = re.compile(
    r"(?:^|(?<=[.!?])\s+)(?:[Cc]an|[Cc]ould|[Ww]ould)\s+you\s+(?:please\s+)?"
    r"(?P<task>[^.?!;]{3,160})\?"
)
# A task for nobody in particular ("Someone needs to ask the council"): as a request to nobody.
NEEDS_SOMEONE = re.compile(r"\b(?:[Ss]omeone|[Ss]omebody)\s+(?:needs to|has to|should)\s+" + END)
# "Action for Tom: find out why …", "Ben, can I leave the banner to you?"
ACTION_FOR = re.compile(r"\b[Aa]ction(?: item)? for " + NAME + r"[:,]?\s+" + END)
LEAVE_WITH = re.compile(
    NAME + r",\s+(?:can|could|may)\s+I\s+leave\s+(?P<task>[^.?!;]{3,120}?)\s+(?:to|with)\s+you\b"
)
NAMED = re.compile(r"\b" + NAME + r"\s+(?:will|is going to|is gonna)\s+" + END)
LETS_HAVE = re.compile(r"\b[Ll]et's (?:have|get|ask)\s+" + NAME + r"\s+(?:to\s+)?" + END)
MINE = re.compile(
    r"\b(?:I(?:'ll|\s+will|\s+am going to|'m going to|'m gonna|\s+can)|[Ll]et me)\s+" + END
)
# "Maybe I'll go and see it one day" is a thought, not a commitment.
HEDGED = re.compile(r"\b(?:[Mm]aybe|[Pp]erhaps)\W+(?:\w+\W+){0,2}$")
ADDRESSED_ZH = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{1,3})[，,]\s*(?:请|麻烦)?你(?P<task>[^。？！；]{2,60})"
)
# Characters no name is made of: "家长会的通知，你能…吗" puts the task first, not a person.
NOT_NAME_ZH = re.compile(r"[的了是在和就也都还这那个要会吗呢吧]")
# "家长会的通知，你能星期五之前发出去吗？": a request to nobody by name, its topic said first.
ASKED_ANYONE_ZH = re.compile(
    r"(?:(?P<topic>[^。？！；，,?!]{2,20})[，,]\s*)?你(?:能不能|能|可以|可不可以)"
    r"(?P<task>[^。？！；?吗]{2,60})吗?[？?]"
)
MINE_ZH = re.compile(
    r"(?:我(?:会|来|去|负责)|(?:没问题|好的|可以|行)[，,]\s*我)(?P<task>[^。？！；]{2,60})"
)
# Capitalised words that start sentences but are nobody's name.
_NOT_NAME_TEXT = """
I It This That There These Those We They He She You Everyone Nobody Someone Somebody Anyone
Everybody Today Tomorrow Yes No Okay Ok Sure Well So And But Then Now Also Maybe Please Thanks
Thank Who What When Where Why How The A An Our Your My Their His Her Monday Tuesday Wednesday
Thursday Friday Saturday Sunday January February March April May June July August September
October November December Christmas Easter
Great Fine Right Good Alright Perfect Cool Nice Excellent Wonderful Lovely Brilliant Awesome
Sorry Hi Hello Hey Oh Ah Yeah Yep Anyway Actually First Next Finally Agreed Done Exactly
Absolutely Look Listen Wait Later Soon Tonight Yesterday Morning Afternoon Evening Weekend
"""
NOT_NAMES = frozenset(_NOT_NAME_TEXT.split())
# Requests that are about the conversation itself, not work to do.
NOT_TASKS = re.compile(
    r"^(?:hear|see|repeat|say that|speak up|explain|go on|continue|hold on|wait)\b", re.I
)
# Whisper reading long audio sometimes drops the full stop between two sentences ("I will check
# it and we agreed to launch the app"): a task ends where a new clause with its own subject
# begins.
NEXT_CLAUSE = re.compile(
    r"[\s,]+(?:(?:and|but|so|because)\s+(?:then\s+)?|then\s+)"
    r"(?:we|I|they|you|he|she|it|let's|there)\b.*$",
    re.I,
)
CONFIRM_S = 60.0  # a commitment this soon after a request for the same task confirms it
SAME_TASK = 60.0  # rapidfuzz token set ratio (partial ratio for Chinese)
# Who answers: the line after a question put to someone by name is that person's answer, and a
# commitment thanked by name was that person's. The conversation says so even where the
# diarizer merged two voices into one speaker.
ANSWER_S = 15.0  # an answer or a thank-you follows the line it belongs to within this gap
CALLED = re.compile(r"^\W*" + NAME + r",\s")  # a sentence calling someone: "Ruth, what about …?"
THANKED = re.compile(r"^\W*(?:[Tt]hanks|[Tt]hank you)[,.!]?\s+" + NAME + r"\b")
SENTENCE_ENDS = ".?!。？！"
SENTENCE = re.compile(f"(?<=[{re.escape(SENTENCE_ENDS)}])\\s*")
CUT_GAP_S = 1.5  # a sentence cut between two lines goes on within this gap
# A commitment whose task only points back at what was just asked ("I can do that", "I'll book
# it", "I'll pick them up after work"): it confirms the item before it rather than being a task
# of its own. The pronoun ends the task or is followed by a particle or a preposition ("do that
# report" is a task of its own).
POINTS_BACK = re.compile(
    r"^(?:\w+\s+){1,3}(?:it|that|this|them|those|one)"
    r"(?:$|,|\s+(?:up|down|out|off|over|back|in|on|round|around|through|to|for|with|after|at|"
    r"from|when|once|as|before|by|first|later|now)\b)",
    re.I,
)


def _item(owner: str, task: str, line: Line, recorded_on: date, how: str) -> dict[str, Any]:
    task, due_words = split_due(NEXT_CLAUSE.sub("", task).strip(" ,，"))
    return {
        "owner": owner,
        "task": task,
        "due": resolve_date(due_words, recorded_on) if due_words else None,
        "due_words": due_words,
        "evidence_time": line.start_s,
        "speaker": line.speaker,
        "how": how,
    }


def rejoined(lines: Sequence[Line]) -> list[Line]:
    """Lines with one sentence cut between them made one again: Whisper's sentence is split where
    the diarizer's turn changes, and "Paulo, please put up the" / "shelves on Tuesday." is one
    request. A cut is a line with no end punctuation followed at once by one in lower case; the
    sentence is its longer part's speaker's."""
    joined: list[Line] = []
    for line in lines:
        before = joined[-1] if joined else None
        if (
            before is not None
            and not before.text.rstrip().endswith(tuple(SENTENCE_ENDS))
            and line.text.lstrip()[:1].islower()
            and line.start_s - before.end_s <= CUT_GAP_S
        ):
            # The diarizer's turn change fell inside the sentence: it is the words of whoever
            # said most of it ("I'll" / "check the final numbers …" is the second voice's).
            longer = before if len(before.text.split()) >= len(line.text.split()) else line
            joined[-1] = replace(
                before,
                speaker=longer.speaker,
                end_s=line.end_s,
                text=f"{before.text.rstrip()} {line.text.lstrip()}",
                unsure=before.unsure or line.unsure,
                unsure_words=before.unsure_words + line.unsure_words,
            )
        else:
            joined.append(line)
    return joined


def _last_sentence(text: str) -> str:
    sentences = [s for s in SENTENCE.split(text) if s.strip()]
    return sentences[-1] if sentences else ""


def _person(found: re.Match[str] | None) -> str | None:
    name = found.group("name") if found else None
    return name if name not in NOT_NAMES else None


def answerer(lines: Sequence[Line], index: int) -> tuple[str | None, str | None]:
    """Whose answer line ``index`` is, by the conversation around it: the person called by name
    in the last sentence of the line just before it (for the line's first commitment), and the
    one thanked by name at the start of the line just after it (for its last)."""
    line, called, thanked = lines[index], None, None
    if index > 0 and line.start_s - lines[index - 1].end_s <= ANSWER_S:
        called = _person(CALLED.match(_last_sentence(lines[index - 1].text)))
    if index + 1 < len(lines) and lines[index + 1].start_s - line.end_s <= ANSWER_S:
        thanked = _person(THANKED.match(lines[index + 1].text))
    return called, thanked


def _opens_an_order(task: str) -> bool:
    # An order opens with its verb: neither a word that is no verb nor a subject followed by its
    # verb ("Lunch was lovely on Friday", "The team finished on Monday").
    opener, second = task.split()[:2]
    return not (
        opener in NOT_NAMES or {opener.lower(), second} & NOT_ORDERS or second.endswith("ed")
    )


def _found(
    line: Line,
    names: dict[str, str],
    recorded_on: date,
    answering: tuple[str | None, str | None] = (None, None),
) -> list[dict[str, Any]]:
    """The line's items in the order they were said in it."""
    speaker = names.get(line.speaker or "", line.speaker or "the speaker")
    asked: list[tuple[int, dict[str, Any]]] = []
    patterns = (ADDRESSED, ADDRESSED_BEFORE, ADDRESSED_ZH, TOLD_BEFORE, ACTION_FOR, LEAVE_WITH)
    named = ((NAMED, "named"), (LETS_HAVE, "named"))
    for pattern, how in [*((p, "asked") for p in patterns), *named]:
        for match in pattern.finditer(line.text):
            name, task = match.group("name"), match.group("task")
            told = pattern is TOLD_BEFORE
            if told and not _opens_an_order(task):
                continue
            if told:
                task = task[0].lower() + task[1:]
            if name in NOT_NAMES or NOT_TASKS.match(task) or NOT_NAME_ZH.search(name):
                continue
            item = _item(name, task, line, recorded_on, how)
            if not told or item["due"] is not None:  # an order counts only with a deadline
                asked.append((match.start(), item))
    for pattern in (ASKED_ANYONE, NEEDS_SOMEONE, ASKED_ANYONE_ZH):
        for match in pattern.finditer(line.text):
            task = match.group("task")
            if pattern is ASKED_ANYONE_ZH and match.group("topic"):
                task = f"{match.group('topic')}，{task}"
            if not NOT_TASKS.match(task):
                asked.append((match.start(), _item("", task, line, recorded_on, "asked anyone")))
    mine = [
        match
        for pattern in (MINE, MINE_ZH)
        for match in pattern.finditer(line.text)
        if not NOT_TASKS.match(match.group("task"))
        and not HEDGED.search(line.text[: match.start()])
    ]
    mine.sort(key=lambda m: m.start())
    called, thanked = answering
    for number, match in enumerate(mine):
        owner = (called if number == 0 else None) or (thanked if number == len(mine) - 1 else None)
        how = "answered" if owner else "committed"
        item = _item(owner or speaker, match.group("task"), line, recorded_on, how)
        asked.append((match.start(), item))
    return [item for _, item in sorted(asked, key=lambda pair: pair[0])]


def _confirmed(
    item: dict[str, Any], kept: list[dict[str, Any]], replied_to_s: float
) -> dict[str, Any] | None:
    """The earlier item a commitment (or a request to the same person) confirms. When its task
    only points back ("I can do that"): the last item said since the start of the line it
    replies to (``replied_to_s``; its own line holds both when Whisper wrote the two turns as
    one). "Irene, what about the schedule?" / "I will put it on the board" asked for nothing, so
    that is a task of its own. Else a recent item for the same task."""
    if item["how"] == "asked anyone":
        return None
    recent = [k for k in kept if item["evidence_time"] - k["evidence_time"] <= CONFIRM_S]
    if POINTS_BACK.match(item["task"]):
        replied = [k for k in recent if k["evidence_time"] >= replied_to_s]
        if item["how"] in ("asked", "named"):  # "Thanks, Sam. Please do that by Thursday."
            # ...or a task nobody was given yet: "Let's have Nora do that".
            replied = [k for k in replied if k["owner"] in (item["owner"], "")]
        return replied[-1] if replied else None
    return next((k for k in recent if _same_task(item["task"], k["task"])), None)


def _same_task(one: str, other: str) -> bool:
    # Chinese has no spaces between words: "发预算表" is "把预算表发给大家" in other words.
    if CJK.search(one + other):
        return fuzz.partial_ratio(one, other) >= SAME_TASK
    return fuzz.token_set_ratio(one, other) >= SAME_TASK


def action_items(
    lines: Sequence[Line], names: dict[str, str], recorded_on: date
) -> list[dict[str, Any]]:
    """Items in the order they were said. A commitment ("I will …") that answers a request for
    the same task, or only points back at it ("I can do that"), keeps the request's owner, time
    and due date; a commitment answering a question put by name is that person's, and one
    answering a request to nobody by name makes the request its speaker's."""
    lines = rejoined(lines)
    found = [
        (item, lines[max(0, index - 1)].start_s)
        for index, line in enumerate(lines)
        for item in _found(line, names, recorded_on, answerer(lines, index))
    ]
    kept: list[dict[str, Any]] = []
    for item, replied_to_s in found:
        earlier = _confirmed(item, kept, replied_to_s)
        if earlier is None:
            kept.append(item)
            continue
        if not earlier["owner"]:  # a request to nobody, taken by whoever answered it
            how = item["how"] if item["how"] in ("asked", "named") else "accepted"
            earlier.update(owner=item["owner"], speaker=item["speaker"], how=how)
        if earlier["due"] is None and item["due"] is not None:
            earlier["due"], earlier["due_words"] = item["due"], item["due_words"]
    return [item for item in kept if item["owner"]]
