"""pipeline runs: a generation on recordings and on every row a run writes; StageRun subjects;
speaker name provenance; clip transcript flags

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_TABLES = (
    "speakers",
    "speech_regions",
    "speaker_turns",
    "clips",
    "segments",
    "stage_runs",
    "summaries",
    "action_items",
    "sentiment_spans",
    "pronunciation_scores",
)
# SQLite's unique constraints from 0001/0004 have no names: batch mode finds them by these.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _generation() -> sa.Column:
    return sa.Column("generation", sa.Integer(), server_default="1", nullable=False)


def _old_unique(table: str, postgres_name: str, sqlite_name: str) -> str:
    return sqlite_name if op.get_bind().dialect.name == "sqlite" else postgres_name


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(_generation())
        batch.add_column(sa.Column("sweeps", sa.Integer(), server_default="0", nullable=False))
    for table in RUN_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(_generation())

    with op.batch_alter_table("speakers", naming_convention=SQLITE_NAMES) as batch:
        batch.add_column(sa.Column("named_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("previous_label", sa.String(length=32), nullable=True))
        batch.drop_constraint(
            _old_unique("speakers", "speakers_recording_id_label_key", "uq_speakers_recording_id"),
            type_="unique",
        )
        batch.create_unique_constraint(
            "uq_speakers_run_label", ["recording_id", "generation", "label"]
        )
    # Names given before runs were tracked: any name that is not the automatic one.
    op.execute(
        "UPDATE speakers SET named_by = '(earlier)' WHERE display_name NOT LIKE 'Speaker %'"
    )

    with op.batch_alter_table("clips", naming_convention=SQLITE_NAMES) as batch:
        batch.add_column(sa.Column("transcript_status", sa.String(length=16), nullable=True))
        batch.drop_constraint(
            _old_unique("clips", "clips_recording_id_index_key", "uq_clips_recording_id"),
            type_="unique",
        )
        batch.create_unique_constraint("uq_clips_run_index", ["recording_id", "generation", "index"])

    with op.batch_alter_table("summaries", naming_convention=SQLITE_NAMES) as batch:
        batch.drop_constraint(
            _old_unique("summaries", "summaries_recording_id_key", "uq_summaries_recording_id"),
            type_="unique",
        )
        batch.create_unique_constraint("uq_summaries_run", ["recording_id", "generation"])

    with op.batch_alter_table("stage_runs") as batch:
        batch.alter_column("clip_index", new_column_name="subject_index")
        batch.add_column(sa.Column("subject_kind", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE stage_runs SET subject_kind = CASE "
        "WHEN stage = 'transcribe' THEN 'clip' "
        "WHEN stage = 'pronunciation_evidence' THEN 'speaker' "
        "ELSE 'turn' END WHERE subject_index IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM stage_runs WHERE generation <> (SELECT generation FROM recordings "
               "WHERE recordings.id = stage_runs.recording_id)")
    for table in RUN_TABLES:
        if table != "stage_runs":
            op.execute(
                f"DELETE FROM {table} WHERE generation <> (SELECT generation FROM recordings "  # noqa: S608
                f"WHERE recordings.id = {table}.recording_id)"
            )
    with op.batch_alter_table("stage_runs") as batch:
        batch.drop_column("subject_kind")
        batch.alter_column("subject_index", new_column_name="clip_index")
    with op.batch_alter_table("summaries") as batch:
        batch.drop_constraint("uq_summaries_run", type_="unique")
        batch.create_unique_constraint("summaries_recording_id_key", ["recording_id"])
    with op.batch_alter_table("clips") as batch:
        batch.drop_constraint("uq_clips_run_index", type_="unique")
        batch.drop_column("transcript_status")
        batch.create_unique_constraint("clips_recording_id_index_key", ["recording_id", "index"])
    with op.batch_alter_table("speakers") as batch:
        batch.drop_constraint("uq_speakers_run_label", type_="unique")
        batch.drop_column("previous_label")
        batch.drop_column("named_by")
        batch.create_unique_constraint("speakers_recording_id_label_key", ["recording_id", "label"])
    for table in RUN_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("generation")
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("sweeps")
        batch.drop_column("generation")
