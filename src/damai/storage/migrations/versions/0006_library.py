"""Issue #11: the counter-narrative library (``library_entries``, every version of every entry)
and its usage history (``library_usage``).

Both are created from their one declaration in :mod:`damai.storage.schema`.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0006_library"
down_revision = "0005_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("library_entries", "library_usage")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
