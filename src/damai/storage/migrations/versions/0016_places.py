"""Issue #13 parts 3 and 4: ``post_places`` (the places each post names, stored at ingest) and
``event_reports`` (citizen disaster posts linked to an event).

Created from their one declaration in :mod:`damai.storage.schema`; the revision touches no other
table. Posts stored before it have no places until ``damai places backfill`` runs. It follows the
events revision ``0015_events``.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0016_places"
down_revision = "0015_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("post_places", "event_reports")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
