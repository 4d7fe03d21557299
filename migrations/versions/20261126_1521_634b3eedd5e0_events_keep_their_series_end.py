"""Events keep their series end and an organiser's name; submissions remember the notice.

`events.series_end_dt` lets a calendar window select the events that may
overlap it without expanding any rule. Existing one-off events get their own
end; existing recurring ones stay NULL ("endless"), which only makes the
window query look at them a little more often, until their next save.
`events.organiser_name` keeps the name a partner gave for an organiser that
is not in the directory, when the submission is approved.

Revision ID: 634b3eedd5e0
Revises: 589eb02178cd
Create Date: 2026-11-26 15:21:04.099435
"""

import sqlalchemy as sa
from alembic import op

revision = "634b3eedd5e0"
down_revision = "589eb02178cd"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_end_dt", sa.DateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_events_series_end_dt"), ["series_end_dt"], unique=False
        )
        batch_op.add_column(
            sa.Column(
                "organiser_name",
                sa.String(length=200),
                server_default="",
                nullable=False,
            )
        )
    op.execute("UPDATE events SET series_end_dt = end_dt WHERE rrule = ''")

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("moderators_notified_dt", sa.DateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("moderators_notified_dt")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("organiser_name")
        batch_op.drop_index(batch_op.f("ix_events_series_end_dt"))
        batch_op.drop_column("series_end_dt")
