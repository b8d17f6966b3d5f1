"""`tingshuo parse` and `tingshuo reparse`: the answer parsers from the command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from worker.analysis.parsers import PARSERS, parse
from worker.cli.support import err, migrate_db


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
    from worker.stages.reparse import reparse_recording

    migrate_db()
    counts = reparse_recording(recording_id)
    print(json.dumps(counts, ensure_ascii=False))


eval_app = typer.Typer(help="Measure against human annotation.", no_args_is_help=True)


@eval_app.command("diarization")
def eval_diarization(
    folder: Annotated[Path, typer.Argument(help="audio files with RTTM (and UEM) references")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    collar: Annotated[float, typer.Option(help="forgiveness collar in seconds")] = 0.0,
) -> None:
    """DER of the configured diarizer, per file and overall, with and without overlap."""
    from models.settings import get_settings
    from worker.evaluation.diarization import evaluate

    if not folder.is_dir():
        err.print(f"[red]{folder} is not a folder[/red]")
        raise typer.Exit(2)
    report = evaluate(folder, get_settings(), collar)
    if not report["files"]:
        err.print("[red]no audio file has an RTTM reference of the same name[/red]")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'file':<24}{'DER':>7}{'no-ovl':>8}{'missed':>8}{'f.alarm':>9}{'confus.':>9}{'spk':>5}")
    for row in [
        *report["files"],
        {**report, "file": "OVERALL", "speakers": "", "reference_speakers": ""},
    ]:
        print(
            f"{row['file']:<24}{row['der']:>7.3f}{row['der_no_overlap']:>8.3f}{row['missed']:>8.3f}"
            f"{row['false_alarm']:>9.3f}{row['confusion']:>9.3f}{row['speakers']!s:>5}"
        )
    print(
        f"engine {report['engine']}, collar {collar} s, real-time factor "
        f"{report['real_time_factor']:.3f}"
    )


@eval_app.command("pronunciation")
def eval_pronunciation(
    folder: Annotated[
        Path, typer.Argument(help="speechocean762 layout: WAVE/SPEAKER*/ID.WAV + scores.json")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    calibrate: Annotated[
        Path | None,
        typer.Option(
            help="fit the scoring models on three-fifths of the speakers and write them here"
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(help="JSON-lines file that keeps the gathered evidence between runs"),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="score only the first N utterances")] = None,
    rounds: Annotated[int, typer.Option(help="bootstrap rounds for the 95% intervals")] = 1000,
    unscripted: Annotated[
        bool, typer.Option(help="withhold the reference texts: score as free speech")
    ] = False,
) -> None:
    """Agreement of the pronunciation scores with expert raters, with bootstrap intervals."""
    from models.settings import get_settings
    from worker.evaluation.pronunciation import evaluate
    from worker.pronunciation.experts import CorpusLayoutError
    from worker.pronunciation.scoring import CalibrationMissingError

    try:
        report = evaluate(
            folder,
            get_settings(),
            calibrate_to=calibrate,
            cache=cache,
            limit=limit,
            rounds=rounds,
            unscripted=unscripted,
        )
    except (CorpusLayoutError, CalibrationMissingError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(report, indent=1))
        return
    for title, block in (("all utterances", report), ("not calibrated on", report["uncalibrated"])):
        print(f"{title} ({block['word']['n']} words)")
        print(
            f"  {'sentence':<14}{'pearson':>9}{'95% CI':>17}{'spearman':>10}{'95% CI':>17}{'n':>6}"
        )
        for name, row in block["sentence"].items():
            print(
                f"  {name:<14}{_num(row['pearson']):>9}{_ci(row['pearson_ci']):>17}"
                f"{_num(row['spearman']):>10}{_ci(row['spearman_ci']):>17}{row['n']:>6}"
            )
        word = block["word"]
        print(
            "  words: "
            + ", ".join(
                f"{k} {_num(word[k])} {_ci(word[k + '_ci'])}"
                for k in ("pearson", "auc", "precision", "recall")
            )
        )
    calibration = report["calibration"]
    rtf = report["real_time_factor"]
    print(
        f"calibration {calibration['version']} ({calibration['utterances']} utterances), "
        + (f"real-time factor {rtf:.3f}" if rtf is not None else "all evidence from the cache")
    )


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(pair: list[float | None]) -> str:
    return f"[{_num(pair[0])}, {_num(pair[1])}]"


@eval_app.command("analysis")
def eval_analysis(
    folder: Annotated[Path, typer.Argument(help="audio files, each with NAME.json labels")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait for processing")] = 3600.0,
    with_people: Annotated[
        bool,
        typer.Option(
            "--with-people", help="give each recording the names in its label's `people` list"
        ),
    ] = False,
) -> None:
    """Action items (owner + task: precision, recall, F1), due dates, unsupported and echoed
    records, topic coverage, items found in meetings that have none. Each file is processed
    first on the configured backend unless it is stored already (then its stored records are
    scored; `tingshuo reprocess` renews them)."""
    from models.db import session_scope
    from models.intake import RecordingMeta, accept_path
    from models.runs import start_current_run
    from models.serialize import full_recording
    from models.settings import get_settings
    from models.tables import Recording
    from worker.cli.support import wait_with_local_worker
    from worker.evaluation.analysis import Tally, find_labelled, score

    labelled = find_labelled(folder) if folder.is_dir() else []
    if not labelled:
        err.print(f"[red]{folder}: no audio file with a NAME.json label beside it[/red]")
        raise typer.Exit(2)
    migrate_db()
    settings = get_settings()
    files: dict[int, dict[str, object]] = {}
    for audio, labels in labelled:
        people = tuple(labels.get("people", [])) if with_people else ()
        meta = RecordingMeta(
            kind="meeting", language=labels.get("language"), uploaded_by="eval", people=people
        )
        intake = accept_path(audio, settings, meta)
        if intake.awaits_first_run:
            start_current_run(intake.recording_id)
        files[intake.recording_id] = labels
    names = {rid: f"recording {rid}" for rid in files}
    if not wait_with_local_worker(list(files), names, timeout, show_progress=not as_json):
        err.print("[red]timed out waiting for processing[/red]")
        raise typer.Exit(2)
    total = Tally()
    with session_scope() as session:
        for rid, labels in files.items():
            stored = full_recording(session, rid, show_unsupported=True) or {}
            recording = session.get(Recording, rid)
            assert recording is not None
            tally = score(stored, labels, (recording.recorded_at or recording.created_at).date())
            total.add(tally)
            total.files += tally.files
    report = {"overall": total.figures(), "files": total.files}
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for row in total.files:
        items, by_voice = row["action_items"], row["action_items_by_voice"]
        print(
            f"{row['file']}: items P {items['precision']:.2f} R {items['recall']:.2f}"
            f" F1 {items['f1']:.2f} (owner by voice: F1 {by_voice['f1']:.2f});"
            f" unsupported {row['unsupported_records']}, echoed {row['echoed_records']}"
        )
    print(json.dumps(report["overall"], ensure_ascii=False))
