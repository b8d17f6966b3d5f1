"""Every export format stays well-formed whatever people typed (names, transcript text)."""

from __future__ import annotations

import pytest

from models.exports import escape_markdown, to_markdown, to_srt, to_vtt

HOSTILE = [
    "A --> B",
    "<script>alert(1)</script>",
    "![t](https:HOST:PORT)",
    "[link](http://example.test)",
    "**bold** _it_ $x^2$",
    "Tom & Jerry",
    "two\n\nlines",
    "‮right-to-left",
]


def _recording(name: str, text: str) -> dict[str, object]:
    return {
        "original_name": name,
        "kind": "meeting",
        "duration_s": 4.0,
        "speakers": [{"label": "S", "name": name}],
        "segments": [{"start": 0.0, "end": 2.0, "speaker": "S", "text": text}],
    }


@pytest.mark.parametrize("typed", HOSTILE)
def test_webvtt_has_one_timing_line_and_no_markup_from_names(typed: str) -> None:
    vtt = to_vtt(_recording(typed, typed))
    assert vtt.count("-->") == 1, vtt
    cue = vtt.split("\n")[3]
    assert cue.startswith("<v ") and cue.count("<") == 1 and cue.count(">") == 1, cue
    assert len(vtt.strip().split("\n\n")) == 2, "header and one cue"


@pytest.mark.parametrize("typed", HOSTILE)
def test_srt_has_one_timing_line_and_one_block(typed: str) -> None:
    srt = to_srt(_recording(typed, typed))
    assert srt.count("-->") == 1 and len(srt.strip().split("\n\n")) == 1, srt


@pytest.mark.parametrize("typed", HOSTILE)
def test_markdown_export_renders_no_link_image_html_or_emphasis(typed: str) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(to_markdown(_recording(typed, typed)))
    for tag in ("<a ", "<img", "<script", "<ol"):
        assert tag not in html, html
    # Only the export's own markup: the duration line's emphasis and the time in bold.
    assert html.count("<em>") == 1 and html.count("<strong>") == 1, html


def test_ordinary_punctuation_is_left_alone() -> None:
    assert escape_markdown("We ship on Friday. It costs 3.5 k - fine.") == (
        "We ship on Friday. It costs 3.5 k - fine."
    )
    assert escape_markdown("1. first") == "\\1. first"
    assert escape_markdown("- item") == "\\- item"
