"""Issue #12 part 6: ``engagement_samples``, the time series of likes, reposts, replies, quotes
and views of published and credited posts.

Created from its one declaration in :mod:`damai.storage.schema`; the revision touches no other
table, so it can be re-chained after the retraction revision when the branches are merged.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0013_engagement"
down_revision = "0012_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("engagement_samples")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
