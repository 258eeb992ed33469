"""Issue #10: the ``jobs`` table (ingest uploads accepted with 202 and run in the background).

Created from its one declaration in :mod:`damai.storage.schema`.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0004_jobs"
down_revision = "0003_mastodon_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("jobs")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
