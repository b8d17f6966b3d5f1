"""`tingshuo voices`: the voice profiles of teams and classes, and enrolling a class roster."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import soundfile as sf
import typer
from sqlalchemy import select

from models.accounts import SchoolClass, Team
from models.db import session_scope
from models.people import DirectoryError, find_student, group_named
from models.settings import get_settings
from models.voices import VoiceProfile, enroll_student, forget_profile, set_profiles_enabled
from worker.cli.support import err, failure, migrate_db

voices_app = typer.Typer(help="Voice profiles: who is who across recordings.", no_args_is_help=True)


@voices_app.command("enroll")
def voices_enroll(
    school_class: Annotated[str, typer.Argument(help="class name")],
    student: Annotated[str, typer.Argument(help="student name (on the class list)")],
    reading: Annotated[Path, typer.Argument(help="a short recording of the student reading")],
) -> None:
    """Enrol a student's voice from a short reading (10 s or more of speech is best): their
    speaker in class recordings is then named after them, and their report filed under them."""
    from worker.engines.silero import speech_spans
    from worker.stages.ingest import decode
    from worker.stages.voices import voice_of

    migrate_db()
    settings = get_settings()
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "reading.wav"
        try:
            decode(reading, wav, max_duration_s=600, min_duration_s=1.0)
        except Exception as exc:
            raise failure(f"cannot read {reading}: {exc}") from None
        samples, _ = sf.read(str(wav), dtype="float32")
    spans = [(s.start_s, s.end_s) for s in speech_spans(samples, settings)]
    voice, seconds = voice_of(samples, spans)
    if seconds < 3.0:
        raise failure(f"only {seconds:.1f} s of speech in {reading}: record 10 s or more")
    with session_scope() as session:
        row = find_student(session, school_class, student)
        if row is None:
            raise failure(f"no student {student!r} in class {school_class!r}")
        enroll_student(session, row, voice, seconds, by="cli")
    err.print(
        f"enrolled the voice of {student} in class {school_class} ({seconds:.0f} s of speech)"
    )


@voices_app.command("list")
def voices_list() -> None:
    migrate_db()
    with session_scope() as session:
        teams = dict(session.execute(select(Team.id, Team.name)).tuples().all())
        classes = dict(session.execute(select(SchoolClass.id, SchoolClass.name)).tuples().all())
        for profile in session.scalars(select(VoiceProfile).order_by(VoiceProfile.id)):
            group = (
                f"team {teams.get(profile.team_id, '?')}"
                if profile.team_id is not None
                else f"class {classes.get(profile.class_id or 0, '?')}"
            )
            kind = "enrolled" if profile.student_id else "named"
            print(f"{profile.id}\t{group}\t{profile.name}\t{kind}\t{profile.speech_s:.0f} s")


@voices_app.command("forget")
def voices_forget(profile_id: int) -> None:
    """Delete one voice profile."""
    migrate_db()
    with session_scope() as session:
        try:
            err.print(forget_profile(session, profile_id))
        except LookupError as exc:
            raise failure(str(exc.args[0])) from None


@voices_app.command("off")
def voices_off(kind: Annotated[str, typer.Argument(help="team or class")], name: str) -> None:
    """Stop remembering voices in a team or class, and delete the ones it kept."""
    _switch(kind, name, False)


@voices_app.command("on")
def voices_on(kind: Annotated[str, typer.Argument(help="team or class")], name: str) -> None:
    _switch(kind, name, True)


def _switch(kind: str, name: str, enabled: bool) -> None:
    migrate_db()
    with session_scope() as session:
        try:
            group = group_named(session, kind, name)
        except DirectoryError as exc:
            raise failure(str(exc)) from None
        err.print(set_profiles_enabled(group, session, enabled))
