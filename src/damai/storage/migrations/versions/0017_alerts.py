"""Issue #13 part 5: ``alerts``, each alert of an event (``Alert``, ``Update``, ``Cancel``) with
its Indonesian and English texts; its review is a ``responses`` row.

Created from its one declaration in :mod:`damai.storage.schema`; the revision touches no other
table. It follows the events revision ``0015_events`` (rechained after ``0016`` at merge).
"""

from damai.storage.migrations.helpers import create_tables

revision = "0017_alerts"
down_revision = "0016_places"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("alerts")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
