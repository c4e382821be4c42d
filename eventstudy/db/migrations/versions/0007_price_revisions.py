"""Price revisions log (price_revisions, ingest_runs.values_revised) and the lock holder's process start time (pipeline_lock.pid_start).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "price_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("ticker", sa.String(20), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("old_value", sa.Float),
        sa.Column("new_value", sa.Float),
        sa.Column("revised_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_price_revisions_ticker_date", "price_revisions", ["ticker", "date"])
    with op.batch_alter_table("pipeline_lock") as batch:
        batch.add_column(sa.Column("pid_start", sa.BigInteger))
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("values_revised", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("values_revised")
    with op.batch_alter_table("pipeline_lock") as batch:
        batch.drop_column("pid_start")
    op.drop_index("ix_price_revisions_ticker_date", "price_revisions")
    op.drop_table("price_revisions")
