"""Scoring stored analysis records against labelled recordings (`tingshuo eval analysis`).

A label file NAME.json sits next to NAME.wav: action items (owner, task words, due as said),
decisions and topics; an empty action-item list means the meeting has none. Only supported
records count as the product's answer (what a user is shown); unsupported and echoed ones are
counted separately.

An owner is right by name (the label's person, as a name, display name or suggested name) or,
where a NAME.rttm says who spoke when, by voice: a "Speaker 2" whose stored turns are mostly the
labelled person's. Both figures are reported; the issue's target is by name, but an owner
nobody named in the meeting can only be right by voice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from worker.analysis.grounding import support
from worker.analysis.parsers.dates import resolve_date
from worker.evaluation.rttm import speaker_turns
from worker.folders.media_files import MEDIA_SUFFIXES

MATCH_SHARE = 0.5  # of a labelled task's content words found in the predicted task


@dataclass
class Tally:
    labelled: int = 0
    predicted: int = 0
    matched: int = 0
    matched_by_voice: int = 0
    dues_labelled: int = 0
    dues_right: int = 0
    unsupported: int = 0
    echoed: int = 0
    invented_owners_shown: int = 0
    topics: int = 0
    topics_covered: int = 0
    items_in_meetings_without_any: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for key, value in asdict(other).items():
            if key != "files":
                setattr(self, key, getattr(self, key) + value)

    def _items(self, matched: int) -> dict[str, Any]:
        precision = matched / self.predicted if self.predicted else 1.0
        recall = matched / self.labelled if self.labelled else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "labelled": self.labelled,
            "predicted": self.predicted,
            "matched": matched,
        }

    def figures(self) -> dict[str, Any]:
        return {
            "action_items": self._items(self.matched),
            "action_items_by_voice": self._items(self.matched_by_voice),
            "due_dates": {"right": self.dues_right, "of": self.dues_labelled},
            "unsupported_records": self.unsupported,
            "echoed_records": self.echoed,
            "invented_owners_shown": self.invented_owners_shown,
            "topic_coverage": round(self.topics_covered / self.topics, 3) if self.topics else None,
            "items_in_meetings_without_any": self.items_in_meetings_without_any,
        }


def find_labelled(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(audio file, labels) for every audio file with a NAME.json beside it; who spoke when,
    from a NAME.rttm beside it, under the labels' ``spoke`` key."""
    found = []
    for label in sorted(folder.glob("*.json")):
        audio = next(
            (
                p
                for p in sorted(folder.glob(f"{label.stem}.*"))
                if p.suffix.lower() in MEDIA_SUFFIXES
            ),
            None,
        )
        if audio is not None:
            labels = json.loads(label.read_text())
            rttm = label.with_suffix(".rttm")
            if rttm.exists():
                labels["spoke"] = reference_turns(rttm.read_text(encoding="utf-8"))
            found.append((audio, labels))
    return found


def reference_turns(rttm: str) -> list[tuple[float, float, str]]:
    """(start, end, person) of each SPEAKER line of an RTTM file."""
    return [(start, end, person) for _, start, end, person in speaker_turns(rttm)]


def voices(stored: dict[str, Any], spoke: list[tuple[float, float, str]]) -> dict[str, str]:
    """Each stored speaker label's person: whose reference turns its segments overlap most."""
    overlap: dict[str, dict[str, float]] = {}
    for segment in stored.get("segments", []):
        if not segment.get("speaker"):
            continue
        heard = overlap.setdefault(segment["speaker"], {})
        for start, end, person in spoke:
            shared = min(end, segment["end"]) - max(start, segment["start"])
            if shared > 0:
                heard[person] = heard.get(person, 0.0) + shared
    return {label: max(heard, key=heard.__getitem__) for label, heard in overlap.items() if heard}


def _names(stored: dict[str, Any]) -> dict[str, set[str]]:
    """Every way a stored speaker label may be called: label, display and suggested name."""
    return {
        s["label"]: {n.lower() for n in (s["label"], s["name"], s.get("suggested_name")) if n}
        for s in stored.get("speakers", [])
    }


def _same_owner(
    predicted: str | None,
    labelled: str,
    names: dict[str, set[str]],
    voice_of: dict[str, str] | None = None,
) -> bool:
    """By name; with ``voice_of`` (stored label to person), by voice as well."""
    if not predicted:
        return False
    wanted = labelled.lower()
    if predicted.lower() == wanted:
        return True
    if any(predicted.lower() in called and wanted in called for called in names.values()):
        return True
    return any(
        predicted.lower() in names.get(label, {label.lower()}) and person.lower() == wanted
        for label, person in (voice_of or {}).items()
    )


def _matches(
    shown: list[dict[str, Any]],
    wanted: list[dict[str, Any]],
    names: dict[str, set[str]],
    voice_of: dict[str, str] | None = None,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(label, item) pairs: each label takes the first free item with its owner and task."""
    free, pairs = list(shown), []
    for label in wanted:
        match = next(
            (
                i
                for i in free
                if _same_owner(i["owner"], label["owner"], names, voice_of)
                and support(label["task"], i["task"] or "") >= MATCH_SHARE
            ),
            None,
        )
        if match is not None:
            free.remove(match)
            pairs.append((label, match))
    return pairs


def score(stored: dict[str, Any], labels: dict[str, Any], recorded_on: date) -> Tally:
    """One recording's tally. ``stored`` is its full record with unsupported ones included."""
    tally = Tally()
    records = [*stored.get("action_items", []), *stored.get("sentiment", [])]
    if stored.get("summary"):
        records.append(stored["summary"])
    tally.unsupported = sum(not r.get("supported", True) for r in records)
    tally.echoed = sum(any("prompt's example" in p for p in r.get("problems", [])) for r in records)
    shown = [i for i in stored.get("action_items", []) if i.get("supported", True)]
    names = _names(stored)
    tally.invented_owners_shown = sum(
        1 for i in shown if i["owner"] and "owner" in " ".join(i.get("problems", []))
    )
    if "action_items" not in labels:
        # Unlabelled (e.g. AMI excerpts): only unsupported and echoed records are counted.
        tally.files.append({"file": stored.get("original_name"), **tally.figures()})
        return tally
    wanted = labels["action_items"]
    tally.labelled, tally.predicted = len(wanted), len(shown)
    if not wanted:
        tally.items_in_meetings_without_any = len(shown)
    pairs = _matches(shown, wanted, names)
    tally.matched = len(pairs)
    voice_of = voices(stored, labels.get("spoke", []))
    tally.matched_by_voice = len(_matches(shown, wanted, names, voice_of))
    for label, match in pairs:
        if label.get("due"):
            tally.dues_labelled += 1
            expected = resolve_date(label["due"], recorded_on)
            tally.dues_right += int(expected is not None and match["due"] == expected)
    summary = stored.get("summary") or {}
    summarised = " ".join(
        [summary.get("summary") or "", *summary.get("topics", []), *summary.get("decisions", [])]
    )
    shown_summary = summary if summary.get("supported", True) else {}
    for topic in labels.get("topics", []):
        tally.topics += 1
        tally.topics_covered += int(bool(shown_summary) and support(topic, summarised) >= 0.5)
    tally.files.append({"file": stored.get("original_name"), **tally.figures()})
    return tally
