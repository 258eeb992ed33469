"""What a narrative's page, ``damai narratives show`` and ``GET /api/v1/narratives/{id}`` show
(issue #14 part 2), built once as plain data.

Accounts appear only as the pseudonymised keys posts carry, never as handles. The page reads at
most :data:`MEMBERS` posts of a narrative (oldest first); its size is the stored count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from damai.pipeline.coordination import bursts, repost_rings
from damai.pipeline.narratives import provinces_of
from damai.storage import Store, StoredPost

__all__ = ["MEMBERS", "describe"]

#: posts of one narrative a page reads
MEMBERS: Final = 5000
#: posts (one per distinct text) whose places count in its provinces
_PLACES: Final = 500
_TOP: Final = 10


def describe(store: Store, narrative_id: int) -> dict[str, Any] | None:
    """The narrative's page as plain data, or ``None`` when there is no such narrative."""
    found = store.narratives.get(narrative_id)
    if found is None:
        return None
    members = store.narratives.members(narrative_id, MEMBERS)
    posts = [s for s, _ in members]
    days = Counter(s.post.created_at.date().isoformat() for s in posts)
    accounts = Counter(str(s.post.author_key) for s in posts if s.post.author_key)
    texts: dict[str, StoredPost] = {}  # the first post of each distinct text, oldest first
    for s in posts:
        if s.post.repost_of_id is None:
            texts.setdefault(s.post.text, s)
    return {
        **found.to_dict(),
        "labels": store.narratives.labels(narrative_id),
        "how": dict(Counter(how for _, how in members)),
        "platforms": dict(Counter(s.post.platform for s in posts).most_common()),
        "provinces": provinces_of(store, list(texts.values())[:_PLACES]),
        "volume": [{"day": day, "posts": n} for day, n in sorted(days.items())],
        "spreaders": [{"account": key, "posts": n} for key, n in accounts.most_common(_TOP)],
        "posts": [{"id": s.id, "platform": s.post.platform, "created_at":
                   s.post.created_at.isoformat(), "text": s.post.text, "how": how,
                   "account": s.post.author_key}
                  for s, how in members if how != "repost"][:50],
        "signals": [b.to_dict() for b in bursts(posts)]
        + [r.to_dict() for r in repost_rings(store, accounts)],
        "responses": store.narratives.responses(narrative_id),
        "read": len(posts),
    }
