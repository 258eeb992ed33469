"""Issue #9: the ``models`` registry (every model version and which one is in service), and
the progress of a background job (``jobs.done`` of ``jobs.total``).

Both are created from their one declaration in :mod:`damai.storage.schema`.
"""

from damai.storage.migrations.helpers import add_columns, create_tables

revision = "0005_models"
down_revision = "0004_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("models")
    add_columns("jobs", "done", "total")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
