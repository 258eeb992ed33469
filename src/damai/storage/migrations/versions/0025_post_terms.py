"""Issue #14 parts 2 and 3: what makes drill-downs and narrative pages fast on a large store.

- ``post_terms``: each post's hashtags, links and link domains, so a drill-down finds a rare value
  from an index instead of reading every post's JSON. Created from its declaration in
  :mod:`damai.storage.schema`; the posts stored so far get their rows here
  (:func:`damai.storage.terms.backfill`, 5,000 posts per page, in id order).
- ``narrative_posts`` gets each member post's time, platform, account key and whether it is a
  repost (copied from ``posts`` here for the rows so far), and the index ``narrative_posts_time``
  that a narrative's page reads them from.
- ``posts_reposts_by``: reposts by author, read by a narrative page's repost-ring signal.

On a store of a million posts this first start takes about half a minute. It follows
``0024_triage_queue``.
"""

from alembic import op
from sqlalchemy import text

from damai.storage.migrations.helpers import add_columns, create_indexes, create_tables
from damai.storage.terms import backfill

revision = "0025_post_terms"
down_revision = "0024_triage_queue"
branch_labels = None
depends_on = None

#: the columns ``narrative_posts`` gets, and where each is copied from
_FACTS = {"created_at": "p.created_at", "platform": "p.platform", "author_key": "p.author_key",
          "repost": "p.repost_of_id IS NOT NULL"}


def upgrade() -> None:
    create_tables("post_terms")
    backfill(op.get_bind())
    add_columns("narrative_posts", *_FACTS)
    copied = ", ".join(f"{column} = (SELECT {source} FROM posts p WHERE p.id = m.post_id)"
                       for column, source in _FACTS.items())
    op.get_bind().execute(text(f"UPDATE narrative_posts AS m SET {copied} "
                               "WHERE m.created_at IS NULL"))
    create_indexes("narrative_posts", "narrative_posts_time")
    create_indexes("posts", "posts_reposts_by")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
