"""Issue #13 part 7: ``hoaxwatch_dismissals`` (the posts an analyst took out of an event's
hoax-watch queue).

Created from its one declaration in :mod:`damai.storage.schema`; the revision touches no other
table. It follows ``0015_events`` for now (the revisions of the other parts of issue #13 are
chained in between at merge).
"""

from damai.storage.migrations.helpers import create_tables

revision = "0018_hoaxwatch"
down_revision = "0017_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("hoaxwatch_dismissals")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
