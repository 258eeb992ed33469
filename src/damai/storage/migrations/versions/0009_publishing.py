"""Issue #12: publications on real channels.

- ``publications`` gains what the platform answered (``post_id``, ``post_url``), why a call
  failed (``reason``), how many calls it took (``attempts``) and when it last changed
  (``updated_at``), all taken from :mod:`damai.storage.schema`, and an index by state (the
  ``pending`` rows reconciliation reads).
- its state may now be ``uncertain`` too: SQLite rebuilds the table from its declaration (the
  only way to change a CHECK there), PostgreSQL swaps the constraint.
"""

from alembic import op

from damai.storage import schema
from damai.storage.migrations.helpers import (
    add_columns,
    dialect,
    existing_indexes,
    replace_check,
)

revision = "0009_publishing"
down_revision = "0008_responses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_columns("publications", "post_id", "post_url", "reason", "attempts", "updated_at")
    replace_check("publications", "publications_state_check", schema.PUBLICATION_STATE_CHECK)
    if dialect() == "sqlite":  # the rebuild created the declared indexes
        return
    if "publications_state" not in existing_indexes("publications"):
        # (a store that jumped from before 0008 made the table as declared today)
        op.create_index("publications_state", "publications", ["state", "id"])


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
