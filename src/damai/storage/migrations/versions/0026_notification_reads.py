"""Issue #14 part 5, continued: ``notification_reads`` (who read which watchlist notification,
so the header's bell counts only what each user has not read), and a delivery may become
``failed`` (the way refused it for good: an SMTP 5xx for the recipients or the message, a
Telegram 400 or 403).

The table is created from its one declaration in :mod:`damai.storage.schema`; only the state
check of ``notification_deliveries`` changes (:func:`~damai.storage.migrations.helpers.
replace_check`: SQLite rebuilds the table from its declaration, PostgreSQL swaps the
constraint). Every notification raised before is unread for everyone. It follows the post
terms revision ``0025_post_terms``.
"""

from damai.storage import schema
from damai.storage.migrations.helpers import create_tables, replace_check

revision = "0026_notification_reads"
down_revision = "0025_post_terms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("notification_reads")
    replace_check("notification_deliveries", "notification_deliveries_state_check",
                  schema.DELIVERY_STATE_CHECK)


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
