"""Issue #12 part 3: the publishing queue and per-account rate limits.

- ``publications`` gains ``not_before``, ``lookup_first`` and ``failures``, and its state may
  be ``queued``: SQLite rebuilds the table from its declaration (the only way to change a CHECK
  there), PostgreSQL swaps the constraint. Both take today's declaration, so a later revision
  that widens the states again does the same thing.
- ``publish_channels`` (a channel paused, and why) and ``publish_calls`` (every call to post,
  which the rate limit counts) are created from :mod:`damai.storage.schema`.
"""

from alembic import op

from damai.storage import schema
from damai.storage.migrations.helpers import add_columns, create_tables, dialect

revision = "0012_queue"
down_revision = "0011_ambassadors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_columns("publications", "not_before", "lookup_first", "failures")
    if dialect() == "sqlite":
        with op.batch_alter_table("publications", copy_from=schema.publications,
                                  recreate="always"):
            pass
    else:
        op.drop_constraint("publications_state_check", "publications", type_="check")
        op.create_check_constraint("publications_state_check", "publications",
                                   schema.PUBLICATION_STATE_CHECK)
    create_tables("publish_channels", "publish_calls")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
