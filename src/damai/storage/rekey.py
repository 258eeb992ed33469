"""Handle-free keys for posts whose platform id names their author.

A Mastodon status URI is ``https://instance/users/<name>/statuses/<id>``: used as the post's
``platform_id`` it keeps the author's handle in the store, against the privacy rule of issue #10.
:func:`handle_free_id` turns such an id into a hash of the URI, which is just as unique and names
no one; revision ``0003_mastodon_keys`` rewrites stored posts with it.

Pure: no I/O, no secrets, idempotent (a hashed id stays as it is). The Mastodon mapper must give
new posts the same key (``damai.sources.mastodon``), or a re-ingested status is stored twice.
"""

from __future__ import annotations

import hashlib

__all__ = ["HASH_PREFIX", "handle_free_id"]

HASH_PREFIX = "sha256:"


def handle_free_id(status_id: str) -> str:
    """The key for a Mastodon status id: a URI becomes ``sha256:`` and 32 hex digits of its
    hash; anything else (an already hashed id, a plain number) is kept."""
    if "://" not in status_id:
        return status_id
    return HASH_PREFIX + hashlib.sha256(status_id.encode("utf-8")).hexdigest()[:32]
