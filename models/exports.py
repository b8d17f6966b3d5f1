"""Transcript exports from a recording's JSON form: TXT, SRT, WebVTT, JSON and Markdown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Recording = dict[str, Any]


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _speaker(recording: Recording, label: str | None) -> str:
    names = {s["label"]: s["name"] for s in recording["speakers"]}
    return str(names.get(label or "", label or ""))


def to_txt(recording: Recording) -> str:
    lines = [f"{recording['original_name']}", ""]
    for seg in recording["segments"]:
        who = _speaker(recording, seg["speaker"])
        stamp = _stamp(seg["start"], ".")[:-4]
        lines.append(f"[{stamp}] {who + ': ' if who else ''}{seg['text']}{unsure_mark(seg)}")
    return "\n".join(lines) + "\n"


def unsure_mark(segment: dict[str, Any]) -> str:
    """Written after a line Whisper heard too poorly to rely on, in the text exports and in
    `tingshuo show` (not in subtitles)."""
    return " (unsure)" if segment.get("unsure") else ""


def _cue_text(text: str) -> str:
    """One line of subtitle text: no line breaks (a blank line ends a cue) and no "-->" (which
    starts a timing line), whatever a name or a transcript holds."""
    return " ".join(text.split()).replace("-->", "→")


def to_srt(recording: Recording) -> str:
    blocks = []
    for number, seg in enumerate(recording["segments"], start=1):
        who = _cue_text(_speaker(recording, seg["speaker"]))
        blocks.append(
            f"{number}\n{_stamp(seg['start'], ',')} --> {_stamp(seg['end'], ',')}\n"
            f"{who + ': ' if who else ''}{_cue_text(seg['text'])}\n"
        )
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    # WebVTT cue text is markup: & and < start entities and tags, > ends a voice annotation.
    return _cue_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(recording: Recording) -> str:
    blocks = ["WEBVTT\n"]
    for seg in recording["segments"]:
        who = _speaker(recording, seg["speaker"])
        voice = f"<v {_vtt_escape(who)}>" if who else ""
        blocks.append(
            f"{_stamp(seg['start'], '.')} --> {_stamp(seg['end'], '.')}\n"
            f"{voice}{_vtt_escape(seg['text'])}\n"
        )
    return "\n".join(blocks)


def to_json(recording: Recording) -> str:
    return json.dumps(recording, ensure_ascii=False, indent=2) + "\n"


MARKUP = set("\\`*_{}[]<>()#|~$!&")
# Characters that are markup only at the start of a line: a list item, "1." an ordered one.
LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written (no links, images, emphasis, HTML, math),
    with ordinary full stops and hyphens left alone."""
    escaped = "".join("\\" + ch if ch in MARKUP else ch for ch in " ".join(text.split()))
    return LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def analysis_sections(recording: Recording) -> list[tuple[str, list[str]]]:
    """The analysis as plain sentences under headings: the summary, its decisions and the
    action items with owner, due date and the moment they were said. Only what the export's
    source holds: records the transcript does not support are left out unless it was asked to
    show them, and then they say so."""
    sections: list[tuple[str, list[str]]] = []
    summary = recording.get("summary")
    if summary and summary.get("summary"):
        mark = "" if summary.get("supported", True) else " (not supported by the transcript)"
        sections.append(("Summary", [str(summary["summary"]) + mark]))
        if summary.get("decisions"):
            sections.append(("Decisions", [str(d) for d in summary["decisions"]]))
    items = recording.get("action_items") or []
    if items:
        lines = []
        for item in items:
            owner = item.get("owner") or "unassigned"
            due = f", due {item['due']}" if item.get("due") else ""
            said = item.get("evidence_time")
            when = f" (said at {_stamp(said, '.')[:-4]})" if said is not None else ""
            mark = "" if item.get("supported", True) else " (not supported by the transcript)"
            lines.append(f"{owner}: {item['task']}{due}{when}{mark}")
        sections.append(("Action items", lines))
    return sections


def to_markdown(recording: Recording) -> str:
    escape = escape_markdown

    lines = [f"# {escape(recording['original_name'])}", ""]
    duration = recording.get("duration_s") or 0
    lines += [f"*{recording['kind']}, {duration / 60:.1f} min*", ""]
    for heading, entries in analysis_sections(recording):
        lines += [f"## {heading}", ""]
        lines += [f"- {escape(entry)}" for entry in entries] + [""]
    lines += ["## Transcript", ""]
    for seg in recording["segments"]:
        who = _speaker(recording, seg["speaker"])
        stamp = _stamp(seg["start"], ".")[:-4]
        said = f"{escape(seg['text'])}{unsure_mark(seg)}"
        lines.append(f"- **{stamp}** {escape(who) + ': ' if who else ''}{said}")
    return "\n".join(lines) + "\n"


EXPORTERS: dict[str, Callable[[Recording], str]] = {
    "txt": to_txt,
    "srt": to_srt,
    "vtt": to_vtt,
    "json": to_json,
    "md": to_markdown,
}


def to_docx(recording: Recording) -> bytes:
    """A Word document: title, facts, and the transcript with times and speakers."""
    import io

    from docx import Document

    document = Document()
    document.add_heading(recording["original_name"], level=1)
    duration = recording.get("duration_s") or 0
    document.add_paragraph(f"{recording['kind']}, {duration / 60:.1f} min")
    for heading, entries in analysis_sections(recording):
        document.add_heading(heading, level=2)
        for entry in entries:
            document.add_paragraph(entry, style="List Bullet")
    document.add_heading("Transcript", level=2)
    for seg in recording["segments"]:
        paragraph = document.add_paragraph()
        paragraph.add_run(_stamp(seg["start"], ".")[:-4] + " ").bold = True
        who = _speaker(recording, seg["speaker"])
        if who:
            paragraph.add_run(f"{who}: ").italic = True
        paragraph.add_run(seg["text"])
        mark = unsure_mark(seg)
        if mark:
            paragraph.add_run(mark).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
