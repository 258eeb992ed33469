"""Issue #10: posts keyed and linked without their author's handle.

Damai 0.1 kept the author's name in places the pseudonymisation did not reach: Mastodon
``platform_id``, ``repost_of_id`` and ``quote_of_id`` held status URIs
(``https://instance/users/<name>/statuses/<id>``), and the ``url`` of X, Mastodon, Bluesky and
Telegram posts named the account. Each stored row is rewritten to the form today's mappers give
(:func:`damai.identity.migrate_post_identity`): the handle stays only for a registered account.
``posts.id`` stays, so triage, corrections and flags keep pointing at their post.
"""

from typing import Any

from alembic import op
from sqlalchemy import bindparam, select, update

from damai.identity import migrate_post_identity, migrate_reference
from damai.storage.schema import accounts, posts

revision = "0003_mastodon_keys"
down_revision = "0002_foundation_v2"
branch_labels = None
depends_on = None

_COLUMNS = ("platform_id", "url", "repost_of_id", "quote_of_id")
_PAGE = 1000


def rewritten(row: dict[str, Any], registered: set[tuple[str, str]]) -> dict[str, Any] | None:
    """The row's new identity columns, or ``None`` when it is already in today's form."""
    platform = str(row["platform"])
    key, url = migrate_post_identity(platform, str(row["platform_id"]), row["url"],
                                     keep=lambda p, handle: (p, handle.lower()) in registered)
    new = {"platform_id": key, "url": url,
           "repost_of_id": migrate_reference(platform, row["repost_of_id"]),
           "quote_of_id": migrate_reference(platform, row["quote_of_id"])}
    if all(new[c] == row[c] for c in _COLUMNS):
        return None
    return {"post": row["id"], **{f"new_{c}": new[c] for c in _COLUMNS}}


def upgrade() -> None:
    conn = op.get_bind()
    registered = {(str(p), str(h).lower()) for p, h in
                  conn.execute(select(accounts.c.platform, accounts.c.handle))}
    statement = (update(posts).where(posts.c.id == bindparam("post"))
                 .values({c: bindparam(f"new_{c}") for c in _COLUMNS}))
    after = 0
    while True:
        rows = conn.execute(select(posts.c.id, posts.c.platform, *(posts.c[c] for c in _COLUMNS))
                            .where(posts.c.id > after).order_by(posts.c.id).limit(_PAGE)).all()
        if not rows:
            return
        after = int(rows[-1].id)
        changes = [c for r in rows if (c := rewritten(dict(r._mapping), registered))]
        if changes:
            conn.execute(statement, changes)


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
