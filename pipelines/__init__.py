"""Batch pipelines that fill the database (price and factor ingestion)."""
