"""Issue #12 part 5, the ambassador network (Duta Damai): ``ambassadors`` with their consent,
``ambassador_handles``, content kits (``ambassador_kits``) and the posts credited to them
(``ambassador_credits``).

All four are created from their one declaration in :mod:`damai.storage.schema`; the revision
touches no other table, so it can be re-chained after the publishing and campaign revisions
(0009, 0010) when the branches are merged.
"""

from damai.storage.migrations.helpers import create_tables

revision = "0011_ambassadors"
down_revision = "0010_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_tables("ambassadors", "ambassador_handles", "ambassador_kits", "ambassador_credits")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
