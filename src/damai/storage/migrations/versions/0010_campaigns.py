"""Issue #12 part 4: campaigns, their messages (with A/B variants) and their scheduled slots.

All three are created from their one declaration in :mod:`damai.storage.schema`.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0010_campaigns"
down_revision = "0009_publishing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("campaigns", "campaign_messages", "campaign_slots")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
