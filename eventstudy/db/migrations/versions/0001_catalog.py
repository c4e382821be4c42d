"""Catalog tables: events, event_parties, event_sources, claims, event_confounders.

Revision ID: 0001_catalog
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None


def _child_key() -> list:
    return [
        sa.Column("event_id", sa.String(120), sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("announced", sa.Date, nullable=False),
        sa.Column("timing", sa.String(20), nullable=False),
        sa.Column("announced_time", sa.String(5)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("deal_type", sa.String(40), nullable=False),
        sa.Column("amount_value", sa.Float),
        sa.Column("amount_currency", sa.String(3)),
        sa.Column("amount_kind", sa.String(40)),
        sa.Column("amount_text", sa.Text),
        sa.Column("terms", sa.Text),
        sa.Column("confidence", sa.String(10), nullable=False),
        sa.Column("confidence_note", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("catalog_file", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "event_parties",
        *_child_key(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ticker", sa.String(20)),
        sa.Column("exchange", sa.String(20)),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_index("ix_event_parties_ticker", "event_parties", ["ticker"])
    op.create_table(
        "event_sources",
        *_child_key(),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("quote", sa.Text),
    )
    op.create_table(
        "claims",
        *_child_key(),
        sa.Column("ticker", sa.String(20), nullable=False),
        sa.Column("window_start", sa.Integer, nullable=False),
        sa.Column("window_end", sa.Integer, nullable=False),
        sa.Column("claimed_move_pct", sa.Float, nullable=False),
        sa.Column("qualifier", sa.String(20), nullable=False),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("quote", sa.Text),
    )
    op.create_table(
        "event_confounders",
        *_child_key(),
        sa.Column("ticker", sa.String(20)),
        sa.Column("description", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("event_confounders", "claims", "event_sources", "event_parties", "events"):
        op.drop_table(name)
