"""Issue #14 part 5: ``watchlists`` (saved searches), ``notifications`` (the spikes they raised),
``notification_posts`` (the posts behind each) and ``notification_deliveries`` (each e-mail or
Telegram message, pending until sent).

Created from their one declaration in :mod:`damai.storage.schema`; the revision touches no other
table.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0022_watchlists"
down_revision = "0020_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("watchlists", "notifications", "notification_posts",
                  "notification_deliveries")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
