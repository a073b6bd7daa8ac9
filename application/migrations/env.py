"""Alembic's entry point for this project: jetpy supplies the engine and the models."""

from jetpy.data.migrations import run_migrations

run_migrations()
