"""Issue #12, retraction: a ``sent`` publication may become ``retracted`` (deleted on the
platform by an approver, or struck from the record of the dry-run channel).

Only the state check changes (:func:`~damai.storage.migrations.helpers.replace_check`: SQLite
rebuilds the table from its declaration in batch mode, PostgreSQL swaps the constraint).
"""

from damai.storage import schema
from damai.storage.migrations.helpers import replace_check

revision = "0014_retract"
down_revision = "0013_engagement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    replace_check("publications", "publications_state_check", schema.PUBLICATION_STATE_CHECK)


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
