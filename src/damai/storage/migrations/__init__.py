"""Alembic revisions of the store (``versions/``) and the helpers they share (``helpers``).

Revisions run on SQLite and PostgreSQL alike; :mod:`damai.storage.migrate` runs them. A new
store never runs them: it is created from :mod:`damai.storage.schema` and stamped with the head.
"""
