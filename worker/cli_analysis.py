"""`tingshuo parse` and `tingshuo reparse`: the answer parsers from the command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from worker.cli_support import err, migrate_db
from worker.parsers import PARSERS, parse


def parse_command(
    kind: Annotated[str, typer.Argument(help=f"one of {', '.join(PARSERS)}")],
    source: Annotated[str, typer.Argument(help="file with the raw answer, or - for stdin")] = "-",
    on: Annotated[str, typer.Option("--date", help="reference date YYYY-MM-DD for due dates")] = "",
) -> None:
    """Parse a model's raw answer and print the record as JSON."""
    if kind not in PARSERS:
        err.print(f"[red]unknown kind {kind!r}: use one of {', '.join(PARSERS)}[/red]")
        raise typer.Exit(2)
    try:
        reference = date.fromisoformat(on) if on else date.today()
    except ValueError:
        err.print(f"[red]--date must be YYYY-MM-DD, not {on!r}[/red]")
        raise typer.Exit(2) from None
    raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    print(json.dumps(parse(kind, raw, reference).as_json(), ensure_ascii=False, indent=2))


def reparse_command(recording_id: int) -> None:
    """Run every parser again over a recording's stored raw answers; no model is called."""
    from worker.analysis_store import reparse_recording

    migrate_db()
    counts = reparse_recording(recording_id)
    print(json.dumps(counts, ensure_ascii=False))
