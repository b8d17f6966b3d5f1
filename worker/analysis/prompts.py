"""Versioned prompt texts. Each asks for a fixed line format, shown with placeholders only: an
example with real content is what a small model copies into its answer (v1 did; the grounding
check still recognises those examples). The version is stored with every StageRun, so an
answer can always be traced to the words that asked it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Prompt:
    kind: str  # also the parser that reads the answer
    version: str
    template: str
    max_new_tokens: int
    # For engines that constrain their output: the JSON the answer must be (the parsers read
    # JSON as well as the line format).
    schema: dict[str, Any] | None = None

    def render(self, **values: str) -> str:
        return self.template.format(**values)


TRANSCRIPT = Prompt(
    "transcript",
    "transcript-v2",
    "Transcribe the speech in this audio exactly, in {language}. Answer with the spoken words "
    "only, no comments, in this format:\n<the words spoken>",
    256,
)

SUMMARY = Prompt(
    "summary",
    "summary-v2",
    "Summarise this meeting transcript using only what its speakers say. Answer in exactly "
    "this format, three lines:\n"
    "SUMMARY: <one paragraph on what was discussed>\n"
    "TOPICS: <topic discussed>; <topic discussed>\n"
    "DECISIONS: <decision taken>; <decision taken>\n"
    "If nothing was decided, the third line is: DECISIONS: none\n\n"
    "Transcript:\n{transcript}",
    300,
)

MERGE_SUMMARIES = Prompt(
    "summary",
    "summary-merge-v2",
    "These are summaries of consecutive parts of one meeting. Merge them into one. Answer in "
    "exactly this format, three lines:\n"
    "SUMMARY: <one paragraph>\n"
    "TOPICS: <topic>; <topic>\n"
    "DECISIONS: <decision>; <decision> (or none)\n\n"
    "Summaries of the parts:\n{transcript}",
    300,
)

ACTION_ITEMS = Prompt(
    "action_items",
    "action-items-v2",
    "List the tasks that someone in this meeting agreed to do. Each line of the transcript "
    "starts with its time [mm:ss] and the speaker's name. Answer with one line per task, "
    "exactly:\n"
    "ITEM: <who will do it, named as in the transcript> | <the task, in the speaker's words> "
    "| <the due date as said, or none> | <mm:ss of the line where it was agreed>\n"
    "Most conversations have none: if nobody agreed to do anything, answer exactly: NONE\n\n"
    "Transcript:\n{transcript}",
    300,
)

SENTIMENT = Prompt(
    "sentiment",
    "sentiment-v2",
    "What is the sentiment of this speaker turn? Answer in exactly this format, four lines:\n"
    "LABEL: <positive|neutral|negative>\n"
    "SCORE: <a number from -1.0 to 1.0>\n"
    "EMOTION: <one word>\n"
    'EVIDENCE: "<a few words copied exactly from the turn>"\n\n'
    "Turn ({speaker}): {text}",
    80,
)

PRONUNCIATION = Prompt(
    "pronunciation",
    "pronunciation-v2",
    "You are an English pronunciation teacher. Assess the student's speech in this audio."
    "{reference}\nAnswer in exactly this format, seven lines, scores from 0 to 100:\n"
    "ACCURACY: <score>\nFLUENCY: <score>\nCOMPLETENESS: <score>\nPROSODY: <score>\n"
    "OVERALL: <score>\nMISPRONOUNCED: <word>, <word> (or none)\n"
    "FEEDBACK: <one or two sentences about this student's speech>",
    120,
)

_TEXTS: dict[str, Any] = {"type": "array", "items": {"type": "string"}, "maxItems": 8}

SUMMARY_JSON = Prompt(
    "summary",
    "summary-json-v2",
    "Summarise this meeting transcript using only what its speakers say. Answer as JSON: "
    '"summary" is one paragraph on what was discussed, "topics" the topics discussed, '
    '"decisions" the decisions taken (an empty list if none).\n\n'
    "Transcript:\n{transcript}",
    300,
    {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "topics": _TEXTS, "decisions": _TEXTS},
        "required": ["summary", "topics", "decisions"],
    },
)

ACTION_ITEMS_JSON = Prompt(
    "action_items",
    "action-items-json-v2",
    "List the tasks that someone in this meeting agreed to do. Each line of the transcript "
    "starts with its time [mm:ss] and the speaker's name. Answer as JSON: "
    '"items" holds one object per task: "owner" (who will do it, named as in the transcript), '
    '"task" (in the speaker\'s words), "due" (the due date as said, or "none") and "time" '
    '(mm:ss of the line where it was agreed). Most conversations have none: then "items" '
    "is an empty list.\n\n"
    "Transcript:\n{transcript}",
    300,
    {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "maxItems": 12,
                "items": {
                    "type": "object",
                    "properties": {
                        "owner": {"type": "string"},
                        "task": {"type": "string"},
                        "due": {"type": "string"},
                        "time": {"type": "string"},
                    },
                    "required": ["owner", "task", "due", "time"],
                },
            }
        },
        "required": ["items"],
    },
)

ALL = (
    TRANSCRIPT,
    SUMMARY,
    MERGE_SUMMARIES,
    ACTION_ITEMS,
    SENTIMENT,
    PRONUNCIATION,
    SUMMARY_JSON,
    ACTION_ITEMS_JSON,
)
