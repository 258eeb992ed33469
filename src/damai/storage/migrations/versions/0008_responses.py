"""Issue #11: responses and their review (``responses``), what was published (``publications``,
whose dry-run rows are the outbox), and settings an admin changes in the dashboard
(``settings``, e.g. four-eyes review).

All three are created from their one declaration in :mod:`damai.storage.schema`.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0008_responses"
down_revision = "0007_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("responses", "publications", "settings")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
