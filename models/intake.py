"""Accepting a file: validate at the edge, hash while copying, deduplicate, create the Recording.

Shared by the CLI, the dashboard and folder scans. It imports no model and sends tasks by name.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.accounts import SchoolClass, group_of
from models.db import session_scope
from models.errors import RejectedUpload
from models.media import declared_length_of, too_long
from models.settings import Settings
from models.storage import incoming_dir, original_path
from models.tables import LANES, RECORDING_KINDS, Recording

CHUNK = 1024 * 1024
MAX_NAME_LENGTH = 255
# Whisper's prompt holds at most about 220 tokens; names beyond these would crowd it.
MAX_PEOPLE = 30
MAX_PERSON_LENGTH = 60


@dataclass(frozen=True)
class RecordingMeta:
    """Everything known about an upload besides its bytes."""

    kind: str = "meeting"
    uploaded_by: str | None = None
    uploader_id: int | None = None
    team_id: int | None = None
    class_id: int | None = None
    student_id: int | None = None
    language: str | None = None
    reference_text: str | None = None
    expected_speakers: int | None = None
    # Names of the people heard ("Kate, Omar"): the transcript is asked to spell them.
    people: tuple[str, ...] = ()
    lane: str = "interactive"
    watch_folder_id: int | None = None
    source_path: str | None = None
    # Consent: who was informed that they were recorded, when and how.
    consent_who: str | None = None
    consent_at: datetime | None = None
    consent_how: str | None = None

    @property
    def dedupe_scope(self) -> str:
        """Where the same content counts as the same recording: what every uploader into this
        team, class, folder or personal space can already see."""
        if self.team_id is not None:
            return f"team:{self.team_id}"
        if self.class_id is not None:
            return f"class:{self.class_id}"
        if self.uploader_id is not None:
            return f"user:{self.uploader_id}"
        if self.watch_folder_id is not None:
            return f"folder:{self.watch_folder_id}"
        return "operator"

    @property
    def has_consent(self) -> bool:
        return bool((self.consent_who or "").strip() and (self.consent_how or "").strip())


@dataclass(frozen=True)
class Intake:
    recording_id: int
    created: bool
    status: str
    error: str | None

    @property
    def awaits_first_run(self) -> bool:
        """A new recording that passed intake: its first run is to be sent now."""
        return self.created and self.status == "queued"


def _without_control(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def safe_display_name(name: str) -> str:
    """The uploaded name reduced to something safe to show: base name, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = _without_control(base).strip()
    return (cleaned or "unnamed")[:MAX_NAME_LENGTH]


def people_named(given: Sequence[str] | str) -> list[str]:
    """The names an uploader gave, cleaned: split on commas, semicolons and new lines, each
    without control characters, once each, in the order given."""
    items = [given] if isinstance(given, str) else list(given)
    pieces = [piece for item in items for piece in re.split(r"[,;，、；\n]", item)]
    names: list[str] = []
    for piece in pieces:
        name = " ".join(_without_control(piece).split())
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_PEOPLE:
        raise RejectedUpload(f"name at most {MAX_PEOPLE} people, not {len(names)}")
    if any(len(name) > MAX_PERSON_LENGTH for name in names):
        raise RejectedUpload(f"a person's name is at most {MAX_PERSON_LENGTH} characters")
    return names


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def accept_stream(
    stream: BinaryIO, original_name: str, settings: Settings, meta: RecordingMeta | None = None
) -> Intake:
    meta = meta or RecordingMeta()
    if meta.kind not in RECORDING_KINDS:
        raise RejectedUpload(f"kind must be one of {', '.join(RECORDING_KINDS)}, not {meta.kind!r}")
    if meta.lane not in LANES:
        raise RejectedUpload(f"lane must be one of {', '.join(LANES)}")
    if meta.expected_speakers is not None and not 1 <= meta.expected_speakers <= 20:
        raise RejectedUpload("the expected speaker count must be between 1 and 20")
    meta = replace(meta, people=tuple(people_named(meta.people)))  # refused before a byte is stored
    _check_consent(meta)
    settings.ensure_dirs()
    folder = incoming_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"{uuid.uuid4().hex}.part"
    digest, size = hashlib.sha256(), 0
    try:
        with temp.open("wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                # Past the limit keep hashing (the hash names the rejected upload) but stop storing.
                if size <= settings.max_upload_bytes:
                    out.write(chunk)
        error, declared = None, None
        if size == 0:
            error = "the file is empty (0 bytes)"
        elif size > settings.max_upload_bytes:
            error = (
                f"the file is {_human(size)}, over the upload limit of "
                f"{_human(settings.max_upload_bytes)}"
            )
        else:
            # Refused now, not after a queue wait: the pipeline would stop at ingest anyway.
            declared = declared_length_of(temp)
            if declared is not None and declared > settings.max_duration_s:
                error = too_long(declared, settings.max_duration_s)
        return _register(
            temp, digest.hexdigest(), size, error, original_name, settings, meta, declared
        )
    finally:
        temp.unlink(missing_ok=True)


def _register(
    temp: Path,
    content_hash: str,
    size: int,
    error: str | None,
    original_name: str,
    settings: Settings,
    meta: RecordingMeta,
    declared_s: float | None = None,
) -> Intake:
    same_content = (Recording.content_hash == content_hash) & (
        Recording.dedupe_scope == meta.dedupe_scope
    )
    with session_scope() as session:
        existing = session.scalars(select(Recording).where(same_content)).one_or_none()
        if existing is not None:
            return Intake(existing.id, False, existing.status, existing.error)
    if error is None:
        # Another scope may hold the same content: its file is this one, byte for byte.
        target = original_path(settings, content_hash)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    with session_scope() as session:
        language = meta.language or group_language(session, meta.team_id, meta.class_id)
    recording = Recording(
        content_hash=content_hash,
        dedupe_scope=meta.dedupe_scope,
        consent_who=_clean(meta.consent_who),
        consent_at=meta.consent_at,
        consent_how=_clean(meta.consent_how),
        original_name=safe_display_name(original_name),
        kind=meta.kind,
        # What the file says of its length; ingest replaces it with the decoded length. The
        # pipeline's time limits follow it from the first stage.
        duration_s=declared_s,
        size_bytes=size,
        uploaded_by=meta.uploaded_by,
        uploader_id=meta.uploader_id,
        team_id=meta.team_id,
        class_id=meta.class_id,
        student_id=meta.student_id,
        language=language,
        reference_text=(meta.reference_text or "").strip() or None,
        expected_speakers=meta.expected_speakers,
        people=list(meta.people) or None,
        lane=meta.lane,
        watch_folder_id=meta.watch_folder_id,
        source_path=meta.source_path,
        status="failed" if error else "queued",
        current_stage="upload" if error else None,
        error=error,
    )
    try:
        with session_scope() as session:
            session.add(recording)
            session.flush()
            return Intake(recording.id, True, recording.status, error)
    except IntegrityError:
        # The same content arrived concurrently: the other upload won, and this is that one.
        with session_scope() as session:
            winner = session.scalars(select(Recording).where(same_content)).one()
            return Intake(winner.id, False, winner.status, winner.error)


def accept_path(path: Path, settings: Settings, meta: RecordingMeta | None = None) -> Intake:
    if not path.is_file():
        raise RejectedUpload(f"{path} is not a file")
    with path.open("rb") as stream:
        return accept_stream(stream, path.name, settings, meta)


def _clean(text: str | None) -> str | None:
    return " ".join((text or "").split())[:2000] or None


def _check_consent(meta: RecordingMeta) -> None:
    if meta.class_id is None or meta.has_consent:
        return
    with session_scope() as session:
        school_class = session.get(SchoolClass, meta.class_id)
        if school_class is not None and school_class.requires_consent:
            raise RejectedUpload(
                "this class requires a note of consent: say who was informed that they were "
                "recorded, and how"
            )


def group_language(session: Session, team_id: int | None, class_id: int | None) -> str | None:
    """The default language of the team or class an upload is filed under, if it has one."""
    group = group_of(session, team_id, class_id)
    return group.default_language if group is not None else None
