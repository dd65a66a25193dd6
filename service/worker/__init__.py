"""Scheduled and queued ingestion on the PostgreSQL-backed job queue."""
