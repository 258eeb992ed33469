"""Issue #14 part 7, accounts: ``users`` gains ``must_change_password`` and
``password_changed_at`` (a reset or demo password is changed at the next login) and the TOTP
columns ``totp_secret``, ``totp_enabled`` and ``totp_last_step`` (two-factor login).

Columns added as :mod:`damai.storage.schema` declares them; no other table is touched.
"""

from damai.storage.migrations.helpers import add_columns

revision = "0020_accounts"
down_revision = "0019_narratives"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_columns("users", "must_change_password", "password_changed_at", "totp_secret",
                "totp_enabled", "totp_last_step")


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
