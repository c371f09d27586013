"""Alembic's script directory for monitor's store: env.py and versions/ (run through monitor.store.migrate)."""
