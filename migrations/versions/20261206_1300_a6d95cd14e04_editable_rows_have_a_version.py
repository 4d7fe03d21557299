"""Every editable row has a version against lost edits.

Events, programme items, participants, checklist tasks and follow-up items
get the optimistic-lock counter visits and matrix rows already have. Rows
that exist start at version 1 (the server default), as new rows do.

Revision ID: a6d95cd14e04
Revises: 35c68d7aa06a
Create Date: 2026-12-06 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a6d95cd14e04"
down_revision = "35c68d7aa06a"
branch_labels = None
depends_on = None

TABLES = (
    "events",
    "programme_items",
    "participants",
    "checklist_tasks",
    "follow_ups",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
