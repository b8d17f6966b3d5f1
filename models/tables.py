"""SQLAlchemy 2 typed tables. Every change here needs a migration in ``migrations/versions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import accounts as _accounts  # noqa: F401 - registers tables recordings refer to
from models import folders as _folders  # noqa: F401
from models.base import Base, OfRun, utcnow
from models.records import is_unsure

RECORDING_KINDS = ("meeting", "lesson")
RECORDING_STATUSES = ("queued", "running", "done", "failed")
# A new pipeline run may start only from a settled state; see models/runs.py.
SETTLED_STATUSES = ("done", "failed")
# Interactive uploads go ahead of folder batches, which are admitted a few at a time.
LANES = ("interactive", "batch")


class Recording(Base):
    __tablename__ = "recordings"
    # The same content is one recording within one scope (a team, a class, a person's own
    # uploads) and its own recording in each other scope; the audio is stored once by its hash.
    # AUTOINCREMENT: a deleted recording's id is never reused, so an old link opens nothing.
    __table_args__ = (
        UniqueConstraint("content_hash", "dedupe_scope", name="uq_recordings_content_scope"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    dedupe_scope: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # Shown to people only; files are stored under the content hash, never under this name.
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="meeting")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_s: Mapped[float | None] = mapped_column(Float)
    source_format: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    current_stage: Mapped[str | None] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str | None] = mapped_column(String(128), index=True)
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="SET NULL"), index=True
    )
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL"), index=True
    )
    reference_text: Mapped[str | None] = mapped_column(Text)
    expected_speakers: Mapped[int | None] = mapped_column(Integer)
    # Names of the people heard, as the uploader gave them: Whisper is told them so that it
    # spells them (see worker/stages/transcribe.py); never taken as who spoke.
    people: Mapped[list[Any] | None] = mapped_column(JSON)
    lane: Mapped[str] = mapped_column(
        String(16), default="interactive", server_default="interactive"
    )
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    watch_folder_id: Mapped[int | None] = mapped_column(
        ForeignKey("watched_folders.id", ondelete="SET NULL"), index=True
    )
    source_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When it was recorded, from the container (its creation_time tag); due dates said in it
    # ("by Friday") are resolved against this day, or the upload's when it is unknown.
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The current pipeline run. Every StageRun and derived row carries the run that wrote it;
    # readers show the current run only, and a task of an older run writes nothing.
    generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Consent: who was told they were being recorded, when and how (said by the uploader).
    consent_who: Mapped[str | None] = mapped_column(Text)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_how: Mapped[str | None] = mapped_column(String(255))
    # How often the sweeper re-queued this run after its tasks vanished (at most once).
    sweeps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # The current run's speakers and segments (view only; rows go with the recording's CASCADE).
    speakers: Mapped[list[Speaker]] = relationship(
        primaryjoin="and_(Recording.id == Speaker.recording_id, "
        "Recording.generation == Speaker.generation)",
        viewonly=True,
        order_by="Speaker.label",
    )
    segments: Mapped[list[Segment]] = relationship(
        primaryjoin="and_(Recording.id == Segment.recording_id, "
        "Recording.generation == Segment.generation)",
        viewonly=True,
        order_by="Segment.start_s",
    )
    stage_runs: Mapped[list[StageRun]] = relationship(
        back_populates="recording",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="StageRun.id",
    )


class Speaker(OfRun, Base):
    __tablename__ = "speakers"
    __table_args__ = (
        UniqueConstraint("recording_id", "generation", "label", name="uq_speakers_run_label"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(128))
    # Who gave the display name (None: the automatic "Speaker N"). A given name is carried to
    # the speaker of the next run whose speech overlaps this one's most.
    named_by: Mapped[str | None] = mapped_column(String(128))
    # The label this speaker had in the previous run, matched by the overlap of their speech.
    previous_label: Mapped[str | None] = mapped_column(String(32))
    # A name the conversation gives this speaker ("this is Sam"), offered to the user, never
    # applied by itself; ``suggestion`` holds the words that gave it away.
    suggested_name: Mapped[str | None] = mapped_column(String(128))
    suggestion: Mapped[str | None] = mapped_column(Text)
    # The speaker's voice (a unit GE2E embedding averaged over up to two minutes of their
    # speech) and how many seconds it was averaged over; matched against voice profiles.
    voice: Mapped[list[float] | None] = mapped_column(JSON)
    voice_s: Mapped[float | None] = mapped_column(Float)
    # The enrolled student this voice matched: their pronunciation report is filed under them.
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="SET NULL"))


class SpeechRegion(OfRun, Base):
    """Where the voice activity detector heard speech; the clip planner's input."""

    __tablename__ = "speech_regions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)


class SpeakerTurn(OfRun, Base):
    """Who spoke when, from the diarizer: exclusive turns (one speaker at a time)."""

    __tablename__ = "speaker_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    speaker_label: Mapped[str] = mapped_column(String(32))


class Clip(OfRun, Base):
    """One planned piece of audio (at most ``clip_max_s`` long) sent to a model."""

    __tablename__ = "clips"
    __table_args__ = (
        UniqueConstraint("recording_id", "generation", "index", name="uq_clips_run_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    speaker_label: Mapped[str | None] = mapped_column(String(32))
    transcribed: Mapped[bool] = mapped_column(default=False)
    # "ok", or "empty" when the model's answer held no transcript (the raw answer stays on the
    # clip's StageRun and the recording lists the clip as flagged).
    transcript_status: Mapped[str | None] = mapped_column(String(16))


class Segment(OfRun, Base):
    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_recording_start", "recording_id", "start_s"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    clip_index: Mapped[int | None] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    # [[word, probability], ...] of the words Whisper was unsure of (models.records
    # .UNSURE_WORD_BELOW); None when the engine gave no word probabilities.
    unsure_words: Mapped[list[Any] | None] = mapped_column(JSON)
    # A person's correction: ``text`` holds it (so search, exports and analysis use it) and
    # ``original_text`` what the machine heard; who edited and when.
    original_text: Mapped[str | None] = mapped_column(Text)
    edited_by: Mapped[str | None] = mapped_column(String(128))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    speaker: Mapped[Speaker | None] = relationship()

    @property
    def unsure(self) -> bool:
        return is_unsure(self.confidence, self.edited_by is not None)

    @property
    def words_to_check(self) -> list[tuple[str, float]]:
        """The words Whisper was unsure of, until a person corrects the line."""
        if self.edited_by is not None:
            return []
        return [(str(word), float(p)) for word, p in self.unsure_words or []]


class StageRun(OfRun, Base):
    """One execution of one stage: what ran, on what, what it answered and how long it took."""

    __tablename__ = "stage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(32))
    # What the run is about: "clip", "turn" (a speaker turn) or "speaker", and its number
    # within the run; both empty for a run over the whole recording.
    subject_kind: Mapped[str | None] = mapped_column(String(16))
    subject_index: Mapped[int | None] = mapped_column(Integer)
    engine: Mapped[str | None] = mapped_column(String(64))
    model_id: Mapped[str | None] = mapped_column(String(255))
    prompt_version: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")
    # For model answers: how well the parser understood them (ok, partial, failed).
    parse_status: Mapped[str | None] = mapped_column(String(16))
    # What the run was about when not the whole recording, e.g. a speaker turn's span.
    subject: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    raw_output: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[float | None] = mapped_column(Float)

    recording: Mapped[Recording] = relationship(back_populates="stage_runs")
