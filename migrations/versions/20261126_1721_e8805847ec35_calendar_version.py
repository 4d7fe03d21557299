"""The calendar version: one row whose number rises with every calendar change.

Feeds answer 304 from it without assembling anything.

Revision ID: e8805847ec35
Revises: 634b3eedd5e0
Create Date: 2026-11-26 17:21:19
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "e8805847ec35"
down_revision = "634b3eedd5e0"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "calendar_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_dt", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_version")),
    )
    op.bulk_insert(
        table,
        [
            {
                "id": 1,
                "version": 1,
                "changed_dt": datetime.now(UTC).replace(tzinfo=None),
            }
        ],
    )


def downgrade():
    op.drop_table("calendar_version")
