"""Discovered event candidates (event_candidates).

Revision ID: 0006
Revises: 0005_pipeline
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_pipeline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_candidates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("accession", sa.String(25), nullable=False),
        sa.Column("ticker", sa.String(20), nullable=False),
        sa.Column("cik", sa.Integer, nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("form", sa.String(10), nullable=False),
        sa.Column("items", sa.String(100), nullable=False),
        sa.Column("filing_date", sa.Date, nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("json_acceptance", sa.String(40), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("timing", sa.String(20), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("event_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("accession", "ticker", name="uq_event_candidates_accession_ticker"),
    )


def downgrade() -> None:
    op.drop_table("event_candidates")
