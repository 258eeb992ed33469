"""Issue #14 part 1: ``triage_items`` (each flagged post's place in the triage work queue, its
priority worked out once) and ``triage_notes`` (analysts' notes on a post).

Created from their declarations in :mod:`damai.storage.schema`. Every post flagged so far gets
an item marked to work out (``priority`` NULL), with the status and assignee of its ``triage``
row; the first queue read (or ``damai triage sync``) works the priorities out.
"""

from alembic import op
from sqlalchemy import text

from damai.storage.migrations.helpers import create_tables

revision = "0024_triage_queue"
down_revision = "0022_watchlists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("triage_items", "triage_notes")
    op.get_bind().execute(text(
        "INSERT INTO triage_items (post_id, status, assignee) "
        "SELECT f.post_id, COALESCE(t.status, 'open'), t.assignee "
        "FROM (SELECT DISTINCT post_id FROM post_flags) f "
        "LEFT JOIN triage t ON t.post_id = f.post_id "
        "WHERE NOT EXISTS (SELECT 1 FROM triage_items i WHERE i.post_id = f.post_id)"))


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
