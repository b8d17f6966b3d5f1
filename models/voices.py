"""Voice profiles: who is who across a team's or a class's recordings.

When a person names a speaker, the team or class keeps that voice: the speaker embedding
(GE2E, 256 numbers, from the diarize stage) averaged over all the speech it was named on. A
new recording's unnamed speaker whose voice is close enough to a profile is offered that
name; a class roster enrolled from short readings names its students outright, so their
pronunciation reports land on them. Profiles go with the student (CASCADE) or the group, can
be forgotten one by one, and a team or class can turn the feature off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.accounts import SchoolClass, Student, Team, group_of
from models.base import Base, utcnow
from models.tables import Recording, Speaker


class VoiceProfile(Base):
    __tablename__ = "voice_profiles"
    __table_args__ = (
        UniqueConstraint("team_id", "class_id", "name", name="uq_voice_profiles_group_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), index=True
    )
    # Set for an enrolled student: matching names the speaker as them (not just a suggestion).
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    embedding: Mapped[list[float]] = mapped_column(JSON)
    speech_s: Mapped[float] = mapped_column(Float, default=0.0)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Match:
    profile_id: int
    name: str
    similarity: float
    student_id: int | None


def unit(vector: npt.ArrayLike) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


def _group_filter(recording: Recording):  # type: ignore[no-untyped-def]
    if recording.team_id is not None:
        return VoiceProfile.team_id == recording.team_id
    return VoiceProfile.class_id == recording.class_id


def profiles_enabled(session: Session, recording: Recording) -> bool:
    """Only recordings filed under a team or class have profiles, and only when it allows."""
    group = group_of(session, recording.team_id, recording.class_id)
    return bool(group and group.voice_profiles)


def group_profiles(session: Session, recording: Recording) -> list[VoiceProfile]:
    if not profiles_enabled(session, recording):
        return []
    return list(session.scalars(select(VoiceProfile).where(_group_filter(recording))))


def learn_voice(
    session: Session, recording: Recording, speaker: Speaker, by: str, min_speech_s: float
) -> bool:
    """Fold the named speaker's voice into the group's profile of that name (weighted by
    seconds of speech). Returns whether a profile was written: not for a voice heard for
    less than ``min_speech_s``, nor where the team or class turned profiles off."""
    if speaker.voice is None or (speaker.voice_s or 0) < min_speech_s:
        return False
    if not profiles_enabled(session, recording):
        return False
    name = speaker.display_name
    profile = session.scalars(
        select(VoiceProfile).where(_group_filter(recording), VoiceProfile.name == name)
    ).one_or_none()
    seconds = float(speaker.voice_s or 1.0)
    if profile is None:
        profile = VoiceProfile(
            team_id=recording.team_id,
            class_id=None if recording.team_id is not None else recording.class_id,
            name=name,
            embedding=[float(x) for x in unit(speaker.voice)],
            speech_s=seconds,
        )
        session.add(profile)
    else:
        total = profile.speech_s + seconds
        mixed = unit(profile.embedding) * profile.speech_s + unit(speaker.voice) * seconds
        profile.embedding = [float(x) for x in unit(mixed / total)]
        profile.speech_s = total
    profile.updated_by, profile.updated_at = by, utcnow()
    return True


def enroll_student(
    session: Session, student: Student, voice: npt.ArrayLike, seconds: float, by: str
) -> VoiceProfile:
    """A class roster entry's voice, from a short reading (replaces an earlier enrolment)."""
    profile = session.scalars(
        select(VoiceProfile).where(VoiceProfile.student_id == student.id)
    ).one_or_none()
    if profile is None:
        profile = VoiceProfile(class_id=student.class_id, student_id=student.id, name=student.name)
        session.add(profile)
    profile.embedding = [float(x) for x in unit(voice)]
    profile.speech_s, profile.updated_by, profile.updated_at = seconds, by, utcnow()
    session.flush()
    return profile


def best_matches(
    voices: Mapping[str, npt.ArrayLike], profiles: Sequence[VoiceProfile], threshold: float
) -> dict[str, Match]:
    """Each speaker's profile when the cosine similarity reaches ``threshold``; a profile goes
    to one speaker at most (the closest pairs first)."""
    pairs = []
    for label, voice in voices.items():
        v = unit(voice)
        for profile in profiles:
            similarity = float(v @ unit(profile.embedding))
            if similarity >= threshold:
                pairs.append((similarity, label, profile))
    chosen: dict[str, Match] = {}
    taken: set[int] = set()
    for similarity, label, profile in sorted(pairs, key=lambda p: -p[0]):
        if label in chosen or profile.id in taken:
            continue
        chosen[label] = Match(profile.id, profile.name, similarity, profile.student_id)
        taken.add(profile.id)
    return chosen


def set_profiles_enabled(group: Team | SchoolClass, session: Session, enabled: bool) -> str:
    """Turn voice profiles on or off for a team or class; off deletes the ones it kept."""
    kind = "team" if isinstance(group, Team) else "class"
    group.voice_profiles = enabled
    if enabled:
        return f"voice profiles for {kind} {group.name}: on"
    column = VoiceProfile.team_id if kind == "team" else VoiceProfile.class_id
    forgotten = 0
    for profile in session.scalars(select(VoiceProfile).where(column == group.id)):
        session.delete(profile)
        forgotten += 1
    return f"voice profiles for {kind} {group.name}: off ({forgotten} profile(s) deleted)"


def forget_profile(session: Session, profile_id: int) -> str:
    profile = session.get(VoiceProfile, profile_id)
    if profile is None:
        raise LookupError(f"no voice profile {profile_id}")
    session.delete(profile)
    return f"forgot the voice of {profile.name} (profile {profile_id})"
