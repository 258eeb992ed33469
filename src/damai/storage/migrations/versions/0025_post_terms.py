"""Issue #14 part 3: ``post_terms`` (each post's hashtags, links and link domains, so a drill-down
finds a rare value from an index instead of reading every post's JSON).

Created from its declaration in :mod:`damai.storage.schema`; the posts stored so far get their
rows here (:func:`damai.storage.terms.backfill`: about 5,000 posts per page, in id order). On a
store of a million posts this first start takes a minute or so; it follows ``0024_triage_queue``.
"""

from alembic import op

from damai.storage.migrations.helpers import create_tables
from damai.storage.terms import backfill

revision = "0025_post_terms"
down_revision = "0024_triage_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("post_terms")
    backfill(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
