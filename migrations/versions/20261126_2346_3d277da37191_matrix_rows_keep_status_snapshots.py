"""Matrix rows keep their cells at each status date, and a version against lost edits.

Every initiative that already has a status date gets its first snapshot: the
cells as they stand, as of that date, so the history starts with what the
matrix shows today.

Revision ID: 3d277da37191
Revises: 7cb1c0d58314
Create Date: 2026-11-26 23:46:18
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "3d277da37191"
down_revision = "7cb1c0d58314"
branch_labels = None
depends_on = None


def upgrade():
    snapshots = op.create_table(
        "initiative_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("actors", sa.Text(), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("planned", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("recorded_dt", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_initiative_snapshots_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_initiative_snapshots_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_snapshots")),
        sa.UniqueConstraint(
            "initiative_id",
            "as_of",
            name=op.f("uq_initiative_snapshots_initiative_id_as_of"),
        ),
    )
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default="1", nullable=False)
        )

    initiatives = sa.table(
        "initiatives",
        sa.column("id", sa.Integer),
        sa.column("actors", sa.Text),
        sa.column("done", sa.Text),
        sa.column("planned", sa.Text),
        sa.column("status", sa.Text),
        sa.column("status_as_of", sa.Date),
    )
    # UTC wall time, as the UTCDateTime columns store it.
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    op.execute(
        snapshots.insert().from_select(
            [
                "initiative_id",
                "as_of",
                "actors",
                "done",
                "planned",
                "status",
                "recorded_dt",
            ],
            sa.select(
                initiatives.c.id,
                initiatives.c.status_as_of,
                initiatives.c.actors,
                initiatives.c.done,
                initiatives.c.planned,
                initiatives.c.status,
                sa.literal(now, sa.DateTime()),
            ).where(initiatives.c.status_as_of.is_not(None)),
        )
    )


def downgrade():
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_column("version")
    op.drop_table("initiative_snapshots")
