"""Issue #14 part 2: ``narratives``, ``narrative_posts`` (each grouped post's narrative) and
``narrative_signatures`` (the MinHash signatures the LSH index is rebuilt from).

Created from their one declaration in :mod:`damai.storage.schema`; the revision touches no other
table (``responses.narrative_id`` exists since ``0008_responses``).
"""

from damai.storage.migrations.helpers import create_tables

revision = "0019_narratives"
down_revision = "0018_hoaxwatch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("narratives", "narrative_posts", "narrative_signatures")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
