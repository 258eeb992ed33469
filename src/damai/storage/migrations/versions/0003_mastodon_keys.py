"""Issue #10: Mastodon posts keyed without their author's handle.

Mastodon ``platform_id``, ``repost_of_id`` and ``quote_of_id`` held status URIs
(``https://instance/users/<name>/statuses/<id>``). They become the hash of the URI
(:func:`damai.storage.rekey.handle_free_id`); ``posts.id`` stays, so triage, corrections and flags
keep pointing at their post.
"""

from alembic import op
from sqlalchemy import bindparam, select, update

from damai.storage.rekey import handle_free_id
from damai.storage.schema import posts

revision = "0003_mastodon_keys"
down_revision = "0002_foundation_v2"
branch_labels = None
depends_on = None

_COLUMNS = ("platform_id", "repost_of_id", "quote_of_id")
_PAGE = 1000


def _rekeyed(row: dict[str, object]) -> dict[str, object] | None:
    new = {c: handle_free_id(str(row[c])) if row[c] is not None else None for c in _COLUMNS}
    if all(new[c] == row[c] for c in _COLUMNS):
        return None
    return {"post": row["id"], **{f"new_{c}": new[c] for c in _COLUMNS}}


def upgrade() -> None:
    conn = op.get_bind()
    statement = (update(posts).where(posts.c.id == bindparam("post"))
                 .values({c: bindparam(f"new_{c}") for c in _COLUMNS}))
    after = 0
    while True:
        rows = conn.execute(select(posts.c.id, *(posts.c[c] for c in _COLUMNS))
                            .where(posts.c.platform == "mastodon", posts.c.id > after)
                            .order_by(posts.c.id).limit(_PAGE)).all()
        if not rows:
            return
        after = int(rows[-1].id)
        changes = [c for r in rows if (c := _rekeyed(dict(r._mapping)))]
        if changes:
            conn.execute(statement, changes)


def downgrade() -> None:
    raise NotImplementedError("Damai does not downgrade stores; restore a backup instead")
