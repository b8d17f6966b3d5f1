"""A printable report on one student for parents' evenings (DOCX): their scores lesson by
lesson, the words to practise (those most often mispronounced), and the teacher's notes."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

SCORES = ("overall", "accuracy", "fluency", "completeness", "prosody")


def words_to_practise(lessons: list[dict[str, Any]], limit: int = 15) -> list[tuple[str, int]]:
    """The mispronounced words across the lessons, most frequent first (ties: first seen)."""
    counts: Counter[str] = Counter()
    for lesson in lessons:
        for word in str(lesson.get("mispronounced") or "").split(","):
            if word.strip():
                counts[word.strip().lower()] += 1
    return counts.most_common(limit)


def student_report_docx(
    student: str, school_class: str, lessons: list[dict[str, Any]], notes: str | None
) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(f"{student}: speaking report", level=1)
    document.add_paragraph(f"Class {school_class}; {len(lessons)} lesson(s).")
    document.add_heading("Scores over time (0 to 100)", level=2)
    scored = [lesson for lesson in lessons if lesson.get("overall") is not None]
    if scored:
        table = document.add_table(rows=1, cols=2 + len(SCORES))
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, ["date", "lesson", *SCORES], strict=True):
            cell.text = title
        for lesson in scored:
            values = [lesson["date"], lesson["name"]]
            values += ["" if lesson.get(k) is None else f"{lesson[k]:.0f}" for k in SCORES]
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = str(value)
    else:
        document.add_paragraph("No lesson has been scored yet.")
    document.add_heading("Words to practise", level=2)
    practise = words_to_practise(lessons)
    if practise:
        for word, times in practise:
            document.add_paragraph(f"{word} ({times}×)", style="List Bullet")
    else:
        document.add_paragraph("None noted.")
    document.add_heading("Teacher's notes", level=2)
    document.add_paragraph(notes or "No notes.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
