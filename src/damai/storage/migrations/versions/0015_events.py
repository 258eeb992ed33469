"""Issue #13: ``events`` (BMKG earthquakes and CAP alerts) and ``event_feeds`` (the poller's
conditional-request validators and each feed's health).

Created from their one declaration in :mod:`damai.storage.schema`; the revision touches no other
table. It follows the retraction revision ``0014_retract``.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0015_events"
down_revision = "0014_retract"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("events", "event_feeds")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
