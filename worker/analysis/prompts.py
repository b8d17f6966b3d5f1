"""Versioned prompt texts. Each asks for a fixed line format and shows one example; the version
is stored with every StageRun, so an answer can always be traced to the words that asked it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    kind: str  # also the parser that reads the answer
    version: str
    template: str
    max_new_tokens: int

    def render(self, **values: str) -> str:
        return self.template.format(**values)


TRANSCRIPT = Prompt(
    "transcript",
    "transcript-v1",
    "Transcribe the speech in this audio exactly, in {language}. Answer with the spoken words "
    "only, no comments.\nExample answer:\nIt was the first great sorrow of his life.",
    256,
)

SUMMARY = Prompt(
    "summary",
    "summary-v1",
    "Summarise this meeting transcript. Answer in exactly this format, three lines:\n"
    "SUMMARY: <one paragraph>\n"
    "TOPICS: <topic>; <topic>\n"
    "DECISIONS: <decision>; <decision> (or none)\n"
    "Example:\n"
    "SUMMARY: The team planned the spring fair and agreed on a date.\n"
    "TOPICS: venue; volunteers\n"
    "DECISIONS: hold the fair on May 3\n\n"
    "Transcript:\n{transcript}",
    300,
)

MERGE_SUMMARIES = Prompt(
    "summary",
    "summary-merge-v1",
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
    "action-items-v1",
    "List the action items agreed in this meeting transcript. Each line of the transcript "
    "starts with its time [mm:ss]. Answer with one line per item, exactly:\n"
    "ITEM: <owner> | <task> | <due date as said, or none> | <mm:ss when it was said>\n"
    "Answer NONE if there are no action items.\n"
    "Example:\n"
    "ITEM: Alice | send the revised budget | Friday | 12:30\n\n"
    "Transcript:\n{transcript}",
    300,
)

SENTIMENT = Prompt(
    "sentiment",
    "sentiment-v1",
    "What is the sentiment of this speaker turn? Answer in exactly this format, four lines:\n"
    "LABEL: <positive|neutral|negative>\n"
    "SCORE: <-1.0 to 1.0>\n"
    "EMOTION: <one word>\n"
    'EVIDENCE: "<short quote from the turn>"\n'
    "Example:\n"
    "LABEL: negative\nSCORE: -0.6\nEMOTION: frustrated\n"
    'EVIDENCE: "this keeps breaking"\n\n'
    "Turn ({speaker}): {text}",
    80,
)

PRONUNCIATION = Prompt(
    "pronunciation",
    "pronunciation-v1",
    "You are an English pronunciation teacher. Assess the student's speech in this audio."
    "{reference}\nAnswer in exactly this format, seven lines, scores from 0 to 100:\n"
    "ACCURACY: <score>\nFLUENCY: <score>\nCOMPLETENESS: <score>\nPROSODY: <score>\n"
    "OVERALL: <score>\nMISPRONOUNCED: <word>, <word> (or none)\n"
    "FEEDBACK: <one or two sentences>\n"
    "Example:\n"
    "ACCURACY: 82\nFLUENCY: 75\nCOMPLETENESS: 100\nPROSODY: 70\nOVERALL: 80\n"
    "MISPRONOUNCED: think, three\nFEEDBACK: Clear reading; practise the th sound.",
    120,
)

ALL = (TRANSCRIPT, SUMMARY, MERGE_SUMMARIES, ACTION_ITEMS, SENTIMENT, PRONUNCIATION)
