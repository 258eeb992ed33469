"""Issue #11: fact-check ``claims`` and ``post_claims`` (the claim a post repeats, with the
verdict and suggested response at the match).

Both are created from their one declaration in :mod:`damai.storage.schema`; the revision touches
no other table, so it can be re-chained after any sibling revision.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0007_claims"
down_revision = "0006_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("claims", "post_claims")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
