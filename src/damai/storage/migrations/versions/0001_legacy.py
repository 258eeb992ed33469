"""The schema of Damai 0.1: ``schema_migrations`` 0001_posts … 0007_label_time, auth_0001 and
auth_0002.

Never run: :func:`damai.storage.migrate.migrate` stamps a Damai 0.1 store at this revision (after
creating any account tables it lacked), and the revisions after it bring it up to date.
"""

revision = "0001_legacy"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: see the module doc."""


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
