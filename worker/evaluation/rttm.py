"""RTTM reference files: who spoke when, one SPEAKER line a turn."""

from __future__ import annotations


def speaker_turns(text: str) -> list[tuple[str, float, float, str]]:
    """(file id, start, end, speaker) of each SPEAKER line; other lines are skipped."""
    turns = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 8 or fields[0] != "SPEAKER":
            continue
        start, duration = float(fields[3]), float(fields[4])
        turns.append((fields[1], start, start + duration, fields[7]))
    return turns
